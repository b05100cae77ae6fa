"""Sentence selection: which sentences of a report go through the tagger, parser and NER.

Input: a report's text. Output: a `Selection`: the same text with the sentences that cannot carry an
incident blanked (a line break, spaces, a line break: a paragraph break, so no parsed sentence runs across
it), so that the parse is cheaper and every offset in it is still an offset into the report.

A cheap pass decides (the tokenizer, a rule sentence splitter, the codebook's cue phrases, the words of harm
and care): a sentence is kept when it holds a cue ("shot", "an explosion", "were arrested"), a word of harm
("died", "wounded", "in critical condition"), a word naming an attacker, suspect or weapon, a capitalised
place name the gazetteer knows (where the report is set is counted over all its place names), or belongs to
the lead (headline, dateline, first sentence of some length). The sentence after a cue's is kept too: it says
who, where and how many of the act just told ("The victim, a 23-year-old man, was taken to ..."). A report of
a few sentences is parsed whole. A line that links to another story ("RELATED: 4 found dead in Tulsa",
"Read more: ...") is never parsed, in a report of any length.

What is blanked is still read where plain text suffices: datelines, a local police force's town, US states
and countries (`source_text`, `skipped_text`), so the report's setting does not depend on the selection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from sitrep.codebook import Codebook
from sitrep.extract.figures import HARM_WORDS
from sitrep.nlp.gazetteer import Gazetteer, normalize
from sitrep.nlp.ruler import CONNECTORS, is_common_word

PLACE_MIN_POPULATION = 1000  # a capitalised name of a town this large (or of a region or country) keeps its sentence
MAX_PLACE_WORDS = 3
LEAD_WORDS = 8  # the lead (always parsed) ends with the first sentence of this many tokens: headlines, dateline
FRAGMENT_WORDS = 3  # a shorter "sentence" is a fragment the rule splitter cut off ("ST." of "ST. LOUIS"): kept with
                    # a kept neighbour
WHOLE_BELOW = 5  # a report of fewer sentences is parsed whole (but its links): selection would save little
_USER_DATA = "sitrep.selection"
# A line that links to another story ("RELATED: 4 found dead in Tulsa", "► Related: ...", "Read more: Why ..."):
# another report's headline, so never parsed and never read for the setting, whatever it holds
_LINK_LINE = re.compile(r"^[^\w\n]{0,4}(?:related|read more|more|also read|read also|see also)\s*:[^\n]*",
                        re.IGNORECASE | re.MULTILINE)
# words of an act that no cue phrase names alone ("heard shots", "his suicide")
_ACT_WORDS = frozenset("shots gunshot gunshots fired firing trigger suicide suicides".split())


def selection_words(codebook: Codebook) -> frozenset[str]:
    """The words that keep a sentence (besides cues): harm and care (`figures.HARM_WORDS`), the codebook's
    weapons (each word of a weapon's name but "of"), and acts no cue names alone."""
    weapons = {w for names in codebook.weapons.values() for name in names for w in name.split() if w != "of"}
    return HARM_WORDS | weapons | _ACT_WORDS


@dataclass(frozen=True)
class Selection:
    """A report's text and what of it is parsed: `text` is `source` with the `skipped` character ranges
    blanked, of the same length."""

    source: str
    text: str
    skipped: tuple[tuple[int, int], ...] = ()
    sentences: int = 0
    kept: int = 0
    links: tuple[tuple[int, int], ...] = ()  # the lines that link to other stories (blanked too)

    @property
    def skipped_text(self) -> str:
        """The blanked sentences but the links to other stories, one per line (for plain-text readers:
        countries, states)."""
        source = self.source
        for a, b in self.links:
            source = source[:a] + " " * (b - a) + source[b:]
        return "\n".join(source[a:b] for a, b in self.skipped)


class SentenceSelector:
    """Picks the sentences worth parsing (see the module docstring); built once, shared by every report.
    `is_cue(words, i)`: whether a cue phrase starts at word i of a sentence's lower-cased words."""

    def __init__(self, tokenizer: Tokenizer, is_cue: Callable[[Sequence[str], int], bool],
                 words: frozenset[str], gazetteer: Gazetteer) -> None:
        """`words`: those that keep a sentence besides cues (`selection_words`)."""
        self.tokenizer = tokenizer
        self.is_cue = is_cue
        self.words = words
        self.gazetteer = gazetteer
        self.splitter = Sentencizer()

    def _names_place(self, doc: Doc, start: int, end: int) -> bool:
        """Whether tokens start..end hold a capitalised place name."""
        for i in range(start, end):
            if not doc[i].is_title:
                continue
            for n in range(min(MAX_PLACE_WORDS, end - i), 0, -1):
                if not doc[i + n - 1].is_title or not all(t.is_title or t.lower_ in CONNECTORS for t in doc[i : i + n]):
                    continue  # "Deir ez-Zor", "Port of Spain"; not "The city"
                key = normalize(doc[i : i + n].text)
                info = self.gazetteer.key_info(key)
                if info and (info.admin1 or info.country or info.town_population >= PLACE_MIN_POPULATION) \
                        and not is_common_word(key):
                    return True
        return False

    def __call__(self, text: str) -> Selection:
        doc = self.splitter(self.tokenizer(text))
        sents = _sentences(doc)
        links = [(m.start(), m.end()) for m in _LINK_LINE.finditer(text)]
        if len(sents) < WHOLE_BELOW:
            keep = [True] * len(sents)
        else:
            keep = self._worth_parsing(doc, sents)
        for k, (start, end) in enumerate(sents):
            if any(a <= doc[start].idx < b for a, b in links):
                keep[k] = False
        if all(keep):
            return Selection(text, text, sentences=len(sents), kept=len(sents))
        skipped: list[tuple[int, int]] = []
        for (start, end), kept in zip(sents, keep):
            if kept:
                continue
            a, b = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            if skipped and skipped[-1][1] == a:
                a = skipped.pop()[0]
            skipped.append((a, b))
        chars = list(text)
        for a, b in skipped:  # a blank between two line breaks: a paragraph break, which ends a sentence
            chars[a:b] = ["\n", *(" " for _ in range(b - a - 2)), "\n"] if b - a >= 2 else [" "]
        return Selection(text, "".join(chars), tuple(skipped), len(sents), sum(keep), tuple(links))

    def _worth_parsing(self, doc: Doc, sents: list[tuple[int, int]]) -> list[bool]:
        """For each sentence, whether it can carry an incident or the context of one (the module docstring)."""
        cue = []
        keep = []
        for start, end in sents:
            words = [doc[i].lower_ for i in range(start, end)]
            has_cue = any(self.is_cue(words, i) for i in range(len(words)))
            cue.append(has_cue)
            keep.append(has_cue or any(w in self.words for w in words) or self._names_place(doc, start, end))
        lead = next((k for k, (start, end) in enumerate(sents) if end - start >= LEAD_WORDS), len(sents))
        for k in range(len(sents)):
            if k <= lead or (k > 0 and cue[k - 1]):
                keep[k] = True
        for k, (start, end) in enumerate(sents):  # "ST." of "ST. LOUIS (KTVI) -": a splitter's fragment
            if end - start < FRAGMENT_WORDS and ((k > 0 and keep[k - 1]) or (k + 1 < len(sents) and keep[k + 1])):
                keep[k] = True
        return keep


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences: the rule splitter's, also broken at line breaks; whitespace alone is
    no sentence."""
    out: list[tuple[int, int]] = []
    start = None
    for tok in doc:
        if tok.is_space:
            if start is not None and "\n" in tok.text:
                out.append((start, tok.i))
                start = None
            continue
        if start is not None and tok.is_sent_start:
            out.append((start, tok.i))
            start = None
        if start is None:
            start = tok.i
    if start is not None:
        out.append((start, len(doc)))
    return [(a, _last_word(doc, a, b)) for a, b in out]


def _last_word(doc: Doc, start: int, end: int) -> int:
    while end > start + 1 and doc[end - 1].is_space:
        end -= 1
    return end


def remember(doc: Doc, selection: Selection) -> Doc:
    """Keep on a parsed Doc the selection it was parsed from (`source_text`, `skipped_text` read it)."""
    doc.user_data[_USER_DATA] = selection
    return doc


def selection_of(doc: Doc) -> Selection | None:
    """The selection a Doc was parsed from, None for a Doc of a whole text."""
    return doc.user_data.get(_USER_DATA)


def source_text(doc: Doc) -> str:
    """The report as written, blanked sentences included."""
    selection = selection_of(doc)
    return selection.source if selection is not None else doc.text


def skipped_text(doc: Doc) -> str:
    """The sentences that were not parsed ("" for a whole parse)."""
    selection = selection_of(doc)
    return selection.skipped_text if selection is not None else ""
