"""The fitted toll: which value an incident's figures offer is its killed (or injured) count.

The rules of `figures.py` find every count near a casualty word and say what each counts (its kind and
scope: the whole toll, one person, people shot, a part, the attackers, nobody else...); `reconcile`
derives a range from them by a stated rule. Where the figures of one report disagree ("some of the
wounded", "12 others wounded"; "one victim is in critical condition" beside "four people were shot"),
which value is the toll is decided here by a model fitted on counts coded by people (the Gun Violence
Archive's incidents with their articles, GVC, MUC-4's answer keys; see training/train_tolls.py):

- candidates: 0, every value a figure of the kind gives (not a part, the attackers, a word that names no
  number, nor the sum over the places of a wave of attacks), the rule's low, best and high (of the victims:
  attackers killed are added after, by rule), and for the injured the people shot less the dead and the
  wounded less those of them who died later;
- features of a candidate: how many figures of each scope give it, their qualifiers and positions,
  whether the rule picks it, whether it is the largest or the first toll, whether the other kind gives
  the same value... (`features`);
- the model: a conditional logit (one weight per feature, the candidate with the highest score wins),
  weights per kind in `models/tolls.npz` (plain arrays), written by `make train-tolls`.

Without the weights file the rule's best stands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from sitrep.extract.figures import (
    ALL_DEAD, ANOTHER_PERSON, DIED_OF_WOUNDS, NO_NUMBER, NOBODY_ELSE, ONE_PERSON, OWN_HAND, PERP_IN_TOLL, SUICIDE,
    is_shot,
)
from sitrep.models import read_shipped
from sitrep.records import Figure, FigureKind, Range

MODEL_FILE = "tolls.npz"
LEAD_CHARS = 300  # a figure this close to the start of its report is in the headline or the lead
EARLY_CHARS = 1000
SCOPES = ("toll", "body", "one", "own", "another", "shot", "suicide", "perp_in_toll", "perps", "subset",
          "wave", "nobody", "no_number", "other")
QUALIFIERS = ("exact", "at least", "about", "more than", "range", "up to", "less than")


def scope_class(figure: Figure, place_name: str | None) -> str:
    """The figure's scope as one of `SCOPES`."""
    scope = figure.scope
    if scope is None or scope == place_name:
        return "toll"
    fixed = {ALL_DEAD: "body", DIED_OF_WOUNDS: "toll", OWN_HAND: "own", SUICIDE: "suicide",
             PERP_IN_TOLL: "perp_in_toll", "perpetrators": "perps", NOBODY_ELSE: "nobody", NO_NUMBER: "no_number"}
    if scope in fixed:
        return fixed[scope]
    if is_shot(scope):
        return "shot"
    if scope.startswith(ANOTHER_PERSON):
        return "another"
    if scope.startswith(ONE_PERSON):
        return "one"
    if scope.startswith("subset:"):
        return "subset"
    if scope.startswith("all ") and scope.endswith("of the attacks"):
        return "wave"
    return "other"


_PRONOUNS = frozenset("he she him her they them".split())
_NOT_TOLLS = frozenset(["subset", "perps", "suicide", "perp_in_toll", "no_number", "wave"])


def _phrase(figure: Figure) -> list[str]:
    """The words of a one-person scope's phrase ("one person: The 17-year-old boy" -> [..., "boy"])."""
    return (figure.scope or "").partition(":")[2].lower().split()


@dataclass
class Candidate:
    value: int
    features: dict[str, float]


def candidates(figures: Sequence[Figure], kind: FigureKind, place_name: str | None, rule: Range | None,
               dead: int, died_of_wounds: int = 0, people_shot: int = 0, nth: int = 0) -> list[Candidate]:
    """The values the figures offer for the victims of `kind` (the attackers killed are `reconcile`'s), each
    with its features. `rule`: the rule's range of the victims, `dead`: the victims killed (by the rule),
    `died_of_wounds`: how many of the wounded counted died later (`reconcile.died_of_wounds`), `people_shot`:
    how many people the figures of one person shot tell of (`reconcile.people_shot`), `nth`: the largest
    ordinal of another person told ("the third person died": `reconcile.ordinal_victim`)."""
    own = [f for f in figures if f.kind == kind]
    other = [f for f in figures if f.kind in ("killed", "injured") and f.kind != kind]
    shot = [f.value for f in figures if f.kind == "injured" and is_shot(f.scope)]
    classes = {id(f): scope_class(f, place_name) for f in figures}
    # a part, the attackers, a word that names no number or the sum over a wave's places is never the victims'
    # toll itself
    values = {0} | {f.value for f in own if classes[id(f)] not in _NOT_TOLLS}
    if rule is not None:
        values |= {rule.low, rule.best, rule.high}
    if kind == "injured":
        values |= {v - dead for v in shot if v >= dead}
        if people_shot > 1:  # the people shot told one by one: the wounded alone, or with the dead among them
            values |= {people_shot} | ({people_shot - dead} if people_shot >= dead else set())
    tolls = [f.value for f in own if classes[id(f)] in ("toll", "body")]
    survivors = {v - died_of_wounds for v in tolls if v >= died_of_wounds} if kind == "injured" and died_of_wounds \
        else set()
    values |= survivors
    ordered = sorted((f for f in own if classes[id(f)] not in ("subset", "perps", "suicide", "nobody")),
                     key=lambda f: f.start)
    # which of the rule's steps decided: a toll, a single person, the people shot less the dead, or nothing
    counted = [f for f in own if classes[id(f)] in ("toll", "body")]
    path = "toll" if counted else "single" if any(classes[id(f)] in ("one", "another", "own") for f in own) \
        else "shot" if kind == "injured" and shot else "none"
    # the last words of the people the other kind tells of ("the boy" died; "the boy" was wounded)
    told = {w for f in other if classes[id(f)] == "one" for w in _phrase(f)[-1:]} - _PRONOUNS
    out = []
    for v in sorted(values):
        given = [f for f in own if f.value == v]
        x: dict[str, float] = {}
        for name in SCOPES:
            n = sum(classes[id(f)] == name for f in given)
            x[f"n_{name}"] = math.log1p(n)
            x[f"any_{name}"] = float(n > 0)
        for q in QUALIFIERS:
            x[f"q_{q}"] = float(any(f.qualifier == q for f in given))
        x["rule"] = float(v == (rule.best if rule is not None else 0))  # no figure counts: the rule says 0
        for p in ("toll", "single", "shot", "none"):
            x[f"rule_by_{p}"] = x["rule"] * (path == p)
        x["rule_low"] = float(rule is not None and v == rule.low)
        x["rule_high"] = float(rule is not None and v == rule.high)
        x["rule_none"] = float(rule is None)
        x["zero"] = float(v == 0)
        x["zero_no_figure"] = float(v == 0 and not own)
        x["zero_said"] = float(v == 0 and bool(given))
        has_other = any(f.value > 0 for f in other)
        x["zero_other_kind"] = float(v == 0 and has_other)
        x["one"] = float(v == 1)
        x["shot_less_dead"] = float(kind == "injured" and any(s - dead == v for s in shot))
        x["ordinal"] = float(nth > 0 and v == nth)
        x["told_shot"] = float(kind == "injured" and people_shot > 1 and v == people_shot)
        x["told_shot_less_dead"] = float(kind == "injured" and people_shot > 1 and v == people_shot - dead)
        x["wounded_less_died"] = float(v in survivors)
        x["largest_toll"] = float(bool(tolls) and v == max(tolls))
        x["smallest_toll"] = float(bool(tolls) and v == min(tolls))
        x["share"] = len(given) / max(1, len(own))
        x["first"] = float(bool(ordered) and ordered[0].value == v)
        x["lead"] = float(any(f.start < LEAD_CHARS for f in given))
        x["early"] = float(any(f.start < EARLY_CHARS for f in given))
        x["attributed"] = float(any(f.reported_by for f in given))
        x["other_kind_same"] = float(any(f.value == v and classes[id(f)] in ("toll", "body", "one", "shot")
                                         for f in other))
        x["one_in_death_report"] = float(v == 1 and bool(given) and has_other
                                         and all(classes[id(f)] in ("one", "shot") for f in given))
        x["shot_only"] = float(bool(given) and all(classes[id(f)] == "shot" for f in given))
        singles = [f for f in given if classes[id(f)] == "one"]
        x["single_pronoun"] = float(bool(singles) and all(_phrase(f)[-1:] and _phrase(f)[-1] in _PRONOUNS
                                                              for f in singles))
        x["single_told_as_other"] = float(any(_phrase(f)[-1:] and _phrase(f)[-1] in told for f in singles))
        x["distinct"] = math.log1p(len(values))
        out.append(Candidate(v, x))
    return out


@dataclass
class TollModel:
    """Feature names and one weight vector per kind."""

    names: list[str]
    weights: dict[str, np.ndarray]

    def score(self, cands: list[Candidate], kind: str) -> np.ndarray:
        matrix = np.array([[c.features.get(n, 0.0) for n in self.names] for c in cands])
        return matrix @ self.weights[kind]

    def choose(self, cands: list[Candidate], kind: str) -> int:
        """The value of the best-scoring candidate (ties: the smaller value)."""
        return cands[int(np.argmax(self.score(cands, kind)))].value


def read_model(source) -> TollModel:
    with np.load(source, allow_pickle=False) as z:  # a path or a binary file
        return TollModel(names=[str(n) for n in z["names"]],
                         weights={k: z[f"weights_{k}"].astype(np.float64) for k in ("killed", "injured")})


def write_model(path, model: TollModel) -> None:
    np.savez(path, names=np.array(model.names), **{f"weights_{k}": w.astype(np.float32)
                                                   for k, w in model.weights.items()})


@cache
def shipped() -> TollModel | None:
    """The weights shipped in sitrep/models (None when the file is absent)."""
    return read_shipped(MODEL_FILE, read_model)
