"""Situation briefs: what the ledger says about a country or region over a period, for a reader.

`build_brief(ledger, country=..., since=..., until=...)` computes the brief (headline figures against the
previous period, by event type and region, the key incidents with their sources, the trend, the points of
the map, where figures disagree); `render(brief, "html" | "pdf" | "md")` writes it. One Jinja2 template
(package data: sitrep/brief/templates/) makes the HTML and, printed by WeasyPrint, the PDF.
"""

from sitrep.brief.build import Brief, build_brief, period
from sitrep.brief.render import FORMATS, MEDIA_TYPES, PdfUnavailable, render, render_html, render_markdown, render_pdf

__all__ = ["FORMATS", "MEDIA_TYPES", "Brief", "PdfUnavailable", "build_brief", "period", "render", "render_html",
           "render_markdown", "render_pdf"]
