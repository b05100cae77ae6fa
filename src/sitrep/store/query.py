"""Incident queries: filters, sort orders and aggregate statistics over the ledger's tables.

Used by `Ledger.incidents`, `Ledger.count_incidents` and `Ledger.stats` (and so by the CLI, the
REST API and the exports). Portable SQL only (SQLite and PostgreSQL): text matching is a
case-insensitive substring match (`ILIKE`; on SQLite, case folding is ASCII only).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, and_, cast, exists, false, func, or_, select

from sitrep.store.schema import ArticleRow, EvidenceRow, IncidentArticleRow, IncidentRow

Sort = Literal["date", "-date", "killed", "-killed"]
SORTS: tuple[str, ...] = ("date", "-date", "killed", "-killed")
BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def _like_terms(text: str) -> list[str]:
    """ILIKE patterns for `text`: as written, and as JSON-escaped (how JSON columns store non-ASCII)."""
    forms = [text, json.dumps(text)[1:-1]]
    escaped = [f.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for f in forms]
    return [f"%{e}%" for e in dict.fromkeys(escaped)]


def _matches(column: Any, text: str) -> ColumnElement[bool]:
    return or_(*(column.ilike(pattern, escape="\\") for pattern in _like_terms(text)))


@dataclass(frozen=True)
class IncidentFilter:
    """Filters on incidents; every given one must hold (AND). None means "any".

    - `country`: ISO 3166 alpha-2 code, any case; `admin1`: first-level region name, any case.
    - `since`/`until`: inclusive dates; either drops undated incidents.
    - `event_type`/`sub_event_type`: ACLED names, exact.
    - `actor`: substring of a perpetrator's name or of the claimant.
    - `min_killed`: the best killed figure is at least this (unknown tolls are dropped).
    - `bbox`: (min lon, min lat, max lon, max lat); min lon > max lon crosses the antimeridian.
    - `q`: substring of the place, type, actors, targets, victims, weapons, evidence, or the
      title or text of a report of the incident.
    - `article_id`: incidents reported by this article.
    - `updated_since`: incidents changed at or after this time (naive = UTC), for incremental sync.
    """

    country: str | None = None
    admin1: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    min_killed: int | None = None
    bbox: BBox | None = None
    q: str | None = None
    article_id: str | None = None
    updated_since: dt.datetime | None = None  # changed (created, new report, correction) at or after this

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on `IncidentRow` for the filters that are set."""
        row = IncidentRow
        where: list[ColumnElement[bool]] = []
        if self.country:
            where.append(row.country_code == self.country.strip().upper())
        if self.admin1:
            where.append(func.lower(row.admin1) == self.admin1.strip().lower())
        if self.since is not None:
            where.append(row.date >= self.since)
        if self.until is not None:
            where.append(row.date <= self.until)
        if self.event_type:
            where.append(row.event_type == self.event_type)
        if self.sub_event_type:
            where.append(row.sub_event_type == self.sub_event_type)
        if self.actor and self.actor.strip():
            actor = self.actor.strip()
            where.append(
                or_(_matches(cast(row.perpetrators, String), actor), _matches(row.claimed_by, actor))
            )
        if self.min_killed is not None:
            where.append(row.killed_best >= self.min_killed)
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            lon = (
                row.lon.between(min_lon, max_lon)
                if min_lon <= max_lon
                else or_(row.lon >= min_lon, row.lon <= max_lon)
            )
            where.append(and_(row.lat.between(min_lat, max_lat), lon))
        if self.q and self.q.strip():
            where.append(self._text_condition(self.q.strip()))
        if self.updated_since is not None:
            since = self.updated_since
            since = since.replace(tzinfo=dt.timezone.utc) if since.tzinfo is None else since.astimezone(dt.timezone.utc)
            where.append(row.updated_at >= since)
        if self.article_id:
            where.append(
                exists().where(
                    IncidentArticleRow.incident_id == row.id,
                    IncidentArticleRow.article_id == self.article_id,
                )
            )
        return where

    @staticmethod
    def _text_condition(text: str) -> ColumnElement[bool]:
        row = IncidentRow
        columns = [
            row.id, row.location_name, row.admin1, row.admin2, row.event_type, row.sub_event_type,
            row.claimed_by,
        ]
        json_columns = [row.perpetrators, row.targets, row.victims, row.weapons]
        in_evidence = exists().where(EvidenceRow.incident_id == row.id, _matches(EvidenceRow.text, text))
        in_reports = exists().where(
            IncidentArticleRow.incident_id == row.id,
            IncidentArticleRow.article_id == ArticleRow.id,
            or_(_matches(ArticleRow.title, text), _matches(ArticleRow.text, text)),
        )
        return or_(
            false(),
            *(_matches(c, text) for c in columns),
            *(_matches(cast(c, String), text) for c in json_columns),
            in_evidence,
            in_reports,
        )


def parse_bbox(value: str) -> BBox:
    """Read `minlon,minlat,maxlon,maxlat` (degrees); ValueError with a message for people."""
    usage = "use minlon,minlat,maxlon,maxlat in degrees (e.g. 35,34,37,36)"
    parts = value.split(",")
    if len(parts) != 4:
        raise ValueError(f"{value!r} has {len(parts)} numbers, not 4; {usage}")
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{value!r} is not four numbers; {usage}") from None
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError(f"{value!r} has a number that is not finite; {usage}")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ValueError(f"longitudes must be within -180..180 in {value!r}; {usage}")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ValueError(f"latitudes must be within -90..90 in {value!r}; {usage}")
    if min_lat > max_lat:
        raise ValueError(f"minlat {min_lat:g} is above maxlat {max_lat:g}; {usage}")
    return min_lon, min_lat, max_lon, max_lat


def order_by(sort: str) -> list[Any]:
    """ORDER BY terms for a sort key; ties and unknowns (nulls last) are broken by date, then id."""
    row = IncidentRow
    if sort == "-date":
        return [row.date.desc().nulls_last(), row.id]
    if sort == "date":
        return [row.date.asc().nulls_last(), row.id]
    if sort == "-killed":
        return [row.killed_best.desc().nulls_last(), row.date.desc().nulls_last(), row.id]
    if sort == "killed":
        return [row.killed_best.asc().nulls_last(), row.date.desc().nulls_last(), row.id]
    raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")


def stats(session: Any, incident_filter: IncidentFilter) -> dict[str, Any]:
    """Incidents and fatalities (sum of best killed figures) in total, per day, per sub-event type,
    per country, per first-level region and per perpetrator (the most frequent), over the incidents that
    pass the filter."""
    row = IncidentRow
    where = incident_filter.conditions()
    killed = func.coalesce(func.sum(row.killed_best), 0)
    count = func.count(row.id)

    def grouped(*keys: Any) -> list[Any]:
        query = select(*keys, count, killed).where(*where).group_by(*keys)
        return list(session.execute(query))

    total_incidents, total_killed = session.execute(select(count, killed).where(*where)).one()
    by_day = sorted(
        (r for r in grouped(row.date) if r[0] is not None), key=lambda r: r[0]
    )
    by_type = sorted(grouped(row.event_type, row.sub_event_type), key=lambda r: (-r[2], str(r[1])))
    by_country = sorted(grouped(row.country_code), key=lambda r: (-r[1], str(r[0])))
    by_admin1 = sorted(grouped(row.country_code, row.admin1), key=lambda r: (-r[2], str(r[0]), str(r[1])))
    return {
        "incidents": int(total_incidents or 0),
        "killed": int(total_killed or 0),
        "by_day": [
            {"date": d, "incidents": int(n), "killed": int(k)} for d, n, k in by_day
        ],
        "by_sub_event_type": [
            {"event_type": e, "sub_event_type": s, "incidents": int(n), "killed": int(k)}
            for e, s, n, k in by_type
        ],
        "by_country": [
            {"country_code": c, "incidents": int(n), "killed": int(k)} for c, n, k in by_country
        ],
        "by_admin1": [
            {"country_code": c, "admin1": a, "incidents": int(n), "killed": int(k)} for c, a, n, k in by_admin1
        ],
        "by_actor": actor_counts(session, incident_filter),
    }


def actor_counts(session: Any, incident_filter: IncidentFilter, limit: int = 25) -> list[dict[str, Any]]:
    """Incidents and fatalities per perpetrator (an incident counts for each of its perpetrators), the
    `limit` most frequent, over the incidents that pass the filter. Perpetrators are a JSON list on each
    incident, so they are counted here rather than grouped in SQL (one narrow read of two columns)."""
    row = IncidentRow
    counts: dict[str, list[int]] = {}
    query = select(row.perpetrators, row.killed_best).where(*incident_filter.conditions())
    for perpetrators, killed in session.execute(query.execution_options(yield_per=2000)):
        for name in dict.fromkeys(a.get("name") for a in perpetrators or [] if isinstance(a, dict)):
            if name:
                tally = counts.setdefault(name, [0, 0])
                tally[0] += 1
                tally[1] += killed or 0
    ranked = sorted(counts.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:limit]
    return [{"actor": name, "incidents": n, "killed": k} for name, (n, k) in ranked]


__all__ = ["BBox", "IncidentFilter", "SORTS", "Sort", "actor_counts", "order_by", "parse_bbox", "stats"]
