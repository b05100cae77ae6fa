"""Response and request bodies of the REST API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from sitrep.records import Incident, Range


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


class Stats(BaseModel):
    """Incidents and fatalities (sum of best killed figures) over the incidents that pass the filters."""

    incidents: int
    killed: int
    by_day: list[DayCount]
    by_sub_event_type: list[TypeCount]
    by_country: list[CountryCount]


class ArticleIn(BaseModel):
    """A report to code and store: `text`, or `html` (main text extracted)."""

    text: str | None = None
    html: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = Field(None, description="Publication date; resolves 'yesterday', 'on Monday'.")


class IngestResult(BaseModel):
    """What storing a report did: the incidents it created or updated."""

    article_id: str
    stored: bool = Field(description="False when the same content was already in the ledger.")
    incidents: list[Incident]


class Problem(BaseModel):
    detail: str
