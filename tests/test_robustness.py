"""The extractor never loses a report to an exception: regressions for inputs that used to raise, and
(below) property-based checks of the strict pipeline on truncated, re-cased and random reports."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.codebook import load_codebook
from sitrep.extract.dates import find_dates
from sitrep.extract.figures import find_figures
from sitrep.records import Article

AIRSTRIKE = ("Two soldiers were killed and five more injured in a coalition airstrike in the southeastern "
             "part of the town")


@pytest.fixture(scope="module")
def strict(pipeline):
    """The session's pipeline (its loaded model and stages shared), strict: exceptions propagate."""
    strict = copy.copy(pipeline)
    strict.strict = True
    return strict


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


# ---------------------------------------------------------------- stage isolation

TWO_ATTACKS = ("A car bomb killed 12 people in Kabul on Tuesday, police said. "
               "On Monday, gunmen shot dead three farmers in Kandahar.")
PUBLISHED = dt.date(2016, 5, 25)
DETAIL = r"^RuntimeError: injected \((?P<file>\w+\.py):\d+\)$"


def _boom(*args, **kwargs):
    raise RuntimeError("injected")


def _places(extraction) -> set[str]:
    return {i.location.name for i in extraction.incidents if i.location is not None}


def test_problem_detail_names_the_innermost_sitrep_frame():
    from sitrep.extract.problems import attempt

    problems = []
    assert attempt("sentence", problems, find_figures, None, fallback=[], start=3, end=9) == []
    [p] = problems
    assert (p.stage, p.start, p.end) == ("sentence", 3, 9)
    assert re.match(r"^AttributeError: .+ \(figures\.py:\d+\)$", p.detail)  # raised inside find_figures
    with pytest.raises(AttributeError):
        attempt("sentence", None, find_figures, None)  # no list: strict


def test_the_session_pipeline_is_not_strict(pipeline):
    assert pipeline.strict is False


def test_a_failing_sentence_loses_only_its_own_mentions(pipeline, monkeypatch):
    from sitrep.extract import mentions

    article = Article.from_text(TWO_ATTACKS, published=PUBLISHED)
    assert _places(pipeline.extract(article)) >= {"Kabul", "Kandahar"}
    real = mentions.find_figures

    def figures(sent):
        return _boom() if "Kandahar" in sent.text else real(sent)

    monkeypatch.setattr(mentions, "find_figures", figures)
    extraction = pipeline.extract(article)
    assert "Kabul" in _places(extraction) and "Kandahar" not in _places(extraction)
    [problem] = extraction.problems
    second = TWO_ATTACKS.index("On Monday")
    assert (problem.stage, problem.start, problem.end) == ("sentence", second, len(TWO_ATTACKS))
    assert re.match(DETAIL, problem.detail).group("file") == "mentions.py"
    [(_, batch)] = list(pipeline.extract_many([article]))
    assert batch.problems == extraction.problems and _places(batch) == _places(extraction)
    monkeypatch.setattr(pipeline, "strict", True)
    with pytest.raises(RuntimeError, match="injected"):
        pipeline.extract(article)


@pytest.mark.parametrize("stage", ["roles", "setting", "places"])
def test_a_failing_report_stage_keeps_the_incidents(pipeline, monkeypatch, stage):
    article = Article.from_text(TWO_ATTACKS, published=PUBLISHED)
    target = {"roles": (pipeline.mentions, "roles"), "setting": (pipeline.mentions, "setting"),
              "places": (pipeline.mentions.places, "context")}[stage]
    monkeypatch.setattr(*target, _boom)
    extraction = pipeline.extract(article)
    assert _places(extraction) >= {"Kabul", "Kandahar"}
    assert [(p.stage, p.detail.split(" (")[0]) for p in extraction.problems] == [(stage, "RuntimeError: injected")]


def test_failed_role_attachment_leaves_no_half_attached_roles(pipeline, monkeypatch):
    from sitrep.extract import mentions

    article = Article.from_text(TWO_ATTACKS, published=PUBLISHED)
    calls = []

    def attach(found, spans, doc, actors):
        for m in found:
            m.victims.append("half-attached")
        calls.append(1)
        raise RuntimeError("injected")

    monkeypatch.setattr(mentions, "attach", attach)
    found, _ = pipeline.mentions.find(pipeline.nlp(article.text), PUBLISHED, problems := [])
    assert calls and [p.stage for p in problems] == ["roles"]
    assert all("half-attached" not in m.victims for m in found)


def test_a_failing_grouping_or_mention_stage_costs_the_incidents_only(pipeline, monkeypatch):
    from sitrep import pipeline as module

    article = Article.from_text(TWO_ATTACKS, published=PUBLISHED)
    monkeypatch.setattr(module, "group", _boom)
    extraction = pipeline.extract(article)
    assert extraction.incidents == [] and [p.stage for p in extraction.problems] == ["grouping"]
    monkeypatch.undo()
    monkeypatch.setattr(pipeline.mentions, "find", _boom)
    extraction = pipeline.code(article, pipeline.nlp(article.text))
    assert extraction.incidents == [] and [p.stage for p in extraction.problems] == ["mentions"]


class _FlakyParser:
    """The pipeline's spaCy model, except that it raises on any text containing BOOM."""

    def __init__(self, nlp):
        self.nlp = nlp
        self.batches = 0

    def pipe(self, texts, batch_size=32, as_tuples=False):
        texts = list(texts)
        self.batches += 1
        if any("BOOM" in (t[0] if as_tuples else t) for t in texts):
            raise ValueError("parser fell over")
        return self.nlp.pipe(texts, batch_size=batch_size, as_tuples=as_tuples)


def test_a_failing_parse_costs_only_its_report(pipeline, monkeypatch):
    flaky = _FlakyParser(pipeline.nlp)
    monkeypatch.setattr(pipeline, "nlp", flaky)
    good = Article.from_text(TWO_ATTACKS, published=PUBLISHED)
    bad = Article.from_text("BOOM. A bomb killed 4 people in Mosul.", published=PUBLISHED)
    alone = pipeline.extract(bad)
    assert alone.incidents == [] and [(p.stage, p.start) for p in alone.problems] == [("parse", None)]
    assert alone.problems[0].detail.startswith("ValueError: parser fell over")
    flaky.batches = 0
    out = list(pipeline.extract_many([good, bad, good], batch_size=8))
    assert flaky.batches == 1 + 3  # parsed as one batch, which failed: then report by report
    assert [a.id for a, _ in out] == [good.id, bad.id, good.id]
    assert _places(out[0][1]) >= {"Kabul", "Kandahar"} and _places(out[2][1]) == _places(out[0][1])
    assert out[1][1].problems == alone.problems
    flaky.batches = 0
    assert list(pipeline.extract_many([good, good])) and flaky.batches == 1  # no BOOM: one batch
    monkeypatch.setattr(pipeline, "strict", True)
    with pytest.raises(ValueError):
        list(pipeline.extract_many([good, bad]))


# ---------------------------------------------------------------- well-formed output


def check_well_formed(text: str, extraction) -> None:
    """Every offset inside the text, every quoted text the text at its offsets, figures non-negative and
    low <= best <= high."""
    n = len(text)
    for incident in extraction.incidents:
        for e in incident.evidence:
            assert 0 <= e.start <= e.end <= n, e
            assert text[e.start:e.end] == e.text, e
        for f in incident.figures:
            assert 0 <= f.start <= f.end <= n and f.value >= 0, f
            assert f.quote in text, f
        for r in (incident.killed, incident.injured):
            assert r is None or 0 <= r.low <= r.best <= r.high, r
        if incident.location is not None and incident.location.lat is not None:
            assert -90 <= incident.location.lat <= 90 and -180 <= incident.location.lon <= 180
    for x in extraction.excluded:
        assert 0 <= x.start <= x.end <= n and text[x.start:x.end] == x.text, x
    for p in extraction.problems:
        assert p.start is None or 0 <= p.start <= p.end <= n, p


def test_sentence_evidence_leaves_out_the_paragraph_break(strict):
    """spaCy's sentence keeps the blank line after it; the event evidence (and an excluded mention) is the
    sentence itself, its offsets those of its text."""
    text = ("A car bomb killed 12 people in Kabul on Tuesday, police said.\n\n  \n"
            "Gunmen killed 3 in Kandahar.  \n\nThe war has killed 100,000 people since 2001.\n\n")
    extraction = strict.extract(Article.from_text(text, published=PUBLISHED))
    check_well_formed(text, extraction)
    events = [e for i in extraction.incidents for e in i.evidence if e.field == "event"]
    assert {e.text for e in events} >= {"A car bomb killed 12 people in Kabul on Tuesday, police said."}
    assert extraction.excluded and all(not x.text[-1].isspace() for x in extraction.excluded)


# ---------------------------------------------------------------- property-based: the strict pipeline

REPORTS = [
    AIRSTRIKE + ", a local official said.",
    *EDGE_REPORTS,
    TWO_ATTACKS,
    ("KHARKIV, Ukraine — Russian shelling killed at least 7 civilians, including two children, and wounded "
     "dozens more overnight into Tuesday, regional governor Oleh Syniehubov said. Another 48 were hurt in "
     "Izium, where 3 more died of their wounds the previous day."),
    ("san salvador, 12 jan 90 (radio cadena nacional) -- urban guerrillas attacked the home of colonel jose "
     "maria ramirez today. two soldiers were killed and three civilians wounded. the fmln claimed "
     "responsibility for the attack, carried out with rifles and grenades."),
    ("Police said a 17-year-old boy was shot and killed and his father was also shot Saturday night on the "
     "2300 block of North Oak in Toledo. The suspect then turned the gun on himself. No one else was hurt."),
    *(p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "reports").glob("*.txt"))[:8]),
]
DAYS = [None, dt.date.min, dt.date(1, 1, 5), dt.date(1990, 1, 12), dt.date(2016, 5, 24), dt.date(9999, 12, 28),
        dt.date.max]
CASES = [str, str.upper, str.lower, str.title]


def _cue_words() -> list[str]:
    """The extractor's own vocabulary, from the codebook: event cues, act words, actors, weapons,
    modality cues, reporters, off-topic words."""
    book = load_codebook()
    words: set[str] = set()
    for t in book.sub_event_types:
        words.update(t.strong + t.weak + t.label)
    for group in (*book.frames.acts.values(), *book.frames.actors.values(), book.frames.collective,
                  book.frames.armed_markers, book.frames.background, book.frames.unrealised,
                  *book.gtd.weapon_types.values(), *book.gtd.target_types.values(), *book.weapons.values(),
                  *book.modality.values(), *book.reporter_authority.values(), book.off_topic):
        words.update(group)
    for actor in book.actors:
        words.update([actor.name, *actor.aliases])
    return sorted(w for w in words if isinstance(w, str) and w.strip())


CUES = _cue_words()
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve twenty thirty hundred "
                "thousand million dozen dozens scores hundreds a an another more others first").split()
GLUE = ("and or of in at on near the a were was are killed dead wounded injured shot by said police "
        "including among them at least more than up to about some yesterday today Monday last week ago "
        "himself his her their no one nobody Kabul Jableh Toledo Zamfara").split()
PUNCT = [".", ",", ";", ":", "-", "—", "–", "(", ")", "\"", "“", "”", "'s", "’s", "?", "!", "%", "$", "\n", "\n\n",
         "/", "&", "...", "'"]
NUMBERS = st.one_of(st.integers(min_value=0, max_value=10**9).map(str),
                    st.integers(min_value=0, max_value=99).map(lambda n: f"{n}-year-old"),
                    st.sampled_from(["1,200", "3.5", "10-15", "0", "00", "1.5 million", "9" * 25, "½", "٣"]),
                    st.sampled_from(NUMBER_WORDS))
TOKENS = st.one_of(st.sampled_from(CUES), st.sampled_from(GLUE), NUMBERS, st.sampled_from(PUNCT))
SOUP = st.lists(TOKENS, min_size=1, max_size=30).map(" ".join)


@st.composite
def excerpts(draw) -> str:
    """A real-looking report cut at the end, at the start or both (anywhere, mid-word included)."""
    report = draw(st.sampled_from(REPORTS))
    end = draw(st.integers(min_value=0, max_value=len(report)))
    start = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=end)))
    return report[start:end]


SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _code(strict, text: str, published) -> None:
    extraction = strict.extract(Article.from_text(text, published=published))
    assert extraction.problems == []
    check_well_formed(text, extraction)


@SETTINGS
@given(text=excerpts(), case=st.sampled_from(CASES), published=st.sampled_from(DAYS))
def test_truncated_and_recased_reports(strict, text, case, published):
    _code(strict, case(text), published)


@SETTINGS
@given(text=SOUP, case=st.sampled_from(CASES), published=st.sampled_from(DAYS))
def test_random_cue_word_sequences(strict, text, case, published):
    _code(strict, case(text), published)


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.one_of(excerpts(), SOUP), min_size=1, max_size=5), published=st.sampled_from(DAYS))
def test_batches_code_as_one_by_one(strict, texts, published):
    articles = [Article.from_text(t, published=published) for t in texts]
    batch = [x for _, x in strict.extract_many(articles, batch_size=2)]
    assert batch == [strict.extract(a) for a in articles]
