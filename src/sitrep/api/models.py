"""Response and request bodies of the REST API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from sitrep.records import Incident, Range, text_problem


class IncidentPage(BaseModel):
    """One page of incidents that pass the filters, and how many pass in all."""

    total: int = Field(description="Incidents that pass the filters (all pages).")
    limit: int
    offset: int
    items: list[Incident]


class ArticleMeta(BaseModel):
    """A report backing an incident (its text is at GET /articles/{id})."""

    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    feed_item_id: str | None = Field(None, description="The report's own id in the feed it came from (JSONL id, RSS guid, Atom id).")


class IncidentSummary(BaseModel):
    """A short view of an incident (for links between incidents)."""

    id: str
    found: bool = Field(True, description="False when the id is not (or no longer) in the ledger.")
    event_type: str | None = None
    sub_event_type: str | None = None
    date: dt.date | None = None
    location: str | None = None
    country_code: str | None = None
    killed: Range | None = None


class IncidentDetail(Incident):
    """The incident record, with its reports, its history of changes and its related incidents."""

    reports: list[ArticleMeta] = []
    history: list[dict[str, Any]] = Field(
        default=[], description="Changes to this incident, oldest first (empty while the ledger keeps none)."
    )
    related_incidents: list[IncidentSummary] = []


class Span(BaseModel):
    """A stretch of an article's text that backs something in the ledger."""

    kind: Literal["evidence", "figure", "excluded"]
    field: str = Field(description="Evidence field, figure kind, or exclusion reason.")
    incident_id: str | None = None
    start: int
    end: int
    text: str
    detail: str | None = None


class ArticleDetail(ArticleMeta):
    """A stored report: its text (what all offsets index) and the spans that back the ledger."""

    content_hash: str
    text: str
    incidents: list[str] = []
    spans: list[Span] = []


class DayCount(BaseModel):
    date: dt.date
    incidents: int
    killed: int


class TypeCount(BaseModel):
    event_type: str | None = None
    sub_event_type: str | None = None
    incidents: int
    killed: int


class CountryCount(BaseModel):
    country_code: str | None = None
    country: str | None = None
    incidents: int
    killed: int


class Admin1Count(BaseModel):
    country_code: str | None = None
    admin1: str | None = None
    incidents: int
    killed: int


class ActorCount(BaseModel):
    actor: str
    incidents: int
    killed: int


class Stats(BaseModel):
    """Incidents and fatalities (sum of best killed figures) over the incidents that pass the filters."""

    incidents: int
    killed: int
    by_day: list[DayCount]
    by_sub_event_type: list[TypeCount]
    by_country: list[CountryCount]
    by_admin1: list[Admin1Count] = Field(default=[], description="Per first-level region (with its country).")
    by_actor: list[ActorCount] = Field(default=[], description="Per perpetrator, the 25 most frequent (an incident counts for each of its perpetrators).")


EARLIEST_PUBLISHED = dt.date(1800, 1, 1)
PUBLISHED_LEEWAY = dt.timedelta(days=2)  # time zones, clocks a little ahead


def latest_published() -> dt.date:
    """The latest publication date a report may carry: today (UTC) and a little leeway."""
    return dt.datetime.now(dt.timezone.utc).date() + PUBLISHED_LEEWAY


def published_ok(day: dt.date | None) -> bool:
    """Whether `day` can be a report's publication date (None can)."""
    return day is None or EARLIEST_PUBLISHED <= day <= latest_published()


class ArticleIn(BaseModel):
    """A report to code and store: `text`, or `html` (main text extracted)."""

    text: str | None = None
    html: str | None = None
    title: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=4000)
    published: dt.date | None = Field(
        None, description="Publication date; resolves 'yesterday', 'on Monday'. "
                          f"From {EARLIEST_PUBLISHED} to today (and {PUBLISHED_LEEWAY.days} days' leeway).",
    )

    @field_validator("text", "html", "title", "source", "url", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := text_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("published")
    @classmethod
    def _sane_date(cls, value: dt.date | None) -> dt.date | None:
        if not published_ok(value):
            raise ValueError(f"{value} is not a publication date: give one from {EARLIEST_PUBLISHED} "
                             f"to {latest_published()}")
        return value


class StageProblem(BaseModel):
    """A coding stage that failed on (part of) the report: the report is stored with what the other
    stages coded."""

    stage: str = Field(description="The stage that failed: 'pipeline', 'store', or a pipeline stage ('parse', ...).")
    detail: str = Field(description="What went wrong, for people.")


class IngestResult(BaseModel):
    """What storing a report did: the incidents it created or updated, and what coding it lost."""

    article_id: str
    stored: bool = Field(description="False when the same content was already in the ledger.")
    incidents: list[Incident]
    problems: list[StageProblem] = Field(
        default=[], description="Stages that failed on this report (it is stored all the same).")
    skipped: str | None = Field(
        None, description="Why the report was stored without coding (e.g. a language not supported), if it was.")


class Problem(BaseModel):
    detail: str
