"""What a situation brief says, computed from the ledger: `build_brief(ledger, ...) -> Brief`.

The brief covers a period (`since`..`until`, inclusive) and compares it with the period of the same
length just before. Incidents are read once, a page at a time (`Ledger.iter_incidents`), over both
periods; only the tallies, the points for the map and the key incidents (a bounded heap) are kept.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import Any

from sitrep import acled
from sitrep.brief.svg import MAX_POINTS, Bucket, Point, buckets, trend_unit
from sitrep.formats import date_range
from sitrep.records import Figure, Incident
from sitrep.store.ledger import Ledger

DEFAULT_DAYS = 30  # the period when no dates are given: the 30 days up to the latest incident
KEY_INCIDENTS = 10


@dataclass
class Tally:
    """Incidents and their tolls: killed and injured as the sums of each incident's low and high figures."""

    incidents: int = 0
    killed_low: int = 0
    killed_high: int = 0
    killed_best: int = 0
    injured_low: int = 0
    injured_high: int = 0
    unknown_toll: int = 0  # incidents with no killed figure
    injured_known: int = 0  # incidents with an injured figure

    def add(self, incident: Incident) -> None:
        self.incidents += 1
        if incident.killed is None:
            self.unknown_toll += 1
        else:
            self.killed_low += incident.killed.low
            self.killed_high += incident.killed.high
            self.killed_best += incident.killed.best
        if incident.injured is not None:
            self.injured_known += 1
            self.injured_low += incident.injured.low
            self.injured_high += incident.injured.high

    @property
    def killed(self) -> str:
        """"100–148"; "—" when no incident has a reported toll."""
        return span(self.killed_low, self.killed_high) if self.incidents > self.unknown_toll or not self.incidents \
            else "—"

    @property
    def injured(self) -> str:
        """As `killed`, for the injured ("—": no incident has a figure of injured)."""
        return span(self.injured_low, self.injured_high) if self.injured_known or not self.incidents else "—"


def span(low: int, high: int) -> str:
    """"148", or "100–148" when the figures differ."""
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def change(now: int, before: int) -> str:
    """"+3", "−2", "±0" (a real minus sign)."""
    difference = now - before
    return f"+{difference:,}" if difference > 0 else f"−{-difference:,}" if difference < 0 else "±0"


@dataclass
class Line:
    """One row of a headline table: this period against the previous one."""

    label: str
    current: Tally = field(default_factory=Tally)
    previous: Tally = field(default_factory=Tally)

    @property
    def incidents_change(self) -> str:
        return change(self.current.incidents, self.previous.incidents)

    @property
    def killed_change(self) -> str:
        return change(self.current.killed_high, self.previous.killed_high)


@dataclass
class Citation:
    """A report behind an incident: its outlet, date, link, and who the figures it carries came from."""

    article_id: str
    outlet: str | None
    published: dt.date | None
    url: str | None
    title: str | None
    feed_item_id: str | None
    reporters: list[str]


@dataclass
class KeyIncident:
    incident: Incident
    place: str
    dates: str
    actors: str
    killed: str
    injured: str
    figures: list[str]  # every reported figure that counts its toll: "100 killed (Syrian Observatory ...)"
    citations: list[Citation]


@dataclass
class Disagreement:
    incident: Incident
    place: str
    figures: list[str]


@dataclass
class Brief:
    title: str
    area: str  # "Syria", "Latakia, Syria", "all countries"
    since: dt.date
    until: dt.date
    previous_since: dt.date | None  # None: the period starts at the calendar's first day, nothing before it
    previous_until: dt.date | None
    generated: dt.datetime
    filters: list[str]  # the other filters, for people ("type: Suicide bomb")
    total: Line
    by_type: list[Line]
    by_region: list[Line]
    key_incidents: list[KeyIncident]
    trend: list[Bucket]
    trend_unit: str
    points: list[Point]
    points_total: int  # located incidents in the period (points holds at most MAX_POINTS of them)
    unlocated: int  # incidents of the period with no coordinates (not on the map)
    undated: int  # incidents that pass the other filters but have no date (in no period)
    disagreements: list[Disagreement]
    unknown_toll: int
    outlets: list[str]
    reporters: list[str]
    focus_numeric: int | None  # the country in focus (ISO 3166 numeric), for the map
    ledger_dates: tuple[dt.date, dt.date] | None  # the first and last dated incident passing the filters

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def period(ledger: Ledger, since: dt.date | None, until: dt.date | None, **filters: Any) -> tuple[dt.date, dt.date]:
    """The brief's period: as given; a missing end is the latest dated incident that passes the filters
    (today when there is none), a missing start is `DEFAULT_DAYS` before the end."""
    if until is None:
        latest = next(iter(ledger.iter_incidents(**filters, since=since or dt.date.min, sort="-date", page_size=1)),
                      None)
        until = latest.date if latest is not None and latest.date else max(since or dt.date.min, dt.date.today())
    if since is None:
        since = until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValueError(f"the period starts ({since}) after it ends ({until})")
    return since, until


def _place(incident: Incident) -> str:
    return acled.place_phrase(incident) or "place unknown"


def _dates(incident: Incident) -> str:
    if incident.date is None:
        return "undated"
    first, last = date_range(incident.date, incident.date_precision)
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} to {last.isoformat()} ({incident.date_precision})"


def figure_text(f: Figure) -> str:
    qualifier = "" if f.qualifier == "exact" else f"{f.qualifier} "
    scope = f", for {f.scope}" if f.scope else ""
    who = f.reported_by or "unattributed"
    return f"{qualifier}{f.value:,} {f.kind} ({who}{scope})"


def _citations(ledger: Ledger, incident: Incident) -> list[Citation]:
    out = []
    for article_id in incident.articles:
        article = ledger.article(article_id)
        if article is None:
            continue
        reporters = list(dict.fromkeys(f.reported_by for f in incident.figures
                                       if f.article_id == article_id and f.reported_by))
        out.append(Citation(article_id=article.id, outlet=article.source, published=article.published,
                            url=article.url if article.url and article.url.startswith(("http://", "https://"))
                            else None,
                            title=article.title, feed_item_id=article.feed_item_id, reporters=reporters))
    return out


def build_brief(ledger: Ledger, *, country: str | None = None, admin1: str | None = None,
                since: dt.date | None = None, until: dt.date | None = None, top: int = KEY_INCIDENTS,
                title: str | None = None, **filters: Any) -> Brief:
    """The situation brief of the incidents that pass the filters (those of `Ledger.incidents`), in the
    period `since`..`until` against the period of the same length before it."""
    where = {k: v for k, v in dict(country=country, admin1=admin1, **filters).items() if v not in (None, "")}
    since, until = period(ledger, since, until, **where)
    length = (until - since).days + 1
    previous_until = since - dt.timedelta(days=1) if since > dt.date.min else None
    previous_since = None if previous_until is None else \
        previous_until - dt.timedelta(days=min(length, (previous_until - dt.date.min).days + 1) - 1)

    total = Line("All incidents")
    by_type: dict[str, Line] = {}
    by_region: dict[str, Line] = {}
    per_day: dict[dt.date, list[int]] = {}  # the period's incidents and killed by day, for the trend
    points: list[tuple[int, int, Point]] = []  # a bounded heap: the deadliest MAX_POINTS
    points_total = unlocated = unknown_toll = 0
    heap: list[tuple[tuple[int, int, str, str], Incident]] = []
    disagreements: list[Disagreement] = []
    outlets: dict[str, None] = {}
    reporters: dict[str, None] = {}
    country_names: dict[str | None, str | None] = {}
    order = 0
    for incident in ledger.iter_incidents(**where, since=previous_since or since, until=until, sort="date"):
        current = incident.date is not None and incident.date >= since
        loc = incident.location
        region_label = (loc.admin1 if loc and loc.admin1 else "region unknown")
        if not country and loc is not None:
            code = loc.country_code
            if code not in country_names:
                country_names[code] = acled.country(code)[1] or code
            if country_names[code]:
                region_label += f", {country_names[code]}"
        type_label = incident.sub_event_type or incident.event_type or "type unknown"
        for line in (total, by_type.setdefault(type_label, Line(type_label)),
                     by_region.setdefault(region_label, Line(region_label))):
            (line.current if current else line.previous).add(incident)
        if not current:
            continue
        order += 1
        best = incident.killed.best if incident.killed else 0
        if incident.killed is None:
            unknown_toll += 1
        tally = per_day.setdefault(incident.date, [0, 0])
        tally[0] += 1
        tally[1] += best
        if loc is not None and loc.lat is not None and loc.lon is not None:
            points_total += 1
            point = Point(lon=loc.lon, lat=loc.lat, killed=best, event_type=incident.event_type, label=loc.name)
            item = (best, -order, point)
            if len(points) < MAX_POINTS:
                heapq.heappush(points, item)
            else:
                heapq.heappushpop(points, item)
        else:
            unlocated += 1
        rank = (incident.killed.high if incident.killed else -1, incident.injured.high if incident.injured else -1,
                incident.date.isoformat(), incident.id)
        if len(heap) < top:
            heapq.heappush(heap, (rank, incident))
        elif rank > heap[0][0]:
            heapq.heapreplace(heap, (rank, incident))
        if incident.killed is not None and incident.killed.low != incident.killed.high:
            disagreements.append(Disagreement(incident, _place(incident), [
                figure_text(f) for f in acled.counted_figures(incident, "killed")]))
        for f in incident.figures:
            if f.reported_by:
                reporters.setdefault(f.reported_by)
        outlets.update(dict.fromkeys(s for s in incident.sources if s not in reporters))

    undated = ledger.count_incidents(**where) - ledger.count_incidents(**where, since=dt.date.min)
    dated = [i.date for i in (next(iter(ledger.iter_incidents(**where, since=dt.date.min, sort=s, page_size=1)), None)
                              for s in ("date", "-date")) if i is not None and i.date]
    key = []
    for _, incident in sorted(heap, key=lambda item: item[0], reverse=True):
        key.append(KeyIncident(
            incident=incident, place=_place(incident), dates=_dates(incident),
            actors=", ".join(a.name + ("" if a.basis in ("reported", "attributed") else f" ({a.basis})")
                             for a in incident.perpetrators) or "not known",
            killed=span(incident.killed.low, incident.killed.high) if incident.killed else "unknown",
            injured=span(incident.injured.low, incident.injured.high) if incident.injured else "unknown",
            figures=[figure_text(f) for kind in ("killed", "injured") for f in acled.counted_figures(incident, kind)],
            citations=_citations(ledger, incident),
        ))
    unit, trend = _trend(per_day, since, until)
    numeric, country_name, _ = acled.country(country) if country else (None, None, None)
    area = ", ".join(p for p in (admin1, country_name or (country.upper() if country else None)) if p) \
        or "all countries"
    return Brief(
        title=title or f"Situation brief: {area}",
        area=area, since=since, until=until, previous_since=previous_since, previous_until=previous_until,
        generated=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        filters=[f"{k.replace('_', ' ')}: {v}" for k, v in where.items() if k not in ("country", "admin1")],
        total=total,
        by_type=_ranked(by_type), by_region=_ranked(by_region),
        key_incidents=key,
        trend=trend, trend_unit=unit,
        points=[p for _, _, p in sorted(points, key=lambda item: (-item[0], item[1]))],
        points_total=points_total, unlocated=unlocated, undated=undated,
        disagreements=sorted(disagreements, key=lambda d: -(d.incident.killed.high if d.incident.killed else 0)),
        unknown_toll=unknown_toll, outlets=sorted(outlets), reporters=sorted(reporters),
        focus_numeric=numeric, ledger_dates=(dated[0], dated[-1]) if len(dated) == 2 else None,
    )


def _trend(per_day: dict[dt.date, list[int]], since: dt.date, until: dt.date) -> tuple[str, list[Bucket]]:
    """Incidents and killed per day, week, month or year over the period (`svg.trend_unit`); a period of
    more than 20 years is charted from its first incident to its last only."""
    first, last = since, until
    if trend_unit(since, until) == "year" and per_day:
        first, last = min(per_day), max(per_day)
    unit = trend_unit(first, last)
    cuts = buckets(first, last, unit)
    starts = [start for start, _ in cuts]
    counts = [[0, 0] for _ in cuts]
    for day, (n, k) in per_day.items():
        index = max(0, bisect.bisect_right(starts, day) - 1)
        counts[index][0] += n
        counts[index][1] += k
    return unit, [Bucket(start, end, n, k) for (start, end), (n, k) in zip(cuts, counts)]


def _ranked(lines: dict[str, Line]) -> list[Line]:
    return sorted(lines.values(), key=lambda line: (-line.current.incidents, -line.current.killed_high,
                                                    -line.previous.incidents, line.label))


__all__ = ["Brief", "Citation", "Disagreement", "KeyIncident", "Line", "Tally", "build_brief", "period"]
