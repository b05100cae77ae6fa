"""The extraction pipeline: Article -> spaCy Doc -> mentions -> incidents. Heavy resources load once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from sitrep.codebook import Codebook, load_codebook
from sitrep.extract.grouping import group
from sitrep.extract.mentions import MentionFinder
from sitrep.extract.places import PlaceResolver
from sitrep.extract.typing import IncidentTyper, Typing
from sitrep.nlp.gazetteer import Gazetteer
from sitrep.nlp.ruler import build_nlp
from sitrep.records import Article, Extraction


class Pipeline:
    """One loaded spaCy pipeline, gazetteer and codebook, shared by every report it codes."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer, codebook: Codebook | None = None, *,
                 strict: bool = False):
        self.nlp = nlp
        self.strict = strict  # True: a stage's exception propagates (tests, debugging) instead of being recorded
        self.gazetteer = gazetteer
        self.codebook = codebook or load_codebook()
        self.mentions = MentionFinder(self.codebook, nlp.tokenizer, PlaceResolver(gazetteer))

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> "Pipeline":
        """Load the gazetteer (built and cached on first use) and the spaCy model with its place ruler."""
        gazetteer = Gazetteer.load(cache_dir)
        return cls(build_nlp(gazetteer), gazetteer)

    def extract(self, article: Article) -> Extraction:
        """The incidents of one report and the mentions it keeps out of the ledger."""
        return self.code(article, self.nlp(article.text))

    def extract_many(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[tuple[Article, Extraction]]:
        """Code a stream of reports, parsing them in batches."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield article, self.code(article, doc)

    def code(self, article: Article, doc: Doc) -> Extraction:
        """Code an already parsed report."""
        mentions, setting = self.mentions.find(doc, article.published)
        return group(article, mentions, self.codebook, setting)

    def type_descriptions(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Typing]:
        """Type event descriptions (one or a few sentences, as an ACLED note) on the incident typing path:
        the types of the first incident the description yields, else the typer's best reading of the whole
        text (its predications and cues), so that every description gets a type."""
        typer = IncidentTyper(self.codebook)
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            article = Article.from_text(doc.text)
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
                        text=doc.text)
