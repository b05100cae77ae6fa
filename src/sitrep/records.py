"""Typed records passed between sitrep's stages.

ingest -> Article -> extract (DateExpr, FigureMention, Reporter, Place, Actor, Mention) -> grouping
-> Incident (+ Excluded) -> store. The JSON shape of `Incident` is the incident record of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import BaseModel, Field

DatePrecision = Literal["day", "week", "month", "year"]
PlacePrecision = Literal["exact", "town", "near", "admin2", "admin1", "country"]
FigureKind = Literal["killed", "injured", "missing", "kidnapped", "arrested"]
Qualifier = Literal["exact", "at least", "more than", "up to", "about", "range", "less than"]
ActorBasis = Literal["claimed", "attributed", "reported", "suspected"]
ExclusionReason = Literal[
    "historical", "aggregate", "threat", "hypothetical", "negated", "reaction", "not violence", "no details"
]


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (no valid UTF-8 exists for a lone surrogate; PostgreSQL
    refuses NUL characters), or None when it can. Phrased to follow the field's name."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"contains a lone surrogate (\\u{ord(value[exc.start]):04x} at character {exc.start:,}), "
                "which is not Unicode text; send valid UTF-8")
    if "\x00" in value:
        return f"contains a NUL character (\\u0000 at character {value.index(chr(0)):,}), which text cannot hold"
    return None


def country_code(value: str) -> str:
    """An ISO 3166 alpha-2 code, upper-cased; ValueError when it names no country."""
    import pycountry

    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'country' {value!r} is not an ISO 3166 alpha-2 country code (e.g. SY, NG)")
    return code


def content_hash(text: str) -> str:
    """SHA-256 of the whitespace-normalised text: the identity of a report's content."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class Article(BaseModel):
    """One news report, as ingested. `text` is what every character offset indexes."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    content_hash: str
    feed_item_id: str | None = None  # the item's own id in its feed (JSONL "id", RSS guid, Atom id); not content
    country: str | None = None  # ISO 3166 alpha-2: where a report that names no country is set (ingest --country); not content

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        title: str | None = None,
        source: str | None = None,
        url: str | None = None,
        published: dt.date | None = None,
        feed_item_id: str | None = None,
        country: str | None = None,
    ) -> "Article":
        """The article of `text`; ValueError (saying which field and why) when a field cannot be stored.
        Its id and content hash come from the text alone: the same text from two feeds is one report."""
        for name, value in (("text", text), ("title", title), ("source", source), ("url", url),
                            ("feed_item_id", feed_item_id)):
            if value is not None and (problem := text_problem(value)):
                raise ValueError(f"{name!r} {problem}")
        if country is not None:
            country = country_code(country)
        digest = content_hash(text)
        return cls(
            id=digest[:16], text=text, title=title, source=source, url=url,
            published=published, content_hash=digest, feed_item_id=feed_item_id, country=country,
        )


class DateExpr(BaseModel):
    """A temporal expression in the text, resolved against the publication date."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: DatePrecision
    scope: str | None = None  # the place it dates, set when a mention names several
    reporting: bool = False  # the date of the report or of a statement ("police said Friday"), not of an act


class Reporter(BaseModel):
    """Who a statement is attributed to ("said the Observatory", "police said")."""

    name: str
    start: int
    end: int


class FigureMention(BaseModel):
    """A casualty count as written in one sentence.

    `value` is the best reading; `low`/`high` bound vague quantities ("dozens": 24..99).
    `subset` marks counts inside another count ("including 4 children"), never to be added;
    `perpetrators` marks attackers among the dead ("the bomber also died"); `aggregate` marks
    cumulative or whole-conflict tolls.
    """

    kind: FigureKind
    value: int
    low: int
    high: int
    qualifier: Qualifier = "exact"
    start: int
    end: int
    text: str
    subset: bool = False
    perpetrators: bool = False
    aggregate: bool = False
    scope: str | None = None  # the place (or sub-attack) the count is for, set when a mention names several


class Place(BaseModel):
    """A resolved (or explicitly unresolved) location. `reason` explains a non-town outcome."""

    name: str
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    precision: PlacePrecision | None = None
    reason: str | None = Field(default=None, exclude=True)


class Actor(BaseModel):
    name: str
    basis: ActorBasis = "reported"
    person: bool = False  # a suspect the report names ("Yvonne Hiller"), not a group or a description


class Figure(BaseModel):
    """A reported figure as kept in the incident record: one claim row."""

    kind: FigureKind
    value: int
    qualifier: Qualifier = "exact"
    high: int | None = None  # a range's upper end: "12 to 20 were killed" is value 12, high 20
    scope: str | None = None
    reported_by: str | None = None
    quote: str
    article_id: str
    start: int
    end: int


class Range(BaseModel):
    low: int
    best: int
    high: int


class Evidence(BaseModel):
    field: str
    article_id: str
    start: int
    end: int
    text: str


class Cue(BaseModel):
    """A phrase that signals an event and which sub-event type it points to (codebook cue)."""

    text: str
    start: int
    end: int
    sub_event_type: str
    strong: bool
    deed: bool = False  # it names a deed someone did ("attacked", "a murder", "were killed"), not only a toll ("died")


class Predication(BaseModel):
    """Who did what to whom in one clause: an act class with the classes of its agents and patients
    (see `frames` in codebook/events.yaml). Built by extract/typing.py, read by the incident typer."""

    act: str
    agents: list[str] = []
    patients: list[str] = []
    patient_words: list[str] = []  # the patients' head words, lower-case ("mayor", "soldiers")
    targets: list[str] = []  # GTD target types of the patients
    sub_event_type: str | None = None  # set only for an analyst's label ("Looting: ..."), act "label"
    sentence_index: int
    start: int
    end: int


class PlaceMention(BaseModel):
    """A place name in the text and what the gazetteer made of it."""

    text: str
    start: int
    end: int
    place: Place
    role: Literal["event", "context"] = "event"  # "context": a containing region or a place of another act


class ActorMention(BaseModel):
    """An actor named in the text with its role in the event."""

    name: str
    basis: ActorBasis
    role: Literal["perpetrator", "claimant", "denier"] = "perpetrator"
    start: int
    end: int
    person: bool = False  # a suspect the report names (extract/people.py)


class Mention(BaseModel):
    """One event mention: a cluster of cues in one sentence with what is attached to it."""

    sentence_index: int
    sentence_start: int
    sentence_end: int
    cues: list[Cue]
    dates: list[DateExpr] = []
    places: list[PlaceMention] = []
    figures: list[FigureMention] = []
    reporter: Reporter | None = None
    actors: list[ActorMention] = []
    targets: list[str] = []
    victims: list[str] = []
    weapons: list[str] = []
    predications: list[Predication] = []
    modality: ExclusionReason | None = None
    modality_detail: str | None = None

    @property
    def start(self) -> int:
        return min(c.start for c in self.cues)

    @property
    def end(self) -> int:
        return max(c.end for c in self.cues)


class Excluded(BaseModel):
    """A mention of violence kept out of the ledger, with the reason."""

    reason: ExclusionReason
    text: str
    detail: str
    article_id: str
    start: int
    end: int


class Incident(BaseModel):
    """The incident record of DESIGN.md."""

    id: str
    event_type: str | None = None
    sub_event_type: str | None = None
    date: dt.date | None = None
    date_precision: DatePrecision | None = None
    location: Place | None = None
    perpetrators: list[Actor] = []
    targets: list[str] = []
    victims: list[str] = []
    weapons: list[str] = []
    killed: Range | None = None
    injured: Range | None = None
    figures: list[Figure] = []
    claimed_by: str | None = None
    sources: list[str] = []
    related: list[str] = []
    articles: list[str] = []
    evidence: list[Evidence] = []
    # GTD-style typing, beyond DESIGN.md's record (extract/typing.py)
    attack_type: str | None = None  # GTD attack type (null when the event is not an attack)
    weapon_type: str | None = None  # GTD weapon type
    target_types: list[str] = []  # GTD target types
    suicide: bool = False  # GTD suicide flag
    # the ledger's time of the incident's last change (created, a new report, a correction), UTC; None outside a ledger
    updated_at: dt.datetime | None = None


class CodingProblem(BaseModel):
    """A stage that failed on (part of) a report: what was lost and why. The report keeps whatever the
    other stages coded, and the ledger keeps this record with it (`sitrep show`)."""

    stage: str  # "parse", "sentence", "roles", "setting", "grouping", ...
    detail: str  # for people: the error and where it was raised ("IndexError: ... (figures.py:312)")
    start: int | None = None  # the span of text the stage lost (a sentence), where there is one
    end: int | None = None


class ArticleCoding(BaseModel):
    """A stored report whose coding was less than complete: why it was not coded at all, or which
    stages failed on it (as the ledger keeps them; `sitrep show`, `sitrep problems`)."""

    article_id: str
    not_coded: str | None = None
    problems: list[CodingProblem] = []


class Extraction(BaseModel):
    """What one report yields: its incidents, the mentions kept out of the ledger, the stages that failed
    on it (`problems`), and why it was not coded at all (`skipped`, e.g. a language not supported yet)."""

    incidents: list[Incident] = []
    excluded: list[Excluded] = []
    problems: list[CodingProblem] = []
    skipped: str | None = None
