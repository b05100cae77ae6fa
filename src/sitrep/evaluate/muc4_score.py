"""The MUC-4 template metric (DESIGN.md; the GTT, TempGen and IterX papers' scorer).

Per document, the one-to-one assignment of predicted to gold templates (or none) that maximises the
document's micro F1 is chosen; a pair is allowed only if the predicted incident type is contained in the
gold type string ("bombing" matches "bombing / attack"). In a pair, a predicted entity is correct when
every mention in it is among one gold entity's mentions after normalisation (lower case, no punctuation,
no articles a/an/the); a gold entity is found when some predicted entity is correct for it. Unmatched
predicted templates are spurious (their type and entities count against precision), unmatched gold
templates are missing. Counts are summed over documents and micro-averaged over the incident type and the
five roles.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
SLOTS = ("incident_type", *ROLES)
_PUNCT = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")

Entity = frozenset[str]  # normalised mentions of one entity


@dataclass(frozen=True)
class Template:
    """One incident template: its type and, per role, entities as sets of normalised mentions."""

    incident_type: str
    roles: Mapping[str, tuple[Entity, ...]]


@dataclass
class Counts:
    """Precision numerator/denominator and recall numerator/denominator of one slot."""

    p_num: int = 0
    p_den: int = 0
    r_num: int = 0
    r_den: int = 0

    def add(self, other: "Counts") -> None:
        self.p_num += other.p_num
        self.p_den += other.p_den
        self.r_num += other.r_num
        self.r_den += other.r_den

    @property
    def precision(self) -> float:
        return 100 * self.p_num / self.p_den if self.p_den else 0.0

    @property
    def recall(self) -> float:
        return 100 * self.r_num / self.r_den if self.r_den else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Counts per slot (incident type and five roles), summed over documents."""

    slots: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SLOTS})
    documents: int = 0

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.slots.values():
            total.add(counts)
        return total

    def add(self, other: "Score") -> None:
        for slot, counts in other.slots.items():
            self.slots[slot].add(counts)
        self.documents += other.documents


def normalize(mention: str) -> str:
    """Lower-case, drop punctuation and the articles a/an/the, collapse white space."""
    return " ".join(_ARTICLES.sub(" ", mention.lower().translate(_PUNCT)).split())


def template_from_json(raw: Mapping) -> Template:
    """A template from the gold format (entities of [mention, offset] pairs) or the prediction format
    (entities of mention strings). An entity without mentions is no entity; a type that is not a string
    is read as "attack" (as the published scorer does)."""
    roles = {}
    for role in ROLES:
        entities = []
        for entity in raw.get(role) or []:
            if entity:
                entities.append(frozenset(normalize(m[0] if isinstance(m, (list, tuple)) else m) for m in entity))
        roles[role] = tuple(entities)
    kind = raw.get("incident_type")
    return Template(incident_type=kind if isinstance(kind, str) else "attack", roles=roles)


def read_templates(path: Path, gold: bool = False) -> dict[str, list[Template]]:
    """docid -> templates, from a JSONL file of {"docid", "templates"} lines. In gold files a template
    repeated in a document counts once (the published scorer's reading of the keys)."""
    docs: dict[str, list[Template]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                doc = json.loads(line)
                templates = [template_from_json(t) for t in doc.get("templates") or []]
                if gold:
                    templates = [t for i, t in enumerate(templates) if t not in templates[:i]]
                docs[doc["docid"]] = templates
    return docs


def _pair_counts(pred: Template, gold: Template) -> dict[str, Counts]:
    """Counts of a matched pair of templates (the incident type is correct by construction)."""
    counts = {"incident_type": Counts(1, 1, 1, 1)}
    for role in ROLES:
        predicted, wanted = pred.roles[role], gold.roles[role]
        correct = sum(1 for p in predicted if any(p <= g for g in wanted))
        found = sum(1 for g in wanted if any(p <= g for p in predicted))
        counts[role] = Counts(correct, len(predicted), found, len(wanted))
    return counts


def _alone(template: Template, predicted: bool) -> dict[str, Counts]:
    """Counts of an unmatched template: spurious (predicted) or missing (gold)."""
    counts = {"incident_type": Counts(p_den=1) if predicted else Counts(r_den=1)}
    for role in ROLES:
        n = len(template.roles[role])
        counts[role] = Counts(p_den=n) if predicted else Counts(r_den=n)
    return counts


def _f1(p_num: int, r_num: int, p_den: int, r_den: int) -> float:
    if not p_num or not r_num:
        return 0.0
    p, r = p_num / p_den, r_num / r_den
    return 2 * p * r / (p + r)


def best_assignment(preds: list[Template], golds: list[Template]) -> list[tuple[int, int]]:
    """The one-to-one (partial) assignment of predicted to gold templates that maximises the document's
    micro F1. Denominators do not depend on the assignment, so the search maximises the F1 of the
    numerators; branch and bound over predicted templates keeps it exact and fast. Of assignments with
    equal F1 the first in the published scorer's order is kept (each predicted template in turn takes
    gold 0, 1, ... or none), so per-role figures agree with it too."""
    gains: dict[tuple[int, int], tuple[int, int]] = {}
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if p.incident_type in g.incident_type:
                c = _pair_counts(p, g).values()
                gains[i, j] = (sum(x.p_num for x in c), sum(x.r_num for x in c))
    p_den = sum(sum(x.p_den for x in _alone(t, True).values()) for t in preds)
    r_den = sum(sum(x.r_den for x in _alone(t, False).values()) for t in golds)
    best_gain = [max((gains[i, j] for j in range(len(golds)) if (i, j) in gains), default=(0, 0)) for i in range(len(preds))]
    rest = [tuple(map(sum, zip(*best_gain[i:], (0, 0)))) for i in range(len(preds) + 1)]
    best: tuple[float, list[tuple[int, int]]] = (-1.0, [])

    def search(i: int, used: frozenset[int], a: int, b: int, chosen: list[tuple[int, int]]) -> None:
        nonlocal best
        if i == len(preds):
            f = _f1(a, b, p_den, r_den)
            if f > best[0]:
                best = (f, list(chosen))
            return
        if _f1(a + rest[i][0], b + rest[i][1], p_den, r_den) <= best[0] and best[0] > 0:
            return
        for j in range(len(golds)):
            if j not in used:  # a pair of different types is no pair, but takes j (as the published scorer)
                ga, gb = gains.get((i, j), (0, 0))
                search(i + 1, used | {j}, a + ga, b + gb, [*chosen, (i, j)] if (i, j) in gains else chosen)
        search(i + 1, used, a, b, chosen)

    search(0, frozenset(), 0, 0, [])
    return best[1]


def score_document(preds: list[Template], golds: list[Template]) -> Score:
    """One document's counts under its best assignment."""
    result = Score(documents=1)
    pairs = best_assignment(preds, golds)
    for i, j in pairs:
        for slot, counts in _pair_counts(preds[i], golds[j]).items():
            result.slots[slot].add(counts)
    matched_p, matched_g = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, t in enumerate(preds):
        if i not in matched_p:
            for slot, counts in _alone(t, True).items():
                result.slots[slot].add(counts)
    for j, t in enumerate(golds):
        if j not in matched_g:
            for slot, counts in _alone(t, False).items():
                result.slots[slot].add(counts)
    return result


def score(predictions: Mapping[str, list[Template]], gold: Mapping[str, list[Template]]) -> Score:
    """Score every gold document (a document without predictions has none)."""
    total = Score()
    for docid, golds in gold.items():
        total.add(score_document(predictions.get(docid, []), golds))
    return total


def summary(result: Score, docs_per_sec: float = 0.0) -> dict:
    """The `--json` summary: micro P/R/F1, each role's F1, documents and speed (two decimals)."""
    micro = result.micro
    out = {"f1": round(micro.f1, 2), "precision": round(micro.precision, 2), "recall": round(micro.recall, 2)}
    out.update({slot: round(result.slots[slot].f1, 2) for slot in SLOTS})
    out.update({"documents": result.documents, "docs_per_sec": round(docs_per_sec, 2)})
    return out


def table_rows(result: Score) -> Iterable[tuple[str, float, float, float]]:
    """(slot, P, R, F1) per slot and for the micro average."""
    for slot in SLOTS:
        c = result.slots[slot]
        yield slot, c.precision, c.recall, c.f1
    micro = result.micro
    yield "micro", micro.precision, micro.recall, micro.f1
