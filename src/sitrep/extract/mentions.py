"""Mentions: each sentence's event cues, clustered, with dates, places, figures, actors and roles attached.

Input: a parsed report (spaCy Doc) and its publication date. Output: `Mention` records, one per cluster of
cues that the parse links together, and the place the report is set in (`MentionFinder.setting`: its
dateline, the town it names most, its police force's town), for incidents no sentence places. Within a
sentence each attribute goes to the nearest cluster in the dependency tree, so "yesterday's bombings
recalled the attacks of 1986 that killed 144" gives two mentions: a current one, and a historical one
that owns the 144. A place written in a news outlet's name ("- WXYZ News 4 Toledo") places nothing.

Given a `problems` list, a stage that raises costs only its part of the report and is recorded there
(`extract/problems.py`): a sentence whose mentions cannot be built loses only those ("sentence", with the
sentence's span); role attachment ("roles"), the setting ("setting") and the report's place context
("places") fail alone. Without one, exceptions propagate (strict).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from spacy.tokens import Doc, Span, Token

from sitrep.codebook import Codebook
from sitrep.extract.actors import ActorFinder
from sitrep.extract.dates import find_dates
from sitrep.extract.detection import CueMatcher
from sitrep.extract.figures import HARM_VERBS, PERSON_NOUNS, find_figures
from sitrep.extract.modality import ModalityClassifier
from sitrep.extract.places import PlaceContext, PlaceResolver
from sitrep.extract.problems import attempt
from sitrep.extract.reporters import SAYING_VERBS, find_reporter
from sitrep.extract.people import DIE_VERBS, attach as attach_people, named_people, shipped as people_model
from sitrep.extract.roles import RoleTagger, attach
from sitrep.extract.selection import source_text
from sitrep.extract.typing import FrameReader
from sitrep.nlp.datelines import dateline_end, datelines
from sitrep.records import CodingProblem, Cue, Mention, Place, PlaceMention

CLUSTER_DISTANCE = 3  # cues this close in the parse describe one event
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
SETTING_PRECISION = {"town": 0, "exact": 0, "admin2": 1}  # what may stand for where a report is set
DATELINE_WEIGHT = 1  # a place in a dateline counts as much as this many mentions of it


class MentionFinder:
    """Builds mentions for one report; holds the shared, once-loaded resources."""

    def __init__(self, codebook: Codebook, tokenizer, places: PlaceResolver):
        self.codebook = codebook
        self.cues = CueMatcher(codebook, tokenizer)
        self.actors = ActorFinder(codebook)
        self.roles = RoleTagger.load(codebook, tokenizer)
        self.people = people_model()
        self.modality = ModalityClassifier(codebook)
        self.frames = FrameReader(codebook, tokenizer)
        self.places = places

    def __call__(self, doc: Doc, published: dt.date | None, country: str | None = None) -> list[Mention]:
        return self.find(doc, published, country=country)[0]

    def find(self, doc: Doc, published: dt.date | None, problems: list[CodingProblem] | None = None,
             country: str | None = None) -> tuple[list[Mention], Place | None]:
        """The report's mentions, and where it is set (`setting`). `country`: where a report that names no
        country is set (the feed's). With `problems`, a failing sentence or stage is recorded there and
        costs only its own part (see the module docstring)."""
        text = source_text(doc)
        lowercase = not any(c.isupper() for c in text[:2000])
        context = attempt("places", problems, self.places.context, doc, country, fallback=None)
        context = context if context is not None else PlaceContext(text=text)
        filed_from = dateline_end(text)
        ents = list(doc.ents)  # Span.ents rebuilds every entity of the Doc: read them once
        mentions: list[Mention] = []
        for index, sent in enumerate(doc.sents):
            sent_ents = [e for e in ents if sent.start <= e.start < sent.end]
            mentions.extend(attempt("sentence", problems, self._sentence, sent, sent_ents, index, published,
                                    lowercase, context, filed_from,
                                    fallback=[], start=sent.start_char, end=sent.end_char))
        attempt("roles", problems, self._attach_roles, mentions, doc, lowercase)
        return mentions, attempt("setting", problems, self.setting, doc, context, mentions, fallback=None)

    def _attach_roles(self, mentions: list[Mention], doc: Doc, lowercase: bool) -> None:
        """`roles.attach` the role tagger's spans and `people.attach` the named suspects and victims (not in a
        lower-cased report, whose names the parse misses), all or none: on an error the mentions are as before."""
        spans = self.roles(doc)
        persons = self.people.decide(named_people(doc)) if self.people is not None and not lowercase else []
        saved = [(m.actors[:], m.targets[:], m.victims[:], m.weapons[:]) for m in mentions]
        try:
            attach(mentions, spans, doc, self.actors)
            attach_people(mentions, persons, doc, self.actors)
        except Exception:
            for m, (actors, targets, victims, weapons) in zip(mentions, saved, strict=True):
                m.actors, m.targets, m.victims, m.weapons = actors, targets, victims, weapons
            raise

    def setting(self, doc: Doc, context: PlaceContext | None = None, mentions: list[Mention] = ()) -> Place | None:
        """Where the report is set: the town (else county) it names most often anywhere, its dateline and its
        local force ("Akron police", "the Tulsa Police Department") included; the outlet's own town in a
        masthead ("- WMC Action News 5 - Memphis, Tennessee") counts half, deciding only for a report that
        names no other; first named on ties. None when it names no resolvable town or county. A sentence
        that tells only of earlier events or of many (`mentions`: "since the group launched a series of
        attacks across Paris", "the 2015 attack in Paris") names their places, not the report's."""
        context = context if context is not None else self.places.context(doc)
        elsewhere = _told_apart(mentions)
        counts: Counter[str] = Counter()
        found: dict[str, Place] = {}

        def count(place: Place, weight: float) -> None:
            if place.precision in SETTING_PRECISION:
                key = f"{place.geonameid or place.name}|{place.precision}"
                found.setdefault(key, place)
                counts[key] += weight

        text = source_text(doc)
        for name, line in datelines(text):
            name = name.title() if name.isupper() else name  # "KHARKIV, Ukraine —" names Kharkiv
            count(self.places.resolve(name, context, hint=line), DATELINE_WEIGHT)
        for ent in doc.ents:
            if ent.label_ in _PLACE_LABELS and not _person_or_street(ent) and ent.sent.start_char not in elsewhere:
                weight = MASTHEAD_WEIGHT if _masthead(ent) or _suburb_of(ent) else 1
                count(self.places.resolve_span(ent, context), weight)
        for m in _LOCAL_FORCE.finditer(text):
            line = text[max(0, m.start() - 40):m.end() + 40]
            force = self.places.resolve(m["place"], context, hint=line)
            if force.country_code and context.country_count(force.country_code) > 0:
                count(force, 1)  # "Naples police" in a report that never says Italy: not Naples, Italy
        if not counts:
            return None
        rank = list(found)
        best = min(found, key=lambda k: (SETTING_PRECISION[found[k].precision], -counts[k], rank.index(k)))
        place = found[best].model_copy()
        place.reason = f"where the report is set (named {counts[best]:g} time(s)): {place.reason or ''}"
        return place

    def _sentence(self, sent: Span, ents: list[Span], index: int, published, lowercase: bool, context,
                  filed_from: int) -> list[Mention]:
        doc = sent.doc
        names = [(e.start_char, e.end_char) for e in ents if e.label_ in {"GPE", "LOC"}]
        cues = [c for c in self.cues(sent) if not any(a <= c.start and c.end <= b for a, b in names)]  # "Baton Rouge"
        figures = find_figures(sent)
        actors = [a for a in self.actors(sent, lowercase, ents) if a.start >= filed_from]
        blame = [a for a in actors if a.basis != "reported" or a.role != "perpetrator"]
        if not cues and not figures and not blame:
            return []
        # "No injuries were reported": a toll of nobody, which says how many, not that an act did not happen
        tolls_of_nobody = not cues and figures and all(f.value == 0 for f in figures)
        if not cues:  # a bare count ("12 dead") or a claim or suspicion ("believed to be the work of X")
            first = figures[0] if figures else blame[0]
            cues = [Cue(text=sent.text[first.start - sent.start_char : first.end - sent.start_char],
                        start=first.start, end=first.end,
                        sub_event_type="Attack", strong=False)]
        clusters = _cluster([(c, _root(doc, c.start, c.end)) for c in cues])

        def nearest(start: int, end: int) -> int:
            anchor = _root(doc, start, end)
            return min(
                range(len(clusters)),
                key=lambda k: min((_distance(anchor, tok), abs(anchor.i - tok.i)) for _, tok in clusters[k]),
            )

        built = [
            Mention(sentence_index=index, sentence_start=sent.start_char, sentence_end=_text_end(sent),
                    cues=[c for c, _ in cluster])
            for cluster in clusters
        ]
        for d in find_dates(sent.text, published, offset=sent.start_char):
            if d.start < filed_from:  # the dateline's date is the filing date
                continue
            built[nearest(d.start, d.end)].dates.append(d)
        for f in figures:
            built[nearest(f.start, f.end)].figures.append(f)
        place_ents = [e for e in ents if e.label_ in _PLACE_LABELS and e.start_char >= filed_from
                      and not _person_or_street(e) and not _masthead(e)]
        place_tokens = {t.i for e in place_ents for t in e}
        buildings = {t.i for e in place_ents if e.label_ == "FAC" for t in e}
        for ent in place_ents:
            place = self.places.resolve_span(ent, context)
            if place.precision is None:  # a misleading neighbour ("Tartus, where Russia has a base")
                place = self.places.resolve(ent.text, context)
            if place.precision is not None or ent.label_ == "GPE":
                k = nearest(ent.start_char, ent.end_char)
                role = _place_role(ent, place_tokens - {t.i for t in ent}, {tok.i for _, tok in clusters[k]},
                                   buildings)
                built[k].places.append(
                    PlaceMention(text=ent.text, start=ent.start_char, end=ent.end_char, place=place, role=role)
                )
        for actor in actors:
            built[nearest(actor.start, actor.end)].actors.append(actor)
        for predication in self.frames(sent, index):
            built[nearest(predication.start, predication.end)].predications.append(predication)
        reporter = find_reporter(sent)
        for mention, cluster in zip(built, clusters):
            tokens = [tok for _, tok in cluster]
            mention.reporter = reporter
            _scope_figures(doc, mention)
            verdict = self.modality(sent, tokens, mention.dates, mention.figures, published)
            if verdict and not (tolls_of_nobody and verdict[0] == "negated"):
                mention.modality, mention.modality_detail = verdict
        return built


# names of news outlets: "13 WXYZ Springfield", "news7.com-Dayton", "KXYZ News 12 Tulsa"
_OUTLET = re.compile(r"^(?:[KW][A-Z]{2,3}(?:-?(?:TV|FM|AM|DT))?\d*|\S+\.com\b.*|News\d*|TV|Channel|Radio|Times|Herald|"
                     r"Tribune|Gazette|Journal|Online|Dispatch|Sentinel|Courier|Chronicle|Weather|Traffic)$")
# a local force named after its town or county: "the Tulsa Police Dept.", "Marion County Sheriff's Office",
# "Clarksville police" (not a state's or an institution's: "Arkansas State Police", "Capitol Police")
_LOCAL_FORCE = re.compile(r"(?<![\w.'’-])(?P<place>(?!(?:The|State|Capitol|Metro|Transit|University|Campus|Military|"
                          r"Border|National|Federal|Park|Tribal|Port|Airport|Railway|City)\b)"
                          r"(?:[A-Z][\w.'’-]*\s+){0,2}?[A-Z][\w'’-]*(?:\s+County)?)\s+(?:Police|police|Sheriff|sheriff|Fire|Marshal)\b")
MASTHEAD_WEIGHT = 0.5  # a town in an outlet's masthead or whose suburbs are meant, against one mention in the text
MASTHEAD_WINDOW = 4  # tokens either side of a place name, on its line, that may name an outlet


def _masthead(ent: Span) -> bool:
    """A place written as part of a news outlet's name, where the report was published, not where
    anything happened ("Two hurt in shooting - 13 WXYZ Springfield", "news7.com-Dayton")."""
    doc = ent.doc
    lo, hi = max(0, ent.start - MASTHEAD_WINDOW), min(len(doc), ent.end + MASTHEAD_WINDOW)
    for tok in [*doc[lo:ent.start]][::-1]:
        if "\n" in tok.text_with_ws:
            break
        if _OUTLET.match(tok.text):
            return True
    for tok in doc[ent.end:hi]:
        if _OUTLET.match(tok.text):
            return True
        if "\n" in tok.text_with_ws:
            break
    return bool(_OUTLET.match(ent.text.split("-")[0]))


_STREET_BEFORE = {("of", "block"), *(("on", w) for w in ("home", "house", "residence", "apartment", "apartments"))}


_NUMBERED_STREET = re.compile(r"^\d+(?:st|nd|rd|th)$", re.I)


def _person_or_street(ent: Span) -> bool:
    """A name right after an age is a person ("4-year-old Olivia", "the 17-year-old Mathis"), and one right
    after "block of", "a home on" or a numbered street and "and" a street ("the 2300 block of North Oak",
    "near 12th and Elm")."""
    doc, k = ent.doc, ent.start
    if k >= 2 and (doc[k - 1].lower_, doc[k - 2].lower_) in _STREET_BEFORE:
        return True
    if k >= 2 and doc[k - 1].lower_ in ("and", "&") and _NUMBERED_STREET.match(doc[k - 2].text):
        return True
    return k >= 3 and doc[k - 1].lower_ == "old" and doc[k - 2].text == "-" and doc[k - 3].lower_ in {"year", "years"}


def _text_end(sent: Span) -> int:
    """Where a sentence's words end: not after the whitespace that follows them (a paragraph break, or a
    sentence left out of the parse, `extract/selection.py`: blank in the Doc, written in the report)."""
    end = sent.end
    while end > sent.start + 1 and sent.doc[end - 1].is_space:
        end -= 1
    return sent.doc[end - 1].idx + len(sent.doc[end - 1])


def _root(doc: Doc, start: int, end: int) -> Token:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else doc[0]


def _depths(tok: Token) -> list[Token]:
    chain = [tok]
    while chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def _path(a: Token, b: Token) -> list[Token]:
    """The tokens on the dependency path from a to b (both included)."""
    up_a, up_b = _depths(a), _depths(b)
    ids_a = [t.i for t in up_a]
    for k, t in enumerate(up_b):
        if t.i in ids_a:
            return up_a[: ids_a.index(t.i) + 1] + up_b[:k][::-1]
    return up_a + up_b[::-1]


def _distance(a: Token, b: Token) -> int:
    """Number of edges between two tokens in the dependency tree."""
    return len(_path(a, b)) - 1


_REPORTING = {"say", "tell", "report", "add", "confirm", "state", "announce"}


def _reporting_verb_between(a: Token, b: Token) -> bool:
    """"condemned the killings and said 100 were murdered this year": two statements, two mentions."""
    return any(t.lemma_.lower() in _REPORTING for t in _path(a, b)[1:-1])


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
            a, b = items[i][1], items[j][1]
            if _distance(a, b) <= CLUSTER_DISTANCE and not _reporting_verb_between(a, b):
                parent[find(j)] = find(i)
    groups: dict[int, list[tuple[Cue, Token]]] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    return list(groups.values())


_BEARINGS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "away",
             "kilometres", "kilometers", "km", "miles"}


_CARE = {"hospital", "hospitals", "center", "centre", "clinic", "infirmary"}
_FRONTED = {"in", "at", "near", "outside"}


_TOWNSFOLK = frozenset("man woman teen teenager boy girl youth resident native couple".split())
_DWELLERS = frozenset("resident inhabitant villager citizen native local".split())  # who may be where they live
_QUARTER = frozenset("neighborhood neighbourhood area section district suburb community".split())


def _suburb_of(ent: Span) -> bool:
    """Is the place the city whose suburbs are meant ("in suburban Detroit", "a Chicago suburb", "a suburb of
    Houston")? What happened there happened near it, in a town the report may name otherwise ("Troy police")."""
    node = ent.root
    if any(c.dep_ == "amod" and c.lower_ == "suburban" for c in node.children):
        return True
    head = node.head
    if node.dep_ == "pobj" and head.lower_ == "of":
        head = head.head
    return node.dep_ in ("compound", "pobj") and head.lemma_.lower() == "suburb"


def _home_town(ent: Span) -> bool:
    """Where one person lives, not where anything happened: "The suspect, 25, of Peoria", "Jose Ramirez, 31, of
    Gary", "a 23-year-old man from Chicago", "a Chicago man", "Cox, of the Grand Boulevard neighborhood" (not
    "residents of Kalale", who may be where)."""
    node = ent.root
    if node.dep_ == "compound" and node.head.lower_ in _QUARTER:
        node = node.head  # "Cox, of the Grand Boulevard neighborhood"
    elif node.dep_ == "compound":
        return node.head.tag_ == "NN" and node.head.lower_ in _TOWNSFOLK
    if node.dep_ != "pobj" or node.head.lower_ not in ("of", "from"):
        return False
    prep = node.head
    owner = prep.head
    apposed = prep.i > 0 and prep.doc[prep.i - 1].text == ","  # "Cox, of the Grand Boulevard neighborhood,"
    return owner.like_num or owner.ent_type_ == "PERSON" or (owner.pos_ == "PROPN" and apposed) or (
        owner.tag_ in ("NN", "NNP") and owner.lower_ in PERSON_NOUNS) or (
        owner.tag_ == "NNS" and prep.lower_ == "from" and owner.lemma_.lower() in PERSON_NOUNS
        and any(c.dep_ == "nummod" for c in owner.children)  # "three men from Tarboro": people counted,
        and owner.lemma_.lower() not in _DWELLERS)  # not a community ("farmers from Malanville clashed")


_OTHER_EVENTS = {"historical", "aggregate"}  # not a reaction to the event, a threat or a denial: they name its places


def _told_apart(mentions: list[Mention]) -> set[int]:
    """Where the sentences start that tell only of other events: earlier ones, or many at once."""
    realis = {m.sentence_start for m in mentions if m.modality is None}
    return {m.sentence_start for m in mentions if m.modality in _OTHER_EVENTS} - realis


_DYING = DIE_VERBS | {"pass"}  # "where he passed away"


def _place_role(ent: Span, other_places: set[int], cue_tokens: set[int], buildings: set[int] = frozenset()) -> str:
    """'event' when the place attaches to the event; 'context' when it qualifies another place
    ("Saraqib, in Idlib province"), locates another act ("treated at a hospital in Gusau") or is where
    someone lives ("the suspect, 25, of Peoria"). `buildings`: the tokens of the sentence's named buildings."""
    node = ent.root
    if _home_town(ent) or _suburb_of(ent):
        return "context"
    if node.dep_ == "pobj" and node.head.lower_ in {"of", "from"} and node.head.head.lower_ in _BEARINGS:
        return "context"  # "30 km north of Beni": a reference point
    if node.dep_ == "pobj" and node.head.lower_ in {"in", "at", "of"} and node.head.head.lower_ in _CARE:
        return "context"  # "airlifted to St. Vincent Hospital in Indianapolis": where the wounded were treated
    if node.dep_ == "compound" and node.head.lower_ in _CARE:
        return "context"  # "in critical condition at a Portland hospital"
    if any(c.dep_ == "relcl" and c.lemma_.lower() not in _DYING and any(w.lower_ == "where" for w in c.children)
           and any(t.i in cue_tokens for t in c.subtree) for c in node.children):
        # "in the city of Thessaloniki, where 20,000 people marched": where its clause's act was (not "flown to
        # Minneapolis, where he died": where a victim died)
        return "event"
    prep = node.head
    if node.dep_ == "pobj" and prep.lower_ in _FRONTED and prep.head.dep_ == "ROOT" and prep.i <= ent.sent.start + 1:
        if not other_places - buildings:  # a building is where in the town ("occupied the County Headquarters")
            return "event"  # "In Heraklion, 10,000 people were reported marching": it scopes over its sentence
        if prep.head.lemma_.lower() in SAYING_VERBS:
            return "context"  # "In Kabul, a spokesman said gunmen killed five in Kandahar": where it was said
    for _ in range(6):
        if node.dep_ == "conj":  # "in Jableh and Tartus": a sibling, not a container
            node = node.head
            continue
        if node.head.i == node.i:
            return "event"
        node = node.head
        if node.i in other_places:
            return "context"
        if node.i in cue_tokens:
            return "event"
        if node.pos_ == "VERB":  # another act, unless the event is its subject ("a bomb struck ... near X"), it
            # does harm ("wounding 13 people on a street in the city of Lyon") or continues an act ("protesters who
            # hurled stones and set cars on fire in Lisbon")
            harm = node.lemma_.lower() in HARM_VERBS or (node.dep_ == "conj" and node.head.i in cue_tokens)
            return "event" if harm or any(c.i in cue_tokens for c in node.children) else "context"
    return "event"


def _scope_figures(doc: Doc, mention: Mention) -> None:
    """When a mention names several towns, each count and date belongs to the nearest one
    ("100 in A and 48 in B"; "11 near A on Saturday and 6 near B on Monday")."""
    towns = [p for p in mention.places if p.place.precision in {"town", "exact", "near"} and p.role == "event"]
    if len({p.place.geonameid for p in towns}) < 2:
        return
    for figure in mention.figures:  # counts attach by the parse ("another 48 in Tartus")
        anchor = _root(doc, figure.start, figure.end)
        best = min(towns, key=lambda p: (_distance(anchor, _root(doc, p.start, p.end)), abs(p.start - figure.start)))
        figure.scope = best.place.name
    for date in mention.dates:  # dates follow the place they date ("near Oicha on Saturday")
        date.scope = min(towns, key=lambda p: abs(p.end - date.start)).place.name
