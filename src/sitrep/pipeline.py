"""The extraction pipeline: Article -> selected sentences -> spaCy Doc -> mentions -> incidents. Heavy
resources load once. Every parse goes through `Pipeline.parse`/`parse_many`: only the sentences that can
carry an incident are tagged, parsed and NER-tagged (`extract/selection.py`), in `extract`, `ingest`,
`eval` and the API alike.

A report is never lost to an exception: a stage that fails on it (the parse, a sentence, role attachment,
the setting, grouping) costs only its own part and is recorded in `Extraction.problems` (see
`extract/problems.py`), so `extract`, `extract_many` and `code` do not raise for any text. `strict=True`
lets exceptions propagate instead (tests, debugging). A report in a language sitrep cannot read yet is
not parsed: its Extraction says so in `skipped`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from sitrep.codebook import Codebook, load_codebook
from sitrep.extract.grouping import group
from sitrep.extract.mentions import MentionFinder
from sitrep.extract.places import PlaceResolver
from sitrep.extract.problems import attempt
from sitrep.extract.selection import SentenceSelector, remember, selection_words, source_text
from sitrep.extract.typing import IncidentTyper, Typing
from sitrep.nlp import batches
from sitrep.nlp.gazetteer import Gazetteer, LocalPlace
from sitrep.nlp.language import unsupported
from sitrep.nlp.ruler import build_nlp
from sitrep.records import Article, CodingProblem, Extraction


@contextmanager
def _uncollected() -> Iterator[None]:
    """Load without the garbage collector, then freeze what was loaded: the gazetteer, the model and the
    weights are millions of objects that live as long as the process, and every collection pass over them
    (during the load, and later during coding) is wasted time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Pipeline:
    """One loaded spaCy pipeline, gazetteer and codebook, shared by every report it codes."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer, codebook: Codebook | None = None, *,
                 strict: bool = False):
        self.nlp = nlp
        self.strict = strict  # True: a stage's exception propagates (tests, debugging) instead of being recorded
        self.gazetteer = gazetteer
        self.codebook = codebook or load_codebook()
        self.mentions = MentionFinder(self.codebook, nlp.tokenizer, PlaceResolver(gazetteer))
        self.selector = SentenceSelector(nlp.tokenizer, self.mentions.cues.starts_cue,
                                         selection_words(self.codebook), gazetteer)

    def parse(self, text: str) -> Doc:
        """The parse of a report's selected sentences (the others blanked, offsets kept)."""
        return next(self.parse_many([text]))

    def parse_many(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
        """`parse` for a stream of reports, in batches bounded in count and size (`nlp/batches.py`)."""
        selections = (self.selector(text) for text in texts)
        for doc, selection in batches.parse(self.nlp, ((s.text, s) for s in selections), batch_size):
            yield remember(doc, selection)

    @classmethod
    def load(cls, cache_dir: Path | None = None, places: Iterable[LocalPlace] = ()) -> "Pipeline":
        """Load the gazetteer (built and cached on first use) and the spaCy model with its place ruler;
        `places`: a ledger's own gazetteer (`Ledger.places()`), consulted beside GeoNames."""
        with _uncollected():
            gazetteer = Gazetteer.load(cache_dir)
            places = list(places)
            if places:
                gazetteer = gazetteer.with_places(places)
            return cls(build_nlp(gazetteer), gazetteer)

    def _sink(self, problems: list[CodingProblem]) -> list[CodingProblem] | None:
        """Where stages record their failures: None when strict (exceptions propagate)."""
        return None if self.strict else problems

    def _screen(self, article: Article) -> tuple[Extraction | None, list[CodingProblem]]:
        """(the Extraction of a report that is not coded at all, its language not supported yet, else None;
        the problems recorded so far). A report whose language cannot be told is coded."""
        problems: list[CodingProblem] = []
        code = attempt("language", self._sink(problems), unsupported, article.text)
        if code is not None:
            return Extraction(skipped=f"language {code} is not supported yet"), problems
        return None, problems

    def _parse_and_code(self, article: Article, problems: list[CodingProblem]) -> Extraction:
        doc = attempt("parse", self._sink(problems), self.parse, article.text)
        return self.code(article, doc, problems) if doc is not None else Extraction(problems=problems)

    def extract(self, article: Article) -> Extraction:
        """The incidents of one report and the mentions it keeps out of the ledger."""
        skipped, problems = self._screen(article)
        return skipped if skipped is not None else self._parse_and_code(article, problems)

    def extract_many(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[tuple[Article, Extraction]]:
        """Code a stream of reports, in order, parsing them in batches; when a batch's parse raises, its
        reports are parsed again one by one, so that only a report that raises itself loses its parse."""
        stream = iter(articles)
        while chunk := list(islice(stream, batch_size)):
            screened = [self._screen(a) for a in chunk]
            todo = [a for a, (skipped, _) in zip(chunk, screened) if skipped is None]
            docs = None
            try:
                docs = iter(list(self.parse_many((a.text for a in todo), batch_size=batch_size)))
            except Exception:
                if self.strict:
                    raise
            for article, (skipped, problems) in zip(chunk, screened):
                if skipped is not None:
                    yield article, skipped
                elif docs is None:
                    yield article, self._parse_and_code(article, problems)
                else:
                    yield article, self.code(article, next(docs), problems)

    def code(self, article: Article, doc: Doc, problems: list[CodingProblem] | None = None) -> Extraction:
        """Code an already parsed report (`problems`: those already recorded for it, kept in the result).
        A failed mention stage or grouping leaves the report without incidents, with the problem."""
        problems = [] if problems is None else problems
        sink = self._sink(problems)
        mentions, setting = attempt("mentions", sink, self.mentions.find, doc, article.published, sink,
                                    article.country, fallback=([], None))
        extraction = attempt("grouping", sink, group, article, mentions, self.codebook, setting)
        extraction = extraction if extraction is not None else Extraction()
        if problems:
            extraction.problems = [*extraction.problems, *problems]
        return extraction

    def type_descriptions(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Typing]:
        """Type event descriptions (one or a few sentences, as an ACLED note) on the incident typing path:
        the types of the first incident the description yields, else the typer's best reading of the whole
        text (its predications and cues), so that every description gets a type."""
        typer = IncidentTyper(self.codebook)
        for doc in self.parse_many(texts, batch_size=batch_size):
            article = Article.from_text(source_text(doc))
            incidents = self.code(article, doc).incidents
            if incidents:
                first = min(incidents, key=lambda i: min((e.start for e in i.evidence), default=0))
                yield Typing(sub_event_type=first.sub_event_type, event_type=first.event_type,
                             attack_type=first.attack_type, weapon_type=first.weapon_type,
                             target_types=first.target_types, suicide=first.suicide)
                continue
            predications = [p for i, sent in enumerate(doc.sents) for p in self.mentions.frames(sent, i)]
            cues = self.mentions.cues(doc)
            yield typer(predications, cues, has_casualties=any(c.sub_event_type == "Attack" for c in cues),
                        text=source_text(doc))
