"""The brief's map and trend chart, drawn server-side as inline SVG (no script, nothing fetched).

Every piece of text from the ledger (place names, types) is escaped here: the SVG is inserted into
the brief's HTML as markup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from sitrep.brief.atlas import BBox, Country, load_atlas, main_bbox

COLOURS = {  # as the dashboard's markers
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#27ae60",
    "Riots": "#795548",
    "Strategic developments": "#2e86c1",
}
UNKNOWN_COLOUR = "#7f8c8d"
MAX_POINTS = 3000  # the deadliest are drawn when more pass the filters (the brief says so)


def colour(event_type: str | None) -> str:
    return COLOURS.get(event_type or "", UNKNOWN_COLOUR)


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float
    killed: int  # best figure, 0 when unknown
    event_type: str | None
    label: str  # the place, for the point's title


def radius(killed: int) -> float:
    return round(min(22.0, 3.0 + 2.0 * math.sqrt(max(0, killed))), 1)


# ---------------------------------------------------------------- map


def _view(points: Sequence[Point], focus: Country | None) -> BBox:
    """The map's extent: the country in focus (its main land), widened to every point; else the points."""
    boxes = []
    if focus is not None:
        boxes.append(main_bbox(focus))
    if points:
        boxes.append((min(p.lon for p in points), min(p.lat for p in points),
                      max(p.lon for p in points), max(p.lat for p in points)))
    if not boxes:
        return -180.0, -60.0, 180.0, 80.0
    lon0, lat0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    lon1, lat1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    span = max(lon1 - lon0, lat1 - lat0, 1.0)  # at least a degree around a single town
    pad = span * 0.08
    centre_lon, centre_lat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    half_lon, half_lat = max(lon1 - lon0, 1.0) / 2 + pad, max(lat1 - lat0, 1.0) / 2 + pad
    return (max(-180.0, centre_lon - half_lon), max(-85.0, centre_lat - half_lat),
            min(180.0, centre_lon + half_lon), min(85.0, centre_lat + half_lat))


class _Projection:
    """Equirectangular, longitudes shrunk by the cosine of the view's middle latitude."""

    def __init__(self, view: BBox, width: int, max_height: int) -> None:
        self.lon0, self.lat0, lon1, self.lat1 = view
        self.k = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        span_x, span_y = (lon1 - self.lon0) * self.k, self.lat1 - self.lat0
        self.scale = min(width / span_x, max_height / span_y)
        self.width, self.height = round(span_x * self.scale), round(span_y * self.scale)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.k * self.scale, (self.lat1 - lat) * self.scale


def _path(rings: Sequence[Sequence[tuple[float, float]]], project: _Projection, view: BBox) -> str:
    """SVG path data of rings, simplified to the pixel (points closer than 0.6 px dropped)."""
    lon0, lat0, lon1, lat1 = view
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        if max(lons) < lon0 or min(lons) > lon1 or max(lats) < lat0 or min(lats) > lat1:
            continue
        out, last, previous_lon = [], None, None
        for lon, lat in ring:
            jump = previous_lon is not None and abs(lon - previous_lon) > 180  # the antimeridian: lift the pen
            previous_lon = lon
            x, y = project(lon, lat)
            if last is not None and not jump and abs(x - last[0]) < 0.6 and abs(y - last[1]) < 0.6:
                continue
            out.append(("M" if last is None or jump else "L") + f"{x:.1f},{y:.1f}")
            last = (x, y)
        if len(out) > 2:
            parts.append("".join(out) + "Z")
    return "".join(parts)


def map_svg(points: Sequence[Point], *, focus_numeric: int | None = None, title: str = "Map of incidents",
            width: int = 640, max_height: int = 460, labels: Sequence[Point] = ()) -> Markup:
    """The incidents as circles sized by toll (best killed figure) and coloured by event type, over the
    country outlines of the vendored world atlas (the country in focus shaded), with a legend below."""
    atlas = load_atlas() or ()
    focus = next((c for c in atlas if focus_numeric is not None and c.numeric == focus_numeric), None)
    view = _view(points, focus)
    project = _Projection(view, width, max_height)
    legend, legend_height = _map_legend(points, project.height, max(project.width, 360))
    total_width, total_height = max(project.width, 360), project.height + legend_height
    out = [f'<svg class="map" role="img" width="{total_width}" height="{total_height}" '
           f'viewBox="0 0 {total_width} {total_height}" aria-label="{escape(title)}" data-points="{len(points)}" '
           f'data-outlines="{len(atlas)}">', f"<title>{escape(title)}</title>",
           f'<svg x="0" y="0" width="{project.width}" height="{project.height}" overflow="hidden">',
           f'<rect class="sea" x="0" y="0" width="{project.width}" height="{project.height}" fill="#dce8f0"/>']
    for country in atlas:
        b = country.bbox
        if b[2] < view[0] or b[0] > view[2] or b[3] < view[1] or b[1] > view[3]:
            continue
        data = _path([ring for polygon in country.polygons for ring in polygon], project, view)
        if data:
            fill = "#f4efe3" if country is focus else "#e6e6e2"
            out.append(f'<path class="country" d="{data}" fill="{fill}" stroke="#9aa3ad" stroke-width="0.6" '
                       f'fill-rule="evenodd"><title>{escape(country.name)}</title></path>')
    for p in sorted(points, key=lambda p: -p.killed):  # small circles on top of large ones
        x, y = project(p.lon, p.lat)
        out.append(f'<circle class="incident" cx="{x:.1f}" cy="{y:.1f}" r="{radius(p.killed)}" '
                   f'fill="{colour(p.event_type)}" fill-opacity="0.72" stroke="#fff" stroke-width="0.8">'
                   f"<title>{escape(p.label)}: {p.killed} killed</title></circle>")
    for p in labels:
        x, y = project(p.lon, p.lat)
        r = radius(p.killed)
        out.append(f'<text class="label" x="{x + r + 2:.1f}" y="{y + 4:.1f}" font-size="11" '
                   f'stroke="#fff" stroke-width="3" paint-order="stroke" fill="#1d232b">{escape(p.label)}</text>')
    if not atlas:
        out.append(f'<text x="8" y="{project.height - 8}" font-size="10" fill="#667085">Country outlines are not '
                   "installed (make vendor)</text>")
    out.append("</svg>")
    out.append(legend)
    out.append("</svg>")
    return Markup("".join(out))


def _map_legend(points: Sequence[Point], top: int, width: int) -> tuple[str, int]:
    """The legend under the map (event types, then circle sizes), and its height."""
    types = sorted({p.event_type for p in points if p.event_type})
    largest = max([p.killed for p in points] + [10])
    out = ['<g class="legend" font-size="10" fill="#1d232b">']
    x, y = 4, top + 16
    for name in types:
        step = 22 + 6 * len(name)
        if x + step > width:
            x, y = 4, y + 16
        out.append(f'<circle cx="{x + 5}" cy="{y - 3}" r="4.5" fill="{colour(name)}"/>'
                   f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += step
    y += 12 + radius(min(largest, 100))
    x = 4
    for n in (1, 10, 100):
        if n > largest and n != 1:
            break
        r = radius(n)
        out.append(f'<circle cx="{x + r}" cy="{y - 3}" r="{r}" fill="none" stroke="#667085"/>'
                   f'<text x="{x + 2 * r + 3}" y="{y}">{n}</text>')
        x += 2 * r + 28
    out.append(f'<text x="{x}" y="{y}">killed</text></g>')
    return "".join(out), round(y - top + 8)


# ---------------------------------------------------------------- trend chart


@dataclass(frozen=True)
class Bucket:
    first: dt.date
    last: dt.date
    incidents: int
    killed: int


def trend_unit(since: dt.date, until: dt.date) -> str:
    """Days for up to two months, weeks for up to two years, months for up to twenty, years beyond."""
    days = (until - since).days + 1
    return "day" if days <= 62 else "week" if days <= 731 else "month" if days <= 7305 else "year"


def buckets(since: dt.date, until: dt.date, unit: str) -> list[tuple[dt.date, dt.date]]:
    """The periods of the chart, from `since` to `until` (the first and last cut to them)."""
    out = []
    day = since
    while day <= until:
        if unit == "day":
            last = day
        elif unit == "week":
            last = day + dt.timedelta(days=min(6 - day.weekday(), (dt.date.max - day).days))
        elif unit == "year":
            last = day.replace(month=12, day=31)
        else:
            following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) if day < dt.date(9999, 12, 1) \
                else dt.date.max
            last = following - dt.timedelta(days=1) if following != dt.date.max else following
        last = min(last, until)
        out.append((day, last))
        if last == dt.date.max:
            break
        day = last + dt.timedelta(days=1)
    return out


def chart_svg(series: Sequence[Bucket], unit: str, *, title: str = "Incidents and fatalities",
              width: int = 640, height: int = 200) -> Markup:
    """Bars for incidents and a line for fatalities (best figures) per day, week or month."""
    left, right, top, bottom = 34, 40, 12, 30
    inner_w, inner_h = width - left - right, height - top - bottom
    n = max(1, len(series))
    max_n = max([b.incidents for b in series] + [1])
    max_k = max([b.killed for b in series] + [1])
    step = inner_w / n
    bar = max(1.0, step * 0.8)
    out = [f'<svg class="chart" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}" data-buckets="{len(series)}" '
           f'data-unit="{unit}">', f"<title>{escape(title)}</title>",
           f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" stroke="#98a2b3"/>']
    line = []
    for i, b in enumerate(series):
        x = left + i * step + (step - bar) / 2
        h = inner_h * b.incidents / max_n
        label = b.first.isoformat() if b.first == b.last else f"{b.first.isoformat()} to {b.last.isoformat()}"
        out.append(f'<rect class="bar" x="{x:.1f}" y="{top + inner_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                   f'fill="#5b7da3"><title>{label}: {b.incidents} incidents, {b.killed} killed</title></rect>')
        line.append(f"{left + i * step + step / 2:.1f},{top + inner_h - inner_h * b.killed / max_k:.1f}")
    if line:
        out.append(f'<polyline class="killed" points="{" ".join(line)}" fill="none" stroke="#c0392b" '
                   'stroke-width="1.6"/>')
    text = 'font-size="10" fill="#667085"'
    out.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {text}>{max_n}</text>')
    out.append(f'<text x="{left + inner_w + 4}" y="{top + 8}" font-size="10" fill="#c0392b">{max_k}</text>')
    if series:
        out.append(f'<text x="{left}" y="{height - 14}" {text}>{series[0].first.isoformat()}</text>')
        out.append(f'<text x="{left + inner_w}" y="{height - 14}" text-anchor="end" {text}>'
                   f"{series[-1].last.isoformat()}</text>")
    per = f"per {unit}"
    out.append(f'<text x="{left}" y="{height - 2}" {text}><tspan fill="#5b7da3">■</tspan> incidents '
               f'<tspan fill="#c0392b">—</tspan> killed (best figures), {per}</text>')
    out.append("</svg>")
    return Markup("".join(out))


__all__ = ["Bucket", "COLOURS", "MAX_POINTS", "Point", "buckets", "chart_svg", "colour", "map_svg", "radius",
           "trend_unit"]
