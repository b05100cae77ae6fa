"""Roles of a report's events: perpetrators (people or organisations), targets, victims and weapons.

Input: a parsed report. Output: `RoleSpan`s, each an exact span of the text with its role label.
Every noun phrase of the report is a candidate (runs of nominal words, with an "of" complement, and
named entities). A small trained model scores each distinct phrase of the report for each role from
the phrase's words, its place in the parse (the verb it depends on and how: "killed X", "X attacked",
"by X", "against X"), its neighbours, the codebook (weapon words, known groups), the event cues of its
sentence and on which side of the nearest cue it stands: the features' embeddings are summed, passed
through one ReLU layer and a softmax. Phrases that share a text are scored together, so a name that is
the subject of an attack in one sentence and only named in another keeps the evidence of both. A person
named in part ("Anderson") takes the fullest form of the name in the report ("Christopher Anderson").
`VictimReader` adds the people the parse names as harmed by an act ("the murder of <name>", "<name> and
her driver were kidnapped", "the priests' murder"), which the model misses when the name is rare; case is not
relied on (news wires and lower-cased reports parse alike). `attach` then hands each span to the event
mention it belongs with. The weights are trained on MUC-4 (`make train`, training/train_roles.py) and
shipped in sitrep/models/roles.npz; without them the stage finds no roles.
"""

from __future__ import annotations

import io
import json
import re
import string
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np
from spacy.tokens import Doc, Token

from sitrep.codebook import Codebook
from sitrep.extract.selection import source_text
from sitrep.extract.actors import GENERIC_ATTACKERS, ActorFinder
from sitrep.extract.detection import CueMatcher
from sitrep.records import Mention

LABELS = ("PERP_IND", "PERP_ORG", "TARGET", "VICTIM", "WEAPON")
NONE = "NONE"
MODEL_FILE = "roles.npz"
MAX_WORDS = 8  # longest candidate phrase, in words (an "of" complement may add as many again)

_NOMINAL = {"NOUN", "PROPN", "ADJ", "NUM"}
_HEADS = {"NOUN", "PROPN"}
_INSIDE = {'"', "-", "'s", "’s"}  # tokens that may sit inside a name ("car-bomb", "el siglo's facilities")
_PUNCT = str.maketrans("", "", string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PERSON_NOUNS = {
    "people", "person", "persons", "civilian", "civilians", "child", "children", "woman", "women", "man", "men",
    "student", "students", "soldier", "soldiers", "policeman", "policemen", "officer", "officers", "villagers",
    "peasant", "peasants", "journalist", "journalists", "priest", "priests", "mayor", "judge", "leader",
    "leaders", "member", "members", "guard", "guards", "worker", "workers", "employee", "employees", "official",
    "officials", "minister", "individuals", "businessman", "director", "president", "candidate", "wife", "son",
    "daughter", "driver", "passengers", "residents", "farmers", "jesuits", "bishop",
}
_HARM_ACTS = ("kill", "murder", "injure", "abduct", "shoot")  # codebook act classes whose patients are victims
_DYING = {"die", "death", "perish"}  # their subject (or "of" object) is the victim
_NOT_NAMES = {"GPE", "LOC", "ORG", "NORP", "FAC", "DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY"}
_TITLES = {
    "judge", "father", "mayor", "president", "minister", "colonel", "col", "general", "gen", "captain", "capt",
    "lieutenant", "lt", "major", "sergeant", "dr", "doctor", "mr", "mrs", "ms", "msgr", "monsignor", "bishop",
    "archbishop", "senator", "deputy", "congressman", "candidate", "journalist", "leader", "attorney", "commander",
    "engineer", "professor", "priest", "governor", "councilman", "councilor", "comrade", "sister", "brother",
}
_PARTICLES = {"de", "del", "la", "y", "da", "do", "dos", "van", "von"}  # inside names ("maria de la cruz")
VICTIM_SCORE = 0.5  # the probability a rule-read victim carries (below the model's confident spans)
Occurrence = tuple[int, int, int, int, str]  # token start, token end, character start, character end, text


@dataclass(frozen=True)
class RoleSpan:
    """A role filler: label (one of LABELS), offsets and surface text, and the model's probability."""

    label: str
    start: int
    end: int
    text: str
    score: float


def normalize(text: str) -> str:
    """The comparison key of a phrase (the MUC-4 scorer's): lower case, no punctuation, no a/an/the."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCT)).split())


class _Parse:
    """The token attributes the role stage reads, copied out of the Doc once (Token objects are slow)."""

    def __init__(self, doc: Doc):
        self.text = source_text(doc)
        strings = doc.vocab.strings
        rows = doc.to_array(["LOWER", "POS", "DEP", "LEMMA", "ENT_TYPE", "HEAD", "IDX", "LENGTH"])
        name = {0: ""}

        def as_text(value: int) -> str:
            if value not in name:
                name[value] = strings[value]
            return name[value]

        self.lower, self.pos, self.dep, lemma, self.ent = ([as_text(v) for v in column.tolist()] for column in rows[:, :5].T)
        self.lemma = [w.lower() for w in lemma]
        numbers = rows[:, 5:].astype(np.int64)  # HEAD is relative, stored as unsigned
        self.head = (numbers[:, 0] + np.arange(len(rows))).tolist()
        self.idx = numbers[:, 1].tolist()
        self.end_char = (numbers[:, 1] + numbers[:, 2]).tolist()
        self.passive = {self.head[i] for i, d in enumerate(self.dep) if d == "auxpass"}
        self.ents = [(e.start, e.end) for e in doc.ents]
        self.sents = [(s.start, s.end) for s in doc.sents]
        self.depth = [0] * len(rows)
        for i in range(len(rows)):
            j, d = i, 0
            while self.head[j] != j and d < 50:
                j, d = self.head[j], d + 1
            self.depth[i] = d

    def span_text(self, start: int, end: int) -> str:
        return self.text[self.idx[start] : self.end_char[end - 1]]

    def root(self, start: int, end: int) -> int:
        """The token of the span highest in the parse (as spaCy's Span.root)."""
        return min(range(start, end), key=lambda i: (self.depth[i], i))


def _spaced_dash(parse: _Parse, i: int) -> bool:
    """A dash with space on both sides separates phrases ("KANO - Police fired"), unlike "Al-Shabaab"."""
    start, end = parse.idx[i], parse.end_char[i]
    return (parse.text[start:end] in {"-", "–", "—"} and start > 0 and parse.text[start - 1].isspace()
            and end < len(parse.text) and parse.text[end].isspace())


def candidates(parse: _Parse) -> dict[str, list[tuple[int, int]]]:
    """Every candidate phrase (token start, end) of the report, grouped by normalised text, in order."""
    pos, lower, n = parse.pos, parse.lower, len(parse.pos)
    inside = [parse.text[parse.idx[i] : parse.end_char[i]] in _INSIDE and not _spaced_dash(parse, i) for i in range(n)]
    spans: set[tuple[int, int]] = set()
    i = 0
    while i < n:  # runs of nominal words: every stretch of up to MAX_WORDS that ends in a noun
        if pos[i] not in _NOMINAL:
            i += 1
            continue
        j = i
        while j < n and (pos[j] in _NOMINAL or (inside[j] and j > i and j + 1 < n and pos[j + 1] in _NOMINAL)):
            j += 1
        for k in range(i, j):
            if pos[k] not in _HEADS:
                continue
            for start in range(max(i, k - MAX_WORDS + 1), k + 1):
                if inside[start]:
                    continue
                spans.add((start, k + 1))
                if k + 2 < n and lower[k + 1] == "of":  # "members of the fmln"
                    m = k + 2 + (lower[k + 2] in {"the", "a", "an"})
                    e = m
                    while e < n and e - m < MAX_WORDS and pos[e] in _NOMINAL:
                        e += 1
                    if e > m and pos[e - 1] in _HEADS:
                        spans.add((start, e))
        i = j
    for start, end in parse.ents:  # an entity run across a dateline ("KANO - Police") starts after the dash
        dashes = [i for i in range(start, end) if _spaced_dash(parse, i)]
        start = dashes[-1] + 1 if dashes else start
        if start < end:
            spans.add((start, end))
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for start, end in sorted(spans):
        key = normalize(parse.span_text(start, end))
        if key and not key.isdigit():
            groups[key].append((start, end))
    return dict(groups)


def read_model(f: BinaryIO) -> dict:
    """Weights as written by `write_model`: feature index, embeddings E (float16), b1, output W, b2, labels,
    thresholds."""
    with np.load(f) as z:
        meta = json.loads(bytes(z["meta"]).decode("utf-8"))
        features = bytes(z["features"]).decode("utf-8").split("\n")
        return {"index": dict(zip(features, range(len(features)))), "E": z["E"],
                "b1": z["b1"], "W": z["W"], "b2": z["b2"], **meta}


def write_model(path: Path, features: list[str], E, b1, W, b2, labels: list[str], thresholds: dict[str, float]) -> None:
    """Save weights in one .npz file, embeddings as float16 and stored uncompressed (they do not compress,
    and inflating them was a tenth of a second of every start)."""
    meta = json.dumps({"labels": labels, "thresholds": thresholds}).encode("utf-8")
    arrays = {"features": np.frombuffer("\n".join(features).encode("utf-8"), dtype=np.uint8),
              "meta": np.frombuffer(meta, dtype=np.uint8), "E": E.astype(np.float16), "b1": b1, "W": W, "b2": b2}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy")
            member.compress_type = zipfile.ZIP_STORED if name == "E" else zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)
    path.write_bytes(buffer.getvalue())


class RoleTagger:
    """Scores candidate phrases with the trained model (features -> summed embeddings -> ReLU -> softmax)."""

    def __init__(self, codebook: Codebook, tokenizer, model: dict | None = None):
        self.cues = CueMatcher(codebook, tokenizer)
        self.weapon_words = {w for names in codebook.weapons.values() for name in names for w in name.lower().split()}
        self.weapon_phrases = {normalize(name) for names in codebook.weapons.values() for name in names}
        self.actor_names = {normalize(a) for actor in codebook.actors for a in [actor.name, *actor.aliases]}
        self.victims = VictimReader(codebook)
        self.model = model

    @classmethod
    def load(cls, codebook: Codebook, tokenizer, path: Path | None = None) -> "RoleTagger":
        """The tagger with the shipped weights (or those at `path`); without weights it finds nothing."""
        source = path or resources.files("sitrep").joinpath("models", MODEL_FILE)
        if not source.is_file():
            return cls(codebook, tokenizer)
        with source.open("rb") as f:
            return cls(codebook, tokenizer, read_model(f))

    def __call__(self, doc: Doc) -> list[RoleSpan]:
        """The role fillers of a report: one span per distinct phrase, overlapping weaker phrases dropped."""
        if self.model is None:
            return []
        phrases = list(self.featurize(doc).values())
        if not phrases:
            return []
        probs = self.probabilities([features for _, features in phrases])
        labels, thresholds = self.model["labels"], self.model["thresholds"]
        scored = []
        for (spans, _), row in zip(phrases, probs):
            best = int(row[1:].argmax()) + 1
            if row[best] >= thresholds[labels[best]]:
                scored.append((float(row[best]), labels[best], spans))
        found = _without_overlaps(scored)
        return _fuller(_full_names(sorted(found + _uncovered(self.victims(doc), found), key=lambda r: r.start), doc))

    def probabilities(self, rows: list[list[str]]) -> np.ndarray:
        """Label probabilities (columns in `labels` order) for phrases given by their features."""
        index, m = self.model["index"], self.model
        ids, starts = [], []
        for features in rows:  # every phrase opens with a place-holder id, zeroed below, so none is empty
            starts.append(len(ids))
            ids.append(0)
            ids.extend(i for f in features if (i := index.get(f)) is not None)
        embedded = m["E"][ids].astype(np.float32)
        embedded[starts] = 0
        hidden = np.add.reduceat(embedded, starts, axis=0)
        logits = np.maximum(hidden + m["b1"], 0) @ m["W"] + m["b2"]
        logits -= logits.max(axis=1, keepdims=True)
        exps = np.exp(logits)
        return exps / exps.sum(axis=1, keepdims=True)

    def featurize(self, doc: Doc) -> dict[str, tuple[list[Occurrence], list[str]]]:
        """Candidate phrases by normalised text: their occurrences and the union of their features."""
        parse = _Parse(doc)
        sent_of: list[int] = [0] * len(doc)
        for index, (start, end) in enumerate(parse.sents):
            sent_of[start:end] = [index] * (end - start)
        sent_cues: list[list[tuple[int, str]]] = [[] for _ in parse.sents]
        token_at = {start: i for i, start in enumerate(parse.idx)}
        for cue in self.cues(doc):
            if cue.start in token_at:
                token = token_at[cue.start]
                sent_cues[sent_of[token]].append((token, cue.sub_event_type))
        out = {}
        for key, spans in candidates(parse).items():
            start, end = spans[0]
            ents = "+".join(sorted({parse.ent[t] for t in range(start, end) if parse.ent[t]}))
            features = {"bias", f"n={min(len(spans), 4)}", f"first={min(sent_of[start], 6)}",
                        f"at={min(parse.idx[start] // 250, 8)}", f"ents={ents}"}
            words = key.split()
            features.update(f"w={w}" for w in words)
            features.update({f"len={min(len(words), 6)}", f"last={words[-1]}", f"firstw={words[0]}"})
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
            for s, e in spans:
                features.update(_context(parse, s, e, sent_cues[sent_of[s]]))
            occurrences = [(s, e, parse.idx[s], parse.end_char[e - 1], parse.span_text(s, e)) for s, e in spans]
            out[key] = (occurrences, sorted(features))
        return out


def _context(parse: _Parse, start: int, end: int, sent_cues: list[tuple[int, str]]) -> set[str]:
    """Where one occurrence stands: its head's dependency, governing verb, neighbours, its sentence's cues
    and on which side of the nearest cue it stands, how far away."""
    lower, dep, lemma, heads, n = parse.lower, parse.dep, parse.lemma, parse.head, len(parse.lower)
    head = parse.root(start, end)
    cues = {kind for _, kind in sent_cues}
    last = lower[end - 1]
    gov = f"{dep[head]}|{lemma[heads[head]]}"
    f = {f"dep={dep[head]}", f"pos={parse.pos[head]}", f"ent={parse.ent[head]}", f"gov={gov}", f"lastgov={last}|{gov}",
         f"lastdep={last}|{dep[head]}"}
    if dep[head] in {"pobj", "agent"} or dep[heads[head]] in {"prep", "agent"}:
        prep = heads[head]
        f.update({f"pp={lower[prep]}|{lemma[heads[prep]]}", f"prep={lower[prep]}", f"lastprep={last}|{lower[prep]}"})
    verb, path = head, []
    while parse.pos[verb] not in {"VERB", "AUX"} and heads[verb] != verb and len(path) < 4:
        path.append(dep[verb])
        verb = heads[verb]
    if parse.pos[verb] in {"VERB", "AUX"}:
        voice = "pass" if verb in parse.passive else "act"
        f.update({f"verb={lemma[verb]}", f"vpath={'>'.join(path)}|{lemma[verb]}",
                  f"vvoice={lemma[verb]}|{voice}|{path[0] if path else ''}", f"lastverb={last}|{lemma[verb]}"})
    for k in range(1, 4):
        if start - k >= 0:
            f.add(f"L={lower[start - k]}")
        if end + k - 1 < n:
            f.add(f"R={lower[end + k - 1]}")
    left = lower[start - 1] if start > 0 else "<s>"
    left2 = lower[start - 2] if start > 1 else "<s>"
    right = lower[end] if end < n else "</s>"
    right2 = lower[end + 1] if end + 1 < n else "</s>"
    f.update({f"l1={left}", f"l2={left2} {left}", f"r1={right}", f"r2={right} {right2}"})
    f.update(f"cue={c}" for c in cues)
    f.update(f"lastcue={last}|{c}" for c in cues)
    if not cues:
        f.add("nocue")
    else:
        token, kind = min(sent_cues, key=lambda c: min(abs(c[0] - start), abs(c[0] - end + 1)))
        side = "in" if start <= token < end else ("before" if end <= token else "after")
        gap = min(abs(token - start), abs(token - end + 1))
        reach = "near" if gap <= 3 else "mid" if gap <= 10 else "far"
        f.update({f"cueside={side}|{kind}", f"cuegap={reach}|{side}", f"cuedep={side}|{dep[head]}",
                  f"cuelast={side}|{last}"})
    return f


def _without_overlaps(scored: list[tuple[float, str, list[Occurrence]]]) -> list[RoleSpan]:
    """Keep phrases best first; drop one whose every occurrence overlaps a kept phrase's occurrence."""
    taken: set[int] = set()
    kept: list[RoleSpan] = []
    for p, label, spans in sorted(scored, key=lambda x: -x[0]):
        free = [o for o in spans if taken.isdisjoint(range(o[0], o[1]))]
        if not free:
            continue
        for o in spans:
            taken.update(range(o[0], o[1]))
        _, _, start, end, text = free[0]
        kept.append(RoleSpan(label=label, start=start, end=end, text=text, score=round(p, 4)))
    return sorted(kept, key=lambda r: r.start)


def _full_names(spans: list[RoleSpan], doc: Doc) -> list[RoleSpan]:
    """A person given by part of a name ("Anderson") is named as in the report's fullest form
    ("Christopher Anderson"): the longest PERSON entity whose words contain the span's words."""
    names = [e for e in doc.ents if e.label_ == "PERSON"]
    out = []
    for span in spans:
        key = f" {span.text.lower()} "
        if span.label in {"PERP_IND", "VICTIM"}:
            fuller = [e for e in names if key in f" {e.text.lower()} " and len(e.text) > len(span.text)]
            if fuller:
                name = max(fuller, key=lambda e: len(e.text))
                end = name.end - (name[-1].lower_ in {"'s", "’s"})
                if end > name.start:
                    full = doc[name.start : end]
                    span = RoleSpan(span.label, full.start_char, full.end_char, full.text, span.score)
        out.append(span)
    return out


class VictimReader:
    """People named as harmed by an act of the codebook's kill, murder, injure, abduct and shoot classes, read off
    the parse: objects and passive subjects ("killed <name>", "<name> was kidnapped"), the "of" object or
    possessor of an act noun ("the assassination of judge <name>", "<name>'s murder"), the noun a passive
    participle describes ("<name>, murdered last week") and the subject of "die". A victim is a name
    (proper nouns or person entity words, without a leading title); armed actors killed are not victims."""

    def __init__(self, codebook: Codebook):
        self._acts = {w for act in _HARM_ACTS for w in codebook.frames.acts[act] if " " not in w} | _DYING
        self._armed = set(codebook.frames.actors["armed"]) | GENERIC_ATTACKERS

    def __call__(self, doc: Doc) -> list[RoleSpan]:
        found: dict[tuple[int, int], RoleSpan] = {}
        for tok in doc:
            if tok.lemma_.lower() in self._acts or tok.lower_ in self._acts:
                for patient in _harmed(tok):
                    span = self._name(patient)
                    if span is not None:
                        found.setdefault((span.start, span.end), span)
        return list(found.values())

    def _name(self, tok: Token) -> RoleSpan | None:
        """The name a noun gives ("judge maria lopez" -> "maria lopez"), or None when it is no person's name."""
        if not _name_word(tok):
            return None
        words = [tok]
        while words[0].i > 0:  # the name words right before it that depend on it ("elena" <- "marquez")
            left = tok.doc[words[0].i - 1]
            if (left.dep_ not in {"compound", "flat"} or not tok.i >= left.head.i > left.i
                    or not (_name_word(left) or left.lower_ in _PARTICLES or _place_named_first_name(left))
                    or left.lower_.rstrip(".") in _TITLES):
                break
            words.insert(0, left)
        while words and words[0].lower_ in _PARTICLES:
            words.pop(0)
        if not words or any(w.lower_ in self._armed for w in words) or (len(words) == 1 and tok.ent_type_ != "PERSON"):
            return None  # only particles, an armed actor, or one word no entity calls a person ("the eln", "a marine")
        first, last = words[0], words[-1]
        end = last.idx + len(last)
        return RoleSpan("VICTIM", first.idx, end, source_text(tok.doc)[first.idx : end], VICTIM_SCORE)


def _name_word(tok: Token) -> bool:
    """A word of a person's name: a proper noun or a person entity's word, not a place, group or date."""
    return ((tok.pos_ == "PROPN" or tok.ent_type_ == "PERSON") and tok.ent_type_ not in _NOT_NAMES
            and tok.text.replace("-", "").replace("'", "").isalpha())


def _place_named_first_name(tok: Token) -> bool:
    """A first name that is also a place's ("Ana", "Florence"): a proper noun the place ruler took alone as a
    place, in the compound of a person's name ("Ana Maria Ruiz")."""
    return tok.pos_ == "PROPN" and tok.ent_type_ in {"GPE", "LOC"} and tok.ent_iob_ == "B" and (
        tok.i + 1 == len(tok.doc) or tok.doc[tok.i + 1].ent_iob_ != "I")


def _harmed(act: Token) -> list[Token]:
    """The nouns an act word (verb or noun) names as what it harms."""
    if act.pos_ in {"NOUN", "PROPN"}:
        of = [o for c in act.children if c.dep_ == "prep" and c.lower_ == "of" for o in c.children if o.dep_ == "pobj"]
        owners = [c for c in act.children if c.dep_ == "poss"]
        return _named_as(of or owners)
    if act.pos_ != "VERB":
        return []
    deps = {"nsubj", "nsubjpass"} if act.lemma_.lower() in _DYING else {"dobj", "nsubjpass"}
    out = _named_as([c for c in act.children if c.dep_ in deps])
    if act.dep_ == "acl" and act.tag_ == "VBN" and not any(c.dep_ == "dobj" for c in act.children):
        out.extend(_named_as([act.head]))  # "<name>, murdered last week"
    return out


def _named_as(nouns: list[Token]) -> list[Token]:
    """The nouns with their conjuncts, and the names that a common noun's apposition gives ("the mayor of the
    town, <name>", "two guards, <name> and <name>")."""
    out = [t for n in nouns for t in (n, *n.conjuncts)]
    named = [a for t in out if not _name_word(t) for c in t.children if c.dep_ == "appos" for a in (c, *c.conjuncts)]
    return out + named


def _uncovered(extra: list[RoleSpan], spans: list[RoleSpan]) -> list[RoleSpan]:
    """The spans of `extra` that overlap none of `spans`."""
    return [e for e in extra if not any(s.start < e.end and e.start < s.end for s in spans)]


def _fuller(spans: list[RoleSpan]) -> list[RoleSpan]:
    """A person's span given by part of a name another span of the same role gives in full ("neto" beside
    "ana maria neto") takes that fuller span, where the parse found no person entity to say so."""
    out = []
    for span in spans:
        key = f" {span.text.lower()} "
        fuller = [s for s in spans if s.label == span.label and len(s.text) > len(span.text)
                  and key in f" {s.text.lower()} "]
        if span.label in {"PERP_IND", "VICTIM"} and fuller:
            span = max(fuller, key=lambda s: len(s.text))
        if span not in out:
            out.append(span)
    return out


def attach(mentions: list[Mention], spans: list[RoleSpan], doc: Doc, actors: ActorFinder) -> None:
    """Give each role span to the event it belongs with: a realis mention of its own sentence (the nearest),
    else the nearest realis mention of the report that names its own place, date or count, else the nearest.
    A perpetrator span becomes an `ActorMention` with the basis its sentence gives it, unless the actor
    stage already found that actor (its basis stands) or it is a force of order that does nothing violent
    in its sentence (it investigates, arrests or reports)."""
    realis = [m for m in mentions if m.modality is None]
    if not realis:
        return
    known = {a.name for m in mentions for a in m.actors}  # found by the actor stage
    for span in spans:
        mention = home_mention(realis, span.start)
        if span.label in {"PERP_IND", "PERP_ORG"}:
            name = actors.canonical(span.text)
            name = name.lower() if span.label == "PERP_IND" else name
            phrase = doc.char_span(span.start, span.end)
            if name not in known and phrase is not None and not actors.bystanding_force(phrase):
                mention.actors.append(actors.with_basis(phrase.sent, phrase, name))
            continue
        values = {"TARGET": mention.targets, "VICTIM": mention.victims, "WEAPON": mention.weapons}[span.label]
        if span.text not in values:
            values.append(span.text)


def home_mention(realis: list[Mention], start: int) -> Mention:
    """The event a phrase at `start` belongs with: a realis mention of its own sentence (the nearest), else the
    nearest that names its own place, date or count, else the nearest."""
    return min(realis, key=lambda m: (not m.sentence_start <= start < m.sentence_end, not _anchored(m),
                                      min(abs(start - m.start), abs(start - m.end))))


def _anchored(m: Mention) -> bool:
    """Does the mention name its own place, date or count (so it will anchor or join an incident)?"""
    return bool(m.dates or any(not f.aggregate for f in m.figures) or any(p.role == "event" for p in m.places))
