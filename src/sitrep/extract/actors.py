"""Perpetrators and claims: who did it, and on what basis (claimed, attributed, reported, suspected).

Input: a parsed sentence. Output: `ActorMention`s. Named groups come from the codebook's actor list
(aliases normalised to one name); other organisations and generic attackers ("gunmen") are kept as written.
A group that denies involvement is returned with role "denier" and is never a perpetrator.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from sitrep.codebook import Codebook
from sitrep.records import ActorMention

GENERIC_ATTACKERS = {
    "gunmen", "gunman", "militants", "militant", "jihadists", "jihadist", "insurgents", "insurgent", "rebels",
    "rebel", "guerrillas", "guerrilla", "terrorists", "terrorist", "bandits", "attackers", "attacker", "assailants",
    "assailant", "extremists", "fighters", "militiamen", "militia", "kidnappers", "bombers", "bomber", "soldiers",
    "troops", "army", "police", "policemen", "forces", "security forces", "armed men", "gangs", "gang",
}
_CLAIM = re.compile(r"\b(claim(?:ed|s|ing)?|admitted|took responsibility|accepted responsibility)\b", re.I)
_ATTRIBUTE = re.compile(r"\b(blamed|blames|blaming|attributed|accused|accuses|pointed the finger)\b", re.I)
_SUSPECT = re.compile(r"\b(suspected|believed to be|thought to be|presumed|alleged)\b", re.I)
_DENY = re.compile(r"\b(denied|denies|deny|denying|rejected|refuted)\b", re.I)
_ATTACK_VERBS = {
    "attack", "kill", "shoot", "bomb", "shell", "storm", "raid", "ambush", "abduct", "kidnap", "target", "fire",
    "open", "detonate", "strike", "hit", "seize", "capture", "burn", "torch", "massacre", "execute", "carry",
    "launch", "behead", "stab", "loot", "overrun", "clash", "fight", "murder",
}


class ActorFinder:
    """Finds actors in sentences using the codebook's alias table (built once)."""

    def __init__(self, codebook: Codebook):
        self._exact: dict[str, str] = {}  # case-sensitive short acronyms, e.g. "IS", "AA"
        self._folded: dict[str, str] = {}
        for actor in codebook.actors:
            for alias in [actor.name, *actor.aliases]:
                if len(alias) <= 4 and alias.isupper():
                    self._exact[alias] = actor.name
                else:
                    self._folded[_fold(alias)] = actor.name
        self._max_words = max(len(a.split()) for a in self._folded) if self._folded else 1

    def canonical(self, name: str) -> str:
        """The codebook name of an actor, or the name as written (without a leading article)."""
        if name in self._exact:
            return self._exact[name]
        return self._folded.get(_fold(name), re.sub(r"^(the|a|an)\s+", "", name, flags=re.I))

    def __call__(self, sent: Span, lowercase_doc: bool) -> list[ActorMention]:
        found: list[ActorMention] = []
        taken: set[int] = set()
        for start, end, name in self._named(sent, lowercase_doc):
            found.append(self._with_basis(sent, sent[start:end], name))
            taken.update(range(start, end))
        for ent in sent.ents:
            if ent.label_ in {"ORG", "NORP"} and not taken.intersection(range(ent.start - sent.start, ent.end - sent.start)):
                if _acts(ent.root):
                    found.append(self._with_basis(sent, ent, self.canonical(ent.text)))
                    taken.update(range(ent.start - sent.start, ent.end - sent.start))
        for tok in sent:
            if tok.i - sent.start in taken or tok.lower_ not in GENERIC_ATTACKERS:
                continue
            if _acts(tok):
                phrase = _generic_phrase(tok)
                found.append(self._with_basis(sent, phrase, phrase.text.lower()))
        return found

    def _named(self, sent: Span, lowercase_doc: bool):
        words = list(sent)
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(self._max_words + 2, len(words) - i), 0, -1):
                piece = sent[i : i + n]
                text = piece.text
                if not lowercase_doc and text in self._exact:
                    hit = (i, i + n, self._exact[text])
                    break
                name = self._folded.get(_fold(text))
                if name:
                    hit = (i, i + n, name)
                    break
            if hit:
                yield hit
                i = hit[1]
            else:
                i += 1

    def _with_basis(self, sent: Span, phrase: Span, name: str) -> ActorMention:
        """Decide claimed / attributed / suspected / reported (or denier) from the words around the actor."""
        doc = sent.doc
        before = doc.text[max(sent.start_char, phrase.start_char - 60) : phrase.start_char]
        after = doc.text[phrase.end_char : min(sent.end_char, phrase.end_char + 50)]
        role, basis = "perpetrator", "reported"
        if _DENY.search(after[:25]):
            role = "denier"
        elif _CLAIM.search(after[:30]) or re.search(r"claimed by\s+(the\s+)?$", before, re.I):
            basis, role = "claimed", "claimant"
        elif re.search(r"\b(blamed on|attributed to|accused|blamed)\s+(the\s+)?$", before, re.I) or _ATTRIBUTE.search(after[:25]) and re.search(r"\bblamed on\b", after):
            basis = "attributed"
        elif _SUSPECT.search(before[-30:]):
            basis = "suspected"
        return ActorMention(name=name, basis=basis, role=role, start=phrase.start_char, end=phrase.end_char)


def _fold(text: str) -> str:
    return re.sub(r"[\s\-’'`]+", " ", text.lower()).strip()


def _acts(tok: Token) -> bool:
    """Is this noun the doer of a violent act or a claim (subject, passive agent, claim subject)?"""
    head = tok.head
    if tok.dep_ in {"nsubj", "auxpass", "compound", "nsubjpass"} and head.lemma_.lower() in _ATTACK_VERBS | {"claim", "deny", "admit"}:
        return tok.dep_ != "nsubjpass"
    if tok.dep_ == "pobj" and head.lower_ == "by" and head.head.lemma_.lower() in _ATTACK_VERBS | {"claim", "carry"}:
        return True
    if tok.dep_ == "pobj" and head.lower_ in {"on", "to"} and head.head.lemma_.lower() in {"blame", "attribute"}:
        return True
    if tok.dep_ in {"nsubj"} and head.pos_ in {"VERB", "AUX"}:
        return any(c.lemma_.lower() in _ATTACK_VERBS for c in head.children if c.dep_ in {"xcomp", "conj"})
    return False


def _generic_phrase(tok: Token) -> Span:
    """"suspected Boko Haram gunmen" -> the noun with its adjectival and compound modifiers."""
    left = tok
    for child in tok.lefts:
        if child.dep_ in {"amod", "compound", "nmod"} and child.i < left.i:
            left = child
            break
    return tok.doc[left.i : tok.i + 1]
