"""Named people's part in the act: a suspect (a perpetrator), a victim, or neither.

Input: a parsed report. Output: `NamedPerson`s, one per person the parse names (PERSON entities that share
a last word are one person, named by the fullest form), each with the part a fitted model gives them.

Crime news names suspects ("the alleged shooter, Yvonne Hiller", "Smith, 24, was charged with murder",
"police arrested John Doe") beside victims ("Jane Roe, 31, died at the hospital") and people who only
speak or act for the state (an officer, a coroner, a neighbour, a relative). What tells them apart is read
off the parse of each sentence that names the person (`mention_features`): the role noun the name stands
beside ("suspect", "shooter", "victim"; an official title), the verb it depends on and how (the subject of
"shot", the object of "killed" or "arrested", the subject of "died", "said" or "pleaded"), the words of its
sentence (charges, custody and bond; the hospital, wounds and funerals; speech). A person's features are
those counts over all the sentences that name them (`person_features`).

The weights (`models/people.npz`: a softmax over the three parts, a few hundred numbers) are fitted on the
Gun Violence Archive's incident participants, suspects and victims by name (`make train-people`,
training/train_people.py, which prints the cross-validated figures). Without the file nobody is named a
suspect or a victim. Lower-cased reports (whose names the parse cannot find) are left alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from spacy.tokens import Doc, Span, Token

from sitrep.extract.actors import ActorFinder
from sitrep.extract.roles import home_mention
from sitrep.models import read_shipped
from sitrep.records import ActorMention, Mention

PARTS = ("neither", "suspect", "victim")
MODEL_FILE = "people.npz"
HEADLINE_CHARS = 200
_WORD = re.compile(r"[^\W\d_]+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "s"}  # "s": the possessive "'s"

_SUSPECT_NOUNS = {"suspect", "shooter", "gunman", "killer", "attacker", "assailant", "stabber", "bomber",
                  "murderer", "culprit", "robber", "accused", "defendant", "fugitive", "perpetrator"}
_VICTIM_NOUNS = {"victim", "deceased", "decedent", "casualty"}
_OFFICIAL_WORDS = {"officer", "sgt", "sergeant", "lt", "lieutenant", "detective", "det", "chief", "sheriff",
                   "deputy", "capt", "captain", "spokesman", "spokeswoman", "spokesperson", "mayor", "coroner",
                   "attorney", "prosecutor", "judge", "commissioner", "trooper", "cpl", "corporal", "investigator",
                   "superintendent", "dr", "rep", "sen", "gov", "governor", "senator", "president", "pastor",
                   "reverend", "rev", "councilman", "councilwoman", "principal", "examiner", "officials",
                   "official", "agent", "inspector", "constable", "marshal", "ofc", "patrolman", "director"}
_HARM_VERBS = {"shoot", "kill", "stab", "murder", "fire", "attack", "assault", "beat", "rob", "wound", "strike",
               "hit", "choke", "strangle", "carjack", "slay", "gun", "injure", "hurt", "open", "target", "kidnap"}
_REFLEXIVE = {"himself", "herself", "themselves", "themself"}
DIE_VERBS = frozenset({"die", "succumb", "perish"})
_FOUND_DEAD = {"pronounce", "find", "declare"}
_JUSTICE_VERBS = {"file", "warrant", "arrest", "charge", "book", "jail", "detain", "apprehend", "indict", "sentence", "convict",
                  "hold", "capture", "extradite", "arraign", "locate", "seek", "want", "identify", "accuse",
                  "name", "incarcerate", "lodge", "release", "question", "interview", "prosecute"}
_ACCUSED_VERBS = {"plead", "face", "surrender", "confess", "admit", "flee", "escape", "turn", "deny", "remain"}
_SPEECH_VERBS = {"say", "tell", "state", "add", "explain", "confirm", "describe", "recall", "speak", "write",
                 "post", "ask", "note", "announce", "report"}
_SENTENCE_WORDS = {
    "suspect": {"charge", "arrest", "custody", "bond", "bail", "jail", "booked", "accuse", "suspect", "warrant",
                "wanted", "plead", "indict", "manslaughter", "court", "arraign", "felony", "count", "detention",
                "prison", "trial", "guilty", "sentence", "weapon", "handgun", "possession", "murder", "armed",
                "gunpoint", "pistol", "rifle", "shotgun", "revolver", "firearm"},
    "victim": {"die", "dead", "death", "victim", "hospital", "wound", "injure", "condition", "pronounce",
               "funeral", "vigil", "autopsy", "succumb", "survive", "mourn", "memorial", "remember", "loved",
               "gunshot", "treat", "stable", "critical", "life"},
    "speech": {"say", "tell", "spokesman", "spokeswoman", "statement", "interview", "quote"},
    "family": {"mother", "father", "son", "daughter", "brother", "sister", "aunt", "uncle", "cousin", "wife",
               "husband", "grandmother", "grandfather", "family", "friend", "neighbor", "neighbour"},
}


@dataclass
class NamedPerson:
    """A person the report names, with where and the part the model gives them."""

    name: str
    key: str  # the last word of the name, lower-case
    first: str | None = None  # the first word of the name, lower-case, where a naming gives it
    spans: list[tuple[int, int]] = field(default_factory=list)  # character offsets of each naming
    features: dict[str, float] = field(default_factory=dict)
    part: str = "neither"
    probability: float = 0.0


def name_key(words: list[str]) -> str | None:
    """The last word of a name, lower-case, without suffixes ("Kamau Thomas Jr." -> "thomas",
    "Garcia-Ramires" -> "ramires")."""
    letters = [w.lower() for word in words for w in _WORD.findall(word)]
    letters = [w for w in letters if w not in _SUFFIXES]
    return letters[-1] if letters else None


def _key(ent: Span) -> str | None:
    """`name_key` of an entity; None for a role word read as a name ("Shooter")."""
    key = name_key([t.text for t in ent if t.text[:1].isupper()])
    return None if key is None or key in _SUSPECT_NOUNS | _VICTIM_NOUNS | _OFFICIAL_WORDS else key


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _verb_role(tok: Token) -> tuple[str | None, Token | None]:
    """How the name depends on its verb: ("agent" | "patient" | "by" | None, the verb)."""
    node = tok
    while node.dep_ in {"conj", "appos", "compound", "flat"} and node.head is not node:  # "Smith and Jones shot"
        node = node.head
    head = node.head
    if node.dep_ == "nsubj":
        return "agent", head
    if node.dep_ in {"nsubjpass", "dobj", "obj"}:
        return "patient", head
    if node.dep_ == "pobj" and head.lower_ == "by":
        return "by", head.head
    if node.dep_ == "pobj" and head.lower_ in {"on", "at", "against"}:  # "opened fire on Smith", "charges against"
        return "patient", head.head
    return None, None


def mention_features(ent: Span) -> Counter:
    """What one naming of a person says of their part (feature name -> 1)."""
    f: Counter = Counter()
    doc, sent = ent.doc, ent.sent
    root = ent.root
    # the words the name stands beside: its modifiers ("suspect John Doe", "Officer Tom Reed"), the noun it is in
    # apposition with ("the alleged shooter, Yvonne Hiller"), the word right before it
    near = {_lemma(c) for c in root.children if c.dep_ in {"appos", "compound", "amod", "nmod"} and c.i < ent.start
            or c.dep_ == "appos"}
    if ent.start > 0:  # even across the sentence break the parser may put after "Sgt."
        prev = doc[ent.start - 2] if doc[ent.start - 1].text == "." and ent.start > 1 else doc[ent.start - 1]
        if prev.text == "," and ent.start > 1 and doc[ent.start - 2].tag_ == "NN":  # "the alleged shooter, X"
            prev = doc[ent.start - 2]
        near |= {prev.lower_.rstrip("."), _lemma(prev)}
    if root.dep_ == "appos":
        near.add(_lemma(root.head))
    if near & _SUSPECT_NOUNS:
        f["noun_suspect"] = 1
    if near & _VICTIM_NOUNS:
        f["noun_victim"] = 1
    if near & _OFFICIAL_WORDS:
        f["noun_official"] = 1
    if near & _SENTENCE_WORDS["family"]:
        f["noun_family"] = 1
    # "identified the shooter as Smith", "the victim was identified as Jones"
    if root.dep_ == "pobj" and root.head.lower_ == "as" and _lemma(root.head.head) in {"identify", "name", "list"}:
        verb = root.head.head
        words = {_lemma(t) for t in verb.subtree} | {_lemma(t) for t in verb.head.subtree if t.i < verb.i}
        f["as_suspect"] = float(bool(words & _SUSPECT_NOUNS))
        f["as_victim"] = float(bool(words & _VICTIM_NOUNS))
    how, verb = _verb_role(root)
    if verb is not None:
        lemma = _lemma(verb)
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)
        if lemma in _HARM_VERBS and how == "agent" and any(c.lower_ in _REFLEXIVE for c in verb.children):
            f["harm_self"] = 1  # "shot himself": by accident, or a killer's suicide
        elif lemma in _HARM_VERBS:
            f[{"agent": "harm_patient" if passive else "harm_agent", "patient": "harm_patient",
               "by": "harm_agent"}[how]] = 1
        elif lemma in DIE_VERBS and how == "agent":
            f["died"] = 1
        elif lemma in _FOUND_DEAD and how == "patient":
            f["found_dead"] = 1
        elif lemma in _JUSTICE_VERBS:
            f["justice_by" if how == "by" else "justice_patient" if how == "patient" or passive
              else "justice_agent"] = 1
        elif lemma in _ACCUSED_VERBS and how == "agent":
            f["accused_act"] = 1
        elif lemma in _SPEECH_VERBS and how == "agent":
            f["speaker"] = 1
    if root.dep_ == "poss":
        f["possessive"] = 1
    after = doc[ent.end:min(ent.end + 3, sent.end)]
    if len(after) >= 2 and after[0].text in {",", "("} and after[1].like_num and after[1].text.isdigit() \
            and int(after[1].text) < 110:  # "Hiller, 49," / "Hiller (49)"
        f["age"] = 1
    lemmas = {_lemma(t) for t in sent} | {t.lower_ for t in sent}
    for name, words in _SENTENCE_WORDS.items():
        if lemmas & words:
            f[f"sent_{name}"] = 1
    if ent.start_char < HEADLINE_CHARS:
        f["headline"] = 1
    return f


def person_features(mentions: list[Counter], first: bool) -> dict[str, float]:
    """A person's features: the log count of their namings with each mention feature, and a few of their own."""
    total: Counter = Counter()
    for m in mentions:
        total.update({k: 1 for k, v in m.items() if v})
    x = {k: math.log1p(v) for k, v in total.items()}
    x["namings"] = math.log1p(len(mentions))
    x["first_named"] = float(first)
    x["bias"] = 1.0
    return x


def named_people(doc: Doc) -> list[NamedPerson]:
    """The people the report names, with their features. Namings with a first and a last name are one person
    per first and last name ("Mark Mata" and "Hank Mata" are two); a last name alone is the person of that
    name named last before it (else first after it)."""
    full: list[tuple[Span, str, str | None]] = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and (key := _key(ent)) is not None:
            full.append((ent, key, _first(ent, key)))
    people: dict[tuple[str, str | None], NamedPerson] = {}
    namings: dict[tuple[str, str | None], list[Counter]] = {}
    for i, (ent, key, first) in enumerate(full):
        if first is None:
            earlier = [f for _, k, f in reversed(full[:i]) if k == key and f is not None]
            later = [f for _, k, f in full[i + 1:] if k == key and f is not None]
            first = (earlier or later or [None])[0]
        person = people.setdefault((key, first), NamedPerson(name=ent.text, key=key, first=first))
        if len(ent.text) > len(person.name):
            person.name = ent.text
        person.spans.append((ent.start_char, ent.end_char))
        namings.setdefault((key, first), []).append(mention_features(ent))
    for n, (ident, person) in enumerate(people.items()):
        person.features = person_features(namings[ident], first=n == 0)
    return list(people.values())


def _first(ent: Span, key: str) -> str | None:
    """The first name of a naming that gives one ("Yvonne Hiller" -> "yvonne"; "Hiller" -> None)."""
    words = [w.lower() for t in ent if t.text[:1].isupper() for w in _WORD.findall(t.text)]
    words = [w for w in words if w not in _OFFICIAL_WORDS and w not in _SUFFIXES]
    return words[0] if len(words) >= 2 and words[0] != key else None


@dataclass
class PeopleModel:
    """Feature names and their weights, one column per part (`PARTS`)."""

    names: list[str]
    weights: np.ndarray  # (len(names), len(PARTS))

    def probabilities(self, people: list[NamedPerson]) -> np.ndarray:
        index = {n: i for i, n in enumerate(self.names)}
        x = np.zeros((len(people), len(self.names)))
        for row, person in enumerate(people):
            for name, value in person.features.items():
                if (i := index.get(name)) is not None:
                    x[row, i] = value
        logits = x @ self.weights
        logits -= logits.max(axis=1, keepdims=True)
        exps = np.exp(logits)
        return exps / exps.sum(axis=1, keepdims=True)

    def decide(self, people: list[NamedPerson]) -> list[NamedPerson]:
        """Set each person's part (the most probable) and its probability; returns `people`."""
        if people:
            for person, row in zip(people, self.probabilities(people)):
                best = int(row.argmax())
                person.part, person.probability = PARTS[best], float(row[best])
        return people


def read_model(source) -> PeopleModel:
    with np.load(source, allow_pickle=False) as z:  # a path or a binary file
        return PeopleModel(names=[str(n) for n in z["names"]], weights=z["weights"].astype(np.float64))


def write_model(path, model: PeopleModel) -> None:
    np.savez(path, names=np.array(model.names), weights=model.weights.astype(np.float32))


@cache
def shipped() -> PeopleModel | None:
    """The weights shipped in sitrep/models (None when the file is absent)."""
    return read_shipped(MODEL_FILE, read_model)


def _names(text: str, person: NamedPerson, persons: list[NamedPerson]) -> bool:
    """Does `text` name `person`: their last name, and their first name or none of a namesake's?"""
    words = {w.lower() for w in _WORD.findall(text)}
    if person.key not in words:
        return False
    rivals = {p.first for p in persons if p.key == person.key and p.first != person.first} - {None}
    return person.first in words or not words & rivals


def attach(mentions: list[Mention], persons: list[NamedPerson], doc: Doc, actors: ActorFinder) -> None:
    """Give each suspect the report names in full to the events whose sentences name them, as a perpetrator (with
    the basis its sentence gives); a suspect is never a victim and a victim never a perpetrator, whoever else
    found them."""
    realis = [m for m in mentions if m.modality is None]
    suspects = [p for p in persons if p.part == "suspect"]
    victims = [p for p in persons if p.part == "victim"]
    for m in mentions:
        m.victims = [v for v in m.victims if not any(_names(v, p, persons) for p in suspects)]
        m.actors = [a for a in m.actors if not any(_names(a.name, p, persons) for p in victims)]
    if not realis:
        return
    for person in suspects:
        if person.first is None:  # a word the parser took for a name ("26 Somani brigands"): news names suspects in full
            continue
        for start, end in person.spans:
            mention = home_mention(realis, start)
            phrase = doc.char_span(start, end)
            if phrase is not None and not any(_names(a.name, person, persons) for a in mention.actors):
                basis = actors.with_basis(phrase.sent, phrase, person.name).basis  # a suspect claims no attack
                mention.actors.append(ActorMention(name=person.name, basis=basis if basis != "claimed" else "reported",
                                                   start=start, end=end, person=True))
