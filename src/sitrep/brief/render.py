"""The brief as HTML (one Jinja2 template, also the PDF's), PDF (WeasyPrint) or Markdown.

Nothing is loaded from the network: the template holds its own styles, the map and chart are inline
SVG, fonts are the system's, and the PDF renderer is given a URL fetcher that refuses every URL.
Ledger text reaches the HTML only escaped (autoescape) and the Markdown only with its markup escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sitrep import __version__
from sitrep.brief.build import Brief
from sitrep.brief.svg import Point, chart_svg, colour, map_svg

FORMATS = ("html", "pdf", "md")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}
PDF_HELP = ("PDF briefs need WeasyPrint and the Pango library: pip install 'sitrep[pdf]' and, on Debian, "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (`make setup` as root installs both)")


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library it needs) is not installed; the message says how to get it."""


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B} {value.year}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(value: object) -> str:
    """Text as Markdown shows it: every character Markdown or HTML would read as markup escaped, line
    breaks flattened (a table cell, a heading)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _md_url(value: str) -> str:
    return value.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def _css_string(value: object) -> str:
    """Text safe inside a CSS string: letters, digits, spaces and plain punctuation only."""
    return re.sub(r"[^\w ,.:;()'/–-]", "", str(value), flags=re.UNICODE)[:120]


@cache
def _environment(markdown: bool) -> Environment:
    env = Environment(loader=PackageLoader("sitrep.brief", "templates"),
                      autoescape=False if markdown else select_autoescape(["html"], default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(day=_day, md=_md, mdurl=_md_url, cssstr=_css_string)
    env.globals.update(colour=colour, version=__version__)
    return env


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (styles, map and chart inline; no script)."""
    title = f"Incidents in {brief.area}, {brief.since} to {brief.until}"
    return _environment(False).get_template("brief.html").render(
        brief=brief,
        map=map_svg(brief.points, focus_numeric=brief.focus_numeric, title=f"Map of incidents in {brief.area}",
                    labels=list(_labels(brief))),
        chart=chart_svg(brief.trend, brief.trend_unit, title=title),
    )


def _labels(brief: Brief) -> Iterator[Point]:
    """The places of the deadliest incidents, to name on the map."""
    seen = set()
    for k in brief.key_incidents[:6]:
        loc = k.incident.location
        if loc is None or loc.lat is None or loc.lon is None or loc.name in seen:
            continue
        seen.add(loc.name)
        yield Point(lon=loc.lon, lat=loc.lat, killed=k.incident.killed.best if k.incident.killed else 0,
                    event_type=k.incident.event_type, label=loc.name)


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown (tables, key incidents with their sources, method; no map)."""
    return _environment(True).get_template("brief.md").render(brief=brief)


def _refuse(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"the brief loads nothing: {url[:80]!r} refused")


def render_pdf(brief: Brief, html: str | None = None) -> bytes:
    """The HTML brief printed to PDF by WeasyPrint (A4). PdfUnavailable when WeasyPrint or Pango is
    missing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the Pango library cannot be loaded
        raise PdfUnavailable(f"{PDF_HELP} ({type(exc).__name__}: {exc})") from None
    return HTML(string=html if html is not None else render_html(brief), base_url=None,
                url_fetcher=_refuse).write_pdf()


def render(brief: Brief, fmt: str) -> bytes:
    """The brief in one of FORMATS, as bytes."""
    if fmt == "html":
        return render_html(brief).encode("utf-8")
    if fmt == "md":
        return render_markdown(brief).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(brief)
    raise ValueError(f"unknown brief format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "MEDIA_TYPES", "PdfUnavailable", "render", "render_html", "render_markdown", "render_pdf"]
