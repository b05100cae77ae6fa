"""Roles of a report's events: perpetrators (people or organisations), targets, victims and weapons.

Input: a parsed report. Output: `RoleSpan`s, each an exact span of the text with its role label.
Every noun phrase of the report is a candidate (runs of nominal words, with an "of" complement, and
named entities); a linear model over the phrase's words, its place in the parse (the verb it depends on
and how: "killed X", "X attacked", "by X", "against X"), its neighbours, the codebook (weapon words,
known groups) and the event cues of its sentence scores each distinct phrase of the report for each
role. Phrases that share a text are scored together, so a name that is the subject of an attack in one
sentence and only named in another keeps the evidence of both. The weights are trained on MUC-4
(`make train`, see training/README.md) and shipped in sitrep/models/roles.json.gz.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import string
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from sitrep.codebook import Codebook
from sitrep.extract.actors import GENERIC_ATTACKERS
from sitrep.extract.detection import CueMatcher
from sitrep.records import ActorMention, Mention

LABELS = ("PERP_IND", "PERP_ORG", "TARGET", "VICTIM", "WEAPON")
NONE = "NONE"
MODEL_FILE = "roles.json.gz"
MAX_WORDS = 8  # longest candidate phrase, in words (an "of" complement may add as many again)

_NOMINAL = {"NOUN", "PROPN", "ADJ", "NUM"}
_HEADS = {"NOUN", "PROPN"}
_INSIDE = {'"', "-", "'s", "’s"}  # tokens that may sit inside a name ("car-bomb", "el siglo's facilities")
_PUNCT = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PERSON_NOUNS = {
    "people", "person", "persons", "civilian", "civilians", "child", "children", "woman", "women", "man", "men",
    "student", "students", "soldier", "soldiers", "policeman", "policemen", "officer", "officers", "villagers",
    "peasant", "peasants", "peasants", "journalist", "journalists", "priest", "priests", "mayor", "judge",
    "leader", "leaders", "member", "members", "guard", "guards", "worker", "workers", "employee", "employees",
    "official", "officials", "minister", "individuals", "businessman", "director", "president", "candidate",
    "wife", "son", "daughter", "driver", "passengers", "residents", "farmers", "jesuits", "priest", "bishop",
}


@dataclass(frozen=True)
class RoleSpan:
    """A role filler: label (one of LABELS), offsets and surface text, and the model's probability."""

    label: str
    start: int
    end: int
    text: str
    score: float


def normalize(text: str) -> str:
    """The comparison key of a phrase: lower case, no punctuation, no articles a/an/the."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCT)).split())


def candidates(doc: Doc) -> dict[str, list[Span]]:
    """Every candidate phrase of the report, grouped by normalised text (key) in document order."""
    spans: set[tuple[int, int]] = set()
    n = len(doc)
    i = 0
    while i < n:  # runs of nominal words: every stretch of up to MAX_WORDS that ends in a noun
        if doc[i].pos_ not in _NOMINAL:
            i += 1
            continue
        j = i
        while j < n and (doc[j].pos_ in _NOMINAL or (doc[j].text in _INSIDE and j + 1 < n and doc[j + 1].pos_ in _NOMINAL and j > i)):
            j += 1
        for k in range(i, j):
            if doc[k].pos_ not in _HEADS:
                continue
            for s in range(max(i, k - MAX_WORDS + 1), k + 1):
                if doc[s].text in _INSIDE:
                    continue
                spans.add((s, k + 1))
                if k + 2 < n and doc[k + 1].lower_ == "of":  # "members of the fmln"
                    m = k + 2 + (doc[k + 2].lower_ in {"the", "a", "an"})
                    e = m
                    while e < n and e - m < MAX_WORDS and doc[e].pos_ in _NOMINAL:
                        e += 1
                    if e > m and doc[e - 1].pos_ in _HEADS:
                        spans.add((s, e))
        i = j
    for ent in doc.ents:
        spans.add((ent.start, ent.end))
    groups: dict[str, list[Span]] = defaultdict(list)
    for start, end in sorted(spans):
        span = doc[start:end]
        key = normalize(span.text)
        if key and not key.isdigit():
            groups[key].append(span)
    return dict(groups)


class RoleTagger:
    """Scores candidate phrases with the trained linear model; built once per pipeline."""

    def __init__(self, codebook: Codebook, tokenizer, weights: dict | None = None):
        self.cues = CueMatcher(codebook, tokenizer)
        self.weapon_words = {w for names in codebook.weapons.values() for name in names for w in name.lower().split()}
        self.weapon_phrases = {normalize(name) for names in codebook.weapons.values() for name in names}
        self.actor_names = {normalize(a) for actor in codebook.actors for a in [actor.name, *actor.aliases]}
        self.labels: list[str] = [NONE, *LABELS]
        self.weights: dict[str, list[float]] = {}
        self.thresholds: dict[str, float] = {label: 0.5 for label in LABELS}
        if weights:
            self.labels = weights["labels"]
            self.weights = weights["weights"]
            self.thresholds = weights["thresholds"]

    @classmethod
    def load(cls, codebook: Codebook, tokenizer, path: Path | None = None) -> "RoleTagger":
        """The tagger with the shipped weights (or those at `path`); without weights it finds nothing."""
        source = path or resources.files("sitrep").joinpath("models", MODEL_FILE)
        try:
            with gzip.open(source.open("rb") if path is None else path, "rt", encoding="utf-8") as f:
                weights = json.load(f)
        except FileNotFoundError:
            weights = None
        return cls(codebook, tokenizer, weights)

    def __call__(self, doc: Doc) -> list[RoleSpan]:
        """The role fillers of a report: one span per distinct phrase, overlapping weaker phrases dropped."""
        if not self.weights:
            return []
        scored = []
        for spans, features in self.featurize(doc).values():
            probs = self.probabilities(features)
            label, p = max(((l, p) for l, p in zip(self.labels, probs) if l != NONE), key=lambda x: x[1])
            if p >= self.thresholds[label]:
                scored.append((p, label, spans))
        return _without_overlaps(doc, scored)

    def probabilities(self, features: list[str]) -> list[float]:
        """Softmax over the labels for one phrase's features."""
        totals = [0.0] * len(self.labels)
        for f in features:
            w = self.weights.get(f)
            if w:
                for k, v in enumerate(w):
                    totals[k] += v
        top = max(totals)
        exps = [math.exp(t - top) for t in totals]
        norm = sum(exps)
        return [e / norm for e in exps]

    def featurize(self, doc: Doc) -> dict[str, tuple[list[Span], list[str]]]:
        """Candidate phrases (by normalised text) with their occurrences and the union of their features."""
        sent_of: list[int] = [0] * len(doc)
        sent_cues: list[set[str]] = []
        for index, sent in enumerate(doc.sents):
            for t in range(sent.start, sent.end):
                sent_of[t] = index
            sent_cues.append({c.sub_event_type for c in self.cues(sent)})
        out = {}
        for key, spans in candidates(doc).items():
            features = {"bias", f"n={min(len(spans), 4)}", f"first={min(sent_of[spans[0].start], 6)}"}
            words = key.split()
            features.update(f"w={w}" for w in words)
            features.add(f"len={min(len(words), 6)}")
            features.add(f"last={words[-1]}")
            features.add(f"firstw={words[0]}")
            if key in self.weapon_phrases:
                features.add("lex=weapon")
            if words[-1] in self.weapon_words:
                features.add("lexh=weapon")
            if key in self.actor_names:
                features.add("lex=actor")
            if words[-1] in GENERIC_ATTACKERS:
                features.add("lex=attacker")
            if words[-1] in _PERSON_NOUNS:
                features.add("lex=person")
            if " of " in f" {key} ":
                features.add("has_of")
            for span in spans:
                features.update(_context(span, sent_cues[sent_of[span.start]]))
            out[key] = (spans, sorted(features))
        return out


def _context(span: Span, cues: set[str]) -> set[str]:
    """Where one occurrence stands: its head's dependency, governing verb, neighbours and sentence cues."""
    doc = span.doc
    head = span.root
    f = {f"dep={head.dep_}", f"pos={head.pos_}", f"ent={head.ent_type_}", f"gov={head.dep_}|{head.head.lemma_.lower()}"}
    if head.dep_ in {"pobj", "agent"} or head.head.dep_ in {"prep", "agent"}:
        prep = head.head
        f.add(f"pp={prep.lower_}|{prep.head.lemma_.lower()}")
        f.add(f"prep={prep.lower_}")
    verb, path = head, []
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i and len(path) < 4:
        path.append(verb.dep_)
        verb = verb.head
    if verb.pos_ in {"VERB", "AUX"}:
        f.add(f"verb={verb.lemma_.lower()}")
        f.add(f"vpath={'>'.join(path)}|{verb.lemma_.lower()}")
    left = doc[span.start - 1].lower_ if span.start > 0 else "<s>"
    left2 = doc[span.start - 2].lower_ if span.start > 1 else "<s>"
    right = doc[span.end].lower_ if span.end < len(doc) else "</s>"
    right2 = doc[span.end + 1].lower_ if span.end + 1 < len(doc) else "</s>"
    f.update({f"l1={left}", f"l2={left2} {left}", f"r1={right}", f"r2={right} {right2}"})
    f.update(f"cue={c}" for c in cues)
    if not cues:
        f.add("nocue")
    return f


def _without_overlaps(doc: Doc, scored: list[tuple[float, str, list[Span]]]) -> list[RoleSpan]:
    """Keep phrases best first; drop one whose every occurrence overlaps a kept phrase's occurrence."""
    taken: set[int] = set()
    kept: list[RoleSpan] = []
    for p, label, spans in sorted(scored, key=lambda x: -x[0]):
        free = [s for s in spans if taken.isdisjoint(range(s.start, s.end))]
        if not free:
            continue
        for s in spans:
            taken.update(range(s.start, s.end))
        first = free[0]
        kept.append(RoleSpan(label=label, start=first.start_char, end=first.end_char, text=first.text, score=round(p, 4)))
    return sorted(kept, key=lambda r: r.start)


def attach(mentions: list[Mention], spans: list[RoleSpan], canonical: Callable[[str], str]) -> None:
    """Give each role span to the event it belongs with: a realis mention of its own sentence (the nearest),
    else the nearest realis mention of the report. Perpetrators become `ActorMention`s (reported)."""
    realis = [m for m in mentions if m.modality is None]
    if not realis:
        return
    for span in spans:
        mention = min(realis, key=lambda m: (not m.sentence_start <= span.start < m.sentence_end,
                                             min(abs(span.start - m.start), abs(span.start - m.end))))
        if span.label in {"PERP_IND", "PERP_ORG"}:
            if not any(a.start < span.end and span.start < a.end for a in mention.actors):
                name = canonical(span.text) if span.label == "PERP_ORG" else span.text.lower()
                mention.actors.append(ActorMention(name=name, basis="reported", start=span.start, end=span.end))
            continue
        values = {"TARGET": mention.targets, "VICTIM": mention.victims, "WEAPON": mention.weapons}[span.label]
        if span.text not in values:
            values.append(span.text)
