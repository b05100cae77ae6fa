"""Temporal expressions resolved against the publication date (sitrep.extract.dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.extract.dates import find_dates

TUESDAY = dt.date(2016, 5, 24)


def resolved(text: str, published: dt.date | None = TUESDAY) -> list[tuple[str, str, str]]:
    return [(d.text, d.date.isoformat(), d.precision) for d in find_dates(text, published)]


@pytest.mark.parametrize(("text", "expected"), [
    ("At least 75 people died yesterday in car bombings",
     [("yesterday", "2016-05-23", "day")]),
    ("Yesterday's blasts recalled earlier attacks", [("Yesterday", "2016-05-23", "day")]),
    ("the day before yesterday", [("the day before yesterday", "2016-05-22", "day")]),
    ("officials said today and this morning", [("today", "2016-05-24", "day"),
                                                ("this morning", "2016-05-24", "day")]),
    ("clashes overnight left two dead", [("overnight", "2016-05-23", "day")]),
    ("clashes last night", [("last night", "2016-05-23", "day")]),
    ("fighting overnight into Tuesday", [("Tuesday", "2016-05-24", "day")]),
    # another day in the same sentence dates the event: "overnight" is then not "last night"
    ("an overnight dispute escalated into gunfire on Sunday", [("Sunday", "2016-05-22", "day")]),
    ("the attack on Tuesday", [("Tuesday", "2016-05-24", "day")]),
    ("the attack on monday and the raid on sunday", [("monday", "2016-05-23", "day"),
                                                     ("sunday", "2016-05-22", "day")]),
    ("the attack on Wednesday", [("Wednesday", "2016-05-18", "day")]),
    ("last Tuesday", [("last Tuesday", "2016-05-17", "day")]),
    ("talks next Tuesday", []),
    ("last week", [("last week", "2016-05-17", "week")]),
    ("last month", [("last month", "2016-04-01", "month")]),
    ("earlier this month", [("earlier this month", "2016-05-01", "month")]),
    ("so far this year", [("so far this year", "2016-01-01", "year")]),
    ("three days ago", [("three days ago", "2016-05-21", "day")]),
    ("2 days ago", [("2 days ago", "2016-05-22", "day")]),
    ("a year and a half ago", [("a year and a half ago", "2014-11-01", "month")]),
    ("on May 23", [("May 23", "2016-05-23", "day")]),
    ("on 23 May", [("23 May", "2016-05-23", "day")]),
    ("on May 23, 2016", [("May 23, 2016", "2016-05-23", "day")]),
    ("on Tuesday, May 24, 2016", [("Tuesday, May 24, 2016", "2016-05-24", "day")]),
    ("on June 2", [("June 2", "2015-06-02", "day")]),
    ("on 30 december in san luis", [("30 december", "2015-12-30", "day")]),
    ("san salvador, 12 jan 90 (radio)", [("12 jan 90", "1990-01-12", "day")]),
    ("the 2016-05-23 attack", [("2016-05-23", "2016-05-23", "day")]),
    ("talks fizzled in April", [("April", "2016-04-01", "month")]),
    ("in may the rebels attacked", [("may", "2016-05-01", "month")]),
    ("in March 2015", [("March 2015", "2015-03-01", "month")]),
    ("in December", [("December", "2015-12-01", "month")]),
    ("attacks in 1986 that killed 144", [("1986", "1986-01-01", "year")]),
    ("since 2011", [("2011", "2011-01-01", "year")]),
    ("IS seized control in mid-2014", [("2014", "2014-01-01", "year")]),
    ("On May 20 they fled; the following day they returned",
     [("May 20", "2016-05-20", "day"), ("the following day", "2016-05-21", "day")]),
    ("the previous day", [("the previous day", "2016-05-23", "day")]),
])
def test_resolves(text, expected):
    assert resolved(text) == expected


@pytest.mark.parametrize("text", [
    "they may be killed",
    "the 5 may have died",
    "a protest march through the city",
    "Around 15 minutes after the blasts",
    "a 22-year-old student",
    "killed more than 270,000 people",
    "a toll of 1986 people",
    "No temporal words here at all.",
])
def test_no_dates(text):
    assert resolved(text) == []


def test_without_publication_date_only_absolute_forms_resolve():
    assert resolved("yesterday, on Tuesday, in May, on May 23, on May 23, 2016 and in 1986",
                    None) == [("May 23, 2016", "2016-05-23", "day"), ("1986", "1986-01-01", "year")]


def test_offsets_index_the_article():
    (d,) = find_dates("killed yesterday", TUESDAY, offset=100)
    assert (d.start, d.end) == (107, 116)


def test_a_date_is_never_after_publication():
    assert resolved("on May 25") == [("May 25", "2015-05-25", "day")]


@pytest.mark.parametrize(("text", "reporting"), [
    # a statement's date, and a court or police step after the act
    ("A man was shot late Saturday, police said Monday.", [False, True]),
    ("Officers told reporters Friday that the gunman fled.", [True]),
    ("The sheriff said in a statement Friday that two men died.", [True]),
    ("The woman was arraigned Wednesday on murder charges.", [True]),
    # the page's time stamp
    ("Posted: Tuesday, May 17, 2016 5:46 PM EDT", [True]),
    ("Friday, May 20, 2016 | Updated 8:52 PM EDT", [True]),
    ("Published: May 20, 2016", [True]),
    # the act's date
    ("The shooting happened Monday around 5:30 p.m.", [False]),
    ("A neighbour told reporters after the shootings Thursday night that she was afraid.", [False]),
    ("Two men were killed on Sunday, May 22, 2016 at 3 p.m. in a raid.", [False]),
])
def test_dates_of_statements_and_of_the_report_are_marked(text, reporting):
    assert [d.reporting for d in find_dates(text, TUESDAY)] == reporting


def test_the_weekend_is_its_week():
    assert resolved("two men were shot over the weekend") == [("over the weekend", "2016-05-21", "week")]
    assert resolved("last weekend") == [("last weekend", "2016-05-21", "week")]


def test_an_incident_is_dated_by_its_act_not_by_the_statement(pipeline):
    from sitrep.records import Article

    text = ("Police said Monday that they are still looking for the gunman.\n\n"
            "A 24-year-old man was shot and killed late Saturday outside a bar in Dallas, Texas.")
    (incident,) = pipeline.extract(Article.from_text(text, published=dt.date(2016, 5, 23))).incidents
    assert (incident.date, incident.date_precision) == (dt.date(2016, 5, 21), "day")


def test_an_incident_placed_nowhere_is_dated_by_its_act_not_by_the_page_stamp(pipeline):
    from sitrep.records import Article

    text = ("Neighbour Says Alleged Shooter Was Quiet\nFriday, May 20, 2016 | Updated 8:52 PM EDT\n\n"
            "The woman accused of killing two co-workers at the plant was a quiet person, a neighbour told "
            "reporters after the shootings Thursday night.")
    (incident,) = pipeline.extract(Article.from_text(text, published=dt.date(2016, 5, 20))).incidents
    assert (incident.date, incident.date_precision) == (dt.date(2016, 5, 19), "day")
