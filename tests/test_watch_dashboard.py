"""The dashboard's "Watched sources" panel in headless Chromium: it lists what `sitrep watch` follows, marks
failing sources, and shows hostile source names as text (the browser, the server and the skip rule are
those of tests/test_dashboard.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_samples import XSS_IMG
from test_dashboard import CHROMIUM, TIMEOUT_MS, browser, serve, wait_ready  # noqa: F401 (browser: a fixture)

from sitrep.api import create_app
from sitrep.store.ledger import Ledger
from sitrep.watch.sources import Source
from sitrep.watch.state import WatchState

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium)")


def test_the_sources_panel_lists_the_watch_state_as_text(browser, tmp_path):  # noqa: F811
    ledger = Ledger(str(tmp_path / "watched.db"))
    state = WatchState(ledger)
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=15)
    good = state.register(Source(url="https://wire.example.org/rss", kind="feed", name="Example Wire"))
    state.polled(good, ok=True, status="3 items, 3 new, 3 stored", next_poll=soon)
    bad = state.register(Source(url="https://bad.example.org/rss", kind="feed", name=XSS_IMG))
    state.polled(bad, ok=False, status="failed", error="HTTP 500 Internal Server Error", next_poll=soon)
    with serve(create_app(ledger=ledger, write_token=None, read_token=None)) as base:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(base + "/")
        wait_ready(page)
        panel = page.locator("#sources-panel")
        panel.wait_for(state="attached", timeout=TIMEOUT_MS)
        page.wait_for_function("() => !document.getElementById('sources-panel').hidden", timeout=TIMEOUT_MS)
        assert page.locator("#sources-count").text_content() == "(2, 1 failing)"
        page.locator("#sources-panel summary").click()
        rows = page.locator("#sources-table tbody tr")
        assert rows.count() == 2
        failing = page.locator("#sources-table tbody tr.failing")
        assert failing.text_content().startswith(XSS_IMG) and failing.get_attribute("title").startswith("HTTP 500")
        assert panel.locator("img").count() == 0 and page.evaluate("() => window.__pwned") is None
        context.close()
    ledger.close()


def test_the_panel_stays_hidden_when_nothing_is_watched(browser, tmp_path):  # noqa: F811
    ledger = Ledger(str(tmp_path / "empty.db"))
    with serve(create_app(ledger=ledger, write_token=None, read_token=None)) as base:
        page = browser.new_page()
        page.goto(base + "/")
        wait_ready(page)
        page.wait_for_timeout(300)
        assert page.locator("#sources-panel").is_hidden()
        page.close()
    ledger.close()
