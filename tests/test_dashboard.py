"""The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The app runs under uvicorn in a thread on a free loopback port. On the demo ledger: markers on
a map with country outlines, filtering by type, an incident with its evidence highlighted, and
a screenshot (saved as docs/dashboard.png for the README when SITREP_UPDATE_SCREENSHOT=1). On a ledger of hostile reports:
markup in report text and fields is shown as text and never runs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import urllib.request
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import pytest
from ledger_samples import XSS_ID, XSS_IMG, XSS_SCRIPT, build_sample_ledger

from sitrep.api import create_app
from sitrep.api.app import STATIC_DIR

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
     if p and Path(p).exists()),
    None,
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it "
           "with apt-get install chromium (as root)",
)


@contextmanager
def serve(app):
    """Run `app` under uvicorn on a free loopback port; yield its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return json.load(response)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    if not (STATIC_DIR / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("the dashboard's map libraries are missing: run `make vendor` (npm ci in web/)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory, pipeline):
    """The demo reports, coded by the real pipeline into a fresh SQLite ledger."""
    from sitrep.ingest.readers import read_articles
    from sitrep.records import Article
    from sitrep.store.ledger import Ledger

    ledger = Ledger(str(tmp_path_factory.mktemp("dashboard") / "demo.db"))
    reports = resources.files("sitrep").joinpath("demo", "reports.jsonl")
    with resources.as_file(reports) as path:
        articles = [a for a in read_articles([path]) if isinstance(a, Article)]
    for article, extraction in pipeline.extract_many(articles):
        ledger.add(article, extraction)
    yield ledger
    ledger.close()


def wait_ready(page):
    page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)


def markers_on_map(page) -> int:
    """Markers shown one by one plus those inside clusters."""
    single = page.locator(".leaflet-marker-pane .inc-marker").count()
    clustered = page.eval_on_selector_all(
        ".leaflet-marker-pane .cluster", "els => els.reduce((n, e) => n + Number(e.dataset.count), 0)"
    )
    return single + clustered


def test_dashboard_on_the_demo_ledger(browser, demo_ledger, tmp_path):
    app = create_app(ledger=demo_ledger, write_token=None, read_token=None)
    with serve(app) as base:
        located = get_json(base + "/export.geojson")["features"]
        total = get_json(base + "/incidents?limit=1")["total"]
        assert located, "the demo ledger has no located incident"

        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
        page.goto(base + "/")
        wait_ready(page)

        # The map: country outlines from the bundled world atlas, one marker per located incident.
        assert int(page.get_attribute("#map", "data-outlines")) > 150
        assert page.locator(".leaflet-overlay-pane path").count() > 150
        assert int(page.get_attribute("#map", "data-markers")) == len(located)
        assert markers_on_map(page) == len(located)
        assert page.locator("#table tbody tr").count() == min(total, 50)
        assert page.locator("#timeline rect.bar").count() > 0

        # Filter by event type: markers, table and export links follow.
        event_type = "Explosions/Remote violence"
        expected = get_json(base + "/export.geojson?event_type=" + urllib.request.quote(event_type))["features"]
        expected_total = get_json(base + "/incidents?limit=1&event_type=" + urllib.request.quote(event_type))["total"]
        assert 0 < len(expected) < len(located)
        page.select_option("[data-testid=type]", "e:" + event_type)
        wait_ready(page)
        assert int(page.get_attribute("#map", "data-markers")) == len(expected)
        assert markers_on_map(page) == len(expected)
        assert page.locator("#table tbody tr").count() == expected_total
        assert page.text_content("#count").startswith(f"{expected_total} incident")
        assert {e.get_attribute("data-event-type") for e in page.locator(".leaflet-marker-pane .inc-marker").all()} <= {event_type}
        assert "event_type=Explosions" in page.get_attribute("#export-csv", "href")

        page.select_option("[data-testid=type]", "")
        wait_ready(page)
        assert markers_on_map(page) == len(located)

        # Open the best-documented incident from the table: figures, reports, highlighted evidence.
        incidents = get_json(base + "/incidents?limit=1000")["items"]
        chosen = max(
            (i for i in incidents if i["location"] and i["location"]["lat"] is not None and i["evidence"]),
            key=lambda i: (len(i["articles"]), len(i["figures"]), len(i["evidence"])),
        )
        page.click(f"#table tbody tr[data-id='{chosen['id']}']")
        page.wait_for_selector(f"#incident-view[data-loaded='{chosen['id']}']", timeout=TIMEOUT_MS)
        view = page.locator("#incident-view")
        assert page.locator("#list-view").is_hidden()
        assert view.locator("table.figures tbody tr").count() == len(chosen["figures"])
        for figure in chosen["figures"]:
            assert figure["quote"].split()[0] in view.text_content()
        assert view.locator(".report").count() == len(chosen["articles"])
        marks = view.locator("mark.span-evidence")
        assert marks.count() > 0
        marked = "".join("".join(m.text_content().split()) for m in view.locator("mark").all())
        for evidence in chosen["evidence"]:  # every evidence span is highlighted (whitespace aside)
            assert "".join(evidence["text"].split()) in marked, evidence
        assert page.locator(".leaflet-marker-pane .inc-marker.selected").count() == 1

        page.set_viewport_size({"width": 1400, "height": 1000})
        view.locator(".report").first.evaluate("el => el.scrollIntoView({block: 'end'})")
        page.wait_for_timeout(300)
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        if os.environ.get("SITREP_UPDATE_SCREENSHOT"):  # refresh the README's picture on request only
            shutil.copyfile(shot, ROOT / "docs" / "dashboard.png")

        # Back to the list.
        page.click("[data-testid=back]")
        page.wait_for_selector("#list-view:not([hidden])", timeout=TIMEOUT_MS)
        assert not errors, errors
        page.close()


def test_report_markup_never_runs(browser, tmp_path):
    ledger = build_sample_ledger(str(tmp_path / "hostile.db"))
    app = create_app(ledger=ledger, write_token=None, read_token=None)
    with serve(app) as base:
        # Without the Content-Security-Policy, so that only the page's own escaping protects it.
        context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "/")
        wait_ready(page)
        row = page.locator(f"#table tbody tr[data-id='{XSS_ID}']")
        assert "<img src=x onerror=" in row.text_content()
        assert "<script>" in row.text_content()

        page.goto(base + f"/#incident/{XSS_ID}")
        page.wait_for_selector(f"#incident-view[data-loaded='{XSS_ID}']", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)
        view = page.locator("#incident-view")
        text = view.text_content()
        assert XSS_SCRIPT in text and XSS_IMG in text  # shown, as text
        assert "<b onmouseover=" in text and "<i>Sahel</i> Wire" in text
        assert view.locator("script, img, b, i, iframe").count() == 0
        assert page.locator("#incident-view a[href^='javascript']").count() == 0
        highlighted = [m.text_content() for m in view.locator("mark").all()]
        assert XSS_SCRIPT in highlighted and XSS_IMG in highlighted
        page.locator(".leaflet-marker-pane .inc-marker.selected").hover()  # tooltips are text too
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for(timeout=TIMEOUT_MS)
        assert "<img src=x onerror=" in tooltip.text_content()
        assert tooltip.locator("img, script").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        assert dialogs == []
        context.close()
    ledger.close()
