"""`sitrep brief` and GET /brief: the situation brief, on the model report and on hundreds of incidents."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from backends import BACKENDS, fresh_ledger_url
from fastapi.testclient import TestClient
from ledger_samples import XSS_SCRIPT, build_sample_ledger
from model_report import model_report_ledger, needs_seed
from synthetic_ledger import build_synthetic_ledger
from typer.testing import CliRunner

from sitrep.api import create_app
from sitrep.brief import build_brief, render_html, render_markdown
from sitrep.cli import app

runner = CliRunner()


def weasyprint_or_skip():
    """WeasyPrint with Pango, or a skip saying what is missing (a failure in CI, where it must be there)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"WeasyPrint must work in CI (make test installs it and Pango): {exc}")
        pytest.skip(f"WeasyPrint unavailable: {exc}")


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra")
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


REMOTE = re.compile(r"""(?:\bsrc\s*=|<link\b|@import|url\s*\(|<script\b|<iframe\b|<object\b|<embed\b)""", re.I)


def loads_nothing(html: str) -> None:
    """No element or style that fetches anything: no src, no <link>, no @import or url(), no script."""
    assert not REMOTE.search(html), REMOTE.search(html)
    for href in re.findall(r"""href\s*=\s*["']([^"']*)""", html):
        assert re.match(r"https?://|#", href), href  # links to sources are citations, not loads
    assert re.search(r"<a\b[^>]*\bhref=\"http", html) is None or "<a " in html


# ------------------------------------------------------------------ the model report


@pytest.fixture(scope="module")
def model_db(pipeline, tmp_path_factory):
    path = tmp_path_factory.mktemp("brief-model") / "ledger.db"
    model_report_ledger(pipeline, f"sqlite:///{path}").close()
    return str(path)


@needs_seed
def test_model_report_brief_html(model_db, tmp_path):
    out = tmp_path / "brief.html"
    result = runner.invoke(app, ["brief", "--db", model_db, "--country", "SY", "--since", "2016-05-01",
                                 "--until", "2016-05-31", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 incidents, 148 killed" in result.stderr
    html = out.read_text(encoding="utf-8")
    for words in ("Jableh", "Tartus", "148", "Syrian Observatory for Human Rights", "Islamic State", "Latakia"):
        assert words in html, words
    assert '<svg class="map"' in html and '<svg class="chart"' in html
    assert re.search(r'data-field="killed">148<', html)  # the headline: 148 killed
    assert html.count('class="incident"') >= 2  # circles on the map ...
    assert "Jableh (Latakia, Syria) · 2016-05-23 · 100 killed" in html  # ... and the key incidents
    assert "Tartus (Syria) · 2016-05-23 · 48 killed" in html
    assert "Compared with the 31 days before (31 March 2016 to 30 April 2016)" in html
    loads_nothing(html)


@needs_seed
def test_model_report_brief_pdf_and_markdown(model_db, tmp_path):
    weasyprint_or_skip()
    out = tmp_path / "brief.pdf"
    result = runner.invoke(app, ["brief", "--db", model_db, "--country", "SY", "--since", "2016-05-01",
                                 "--until", "2016-05-31", "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Jableh" in text and "Tartus" in text and "148" in text and "Observatory" in text
    result = runner.invoke(app, ["brief", "--db", model_db, "--country", "SY", "--since", "2016-05-01",
                                 "--until", "2016-05-31", "--format", "md"])
    assert result.exit_code == 0
    assert "**148 killed**" in result.stdout and "### 1. Jableh (Latakia, Syria)" in result.stdout
    assert "citing Syrian Observatory for Human Rights" in result.stdout


def test_pdf_needs_a_file(tmp_path):
    result = runner.invoke(app, ["brief", "--db", str(tmp_path / "x.db"), "--format", "pdf"])
    assert result.exit_code == 2 and "-o" in result.output


# ------------------------------------------------------------------ hundreds of incidents


@pytest.fixture(scope="module", params=BACKENDS)
def synthetic(request, tmp_path_factory):
    url = fresh_ledger_url(request, tmp_path_factory.mktemp("brief-synthetic"))
    ledger = build_synthetic_ledger(url)
    yield ledger
    ledger.close()


def expected_tally(incidents) -> tuple[int, int, int]:
    return (len(incidents), sum(i.killed.low for i in incidents if i.killed),
            sum(i.killed.high for i in incidents if i.killed))


def test_brief_figures_add_up(synthetic):
    since, until = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
    brief = build_brief(synthetic, country="SY", since=since, until=until)
    current = synthetic.incidents(country="SY", since=since, until=until)
    previous = synthetic.incidents(country="SY", since=brief.previous_since, until=brief.previous_until)
    assert len(current) > 50, "the synthetic ledger should fill the period"
    assert (brief.previous_since, brief.previous_until) == (dt.date(2023, 7, 3), dt.date(2023, 12, 31))  # 182 days
    total = brief.total
    assert (total.current.incidents, total.current.killed_low, total.current.killed_high) == expected_tally(current)
    assert (total.previous.incidents, total.previous.killed_low, total.previous.killed_high) == expected_tally(previous)
    assert sum(line.current.incidents for line in brief.by_type) == len(current)
    assert sum(line.current.incidents for line in brief.by_region) == len(current)
    assert {line.label for line in brief.by_region} <= {"Latakia", "Tartus", "Aleppo", "Idlib", "Homs", "Deir ez-Zor",
                                                        "Daraa", "Raqqa", "region unknown"}
    latakia = next(line for line in brief.by_region if line.label == "Latakia")
    assert latakia.current.incidents == len([i for i in current if i.location and i.location.admin1 == "Latakia"])
    # the trend: weekly over half a year, every incident in one week
    assert brief.trend_unit == "week" and sum(b.incidents for b in brief.trend) == len(current)
    assert brief.trend[0].first == since and brief.trend[-1].last == until
    # the key incidents: the deadliest, each with its sources
    assert len(brief.key_incidents) == 10
    highs = [k.incident.killed.high if k.incident.killed else -1 for k in brief.key_incidents]
    assert highs == sorted(highs, reverse=True)
    assert highs[0] == max(i.killed.high for i in current if i.killed)
    for key in brief.key_incidents:
        assert key.citations and all(c.outlet for c in key.citations)
    located = [i for i in current if i.location and i.location.lat is not None]
    assert brief.points_total == len(located) and brief.unlocated == len(current) - len(located)
    assert brief.disagreements  # some reports disagree on a toll
    assert all(d.incident.killed.low != d.incident.killed.high for d in brief.disagreements)
    assert brief.undated == len([i for i in synthetic.incidents(country="SY") if i.date is None])


def test_brief_filters_narrow_it(synthetic):
    since, until = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
    whole = build_brief(synthetic, since=since, until=until)
    assert whole.area == "all countries" and whole.trend_unit == "week"
    assert {line.label.split(", ")[-1] for line in whole.by_region} >= {"Syria", "Iraq"}
    syria = build_brief(synthetic, country="SY", since=since, until=until)
    latakia = build_brief(synthetic, country="SY", admin1="latakia", since=since, until=until)
    assert latakia.area == "latakia, Syria"
    assert 0 < latakia.total.current.incidents < syria.total.current.incidents < whole.total.current.incidents
    assert [line.label for line in latakia.by_region] == ["Latakia"]
    state = build_brief(synthetic, country="SY", since=since, until=until, actor="Islamic State")
    assert all("Islamic State" in [a.name for a in k.incident.perpetrators] + [k.incident.claimed_by]
               for k in state.key_incidents)
    assert state.filters == ["actor: Islamic State"]
    clashes = build_brief(synthetic, since=since, until=until, sub_event_type="Armed clash")
    assert [line.label for line in clashes.by_type] == ["Armed clash"]
    long = build_brief(synthetic, since=dt.date(2000, 1, 1), until=dt.date(2030, 12, 31))
    # over 20 years the chart spans the incidents only (here two years, by week)
    assert long.trend_unit == "week" and long.trend[0].first == dt.date(2023, 1, 1)
    assert sum(b.incidents for b in long.trend) == long.total.current.incidents


def test_brief_renders_hundreds(synthetic, tmp_path):
    brief = build_brief(synthetic, country="SY", since=dt.date(2023, 1, 1), until=dt.date(2024, 12, 31))
    html = render_html(brief)
    assert html.count('<circle class="incident"') == brief.points_total > 100
    assert html.count('class="bar"') == len(brief.trend)
    assert html.count('<div class="incident"') == 10
    loads_nothing(html)
    assert "https://example.org/reuters/" in html  # sources cited with their links
    markdown = render_markdown(brief)
    assert "## Key incidents" in markdown and markdown.count("\n### ") == 10


def test_default_period_is_the_last_30_days_of_the_filter(synthetic):
    brief = build_brief(synthetic, country="IQ")
    latest = max(i.date for i in synthetic.incidents(country="IQ") if i.date)
    assert brief.until == latest and brief.days == 30


# ------------------------------------------------------------------ text stays text


def test_ledger_text_is_escaped(tmp_path):
    ledger = build_sample_ledger(str(tmp_path / "xss.db"))
    brief = build_brief(ledger, since=dt.date(2023, 12, 1), until=dt.date(2024, 1, 31))
    html = render_html(brief)
    assert "Kidal" in html
    assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;script&gt;window.__pwned" in html  # shown as text
    markdown = render_markdown(brief)
    assert XSS_SCRIPT not in markdown and "\\<script\\>" in markdown
    ledger.close()


# ------------------------------------------------------------------ the API


def test_api_brief(synthetic):
    client = TestClient(create_app(ledger=synthetic, write_token=None, read_token=None))
    r = client.get("/brief?country=SY&since=2024-01-01&until=2024-03-31")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert '<svg class="map"' in r.text and "Situation brief: Syria" in r.text
    loads_nothing(r.text)
    md = client.get("/brief?format=md&country=IQ&since=2024-01-01&until=2024-03-31")
    assert md.headers["content-type"].startswith("text/markdown") and "Situation brief: Iraq" in md.text
    narrowed = client.get("/brief?format=md&country=SY&since=2024-01-01&until=2024-03-31&actor=Islamic")
    assert "actor: Islamic" in narrowed.text
    assert client.get("/brief?format=doc").status_code == 400
    assert client.get("/brief?since=2024-02-01&until=2024-01-01").status_code == 400
    assert client.get("/brief?since=May").status_code == 400


def test_api_brief_pdf(synthetic):
    weasyprint_or_skip()
    client = TestClient(create_app(ledger=synthetic, write_token=None, read_token=None))
    r = client.get("/brief?format=pdf&country=SY&since=2024-01-01&until=2024-03-31")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and "attachment" in r.headers["content-disposition"]
    assert "Syria" in pdf_text(r.content)
