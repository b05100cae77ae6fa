"""Perpetrators and claims: who did it, and on what basis (claimed, attributed, reported, suspected).

Input: a parsed sentence. Output: `ActorMention`s. Named groups come from the codebook's actor list
(aliases normalised to one name); other organisations and generic attackers ("gunmen") are kept as written.
A group that denies involvement is returned with role "denier" and is never a perpetrator.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from sitrep.codebook import Codebook
from sitrep.extract.detection import dismissal
from sitrep.extract.figures import PERSON_NOUNS, _noun_in
from sitrep.extract.modality import _words_pattern
from sitrep.records import ActorMention

GENERIC_ATTACKERS = {
    "gunmen", "gunman", "militants", "militant", "jihadists", "jihadist", "insurgents", "insurgent", "rebels",
    "rebel", "guerrillas", "guerrilla", "terrorists", "terrorist", "bandits", "attackers", "attacker", "assailants",
    "assailant", "extremists", "fighters", "militiamen", "militia", "kidnappers", "bombers", "bomber", "soldiers",
    "troops", "army", "police", "policemen", "forces", "security forces", "armed men", "gangs", "gang",
}
FORCE_NOUNS = {
    "warplanes", "warplane", "jets", "aircraft", "artillery", "forces", "troops", "army", "military", "drones",
    "helicopters", "navy", "soldiers", "police", "militia", "militias", "gunboats", "tanks",
}
_CLAIM = re.compile(r"\b(claim(?:ed|s|ing)?|admitted|took responsibility|accepted responsibility)\b", re.I)
_SUSPECT = re.compile(r"\b(suspected|suspects?|believed|thought to be|presumed|alleged|likely|probably|work of)\b", re.I)
_DENY = re.compile(r"\b(denied|denies|deny|denying|rejected|refuted)\b", re.I)
_ATTACK_NOUNS = {"attack", "bombing", "shelling", "offensive", "raid", "ambush", "assault", "airstrike", "massacre"}
_ATTACK_VERBS = {
    "attack", "kill", "shoot", "bomb", "shell", "storm", "raid", "ambush", "abduct", "kidnap", "target", "fire",
    "open", "detonate", "strike", "hit", "seize", "capture", "burn", "torch", "massacre", "execute", "carry",
    "launch", "behead", "stab", "loot", "overrun", "clash", "fight", "murder",
}


# The police and those who investigate with them: in a report they are the perpetrators only of what they are
# said to do themselves ("police shot the man"), never of the crime they investigate, pursue or are told of
# (armies, which more often are the ones accused of an attack, are not among them)
_LAW_WORDS = ("police", "policeman", "policemen", "policewoman", "sheriff", "sheriffs", "deputies", "fbi", "atf",
              "detectives", "investigators", "prosecutors", "gendarmes", "gendarmerie")


class ActorFinder:
    """Finds actors in sentences using the codebook's alias table (built once)."""

    def __init__(self, codebook: Codebook):
        self._law = _words_pattern(_LAW_WORDS)
        self._exact: dict[str, str] = {}  # case-sensitive short acronyms, e.g. "IS", "AA"
        self._folded: dict[str, str] = {}
        for actor in codebook.actors:
            for alias in [actor.name, *actor.aliases]:
                if len(alias) <= 4 and alias.isupper():
                    self._exact[alias] = actor.name
                else:
                    self._folded[_fold(alias)] = actor.name
        self._max_words = max(len(a.split()) for a in self._folded) if self._folded else 1
        self._starts = {alias.split()[0] for alias in self._folded}

    def bystanding_force(self, phrase: Span) -> bool:
        """Is the phrase the police (or investigators) doing no violent act in its sentence ("the Lakewood
        sheriff's station" called to report it, "French police are hunting a suspect", "the FBI offers a
        reward")?"""
        return bool(self._law.search(phrase.text)) and not _acts(phrase.root)

    def canonical(self, name: str) -> str:
        """The codebook name of an actor, or the name as written (without a leading article)."""
        if name in self._exact or name.upper() in self._exact:  # "fmln" in lower-cased text
            return self._exact[name.upper() if name not in self._exact else name]
        return self._folded.get(_fold(name), re.sub(r"^(the|a|an)\s+", "", name, flags=re.I))

    def __call__(self, sent: Span, lowercase_doc: bool, ents: list[Span] | None = None) -> list[ActorMention]:
        """Actors in `sent`; pass the sentence's entities when you have them (Span.ents is slow)."""
        found: list[ActorMention] = []
        taken: set[int] = set()
        for start, end, name in self._named(sent, lowercase_doc):
            taken.update(range(start, end))
            actor = self.with_basis(sent, sent[start:end], name)
            if actor.basis != "reported" or actor.role != "perpetrator" or _acts(sent[start:end].root):
                found.append(actor)
        for ent in sent.ents if ents is None else ents:
            if ent.label_ in {"ORG", "NORP"} and not taken.intersection(range(ent.start - sent.start, ent.end - sent.start)):
                if _acts(ent.root):
                    found.append(self.with_basis(sent, ent, self.canonical(ent.text)))
                    taken.update(range(ent.start - sent.start, ent.end - sent.start))
        for tok in sent:
            if tok.i - sent.start in taken:
                continue
            if tok.lower_ in FORCE_NOUNS and (name := _forces_name(tok)) and _acts(tok):
                found.append(self.with_basis(sent, tok.doc[tok.i : tok.i + 1], name))
                continue
            if tok.lower_ not in GENERIC_ATTACKERS:
                if _person_does_violence(tok):  # "a former employee opened fire", "two men stabbed"
                    phrase = _person_phrase(tok)
                    found.append(self.with_basis(sent, phrase, phrase.text.lower()))
                continue
            if _acts(tok):
                phrase = _generic_phrase(tok)
                found.append(self.with_basis(sent, phrase, phrase.text.lower()))
        return found

    def _named(self, sent: Span, lowercase_doc: bool):
        words = list(sent)
        i = 0
        while i < len(words):
            hit = None
            first = _fold(words[i].text).split()
            if not (first and first[0] in self._starts or words[i].text in self._exact):
                i += 1
                continue
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

    def with_basis(self, sent: Span, phrase: Span, name: str) -> ActorMention:
        """Decide claimed / attributed / suspected / reported (or denier) from the words around the actor."""
        text, base = sent.text, sent.start_char  # Doc.text would join the whole document each time
        before = text[max(0, phrase.start_char - base - 60) : phrase.start_char - base]
        after = text[phrase.end_char - base : phrase.end_char - base + 50]
        role, basis = "perpetrator", "reported"
        if _DENY.search(after[:25]):
            role = "denier"
        elif _CLAIM.search(after[:30]) or re.search(r"claimed by\s+(the\s+)?$", before, re.I):
            basis, role = "claimed", "claimant"
        elif re.search(r"\b(blamed on|attributed|accused|blamed)\b[^.;,]{0,30}$", before, re.I):
            basis = "attributed"
        elif _SUSPECT.search(before[-30:]):
            basis = "suspected"
        return ActorMention(name=name, basis=basis, role=role, start=phrase.start_char, end=phrase.end_char)


def _fold(text: str) -> str:
    return re.sub(r"[\s\-’'`]+", " ", text.lower()).strip()


def _acts(tok: Token) -> bool:
    """Is this noun the doer of a violent act or a claim (subject, passive agent, claim subject)?"""
    head = tok.head
    if tok.dep_ == "compound" and head.dep_ == "compound":  # "an FBI bomb technician", "the OSP bomb squad"
        return False
    if tok.dep_ == "poss" and head is not tok:  # "the IRA's Belfast brigade detonated", "the army's offensive"
        return head.lemma_.lower() in _ATTACK_NOUNS or _acts(head)
    if tok.dep_ in {"nsubj", "auxpass", "compound", "nsubjpass"} and head.lemma_.lower() in _ATTACK_VERBS | {"claim", "deny", "admit"}:
        return tok.dep_ != "nsubjpass"
    if tok.dep_ == "pobj" and head.lower_ == "by" and head.head.lemma_.lower() in _ATTACK_VERBS | {"claim", "carry"}:
        return True
    if tok.dep_ == "pobj" and head.lower_ in {"on", "to"} and head.head.lemma_.lower() in {"blame", "attribute"}:
        return True
    if tok.dep_ in {"nsubj"} and head.pos_ in {"VERB", "AUX"}:
        return any(c.lemma_.lower() in _ATTACK_VERBS for c in head.children if c.dep_ in {"xcomp", "conj"})
    return False


# What a person described by a common noun ("a man", "a former employee", "the suspect") is said to do when the
# text names the doer so: narrower than `_ATTACK_VERBS` ("a man opened the door", "a driver hit a pole")
_VIOLENCE = {"shoot", "stab", "kill", "murder", "attack", "detonate", "bomb", "behead", "ambush", "abduct", "kidnap",
             "execute", "massacre", "hack", "rape", "assault", "beat", "strangle", "slash", "torch", "gun"}
_FINITE = {"VBD", "VBZ", "VBP"}  # "robbed and killed"; not a participle ("workers killed when ...")
_NOT_DOERS = {"victim", "hostage", "survivor", "bystander", "witness", "prisoner", "detainee", "inmate", "relative"}


def _violent(verb: Token) -> bool:
    """An act of violence: "shot", "stabbed", "fired at", "opened fire" (not "opened the door", not "the
    manager fired two workers")."""
    lemma = verb.lemma_.lower()
    if lemma == "open":
        return any(c.dep_ == "dobj" and c.lower_ == "fire" for c in verb.children)
    return lemma in _VIOLENCE or (lemma == "fire" and not dismissal(verb))


def _person_does_violence(tok: Token) -> bool:
    """Is this person noun the doer of an act of violence: the subject of the act ("two men stabbed"), the
    agent of its passive ("shot by a man"), or the subject of a verb whose own subjectless complement or
    conjunct is a finite act ("robbed and killed"; "a former employee recently let go ... opened fire",
    parsed with "opened" under "let")?"""
    if tok.pos_ not in {"NOUN", "PROPN"} or not _noun_in(tok, PERSON_NOUNS) or _noun_in(tok, _NOT_DOERS):
        return False
    if tok.dep_ == "pobj" and tok.head.lower_ == "by":
        return tok.head.head.tag_ == "VBN" and _violent(tok.head.head)
    if tok.dep_ != "nsubj":
        return False
    verb = tok.head
    coordinated = any(c.dep_ == "cc" for c in verb.children)  # a conjunct joined by "and", not a misparse
    return _violent(verb) or any(
        (c.dep_ in {"xcomp", "ccomp"} or c.dep_ == "conj" and coordinated) and c.tag_ in _FINITE and _violent(c)
        and not any(g.dep_.startswith("nsubj") for g in c.children)
        for c in verb.children)


def _person_phrase(tok: Token) -> Span:
    """"A former employee" -> "former employee", "Two men" -> "Two men": the noun with what precedes it in
    its phrase, without the article."""
    left = tok.left_edge.i
    while left < tok.i and tok.doc[left].dep_ in {"det", "punct"}:
        left += 1
    return tok.doc[left : tok.i + 1]


def _generic_phrase(tok: Token) -> Span:
    """"armed men" -> the noun with the modifiers directly before it (not "suspected")."""
    left = tok.i
    while left > tok.sent.start:
        prev = tok.doc[left - 1]
        if prev.head.i != tok.i or prev.dep_ not in {"amod", "compound", "nmod"} or prev.lower_ in {"suspected", "alleged"}:
            break
        left -= 1
    return tok.doc[left : tok.i + 1]


def _forces_name(tok: Token) -> str | None:
    """"Syrian government warplanes", "Russian artillery" -> "Syrian government forces", "Russian forces"."""
    words = []
    for left in reversed(list(tok.lefts)):
        if left.dep_ in {"amod", "compound", "nmod", "poss"} and (left.ent_type_ in {"NORP", "GPE"} or left.lower_ in {"government", "regime", "pro-government"}):
            words.insert(0, left.text.removesuffix("'s").removesuffix("’s"))
        elif words:
            break
    if not words or not any(w[:1].isupper() for w in words):
        return None
    return " ".join(words) + " forces"


# Who the actor of an event is follows from its type, as ACLED codes it: a protest's or a riot's actor is the
# crowd that protests, an arrest's the force that arrests (the people arrested are its targets).
_CROWD_TYPES = {"Protests", "Riots"}
_ARREST_TYPES = {"Arrests"}


def actors_of_type(event_type: str | None, sub_event_type: str | None, perpetrators: list[str],
                   sentences: list[str], codebook: Codebook) -> list[str] | None:
    """The actors an incident of this type has instead of `perpetrators`, found in its `sentences`; None to
    keep `perpetrators`. A protest or riot with no actor takes the protesters as the text names them
    ("demonstrators", "rioters"); an arrest keeps only state forces among its actors, else the force the
    text names ("police", "authorities"), else none."""
    if event_type in _CROWD_TYPES and not perpetrators:
        crowd = _first_word(sentences, codebook.frames.actors.get("protesters", []), plural_only=True)
        return [crowd] if crowd else None
    if sub_event_type in _ARREST_TYPES:
        state_words = codebook.frames.actors.get("state", [])
        state = _words_pattern(state_words)
        kept = [p for p in perpetrators if state.search(p)]
        if kept:
            return kept
        force = _first_word(sentences, state_words, plural_only=False)
        return [force] if force else []
    return None


def _first_word(sentences: list[str], words: list[str], *, plural_only: bool) -> str | None:
    """The first of `words` (or their plurals) the sentences use, as written."""
    forms = {f"{w}s" for w in words if " " not in w} | (set() if plural_only else set(words))
    pattern = _words_pattern(forms)
    for sentence in sentences:
        if m := pattern.search(sentence):
            return m.group(0).lower()
    return None
