"""Fit the place ranking (sitrep.extract.places) on gold places and write its weights.

    python training/train_places.py --gva ../shared/data/gva --acled ../shared/data/acled/acled-benin-dev.csv \
        --out src/sitrep/models/places.npz

Examples: every place name in a text that names the gold place, resolved by sitrep's own resolver with the
text's context, its candidates labelled right when they lie within 25 km of the gold point:
- US local news: Gun Violence Archive articles, gold point the incident's town in its state (as `sitrep
  eval geo` reads them);
- ACLED notes, gold point the event's coordinates, coded as `sitrep eval geo --db L --country` codes them:
  the notes of each half of the file with the other half's locations imported into the ledger's gazetteer.

The model is a conditional logit: a candidate's score is the weights times its features (`FEATURES`), the
"none of the above" option has a score of its own, and the loss is the negative log of the probability of
the right candidates (of "none" when no candidate is right), with an L2 penalty. The margin under which two
far-apart readings are called ambiguous is chosen on the training examples. Accuracy is cross-validated
over five folds grouped by gold place name (a town's articles are never both trained and tested on), for
the fitted weights and for the hand-set weights they replace. CPU only; the parse takes most of the time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from sitrep.evaluate.geo import read_acled, read_gun_violence
from sitrep.extract.places import FEATURES, PLACE_LABELS, PlaceRanker, PlaceResolver, _compatible
from sitrep.nlp.gazetteer import Gazetteer, LocalPlace, distance_km, normalize
from sitrep.nlp.ruler import build_nlp

RIGHT_KM = 25.0
NEAR_KM = 50.0
FAR_KM = 200.0
L2 = 0.01
MARGINS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75)
FOLDS = 5


@dataclass
class Example:
    """One ranking: candidates' features, which are right, which pairs are far apart, the gold place's group,
    and whether the name ranked is the gold place's own (else another place the same text names)."""

    X: np.ndarray
    right: np.ndarray
    apart: np.ndarray
    group: str
    source: str
    gold_name: bool


def _label(km: np.ndarray, towns: np.ndarray, gold_name: bool) -> np.ndarray | None:
    """Which candidates are right: for the gold place's own name, those within RIGHT_KM of it; for another
    name of the same text, those within NEAR_KM (the neighbouring towns, the county), and none when every
    reading is a town over FAR_KM away (a street or neighbourhood read as a namesake elsewhere, or a place of
    another story: in either case not where the text's event happened); else unknown (None)."""
    if gold_name:
        return km <= RIGHT_KM
    if (km <= NEAR_KM).any():
        return km <= NEAR_KM
    if towns.all() and (km > FAR_KM).all():
        return np.zeros(len(km), dtype=bool)
    return None


def _examples(texts, nlp, resolver: PlaceResolver, source: str, country: str | None = None) -> list[Example]:
    """`texts`: (text, gold name, lat, lon, group). Every place name of each text is ranked and labelled."""
    out: list[Example] = []
    seen: list[tuple] = []
    resolver.recorder = lambda cands, rows: seen.append((cands, rows))
    items = list(texts)
    for (text, name, lat, lon, group), doc in zip(items, nlp.pipe((t[0] for t in items), batch_size=32)):
        ctx = resolver.context(doc, country)
        wanted = normalize(name)
        for ent in doc.ents:
            if ent.label_ not in PLACE_LABELS:
                continue
            seen.clear()
            resolver.resolve_span(ent, ctx)
            if not seen:
                continue
            cands, rows = seen[-1]
            gold_name = normalize(ent.text) == wanted
            km = np.array([distance_km(c.lat, c.lon, lat, lon) for c in cands])
            right = _label(km, np.array([c.feature == "city" for c in cands]), gold_name)
            if right is None:
                continue
            apart = np.array([[not _compatible(a, b) for b in cands] for a in cands])
            out.append(Example(np.array(rows, dtype=np.float64), right, apart, group, source, gold_name))
    resolver.recorder = None
    return out


def gva_examples(folder: Path, nlp, resolver: PlaceResolver) -> list[Example]:
    events, _ = read_gun_violence(folder, resolver.gazetteer)
    texts = ((e.notes, e.location.split(",")[0].split("(")[0].strip(), e.lat, e.lon, e.location) for e in events)
    return _examples(texts, nlp, resolver, "gva")


def acled_examples(path: Path, nlp, gazetteer: Gazetteer, country: str) -> list[Example]:
    """Each half of the file coded with the other half's locations in the ledger's gazetteer."""
    events = list(read_acled(path))
    out: list[Example] = []
    for half in (0, 1):
        ledger = [LocalPlace(e.location, e.lat, e.lon, e.country, e.admin1 or None, source="acled")
                  for i, e in enumerate(events) if i % 2 != half and e.country]
        local = gazetteer.with_places(ledger)
        nlp.get_pipe("sitrep_gazetteer_ruler").set_gazetteer(local)
        resolver = PlaceResolver(local, PlaceRanker.hand())
        texts = ((e.notes, e.location, e.lat, e.lon, e.location) for i, e in enumerate(events) if i % 2 == half)
        out.extend(_examples(texts, nlp, resolver, "acled", country))
    nlp.get_pipe("sitrep_gazetteer_ruler").set_gazetteer(gazetteer)
    return out


_TOWN_TYPES = ("CITY", "TOWN", "VILLAGE", "MUNICIPALITY", "CAPITAL")


def muc4_places(keys: Path, gazetteer: Gazetteer) -> dict[str, list[tuple[str, float, float]]]:
    """docid -> (town name, lat, lon) of its answer keys' incident locations ("PERU: LIMA (CITY): SAN ISIDRO
    (NEIGHBORHOOD)" -> Lima, Peru): the most precise town of each, placed by the gazetteer in its country."""
    out: dict[str, list[tuple[str, float, float]]] = {}
    with open(keys, encoding="utf-8") as fh:
        for row in map(json.loads, filter(str.strip, fh)):
            for alternatives in row["parsed"].get("3. INCIDENT: LOCATION") or []:
                value = alternatives[0]["value"] if alternatives else "*"
                parts = [p.strip() for p in re.split(r"[:\-]", value)]
                cc = gazetteer.country_code(parts[0].title()) if parts and parts[0] != "*" else None
                names = [re.match(r"^(.+?)\s*\(", p)[1] for p in parts if re.match(r"^(.+?)\s*\((?:%s)\)$" % "|".join(_TOWN_TYPES), p)]
                if cc is None or not names:
                    continue
                found = [c for c in gazetteer.lookup(names[-1]) if c.feature == "city" and c.country_code == cc]
                if found:
                    town = min(found, key=lambda c: (c.alternate, -c.population))
                    out.setdefault(row["message_id"], []).append((names[-1], town.lat, town.lon))
    return out


def muc4_examples(docs: Path, keys: Path, nlp, resolver: PlaceResolver) -> list[Example]:
    """MUC-4 train documents (lower-cased Latin American news), gold: the answer keys' incident towns."""
    places = muc4_places(keys, resolver.gazetteer)
    texts = []
    with open(docs, encoding="utf-8") as fh:
        for row in map(json.loads, filter(str.strip, fh)):
            for name, lat, lon in places.get(row["docid"], ())[:1]:  # a document's first incident town
                texts.append((row["doctext"], name, lat, lon, name))
    return _examples(texts, nlp, resolver, "muc4")


# ---------------------------------------------------------------- the model


PRIOR = np.array(PlaceRanker.hand().weights)  # the L2 penalty pulls towards the hand-set weights, so a feature
# the examples rarely show (a region asked for by name, a country's name) keeps its hand-set weight


def _loss(theta: np.ndarray, examples: list[Example]) -> tuple[float, np.ndarray]:
    w, none = theta[:-1], theta[-1]
    total, grad = 0.0, np.zeros_like(theta)
    for ex in examples:
        s = np.append(ex.X @ w, none)
        s -= s.max()
        p = np.exp(s)
        p /= p.sum()
        target = np.append(ex.right, not ex.right.any()).astype(float)
        q = p * target
        mass = q.sum()
        total -= np.log(mass)
        d = p - q / mass  # d loss / d score
        grad[:-1] += ex.X.T @ d[:-1]
        grad[-1] += d[-1]
    n = len(examples)
    total = total / n + L2 * float((w - PRIOR) @ (w - PRIOR))
    grad /= n
    grad[:-1] += 2 * L2 * (w - PRIOR)
    return total, grad


def fit(examples: list[Example]) -> PlaceRanker:
    start = np.append(np.array(PlaceRanker.hand().weights), PlaceRanker.hand().none)
    result = minimize(_loss, start, args=(examples,), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w, none = result.x[:-1], float(result.x[-1])
    ranker = PlaceRanker(tuple(float(x) for x in w), none, 0.0)
    margin = max(MARGINS, key=lambda m: (accuracy(PlaceRanker(ranker.weights, none, m), examples), -m))
    return PlaceRanker(ranker.weights, none, margin)


def decide(ranker: PlaceRanker, ex: Example) -> int | None:
    """The chosen candidate's index, or None ("none of the above", or too close to call)."""
    s = ex.X @ np.array(ranker.weights)
    best = int(np.argmax(s))
    if s[best] < ranker.none:
        return None
    rivals = s[ex.apart[best]]
    if rivals.size and s[best] - rivals.max() < ranker.margin:
        return None
    return best


def accuracy(ranker: PlaceRanker, examples: list[Example]) -> float:
    """Share of rankings decided right: a right candidate chosen, or none when none is right."""
    if not examples:
        return 0.0
    ok = 0
    for ex in examples:
        k = decide(ranker, ex)
        ok += bool(ex.right[k]) if k is not None else not ex.right.any()
    return ok / len(examples)


def _fold(group: str) -> int:
    return int(hashlib.sha1(group.encode("utf-8")).hexdigest(), 16) % FOLDS


SUBSETS = {
    "all": lambda e: True,
    "US news, the incident's town": lambda e: e.source == "gva" and e.gold_name,
    "US news, other places": lambda e: e.source == "gva" and not e.gold_name,
    "MUC-4, the incident's town": lambda e: e.source == "muc4" and e.gold_name,
    "MUC-4, other places": lambda e: e.source == "muc4" and not e.gold_name,
    "ACLED, the event's place": lambda e: e.source == "acled" and e.gold_name,
    "ACLED, other places": lambda e: e.source == "acled" and not e.gold_name,
}


def cross_validate(examples: list[Example]) -> dict[str, dict[str, float]]:
    """Accuracy on held-out folds (grouped by gold place), fitted and hand-set, per subset."""
    held: list[tuple[Example, PlaceRanker]] = []
    for k in range(FOLDS):
        train = [e for e in examples if _fold(e.group) != k]
        ranker = fit(train)
        held.extend((e, ranker) for e in examples if _fold(e.group) == k)
    hand = PlaceRanker.hand()
    out = {}
    for name, keep in SUBSETS.items():
        pairs = [(e, r) for e, r in held if keep(e)]
        fitted = sum(accuracy(r, [e]) for e, r in pairs) / max(len(pairs), 1)
        out[name] = {"rankings": len(pairs), "fitted": round(fitted, 4),
                     "hand": round(accuracy(hand, [e for e, _ in pairs]), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gva", type=Path, required=True, help="Gun Violence Archive folder (gva_articles.jsonl, gva_incidents.jsonl)")
    ap.add_argument("--acled", type=Path, required=True, help="ACLED CSV with notes and coordinates")
    ap.add_argument("--acled-country", default="BJ", help="the country the ACLED notes are coded in (as --country)")
    ap.add_argument("--muc4", type=Path, required=True, help="MUC-4 folder (train.jsonl, keys-train.jsonl)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    started = time.perf_counter()
    gazetteer = Gazetteer.load()
    nlp = build_nlp(gazetteer)
    examples = gva_examples(args.gva, nlp, PlaceResolver(gazetteer, PlaceRanker.hand()))
    examples += muc4_examples(args.muc4 / "train.jsonl", args.muc4 / "keys-train.jsonl", nlp,
                              PlaceResolver(gazetteer, PlaceRanker.hand()))
    examples += acled_examples(args.acled, nlp, gazetteer, args.acled_country)
    print(f"{len(examples)} rankings ({sum(e.source == 'gva' for e in examples)} US news, "
          f"{sum(e.source == 'muc4' for e in examples)} MUC-4, {sum(e.source == 'acled' for e in examples)} ACLED) "
          f"in {time.perf_counter() - started:.0f} s")
    for source, scores in cross_validate(examples).items():
        print(f"cross-validated accuracy ({source}, {scores['rankings']} rankings): fitted {scores['fitted']:.4f}, "
              f"hand-set {scores['hand']:.4f}")
    ranker = fit(examples)
    ranker.write(args.out)
    print("weights:", ", ".join(f"{f} {w:+.3f}" for f, w in zip(FEATURES, ranker.weights)),
          f"; none {ranker.none:+.3f}; margin {ranker.margin}")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
