"""Incident detection: find the codebook's event cues in a parsed report.

Input: a spaCy Doc. Output: `Cue` records (phrase, offsets, the sub-event type it signals, strong/weak).
Matching is case-insensitive on tokens, so headlines, lower-cased wire copy and MUC-4 text all work.
Cues find event mentions; the incident's type is decided from its parse by `extract/typing.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token

from sitrep.codebook import Codebook
from sitrep.extract.figures import PERSON_NOUNS, in_crash
from sitrep.extract.typing import UNACCUSATIVE, figurative
from sitrep.records import Cue

_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}
# Words that look like cues but, in these uses, are not events ("fire" as in "ceasefire" is one token already).
_NOT_EVENT_BEFORE = {"cease", "under", "open", "friendly"}  # "under fire" is kept by the strong "opened fire" cue
# How a weapon's phrase hangs from the verb it is the object of: lists, "of", "including", apposition.
_OBJECT_DEPS = {"conj", "appos", "pobj", "prep", "compound", "nmod", "dobj", "nsubjpass", "attr", "npadvmod"}
# Nouns that a cue word only describes when it modifies them: "shell casings" are a gun's, not artillery; an
# "assault rifle" is a weapon, not an assault.
_NOT_EVENT_HEADS = {"casing", "casings", "company", "companies", "rifle", "rifles", "weapon", "weapons"}
# What "fired" may be said of that is no person who lost a job ("fired rounds", "fired tear gas").
_AMMUNITION = {"shot", "round", "bullet", "cartridge", "shell", "casing", "weapon", "gun", "rocket", "missile",
               "projectile", "gas", "teargas", "salvo", "volley", "mortar", "grenade", "flare", "canister", "pellet"}
_JOBS = {"job", "post", "position", "role", "company", "firm", "department", "force", "team", "show", "school", "club"}
_AIMED = {"at", "on", "upon", "into", "toward", "towards", "in", "over", "through"}


def dismissal(tok: Token) -> bool:
    """Is this "fire" a job lost, not a shot? "a fired accountant", "had been fired as a clerk", "was fired from
    his job", "the company fired him" (not "shots were fired", "fired on the crowd", "fired rockets")."""
    if tok.lemma_.lower() != "fire" or tok.lower_ == "fire":
        return False
    if tok.dep_ == "amod":
        return tok.head.pos_ in ("NOUN", "PROPN") and tok.head.lemma_.lower() not in _AMMUNITION
    if tok.pos_ != "VERB" or any(c.dep_ in ("prep", "prt", "advmod") and c.lower_ in _AIMED and not all(
            o.ent_type_ in ("DATE", "TIME") for o in c.children) for c in tok.children):
        return False  # aimed somewhere ("on the crowd", "in the air"), not "on Monday"
    for c in tok.children:  # "fired from his job", "fired as a general accountant"
        if c.dep_ == "prep" and c.lower_ in ("from", "as") and any(
                o.lemma_.lower() in _JOBS or c.lower_ == "as" for o in c.children if o.dep_ == "pobj"):
            return True
    people = [c for c in tok.children if c.dep_ in ("nsubjpass", "dobj")]
    return bool(people) and all(
        c.lower_ in ("him", "her", "them", "me", "us", "he", "she", "they", "i", "we") or c.ent_type_ == "PERSON"
        or c.lemma_.lower() in PERSON_NOUNS for c in people)


# A shell told beside a hand-held gun is its cartridge ("loaded a shell into the shotgun's chamber"), not artillery.
_SMALL_ARMS = {"shotgun", "shotguns", "handgun", "handguns", "pistol", "pistols", "revolver", "revolvers", "chamber"}


class CueMatcher:
    """Longest-match lookup of codebook cue phrases over tokens; built once, shared by every document."""

    def __init__(self, codebook: Codebook, tokenizer: Tokenizer):
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, bool]]] = defaultdict(list)
        for sub in codebook.sub_event_types:
            for strong, cues in ((True, sub.strong), (False, sub.weak)):
                for cue in cues:
                    words = tuple(t.lower_ for t in tokenizer(cue))
                    self._phrases[words[0]].append((words, sub.name, strong))
        for entries in self._phrases.values():
            entries.sort(key=lambda e: (-len(e[0]), not e[2]))
        frames = codebook.frames
        self._act_of = {w: act for act, words in frames.acts.items() for w in words if " " not in w}
        self._needs_agent = set(frames.needs_agent)
        self._implied = set(frames.implied_agent)
        self._holding = {w for w in frames.holding if " " not in w}
        self._weapon_types = {sub.name for sub in codebook.sub_event_types if sub.event_type == "Explosions/Remote violence"}

    def __call__(self, span: Doc | Span) -> list[Cue]:
        """Every cue in `span`, longest first at each position, non-overlapping."""
        cues: list[Cue] = []
        tokens = list(span)
        i = 0
        while i < len(tokens):
            entries = self._phrases.get(tokens[i].lower_)
            match = None
            if entries:
                for words, sub_event_type, strong in entries:
                    n = len(words)
                    if tuple(t.lower_ for t in tokens[i : i + n]) == words:
                        match = (n, sub_event_type, strong)
                        break
            if match and match[0] == 1 and (tokens[i].ent_type_ in {"DATE", "TIME"} or _day_of_month(tokens, i)):
                match = None  # "On 9 March", "in May", "the 19 march elections" in lower-cased copy
            if match and match[0] == 1 and in_crash(tokens[i]):
                match = None  # "the plane crashed and all four on board were killed": no violence
            if match and match[0] == 1 and tokens[i].dep_ in {"compound", "amod"} \
                    and tokens[i].head.lower_ in _NOT_EVENT_HEADS:
                match = None  # "police found shell casings at the scene"
            if match and match[0] == 1 and tokens[i].lower_ in {"shell", "shells"} \
                    and any(t.lower_ in _SMALL_ARMS for t in tokens[i].sent):
                match = None  # "loaded a shell into the shotgun's chamber": a cartridge
            if match and match[0] == 1 and figurative(tokens[i]):
                match = None  # "the explosion of rioting and looting"
            if match and match[0] == 1 and dismissal(tokens[i]):
                match = None  # "had been fired as an accountant": a job lost, no gunfire
            if match and match[1] in self._weapon_types and self._held(tokens[i : i + match[0]]):
                match = None  # "seized rifles and a rocket-propelled grenade launcher": an inventory
            if match and not (match[0] == 1 and i > 0 and tokens[i - 1].lower_ in _NOT_EVENT_BEFORE and not match[2]):
                n, sub_event_type, strong = match
                first, last = tokens[i], tokens[i + n - 1]
                cues.append(Cue(
                    text=span.doc[first.i : last.i + 1].text,
                    start=first.idx, end=last.idx + len(last),
                    sub_event_type=sub_event_type, strong=strong, deed=self._deed(tokens[i : i + n]),
                ))
                i += n
            else:
                i += 1
        return cues


    def starts_cue(self, words: Sequence[str], i: int) -> bool:
        """Whether a cue phrase starts at `words[i]` (lower-cased words of unparsed text: no checks that need
        the parse; `extract/selection.py` picks the sentences to parse with it)."""
        return any(tuple(words[i : i + len(phrase)]) == phrase for phrase, _, _ in self._phrases.get(words[i], ()))

    def _held(self, tokens: list[Token]) -> bool:
        """Whether a weapon cue names a thing had, found or taken ("found two car bombs", "a cache including
        grenades"): the verb its phrase is the object of, through lists, "of" and "including", is one of holding."""
        node = tokens[-1]
        for _ in range(8):
            if node.pos_ in {"VERB", "AUX"}:
                return node.lemma_.lower() in self._holding
            if node.dep_ not in _OBJECT_DEPS or node.head.i == node.i:
                return False
            node = node.head
        return False

    def _deed(self, tokens: list[Token]) -> bool:
        """Whether a cue names a deed someone did: one of its words is an act of the codebook that needs no
        agent ("attacked", "a raid", "the murder"), or the passive or noun of one whose agent it implies ("were
        killed", "the killings"); not a word of what befell people ("died", "dead", "wounded")."""
        for tok in tokens:
            act = self._act_of.get(tok.lemma_.lower()) or self._act_of.get(tok.lower_)
            if act is not None and act not in self._needs_agent:
                return True
            if act in self._implied and tok.lemma_.lower() not in UNACCUSATIVE and (
                    tok.pos_ in {"NOUN", "PROPN"} or _passive(tok)):
                return True
        return False


def _passive(tok: Token) -> bool:
    """A passive participle: "were killed", "had been killed", or one whose auxiliary headlines leave out
    ("three killed in blast")."""
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in tok.children):
        return True
    return tok.tag_ == "VBN" and not any(c.dep_ in {"aux", "dobj"} for c in tok.children)


def _day_of_month(tokens: list[Token], i: int) -> bool:
    """A month name next to a day number ("19 march", "march 19"), which the tagger misses in lower case."""
    if tokens[i].lower_ not in _MONTHS:
        return False
    return any(0 <= j < len(tokens) and tokens[j].is_digit and 1 <= int(tokens[j].text) <= 31 for j in (i - 1, i + 1))
