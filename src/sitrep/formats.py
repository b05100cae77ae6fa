"""Output formats for incident records: rich table and detail view, JSON, ACLED-like CSV, GeoJSON.

Pure functions: they build strings or rich renderables and print nothing. User text goes into
rich as `Text`, never as markup, so brackets in names and quotes are shown as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sitrep.records import Article, ArticleCoding, Incident, Range

UNKNOWN = "—"

CSV_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "country_code", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities", "injured",
]

TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
GEO_PRECISION = {"exact": 1, "town": 1, "near": 2, "admin2": 2, "admin1": 3, "country": 3}


def _tally(value: Range | None) -> str:
    """`best`, with `(low–high)` when the bounds differ; an em dash when unknown."""
    if value is None:
        return UNKNOWN
    if value.low == value.high:
        return str(value.best)
    return f"{value.best} ({value.low}–{value.high})"


def _place(incident: Incident) -> str:
    loc = incident.location
    if loc is None:
        return ""
    return f"{loc.name}, {loc.country_code}" if loc.country_code else loc.name


def _date(incident: Incident) -> str:
    if incident.date is None:
        return UNKNOWN
    text = incident.date.isoformat()
    if incident.date_precision and incident.date_precision != "day":
        text += f" ({incident.date_precision})"
    return text


def incidents_table(incidents: Iterable[Incident]) -> Table:
    """A one-line-per-incident table for the terminal."""
    table = Table(title="Incidents", header_style="bold")
    for name, justify in (
        ("id", "left"), ("date", "left"), ("type", "left"), ("place", "left"),
        ("killed", "right"), ("injured", "right"), ("perpetrator(s)", "left"),
        ("reports", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for incident in incidents:
        table.add_row(
            Text(incident.id),
            Text(_date(incident)),
            Text(incident.sub_event_type or UNKNOWN),
            Text(_place(incident)),
            Text(_tally(incident.killed)),
            Text(_tally(incident.injured)),
            Text(", ".join(actor.name for actor in incident.perpetrators)),
            Text(str(len(incident.articles))),
        )
    return table


def incidents_json(incidents: Iterable[Incident]) -> str:
    """A JSON array of incident records."""
    return json.dumps(
        [incident.model_dump(mode="json") for incident in incidents], ensure_ascii=False, indent=2
    )


def _csv_row(incident: Incident) -> dict[str, object]:
    loc = incident.location
    notes = " ".join(incident.evidence[0].text.split()) if incident.evidence else ""
    return {
        "event_id_cnty": incident.id,
        "event_date": incident.date.isoformat() if incident.date else "",
        "year": incident.date.year if incident.date else "",
        "time_precision": TIME_PRECISION.get(incident.date_precision or "", "")
        if incident.date else "",
        "event_type": incident.event_type or "",
        "sub_event_type": incident.sub_event_type or "",
        "actor1": "; ".join(actor.name for actor in incident.perpetrators),
        "country_code": (loc.country_code or "") if loc else "",
        "admin1": (loc.admin1 or "") if loc else "",
        "admin2": (loc.admin2 or "") if loc else "",
        "location": loc.name if loc else "",
        "latitude": loc.lat if loc and loc.lat is not None else "",
        "longitude": loc.lon if loc and loc.lon is not None else "",
        "geo_precision": GEO_PRECISION.get(loc.precision or "", "") if loc else "",
        "source": "; ".join(incident.sources),
        "notes": notes,
        "fatalities": incident.killed.best if incident.killed else 0,
        "injured": incident.injured.best if incident.injured else "",
    }


# Cells a spreadsheet would run as a formula (or that hide one behind a tab or carriage return):
# OWASP, "CSV Injection". Such text cells are written with a leading single quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value as a CSV cell that spreadsheets show and never evaluate.

    Text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's
    advice against CSV injection: `=HYPERLINK(...)` is written `'=HYPERLINK(...)`). Only text is
    escaped: numbers stay numbers (a longitude of -3.5 is written -3.5). None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Iterator[str]:
    """CSV text, one line at a time: the header, then each row's cells in `columns` order, every cell
    through `csv_cell`. Every CSV writer of sitrep goes through here."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(cells: Iterable[object]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(columns)
    for row in rows:
        yield line(csv_cell(row.get(column)) for column in columns)


def incidents_csv(incidents: Iterable[Incident]) -> str:
    """ACLED-like CSV (header + one row per incident); unknown cells are empty."""
    return "".join(csv_lines(CSV_COLUMNS, (_csv_row(incident) for incident in incidents)))


def date_range(day: dt.date, precision: str | None) -> tuple[dt.date, dt.date]:
    """The days a date of this precision stands for: the day itself; its week (Monday to Sunday); its
    month; its year."""
    if precision == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=min(6, (dt.date.max - monday).days))
    if precision == "month":
        first = day.replace(day=1)
        if (day.year, day.month) == (9999, 12):
            return first, dt.date.max
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    if precision == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def _joined(values: Iterable[str]) -> str | None:
    return "; ".join(v for v in values if v) or None


def geojson_feature(incident: Incident, *, include_unlocated: bool = False) -> dict[str, object] | None:
    """The incident as an RFC 7946 Feature: a Point [lon, lat] (WGS 84) with flat properties that GIS
    reads as typed columns (numbers as numbers, lists joined with "; ", dates as YYYY-MM-DD). None when
    it has no coordinates, unless `include_unlocated` (then its geometry is null).

    `fatalities` is the ACLED column (the low end of the killed range, 0 when none was reported);
    `killed_low`/`killed_best`/`killed_high` and `injured*` are null when unknown.
    """
    loc = incident.location
    located = loc is not None and loc.lat is not None and loc.lon is not None
    if not located and not include_unlocated:
        return None
    first, last = date_range(incident.date, incident.date_precision) if incident.date else (None, None)
    killed, injured = incident.killed, incident.injured
    properties: dict[str, object] = {
        "id": incident.id,
        "event_type": incident.event_type,
        "sub_event_type": incident.sub_event_type,
        "date": incident.date.isoformat() if incident.date else None,
        "date_precision": incident.date_precision,
        "date_first": first.isoformat() if first else None,
        "date_last": last.isoformat() if last else None,
        "location": loc.name if loc else None,
        "geonameid": loc.geonameid if loc else None,
        "country_code": loc.country_code if loc else None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None,
        "geo_precision": loc.precision if loc else None,
        "fatalities": killed.low if killed else 0,
        "killed_low": killed.low if killed else None,
        "killed_best": killed.best if killed else None,
        "killed_high": killed.high if killed else None,
        "injured": injured.best if injured else None,
        "injured_low": injured.low if injured else None,
        "injured_high": injured.high if injured else None,
        "perpetrators": _joined(a.name for a in incident.perpetrators),
        "claimed_by": incident.claimed_by,
        "targets": _joined(incident.targets),
        "victims": _joined(incident.victims),
        "weapons": _joined(incident.weapons),
        "attack_type": incident.attack_type,
        "weapon_type": incident.weapon_type,
        "target_types": _joined(incident.target_types),
        "suicide": incident.suicide,
        "sources": _joined(incident.sources),
        "reports": len(incident.articles),
        "articles": _joined(incident.articles),
        "related": _joined(incident.related),
        # whole seconds: GDAL readers round a fraction of .9995 s up to an invalid microsecond
        "updated_at": incident.updated_at.isoformat(timespec="seconds") if incident.updated_at else None,
    }
    geometry = {"type": "Point", "coordinates": [loc.lon, loc.lat]} if located else None
    return {"type": "Feature", "id": incident.id, "geometry": geometry, "properties": properties}


def incidents_geojson(incidents: Iterable[Incident], *, include_unlocated: bool = False) -> str:
    """A GeoJSON FeatureCollection (RFC 7946) of `geojson_feature`s; incidents without coordinates are
    left out, or written with a null geometry when `include_unlocated`."""
    features = [f for f in (geojson_feature(i, include_unlocated=include_unlocated) for i in incidents) if f]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _range_line(value: Range | None) -> str:
    if value is None:
        return UNKNOWN
    return f"low {value.low} · best {value.best} · high {value.high}"


def incident_detail(incident: Incident, coding: Sequence[ArticleCoding] = (),
                    reports: Sequence[Article] = ()) -> RenderableType:
    """Everything about one incident: header, every reported figure, evidence, related ids, and what
    coding its reports lost (`coding`: the ledger's record of stages that failed on them). `reports`:
    the stored reports, listed with their outlet, date, address and id in their feed."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    loc = incident.location

    def line(label: str, value: str) -> None:
        header.add_row(label, Text(value))

    line("type", " / ".join(t for t in (incident.event_type, incident.sub_event_type) if t)
         or UNKNOWN)
    line("date", _date(incident))
    if loc is not None:
        parts = [loc.name, loc.admin2, loc.admin1, loc.country_code]
        place = ", ".join(p for p in parts if p)
        extras = [x for x in (loc.precision, f"geonameid {loc.geonameid}"
                              if loc.geonameid is not None else None) if x]
        line("place", place + (f" ({'; '.join(extras)})" if extras else ""))
        coords = f"{loc.lat:.4f}, {loc.lon:.4f}" if loc.lat is not None and loc.lon is not None \
            else UNKNOWN
        line("coordinates", coords)
    else:
        line("place", UNKNOWN)
        line("coordinates", UNKNOWN)
    line("perpetrators",
         ", ".join(f"{a.name} ({a.basis})" for a in incident.perpetrators) or UNKNOWN)
    line("claimed by", incident.claimed_by or UNKNOWN)
    line("killed", _range_line(incident.killed))
    line("injured", _range_line(incident.injured))
    for label, values in (("targets", incident.targets), ("victims", incident.victims),
                          ("weapons", incident.weapons)):
        if values:
            line(label, ", ".join(values))
    line("sources", ", ".join(incident.sources) or UNKNOWN)
    line("articles", ", ".join(incident.articles) or UNKNOWN)

    figures = Table(title="Reported figures", header_style="bold", expand=False)
    for name in ("kind", "value", "qualifier", "scope", "reported by", "quote", "article"):
        figures.add_column(name, justify="right" if name == "value" else "left")
    for f in incident.figures:
        figures.add_row(
            Text(f.kind), Text(str(f.value)), Text(f.qualifier), Text(f.scope or ""),
            Text(f.reported_by or UNKNOWN), Text(f.quote),
            Text(f"{f.article_id}:{f.start}-{f.end}"),
        )

    feed_items = {r.id: r.feed_item_id for r in reports if r.feed_item_id}
    evidence = Text()
    for e in incident.evidence:
        evidence.append(f"[{e.field}] ", style="bold")
        evidence.append(" ".join(e.text.split()))
        item = f", feed item {feed_items[e.article_id]}" if e.article_id in feed_items else ""
        evidence.append(f"  ({e.article_id}:{e.start}-{e.end}{item})\n", style="dim")
    if not incident.evidence:
        evidence.append(UNKNOWN)
    evidence.rstrip()

    parts: list[RenderableType] = [
        Panel(header, title=Text(f"incident {incident.id}"), title_align="left"),
        figures if incident.figures else Text("no reported figures", style="dim"),
        Panel(evidence, title="Evidence", title_align="left"),
    ]
    if reports:
        listed = Text()
        for r in reports:
            listed.append(r.id, style="bold")
            details = [r.title, r.source, r.published.isoformat() if r.published else None, r.url,
                       f"feed item {r.feed_item_id}" if r.feed_item_id else None]
            listed.append("  " + " · ".join(d for d in details if d) + "\n")
        listed.rstrip()
        parts.append(Panel(listed, title="Reports", title_align="left"))
    if incident.related:
        parts.append(Text("related: " + ", ".join(incident.related)))
    lost = Text()
    for outcome in coding:
        if outcome.not_coded:
            lost.append(f"{outcome.article_id}: not coded: {outcome.not_coded}\n")
        for problem in outcome.problems:
            span = f" (text {problem.start}-{problem.end} not coded)" if problem.start is not None else ""
            lost.append(f"{outcome.article_id}: {problem.stage} failed: {problem.detail}{span}\n")
    if lost:
        lost.rstrip()
        parts.append(Panel(lost, title="Coding problems (the rest of each report was coded)", title_align="left",
                           style="yellow"))
    return Group(*parts)


__all__ = [
    "CSV_COLUMNS", "FORMULA_TRIGGERS", "csv_cell", "csv_lines", "date_range", "geojson_feature", "incident_detail",
    "incidents_csv", "incidents_geojson", "incidents_json", "incidents_table",
]
