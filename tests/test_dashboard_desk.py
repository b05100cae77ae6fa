"""The dashboard answers the usual questions, in headless Chromium: counts by day, week and month; by region
and by actor, each a filter; week- and month-precise dates as ranges; the edit history as people read it;
downloads and the brief of the current filter; the feed's item id beside the evidence."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import urllib.request

import pytest
from ledger_samples import build_sample_ledger
from test_dashboard import TIMEOUT_MS, browser, get_json, serve, wait_ready  # noqa: F401 (browser: a fixture)

from sitrep.api import create_app
from sitrep.records import Article, Evidence, Extraction, Incident, Place, Range

FEED_TEXT = "Gunmen killed four people in Djibo on Tuesday, officials said."


@pytest.fixture(scope="module")
def desk_ledger(tmp_path_factory):
    """The sample ledger, with a week-precise incident, an analyst's edit and a report from a feed."""
    ledger = build_sample_ledger(str(tmp_path_factory.mktemp("desk") / "ledger.db"))
    ledger.edit_incident("SYR-20160523-jableh", {"killed": 120}, by="ana", note="hospital lists")
    ledger.edit_incident("UKR-20220301-kharkiv", {"date_precision": "week"}, by="ana")
    article = Article.from_text(FEED_TEXT, source="Sahel Wire", published=dt.date(2024, 3, 6),
                                feed_item_id="sahel-wire-7781")
    ledger.add(article, Extraction(incidents=[Incident(
        id="BFA-20240305-djibo", event_type="Violence against civilians", sub_event_type="Attack",
        date=dt.date(2024, 3, 5), date_precision="day",
        location=Place(name="Djibo", lat=14.1, lon=-1.63, country_code="BF", admin1="Sahel", precision="town"),
        killed=Range(low=4, best=4, high=4), articles=[article.id],
        evidence=[Evidence(field="event", article_id=article.id, start=0, end=len(FEED_TEXT), text=FEED_TEXT)],
    )]))
    yield ledger
    ledger.close()


def test_the_analysts_questions(browser, desk_ledger):  # noqa: F811
    with serve(create_app(ledger=desk_ledger, write_token=None, read_token=None)) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/")
        wait_ready(page)

        # The map reads the GeoJSON's flat properties: markers sized by fatalities, tooltips with tolls.
        assert int(page.get_attribute("#map", "data-markers")) == len(get_json(base + "/export.geojson")["features"])

        # Counts by day, week and month.
        days = page.locator("#timeline rect.bar").count()
        page.select_option("[data-testid=granularity]", "month")
        assert page.get_attribute("#timeline", "data-unit") == "month"
        months = page.locator("#timeline rect.bar").count()
        by_month = {d["date"][:7] for d in get_json(base + "/stats")["by_day"]}
        assert months == len(by_month) and months <= days
        first = page.locator("#timeline rect.bar").first
        assert first.get_attribute("data-date").endswith("-01")
        page.select_option("[data-testid=granularity]", "week")
        assert page.get_attribute("#timeline", "data-unit") == "week"
        assert "week" in page.text_content("#timeline-unit")
        page.select_option("[data-testid=granularity]", "day")
        assert page.locator("#timeline rect.bar").count() == days

        # By region and by actor, each a filter.
        regions = page.locator("[data-testid=by-region] button")
        assert regions.count() >= 5
        page.locator("[data-testid=by-region] button", has_text="Latakia").click()
        wait_ready(page)
        assert page.input_value("[data-testid=admin1]") == "Latakia"
        assert page.input_value("[data-testid=country]") == "SY"
        assert [r.get_attribute("data-id") for r in page.locator("#table tbody tr").all()] == ["SYR-20160523-jableh"]
        assert "admin1=Latakia" in page.get_attribute("#export-csv", "href")
        assert "admin1=Latakia" in page.get_attribute("#export-geojson", "href")
        brief = page.get_attribute("[data-testid=brief]", "href")
        assert brief.startswith("/brief?") and "format=html" in brief and "admin1=Latakia" in brief
        assert "format=pdf" in page.get_attribute("#brief-pdf", "href")
        page.click("#reset")
        wait_ready(page)
        page.locator("[data-testid=by-actor] button", has_text="Islamic State").click()
        wait_ready(page)
        assert page.input_value("[data-testid=actor]") == "Islamic State"
        assert page.locator("#table tbody tr").count() == 2

        # The downloads and the brief of the current filter answer.
        for link in ("#export-csv", "#export-geojson", "[data-testid=brief]"):
            with urllib.request.urlopen(base + page.get_attribute(link, "href"), timeout=30) as response:
                assert response.status == 200
                body = response.read().decode("utf-8")
            assert "Jableh" in body and "Kano" not in body, link
        page.click("#reset")
        wait_ready(page)

        # A week-precise incident is shown as the week it stands for.
        row = page.locator("#table tbody tr[data-id='UKR-20220301-kharkiv'] td").first
        assert row.text_content() == "2022-02-28 – 2022-03-06 (week)"

        # The edit history as people read it: when, who, field: old → new.
        page.goto(base + "/#incident/SYR-20160523-jableh")
        page.wait_for_selector("#incident-view[data-loaded='SYR-20160523-jableh']", timeout=TIMEOUT_MS)
        history = page.locator(".history li")
        lines = [" ".join(li.text_content().split()) for li in history.all()]
        edit = next(line for line in lines if "ana" in line)
        assert "ana (edited)" in edit and "killed: 100 → 120" in edit and "hospital lists" in edit
        assert " UTC" in edit
        assert not any("{" in line for line in lines), lines  # no raw JSON
        assert any("incident recorded" in line for line in lines)

        # The feed's item id beside the report's evidence.
        page.goto(base + "/#incident/BFA-20240305-djibo")
        page.wait_for_selector("#incident-view[data-loaded='BFA-20240305-djibo']", timeout=TIMEOUT_MS)
        meta = page.locator("#incident-view .report-meta").first.text_content()
        assert "feed item sahel-wire-7781" in meta
        assert not errors, errors
        page.close()


def test_the_brief_button_opens_a_brief_under_the_csp(browser, desk_ledger):  # noqa: F811
    with serve(create_app(ledger=desk_ledger, write_token=None, read_token=None)) as base:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base + "/brief?" + urllib.parse.urlencode({"country": "SY", "since": "2016-05-01",
                                                             "until": "2016-05-31"}))
        assert page.locator("svg.map circle.incident").count() == 2
        assert page.locator("svg.chart rect.bar").count() == 31
        assert "Jableh" in page.text_content("body")
        assert all(url.startswith(base) for url in requests), requests  # nothing from elsewhere
        page.close()
