"""Fit the toll model (sitrep.extract.tolls) on counts coded by people and write its weights.

    python training/train_tolls.py --gva ../shared/data/gva --gvc ../shared/data/gvc/gvc-train-dev.jsonl \
        --muc4 ../shared/data/muc4/train.jsonl --muc4-keys ../shared/data/muc4/keys-train.jsonl \
        --out src/sitrep/models/tolls.npz

Each article is coded by sitrep's own pipeline, exactly as at run time (rule only: the model being fitted
is not used); its main incident's figures give the candidates and features (`tolls.candidates`); a
candidate (a count of the victims) is right when, with the attackers killed that `reconcile` adds, it
equals the article's coded count:
- GVA: the Gun Violence Archive incident's `num_killed` / `num_injured` (articles of the incidents in
  the folder; crawl noise skipped as `sitrep eval merge` skips it);
- GVC: the same counts, joined to the GVC articles (title and text, as `sitrep eval casualties` reads them);
  the train split only (`--gvc-split`): the dev split stays unseen, to measure the model on;
- MUC-4: a document with one relevant answer-key template whose human targets all have a number and an
  effect: killed = the targets with effect DEATH, injured = those with INJURY.
The model is a conditional logit per kind (softmax over an article's candidates), fitted by full-batch
Adam from zero weights for a fixed number of steps (deterministic). Cross-validated accuracy (5 folds,
all articles of one incident in one fold) is printed for each data set beside the rule's accuracy on the
same articles; the weights written are fitted on everything. CPU only; about ten minutes on two cores
(most of it parsing).
"""

from __future__ import annotations

import argparse
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sitrep.evaluate import casualties, merge
from sitrep.evaluate.common import main_incident
from sitrep.extract import tolls
from sitrep.extract.reconcile import attackers, by_rule, toll_candidates
from sitrep.pipeline import Pipeline
from sitrep.records import Article

KINDS = ("killed", "injured")
FOLDS = 5
STEPS = 1500
LEARNING_RATE = 0.05
L2 = 1e-3


@dataclass
class Example:
    source: str
    group: str  # the incident: all its articles go to one fold
    gold: dict[str, int]
    rule: dict[str, int]  # the rule's count (0 when no figure counts)
    cands: dict[str, list[tolls.Candidate]]  # of the victims
    attackers: dict[str, int]  # added to the victims' count (by rule)


def gva(folder: Path) -> list[tuple[str, str, Article, int, int]]:
    articles, _ = merge.read_gva(folder)
    return [("gva", g.incident_id, g.article, g.killed, g.injured) for g in articles]


def gvc(path: Path, split: str | None) -> list[tuple[str, str, Article, int, int]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if not split or row.get("split_ukp_bugert2021") == split]
    return [("gvc", str(row["incident_id"]), Article.from_text(g.text, published=g.published), g.killed, g.injured)
            for row, g in zip(rows, casualties.read_gvc(path, split), strict=True)]


def _named_counts(values: list[str]) -> dict[str, str]:
    """'NUMBER: "NAME" / "OTHER NAME"' -> {NAME: NUMBER}."""
    out = {}
    for value in values:
        head, _, names = value.partition(":")
        found = re.findall(r'"([^"]+)"', names)
        if found:
            out[found[0]] = head.strip()
    return out


def muc4_counts(template: dict) -> tuple[int, int] | None:
    """(killed, injured) of a key template, or None when a target's number or effect is not given."""
    slots = template["raw_slots"]
    numbers = _named_counts(slots.get("21. HUM TGT: NUMBER", []))
    effects = _named_counts(slots.get("23. HUM TGT: EFFECT OF INCIDENT", []))
    names = [n for n in re.findall(r'"([^"]+)"', " ".join(slots.get("19. HUM TGT: DESCRIPTION", [])))]
    killed = injured = 0
    for name in set(numbers) | set(effects) | set(names):
        effect, number = effects.get(name), numbers.get(name)
        if effect is None or number is None or not number.isdigit():
            return None
        killed += int(number) if effect == "DEATH" else 0
        injured += int(number) if effect == "INJURY" else 0
    return killed, injured


def muc4(docs: Path, keys: Path) -> list[tuple[str, str, Article, int, int]]:
    templates: dict[str, list[dict]] = {}
    for line in keys.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["raw_slots"].get("4. INCIDENT: TYPE", ["*"])[0] != "*":
                templates.setdefault(row["message_id"], []).append(row)
    out = []
    for line in docs.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        found = templates.get(doc["docid"], [])
        counts = muc4_counts(found[0]) if len(found) == 1 else None
        if counts is not None:
            out.append(("muc4", doc["docid"], Article.from_text(doc["doctext"]), *counts))
    return out


def examples(pipeline: Pipeline, items: list[tuple[str, str, Article, int, int]]) -> list[Example]:
    out = []
    articles = [item[2] for item in items]
    for (source, group, _, killed, injured), (_, extraction) in zip(items, pipeline.extract_many(articles)):
        incident = main_incident(extraction)
        gold = {"killed": killed, "injured": injured}
        rule, cands, extra = {k: 0 for k in KINDS}, {k: [] for k in KINDS}, {k: 0 for k in KINDS}
        if incident is not None:
            place = incident.location.name if incident.location else None
            extra["killed"] = attackers(incident.figures, "killed")
            for kind in KINDS:
                ranged, alone = by_rule(incident.figures, kind, place, pipeline.codebook)
                rule[kind] = ranged.best if ranged else 0
                cands[kind] = toll_candidates(incident.figures, kind, place, pipeline.codebook, alone)
        out.append(Example(source, group, gold, rule, cands, extra))
    return out


def fit(data: list[Example], kind: str, names: list[str]) -> np.ndarray:
    """Conditional logit weights: maximise the log-probability of the right candidates of each article."""
    rows, group, target = [], [], []
    for ex in data:
        right = [c.value + ex.attackers[kind] == ex.gold[kind] for c in ex.cands[kind]]
        if not any(right):
            continue  # no candidate is right: nothing to learn from the article
        g = max(group, default=-1) + 1
        for c, ok in zip(ex.cands[kind], right):
            rows.append([c.features.get(n, 0.0) for n in names])
            group.append(g)
            target.append(ok / sum(right))
    x, idx, y = np.array(rows), np.array(group), np.array(target)
    n_groups = idx.max() + 1
    w, m, v = np.zeros(len(names)), np.zeros(len(names)), np.zeros(len(names))
    for step in range(1, STEPS + 1):
        z = x @ w
        top = np.full(n_groups, -np.inf)
        np.maximum.at(top, idx, z)
        e = np.exp(z - top[idx])
        den = np.zeros(n_groups)
        np.add.at(den, idx, e)
        grad = x.T @ (e / den[idx] - y) / n_groups + L2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w -= LEARNING_RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return w


def predict(model: tolls.TollModel, ex: Example, kind: str) -> int:
    return model.choose(ex.cands[kind], kind) + ex.attackers[kind] if ex.cands[kind] else 0


def cross_validate(data: list[Example], names: list[str]) -> dict[str, dict[str, float]]:
    """Per data set and kind: the rule's and the model's accuracy, each article predicted by a model fitted
    on the other folds."""
    fold = {(ex.source, ex.group): zlib.crc32(f"{ex.source}:{ex.group}".encode()) % FOLDS for ex in data}
    right = {(ex.source, kind, who): 0 for ex in data for kind in KINDS for who in ("rule", "model")}
    for k in range(FOLDS):
        train = [ex for ex in data if fold[(ex.source, ex.group)] != k]
        model = tolls.TollModel(names, {kind: fit(train, kind, names) for kind in KINDS})
        for ex in data:
            if fold[(ex.source, ex.group)] == k:
                for kind in KINDS:
                    right[(ex.source, kind, "rule")] += ex.rule[kind] == ex.gold[kind]
                    right[(ex.source, kind, "model")] += predict(model, ex, kind) == ex.gold[kind]
    sizes = {s: sum(ex.source == s for ex in data) for s in {ex.source for ex in data}}
    return {f"{s} {kind} ({sizes[s]})": {who: right[(s, kind, who)] / sizes[s] for who in ("rule", "model")}
            for s in sorted(sizes) for kind in KINDS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gva", type=Path, help="GVA folder (gva_articles.jsonl, gva_incidents.jsonl)")
    ap.add_argument("--gvc", type=Path, help="GVC JSON lines")
    ap.add_argument("--gvc-split", default="train", help="only this GVC split (dev is kept for measuring)")
    ap.add_argument("--muc4", type=Path, help="MUC-4 documents (train.jsonl)")
    ap.add_argument("--muc4-keys", type=Path, help="MUC-4 answer keys (keys-train.jsonl)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    items = (gva(a.gva) if a.gva else []) + (gvc(a.gvc, a.gvc_split) if a.gvc else []) + (
        muc4(a.muc4, a.muc4_keys) if a.muc4 and a.muc4_keys else [])
    pipeline = Pipeline.load()
    data = examples(pipeline, items)
    names = sorted({n for ex in data for kind in KINDS for c in ex.cands[kind] for n in c.features})
    for name, acc in cross_validate(data, names).items():
        print(f"{name:24s} rule {acc['rule']:.4f}  model (5-fold CV) {acc['model']:.4f}")
    tolls.write_model(a.out, tolls.TollModel(names, {kind: fit(data, kind, names) for kind in KINDS}))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
