"""Modality: is a mention a real, new incident of this report, or something to keep out of the ledger?

Input: a mention's cue tokens, its sentence and what is attached to it. Output: an exclusion reason
(not violence, historical, aggregate, threat, hypothetical, negated, reaction) with a human-readable detail,
or None. Not violence covers harm whose cause, as the parse attaches it, is one no one inflicts: a disaster,
an accident, illness or a natural death, a suicide ("the quake killed six", "died of cancer").
Historical covers old dates, anniversaries, court cases and inquiries about past incidents; aggregate
covers cumulative and whole-conflict tolls, undated tolls too large for one incident and undated running
tolls ("they have killed many people"); negated covers negations, denials of the act ("the army denied
shelling") and reports called false; hypothetical covers plans and possibilities, and violence called off
or asked to stop ("demanded an end to the killings"). "No one was hurt" is not a negation of the event: it
is a zero figure (figures.py). Violence told as a pattern ("the constant raids") or an aim, with no date or
figure, is "no details" here; otherwise "no details" is decided later, by grouping, because it depends on
the rest of the report.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from spacy.tokens import Span, Token

from sitrep.codebook import Codebook
from sitrep.records import DateExpr, ExclusionReason, FigureMention

HISTORICAL_AFTER_DAYS = 365  # an event dated this long before publication is history, not news
ONE_INCIDENT_MAX_KILLED = 1000  # an undated toll this large is a conflict's, not one incident's
CAUSE_KINDS = {"disaster": "a natural disaster", "accident": "an accident", "illness": "illness or a natural death",
               "self_harm": "a suicide"}  # the codebook's causes of harm that no one inflicts
ARMED_HARM = ("Firearms", "Explosives", "Heavy")  # weapon kinds (lexicon.yaml) whose harm is never an accident's
_CAUSE_PREPS = {"of", "from", "in", "by", "after", "during", "following", "amid", "due", "to"}  # "died of", "killed in"


class Cause(NamedTuple):
    """A cause of harm that no one inflicts, as named in the text."""

    start: int
    end: int
    kind: str  # disaster, accident, illness, self_harm
    phrase: str

    @property
    def what(self) -> str:
        return f"{CAUSE_KINDS[self.kind]} ({self.phrase!r})"


class HarmCauses:
    """The codebook's causes of death and harm that no one inflicts (disasters, accidents, illness, suicide),
    found in text: "killed in an earthquake", "died of cancer", "fell from a ridge", "took his own life"."""

    _built: dict[int, "HarmCauses"] = {}

    @classmethod
    def of(cls, codebook: Codebook) -> "HarmCauses":
        """The causes of `codebook`, built once per codebook."""
        built = cls._built.get(id(codebook))
        if built is None or built.codebook is not codebook:
            built = cls._built[id(codebook)] = cls(codebook)
        return built

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        words = codebook.modality
        self._kind = {w: kind for kind in CAUSE_KINDS for w in words[kind]}
        self._pattern = _words_pattern(self._kind)
        self._armed = _words_pattern([*words["gun_harm"], *(w for kind in ARMED_HARM for w in codebook.weapons[kind])])
        self._cue_phrases = {c for sub in codebook.sub_event_types for c in [*sub.strong, *sub.weak] if " " in c}

    def armed(self, text: str) -> bool:
        """Whether `text` names harm by a gun or a bomb, an incident even when it was an accident."""
        return bool(self._armed.search(text))

    def spans(self, text: str, offset: int = 0) -> list[Cause]:
        """Every cause named in `text`, its offsets shifted by `offset`."""
        return [Cause(m.start() + offset, m.end() + offset, self._kind[m.group(1).lower()], m.group(1).lower())
                for m in self._pattern.finditer(text)]

    def of_harm(self, tok: Token, causes: list[Cause]) -> Cause | None:
        """The cause of the harm a cue word names, when the parse gives one: the word's subject ("the quake
        killed") or object ("fought the blaze"), its "by" agent, the object of "of", "in", "after" ... ("died of cancer", "injured in a fall",
        "died after falling"), the subject of a clause that says when ("killed when a landslide buried ..."),
        for "dead" and "injured" those of the verb they complement; or the cue word is part of a cause ("a
        heart attack")."""
        def cause_at(t: Token) -> Cause | None:
            return next((c for c in causes if c.start <= t.idx < c.end), None)

        if found := cause_at(tok):
            return found
        heads = [tok] + ([tok.head] if tok.dep_ in {"acomp", "oprd", "amod", "xcomp", "conj", "dep"} else [])
        for head in heads:
            for c in head.children:
                if c.dep_ in {"nsubj", "csubj"} and head.lemma_.lower() not in {"be", "die"} and (found := cause_at(c)):
                    return found
                if c.dep_ == "dobj" and head is tok and f"{tok.lower_} {c.lower_}" not in self._cue_phrases and (
                        found := cause_at(c)):  # "firefighters fought the blaze", not "set fire"
                    return found
                if c.dep_ in {"agent", "prep"} and c.lower_ in _CAUSE_PREPS:
                    objects = (o for o in c.children if o.dep_ in {"pobj", "pcomp"})
                    if found := next((f for o in objects if (f := cause_at(o))), None):
                        return found
                if c.dep_ == "advcl":  # "killed when a landslide buried the village"
                    subjects = (o for o in c.children if o.dep_ == "nsubj")
                    if found := next((f for o in subjects if (f := cause_at(o))), None):
                        return found
        return None


class ModalityClassifier:
    """Rules over the governing words of a mention (built once from the codebook's modality lists)."""

    def __init__(self, codebook: Codebook):
        self.causes = HarmCauses.of(codebook)
        words = codebook.modality
        self._single = {key: {w for w in values if " " not in w} for key, values in words.items()}
        self._phrases = {
            key: re.compile(r"\b(" + "|".join(re.escape(w) for w in values if " " in w) + r")\b", re.I)
            for key, values in words.items() if any(" " in w for w in values)
        }

    def __call__(
        self, sent: Span, cue_tokens: list[Token], dates: list[DateExpr], figures: list[FigureMention],
        published: dt.date | None,
    ) -> tuple[ExclusionReason, str] | None:
        governors = _governors(cue_tokens)
        lower_governors = {t.lower_ for t in governors}
        text = sent.text

        if cause := self._caused(sent, cue_tokens):
            return "not violence", f"harm from {cause}, not an act of violence"
        if figures and all(f.aggregate for f in figures):
            return "aggregate", f"cumulative toll ({figures[0].text!r}), not one incident"
        if self._has("aggregate", text) and figures and (any(f.aggregate for f in figures) or _perfect(cue_tokens)):
            return "aggregate", "cumulative toll, not one incident"
        if figures and not dates and _perfect(cue_tokens) and all(_open_count(f) for f in figures):
            return "aggregate", f"an undated running toll ({figures[0].text!r}), not one incident"
        if whole := self._whole_conflict_subject(cue_tokens):
            return "aggregate", f"toll of a whole {whole.lower_} ({whole.text!r} is what killed), not one incident"
        large = figures and all(f.value >= ONE_INCIDENT_MAX_KILLED for f in figures)
        if large and not any(d.precision == "day" for d in dates):
            return "aggregate", f"an undated toll of {figures[0].value:,} is a conflict's, not one incident's"
        old = [d for d in dates if published and (published - d.date).days > HISTORICAL_AFTER_DAYS]
        if old and len(old) == len(dates):
            d = old[0]
            return "historical", f"dated {d.text!r} ({d.date.isoformat()}, precision {d.precision}), long before publication"
        if not any(d.precision == "day" for d in dates):
            if several := _several_events(cue_tokens + _told_before(cue_tokens), self._single["series"],
                                          self._single["event_nouns"]):
                return "aggregate", f"a roundup of several incidents ({several!r}), not one"
        if compared := _compared(cue_tokens):
            return "historical", f"an earlier incident the report compares its own with ({compared!r})"
        if year := _year_of_event(cue_tokens):  # "a 2004 car bombing", "the 1986 attacks"
            if published is None or published.year - int(year.text) > 1:
                return "historical", f"an event of {year.text}, named by its year"
        if dates and all(d.precision == "year" for d in dates):
            # a report dates its own news to the day, the week or the month; an event it dates only by its year
            # ("earlier this year", "last year", "in 2009") is background told in passing
            return "historical", f"dated only by its year ({dates[0].text!r}): an earlier event told in passing"
        pattern = self._phrases["historical"]
        remembered = bool(pattern.search(text)) and not figures_are_new(figures)  # "two years ago"
        if remembered or lower_governors & self._single["historical"]:  # "the anniversary of the 1988 attack"
            return "historical", "an anniversary or remembrance of a past event"
        if hit := lower_governors & self._single["court"]:
            return "historical", f"a court case about a past incident ({sorted(hit)[0]!r})"
        if not figures_are_new(figures) and not dates and (hit := lower_governors & self._single["inquiry"]):
            return "historical", f"an inquiry into a past incident ({sorted(hit)[0]!r})"
        for gov in governors:  # the nearest governing word decides: "warned that they could attack" is hypothetical
            word = gov.lower_
            if word in self._single["threat"]:
                return "threat", f"a threat or pledge ({word!r}), not an event that happened"
            if word in self._single["hypothetical"] and not _past_possibility(gov):
                return "hypothetical", f"hypothetical or planned ({word!r})"
        if _future(cue_tokens):
            return "threat", "stated in the future tense"
        if ended := self._ended(cue_tokens):
            return "hypothetical", f"violence called off or asked to stop ({ended.text!r}), not an event"
        negation = self._negation(cue_tokens, governors) or self._false_report(sent, cue_tokens)
        if negation:
            return "negated", negation
        habitual = self._single["habitual"]
        if not figures and not dates and all(_unrealised(t) or _habitual(t, habitual) for t in cue_tokens):
            return "no details", "a general reference (an ongoing campaign or an aim), no incident details or figures"
        if not figures and not dates:
            words = lower_governors
            if all(t.pos_ in {"NOUN", "PROPN"} or t.dep_ == "amod" for t in cue_tokens):  # "the attacks drew condemnation"
                words = words | {t.lower_ for t in sent}
            if hit := words & self._single["reaction"]:
                return "reaction", f"a reaction to the event ({sorted(hit)[0]!r}), no new details"
        return None

    def _caused(self, sent: Span, cue_tokens: list[Token]) -> str | None:
        """The disaster, accident or illness that every cue word of the mention names as the cause of its
        harm, unless the sentence names a gun or a bomb. A suicide is left to grouping: it is part of an
        incident when someone else was harmed ("shot his wife, then killed himself")."""
        causes = [c for c in self.causes.spans(sent.text, sent.start_char) if c.kind != "self_harm"]
        if not causes or self.causes.armed(sent.text):
            return None
        found = [self.causes.of_harm(t, causes) for t in cue_tokens]
        return found[0].what if found and all(found) else None

    def _has(self, key: str, text: str) -> bool:
        pattern = self._phrases.get(key)
        lowered = {w.lower() for w in re.findall(r"[\w'-]+", text)}
        return bool(lowered & self._single[key]) or bool(pattern and pattern.search(text))

    def _false_report(self, sent: Span, cue_tokens: list[Token]) -> str | None:
        """"the report that her daughter was wounded is unfounded": the subject of a denial."""
        root = sent.root
        falsehood = self._single["falsehood"]
        word = next((c for c in root.children if c.dep_ in {"acomp", "attr"} and c.lower_ in falsehood), None)
        subjects = [t for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} for t in c.subtree]
        if word is not None and any(t in subjects for t in cue_tokens):
            return f"reported as {word.text!r}"
        return None

    def _ended(self, cue_tokens: list[Token]) -> Token | None:
        """The word of ending whose object every cue is: "stop the kidnappings", "an end to the attacks"."""
        ends = [_word_of_ending(t, self._single["cessation"]) for t in cue_tokens]
        return ends[0] if ends and all(ends) else None

    def _whole_conflict_subject(self, cue_tokens: list[Token]) -> Token | None:
        """"the war ... has killed 500,000": the subject of the killing is a whole conflict."""
        for tok in cue_tokens:
            for child in tok.children:
                if child.dep_ == "nsubj" and child.lemma_.lower() in self._single["context_only"]:
                    return child
        return None

    def _negation(self, cue_tokens: list[Token], governors: list[Token]) -> str | None:
        for tok in cue_tokens:
            if any(c.dep_ == "det" and c.lower_ in {"no", "neither"} for c in tok.children):
                return f"negated ('no {tok.text}')"
            verb = tok if tok.pos_ in {"VERB", "AUX"} else tok.head
            if any(c.dep_ == "neg" for c in verb.children) and verb.lemma_.lower() != "say":
                return f"negated ({verb.text!r} with 'not')"
        for gov in governors:
            if gov.lower_ in self._single["negation_verbs"]:
                # "denied responsibility for the attack" disputes who did it, not that it happened
                on_path = {t.lower_ for t in _path_between(cue_tokens[0], gov)}
                if not on_path & self._single["responsibility"]:
                    return f"denied ({gov.text!r})"
        return None


_ONE = {"one", "1", "a", "an", "single", "lone"}  # counts that name one event, not several


def _several_events(cue_tokens: list[Token], series: set[str], events: set[str]) -> str | None:
    """Plural events that are several incidents: a count of separate incidents ("four shootings", not "seven
    explosions" of one attack) or a series of any ("a spate of attacks")."""
    for tok in cue_tokens:
        if tok.tag_ != "NNS":
            continue
        count = next((c for c in tok.children if c.dep_ == "nummod" and c.lower_ not in _ONE), None)
        if count is not None and tok.lemma_.lower() in events:
            return f"{count.text} {tok.text}"
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lemma_.lower() in series:
            return f"{tok.head.head.text} of {tok.text}"
    return None


def _told_before(cue_tokens: list[Token]) -> list[Token]:
    """The objects of the clause a participle cue adds to: "launched a series of attacks across Paris, killing
    130" tells the toll of the series (its "attacks"), not of one attack."""
    return [t for cue in cue_tokens if cue.dep_ == "advcl" and cue.tag_ == "VBG"
            for obj in cue.head.children if obj.dep_ == "dobj" for t in obj.subtree]


def _words_pattern(words) -> re.Pattern:
    """Any of `words` (phrases allowed) as whole words, longest first, case-insensitive."""
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)


_SEQUEL_VERBS = frozenset({"come", "follow"})
_SPANS = frozenset("day days week weeks month months year years".split())


def _compared(cue_tokens: list[Token]) -> str | None:
    """The words that set the mention's act apart as an earlier incident the report compares its own with
    ("Thursday's shooting came just weeks after a driver fatally shot eight people", "the attack comes two
    months after gunmen killed 12"): every cue in a clause of "after" hung on "come" or "follow" with a span
    of days, weeks, months or years, but the subject of that verb (the report's own event)."""
    found = None
    for tok in cue_tokens:
        clause = next((n for n in [tok, *tok.ancestors] if n.dep_ == "advcl"
                       and n.head.lemma_.lower() in _SEQUEL_VERBS), None)
        after = clause and next((c for c in clause.children if c.dep_ == "mark" and c.lower_ == "after"), None)
        span = after and next((c for c in [*after.children, *clause.children]
                               if c.dep_ == "npadvmod" and c.lower_ in _SPANS), None)
        if span is None:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.lemma_.lower() in _SEQUEL_VERBS:
                continue  # "Thursday's shooting came ...": the report's own event, told again
            return None
        found = found or f"{clause.head.text} ... {span.text} after"
    return found


def _year_of_event(cue_tokens: list[Token]) -> Token | None:
    """A year written as a modifier of the event noun: "a 2004 car bombing", "the 1986 attacks"."""
    for tok in cue_tokens:
        for node in (tok, *(c for c in tok.children if c.dep_ == "compound")):
            for c in node.children:
                if c.dep_ in {"nummod", "compound", "amod", "npadvmod"} and re.fullmatch(r"(1[89]|20)\d\d", c.text):
                    return c
    return None


def figures_are_new(figures: list[FigureMention]) -> bool:
    return any(not f.aggregate for f in figures)


def _governors(cue_tokens: list[Token]) -> list[Token]:
    """The words above the cue in the parse, up to the clause of a reporting verb."""
    found: list[Token] = []
    for tok in cue_tokens:
        node = tok
        for _ in range(6):
            found.extend(c for c in node.children if c.dep_ in {"aux", "mark", "neg"})
            if node.head.i == node.i:
                break
            node = node.head
            if node.lemma_.lower() in {"say", "tell", "report", "add", "confirm"}:
                break
            found.append(node)
    return found


def _word_of_ending(tok: Token, words: set[str]) -> Token | None:
    """The word of `words` that takes `tok` (or the list it belongs to) as object: "cease the attacks",
    "stop the raids and the torture", "stop using mines", "a halt to the killings"; not "the
    shooting stopped", nor a past act of stopping one that happened ("police stopped the protest")."""
    node = tok
    for _ in range(4):
        if node.head.i == node.i:
            return None
        if node.dep_ == "pobj" and node.head.lower_ in {"to", "of"}:  # "an end to", "the suspension of"
            node = node.head
        elif node.dep_ not in {"conj", "appos", "dobj", "xcomp"}:
            return None
        node = node.head
        if node.lemma_.lower() in words:
            return None if node.tag_ in {"VBD", "VBN"} else node
    return None


def _past_possibility(modal: Token) -> bool:
    """"may have been set off by a mine", "could have been murdered": a guess about how a past event happened,
    not a plan; "would have caused" (what did not happen) stays hypothetical."""
    verb = modal.head
    return (modal.dep_ == "aux" and modal.lower_ in {"may", "might", "could", "must"} and verb.tag_ == "VBN"
            and any(c.dep_ == "aux" and c.lower_ == "have" for c in verb.children))


def _unrealised(tok: Token) -> bool:
    """An infinitive ("to retake"), or a noun that is the object of one ("to halt its attacks")."""
    for node in (tok, tok.head):
        if node.pos_ in {"VERB", "AUX"}:
            return any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children) or node.tag_ in {"VBZ", "VBP"}
    return False


def _habitual(tok: Token, words: set[str]) -> bool:
    """"the constant raids", "repeated attacks": violence as a pattern."""
    return any(c.dep_ == "amod" and c.lower_ in words for c in tok.children)


def _perfect(cue_tokens: list[Token]) -> bool:
    """"have killed": the present perfect of a running toll."""
    return any(c.dep_ == "aux" and c.lower_ in {"have", "has", "'ve"} for t in cue_tokens for c in t.children)


def _open_count(figure: FigureMention) -> bool:
    """"many", "numerous": a count with no upper bound to speak of."""
    return figure.high >= 100 * max(figure.low, 1)


def _future(cue_tokens: list[Token]) -> bool:
    for tok in cue_tokens:
        verb = tok if tok.pos_ in {"VERB", "AUX"} else None
        if verb is not None and any(c.lower_ in {"will", "'ll", "shall"} and c.dep_ == "aux" for c in verb.children):
            return True
    return False


def _path_between(a: Token, b: Token) -> list[Token]:
    path, node = [], a
    while node.i != b.i and node.head.i != node.i:
        path.append(node)
        node = node.head
        for sibling in node.children:
            path.append(sibling)
    return path
