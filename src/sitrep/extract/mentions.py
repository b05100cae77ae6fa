"""Mentions: each sentence's event cues, clustered, with dates, places, figures, actors and roles attached.

Input: a parsed report (spaCy Doc) and its publication date. Output: `Mention` records, one per cluster of
cues that the parse links together. Within a sentence each attribute goes to the nearest cluster in the
dependency tree, so "yesterday's bombings recalled the attacks of 1986 that killed 144" gives two
mentions: a current one, and a historical one that owns the 144.
"""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc, Span, Token

from sitrep.codebook import Codebook
from sitrep.extract.actors import ActorFinder
from sitrep.extract.dates import find_dates
from sitrep.extract.detection import CueMatcher
from sitrep.extract.figures import find_figures
from sitrep.extract.modality import ModalityClassifier
from sitrep.extract.places import PlaceResolver
from sitrep.extract.reporters import find_reporter
from sitrep.extract.roles import WeaponFinder, targets, victims
from sitrep.records import Cue, Mention, PlaceMention

CLUSTER_DISTANCE = 3  # cues this close in the parse describe one event
_PLACE_LABELS = {"GPE", "LOC", "FAC"}


class MentionFinder:
    """Builds mentions for one report; holds the shared, once-loaded resources."""

    def __init__(self, codebook: Codebook, tokenizer, places: PlaceResolver):
        self.codebook = codebook
        self.cues = CueMatcher(codebook, tokenizer)
        self.actors = ActorFinder(codebook)
        self.weapons = WeaponFinder(codebook, tokenizer)
        self.modality = ModalityClassifier(codebook)
        self.places = places

    def __call__(self, doc: Doc, published: dt.date | None) -> list[Mention]:
        lowercase = not any(c.isupper() for c in doc.text[:2000])
        context = self.places.context(doc)
        mentions: list[Mention] = []
        for index, sent in enumerate(doc.sents):
            mentions.extend(self._sentence(sent, index, published, lowercase, context))
        return mentions

    def _sentence(self, sent: Span, index: int, published, lowercase: bool, context) -> list[Mention]:
        doc = sent.doc
        cues = self.cues(sent)
        figures = find_figures(sent)
        if not cues and not figures:
            return []
        if not cues:  # a bare count ("12 dead") still signals an event
            cues = [Cue(text=f.text, start=f.start, end=f.end, sub_event_type="Attack", strong=False) for f in figures[:1]]
        clusters = _cluster([(c, _root(doc, c.start, c.end)) for c in cues])

        def nearest(start: int, end: int) -> int:
            anchor = _root(doc, start, end)
            return min(
                range(len(clusters)),
                key=lambda k: min((_distance(anchor, tok), abs(anchor.i - tok.i)) for _, tok in clusters[k]),
            )

        built = [
            Mention(sentence_index=index, sentence_start=sent.start_char, sentence_end=sent.end_char,
                    cues=[c for c, _ in cluster])
            for cluster in clusters
        ]
        for d in find_dates(sent.text, published, offset=sent.start_char):
            built[nearest(d.start, d.end)].dates.append(d)
        for f in figures:
            built[nearest(f.start, f.end)].figures.append(f)
        for ent in sent.ents:
            if ent.label_ in _PLACE_LABELS:
                hint = doc.text[ent.end_char : min(sent.end_char, ent.end_char + 40)]
                place = self.places.resolve(ent.text, context, hint=hint)
                if place.precision is None:  # a misleading hint ("Tartus, where Russia has a base")
                    place = self.places.resolve(ent.text, context)
                if place.precision is not None or ent.label_ == "GPE":
                    built[nearest(ent.start_char, ent.end_char)].places.append(
                        PlaceMention(text=ent.text, start=ent.start_char, end=ent.end_char, place=place)
                    )
        for actor in self.actors(sent, lowercase):
            built[nearest(actor.start, actor.end)].actors.append(actor)
        reporter = find_reporter(sent)
        weapons = self.weapons(sent)
        for mention, cluster in zip(built, clusters):
            tokens = [tok for _, tok in cluster]
            mention.reporter = reporter
            mention.weapons = weapons if len(built) == 1 else [w for w in weapons if _mentioned_near(w, sent, tokens)]
            mention.targets = targets(sent, tokens)
            mention.victims = victims(sent)
            _scope_figures(doc, mention)
            verdict = self.modality(sent, tokens, mention.dates, mention.figures, published)
            if verdict:
                mention.modality, mention.modality_detail = verdict
        return built


def _root(doc: Doc, start: int, end: int) -> Token:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else doc[0]


def _depths(tok: Token) -> list[Token]:
    chain = [tok]
    while chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def _distance(a: Token, b: Token) -> int:
    """Number of edges between two tokens in the dependency tree (a large number across sentences)."""
    up_a, up_b = _depths(a), _depths(b)
    index_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in index_b:
            return k + index_b[t.i]
    return 99


def _cluster(items: list[tuple[Cue, Token]]) -> list[list[tuple[Cue, Token]]]:
    """Union cues whose parse distance is at most CLUSTER_DISTANCE."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if _distance(items[i][1], items[j][1]) <= CLUSTER_DISTANCE:
                parent[find(j)] = find(i)
    groups: dict[int, list[tuple[Cue, Token]]] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    return list(groups.values())


def _mentioned_near(weapon: str, sent: Span, tokens: list[Token]) -> bool:
    lowered = sent.text.lower()
    at = lowered.find(weapon)
    if at < 0:
        return False
    weapon_tok = _root(sent.doc, sent.start_char + at, sent.start_char + at + len(weapon))
    return min(_distance(weapon_tok, t) for t in tokens) <= 4


def _scope_figures(doc: Doc, mention: Mention) -> None:
    """When a mention names several towns, each count belongs to the nearest one ("100 in A and 48 in B")."""
    towns = [p for p in mention.places if p.place.precision in {"town", "exact", "near"}]
    if len({p.place.geonameid for p in towns}) < 2:
        return
    for figure in mention.figures:
        anchor = _root(doc, figure.start, figure.end)
        best = min(towns, key=lambda p: (_distance(anchor, _root(doc, p.start, p.end)), abs(p.start - figure.start)))
        figure.scope = best.place.name
