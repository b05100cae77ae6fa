"""Targets, victims and weapons of an event mention, read off the parse.

Input: a parsed sentence and the cue tokens of a mention. Output: lists of short noun phrases.
Weapons come from the codebook lexicon (phrases); targets are what attack verbs act on; victims are the
people killed, wounded or abducted.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from sitrep.codebook import Codebook

_TARGET_VERBS = {
    "target", "hit", "strike", "attack", "bomb", "shell", "raid", "storm", "rock", "ambush", "torch", "burn",
    "destroy", "damage", "blow", "set", "loot", "ransack", "overrun", "besiege", "dynamite",
}
_VICTIM_VERBS = {"kill", "wound", "injure", "abduct", "kidnap", "shoot", "murder", "execute", "massacre", "hurt", "behead", "stab", "rape"}
_PERSON_NOUNS = {
    "people", "person", "persons", "civilian", "civilians", "child", "children", "woman", "women", "man", "men",
    "student", "students", "pupil", "pupils", "soldier", "soldiers", "policeman", "policemen", "officer",
    "officers", "worshippers", "villagers", "farmers", "passengers", "residents", "teacher", "teachers", "troops",
    "peasant", "peasants", "journalist", "journalists", "priest", "priests", "mayor", "judge", "leader",
    "leaders", "member", "members", "guard", "guards", "worker", "workers", "employee", "employees", "boy",
    "boys", "girl", "girls", "citizens", "relatives", "wife", "son", "daughter", "official", "officials",
    "patients", "protesters", "demonstrators", "militants", "fighters", "agents", "bodyguards", "minister",
}
_PLACE_LABELS = {"GPE", "LOC"}
_PLACE_NOUNS = {"city", "cities", "town", "towns", "village", "villages", "province", "provinces", "region", "area",
                "areas", "country", "district", "state", "capital", "north", "south", "east", "west"}


class WeaponFinder:
    """Longest-match lookup of the codebook's weapon phrases; built once."""

    def __init__(self, codebook: Codebook, tokenizer):
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        for names in codebook.weapons.values():
            for name in names:
                words = tuple(t.lower_ for t in tokenizer(name))
                self._phrases.setdefault(words[0], []).append(words)
        for entries in self._phrases.values():
            entries.sort(key=len, reverse=True)

    def __call__(self, sent: Span) -> list[str]:
        found: list[str] = []
        tokens = [t.lower_ for t in sent]
        i = 0
        while i < len(tokens):
            for words in self._phrases.get(tokens[i], ()):
                if tuple(tokens[i : i + len(words)]) == words:
                    phrase = " ".join(words).replace(" - ", "-")
                    if phrase not in found:
                        found.append(phrase)
                    i += len(words) - 1
                    break
            i += 1
        return found


def targets(sent: Span, cue_tokens: list[Token]) -> list[str]:
    """Physical targets: objects of attack verbs and what attack nouns are 'on'/'at'."""
    found: list[str] = []
    for tok in sent:
        head = tok.head
        is_object = tok.dep_ in {"dobj", "nsubjpass"} and head.lemma_.lower() in _TARGET_VERBS
        is_on = (
            tok.dep_ == "pobj" and head.lower_ in {"on", "at", "inside", "against"}
            and (head.head in cue_tokens or head.head.lemma_.lower() in _TARGET_VERBS)
        )
        if (is_object or is_on) and tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ not in _PLACE_LABELS:
            if tok.lower_ in _PERSON_NOUNS | _PLACE_NOUNS or tok.ent_type_ == "PERSON":
                continue
            for noun in [tok, *(c for c in tok.conjuncts if c.i > tok.i)]:
                phrase = _noun_phrase(noun)
                if phrase and phrase not in found:
                    found.append(phrase)
    return found


def victims(sent: Span) -> list[str]:
    """People harmed: subjects of passive 'killed/wounded/abducted', objects of the active verbs."""
    found: list[str] = []
    for tok in sent:
        head = tok.head
        if head.lemma_.lower() not in _VICTIM_VERBS:
            continue
        if tok.dep_ in {"nsubjpass", "dobj"} and (tok.lower_ in _PERSON_NOUNS or tok.ent_type_ == "PERSON"):
            for noun in [tok, *tok.conjuncts]:
                phrase = _noun_phrase(noun)
                if phrase and phrase not in found:
                    found.append(phrase)
    return found


def _noun_phrase(tok: Token) -> str:
    """The noun with its compound/adjective modifiers and 'of' complement, without determiners or numbers."""
    words = [t for t in tok.subtree if t.i <= tok.i and t.dep_ in {"compound", "amod", "nmod", "poss"} or t.i == tok.i]
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            words.extend(child.subtree)
    words = sorted({t.i: t for t in words if t.dep_ not in {"det", "nummod", "punct", "case"}}.values(), key=lambda t: t.i)
    return " ".join(t.text for t in words).strip()
