"""The extractor never loses a report to an exception: regressions for inputs that used to raise, and
(below) property-based checks of the strict pipeline on truncated, re-cased and random reports."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.extract.dates import find_dates
from sitrep.extract.figures import find_figures
from sitrep.records import Article

AIRSTRIKE = ("Two soldiers were killed and five more injured in a coalition airstrike in the southeastern "
             "part of the town")


@pytest.fixture(scope="module")
def strict(pipeline):
    """The session's pipeline, made strict (exceptions propagate) for this module's tests."""
    before = pipeline.strict
    pipeline.strict = True
    yield pipeline
    pipeline.strict = before


# ---------------------------------------------------------------- figures: indexing past the sentence end


@pytest.mark.parametrize("text", [
    "Two soldiers were killed and",
    "Two soldiers were killed and ",
    "TWO SOLDIERS WERE KILLED AND",
    "three people were shot and",
    "Three people were shot and killed and",
    "A man was shot dead, one fatally, and 12 dead or",
    "Gunmen lost their lives and 3 were taken hostage and",
])
def test_figures_at_the_end_of_the_text(nlp_base, text):
    doc = nlp_base(text)
    for span in [doc[:], *doc.sents]:
        for f in find_figures(span):
            assert doc.text[f.start:f.end] == f.text


@pytest.mark.parametrize("cut", range(20, len(AIRSTRIKE) + 1, 3))
def test_truncated_airstrike_report(strict, cut):
    text = AIRSTRIKE[:cut]
    extraction = strict.extract(Article.from_text(text, published=dt.date(2016, 5, 24)))
    for incident in extraction.incidents:
        for e in incident.evidence:
            assert text[e.start:e.end] == e.text


# ---------------------------------------------------------------- dates at the ends of the calendar

FIRST_DAY, LAST_DAY = dt.date.min, dt.date.max  # 0001-01-01 (a Monday), 9999-12-31
EDGE_DAYS = [FIRST_DAY, dt.date(1, 1, 5), dt.date(9999, 12, 28), LAST_DAY]
RELATIVE = ["yesterday", "on Tuesday", "last Monday", "last week", "next week", "three weeks ago",
            "the previous day", "the day before yesterday", "10 days ago", "last month", "12 months ago",
            "last year", "2 years ago", "a year and a half ago", "in December", "on 31 December",
            "on May 3", "today", "this week", "the following day"]


@pytest.mark.parametrize("published", EDGE_DAYS, ids=str)
@pytest.mark.parametrize("phrase", RELATIVE)
def test_relative_dates_at_the_ends_of_the_calendar(published, phrase):
    """A date that would resolve before 0001-01-01 or after 9999-12-31 is no date, not an OverflowError."""
    for d in find_dates(f"Gunmen killed 3 people {phrase}.", published):
        assert dt.date.min <= d.date <= dt.date.max


def test_a_date_before_the_calendar_is_no_date():
    assert find_dates("yesterday", FIRST_DAY) == []
    assert [(d.text, d.date) for d in find_dates("today", FIRST_DAY)] == [("today", FIRST_DAY)]
    assert [d.date for d in find_dates("last Tuesday", LAST_DAY)] == [dt.date(9999, 12, 28)]


EDGE_REPORTS = [
    "Yesterday two soldiers were killed and five wounded in an air strike on Jableh, Syria.",
    "On Tuesday a car bomb killed 12 people in Kabul, police said. Next week the city will mourn them.",
    "Gunmen killed three villagers in Zamfara state last month; the following day two more were abducted.",
    "Police in Toledo, Ohio said a man was shot dead on December 31. Talks resume next week.",
]


@pytest.mark.parametrize("published", EDGE_DAYS, ids=str)
def test_pipeline_on_reports_published_at_the_ends_of_the_calendar(strict, published):
    for text in EDGE_REPORTS:
        extraction = strict.extract(Article.from_text(text, published=published))
        assert extraction.problems == []
        for incident in extraction.incidents:
            assert incident.date is None or dt.date.min <= incident.date <= dt.date.max


def test_blocking_windows_at_the_ends_of_the_calendar():
    from sitrep.merge import blocking
    from sitrep.records import Incident

    for day in EDGE_DAYS:
        lo, hi = blocking.probe_window(None, day, day)
        assert lo <= day <= hi
        lo, hi = blocking.orphan_window(day)
        assert lo <= day <= hi
        incident = Incident(id="inc-x", date=day, date_precision="day")
        lo, hi = blocking.probe_window(incident, day, day)
        assert lo <= day <= hi
        assert blocking.plausible_date(day, "day", day) == day
        assert blocking.anchor_day(None, None, day, day) == day


@pytest.mark.parametrize("published", EDGE_DAYS, ids=str)
def test_ledger_stores_incidents_at_the_ends_of_the_calendar(strict, db_url, published):
    """The merge engine probes and files incidents dated (and reports published) at the calendar's ends,
    on SQLite and PostgreSQL; the same report again folds into the stored incident."""
    from sitrep.store.ledger import Ledger

    with Ledger(db_url) as ledger:
        stored = 0
        for text in EDGE_REPORTS:
            article = Article.from_text(text, published=published)
            extraction = strict.extract(article)
            ledger.add(article, extraction)
            stored += bool(extraction.incidents)
        again = Article.from_text(EDGE_REPORTS[0] + " Officials confirmed the toll.", published=published)
        ledger.add(again, strict.extract(again))
        assert stored and ledger.counts()["incidents"] >= 1


def test_grouping_periods_at_the_end_of_the_calendar():
    """December 9999 has no next month and its last week runs past the calendar: periods stop there."""
    from sitrep.extract.grouping import _days_apart
    from sitrep.records import DateExpr

    month = DateExpr(text="December", start=0, end=8, date=dt.date(9999, 12, 1), precision="month")
    week = DateExpr(text="last week", start=0, end=9, date=dt.date(9999, 12, 28), precision="week")
    day = DateExpr(text="1 January", start=0, end=9, date=dt.date(1, 1, 1), precision="day")
    assert _days_apart(month, week) == 0
    assert _days_apart(week, day) == (dt.date(9999, 12, 28) - dt.date(1, 1, 1)).days
