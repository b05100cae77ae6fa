"""The ledger on real SQLite files: round trip, idempotency, merging, filters, rollback."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from sitrep.records import (
    Actor, Article, Evidence, Excluded, Extraction, Figure, Incident, Place, Range,
)
from sitrep.store.ledger import Ledger, normalize_db_url
from sitrep.store.schema import Base, IncidentRow

JABLEH_TEXT = (
    "At least 100 people were killed in Jableh on Monday, the Syrian Observatory said. "
    "Islamic State claimed the bombings."
)
TARTUS_TEXT = "In Tartus 48 people died and 20 were wounded, the Observatory said."


def make_article(text: str = JABLEH_TEXT, **kw) -> Article:
    kw.setdefault("source", "Reuters")
    kw.setdefault("published", dt.date(2016, 5, 23))
    return Article.from_text(text, **kw)


def figure(article: Article, phrase: str, kind: str = "killed", value: int = 100, **kw) -> Figure:
    start = article.text.index(phrase)
    return Figure(
        kind=kind, value=value, quote=phrase, article_id=article.id, start=start,
        end=start + len(phrase), **kw,
    )


def evidence(article: Article, field: str, phrase: str) -> Evidence:
    start = article.text.index(phrase)
    return Evidence(
        field=field, article_id=article.id, start=start, end=start + len(phrase), text=phrase
    )


def make_incident(article: Article, incident_id: str = "SYR-20160523-jableh", **kw) -> Incident:
    fields = dict(
        id=incident_id,
        event_type="Explosions/Remote violence",
        sub_event_type="Suicide bomb",
        date=dt.date(2016, 5, 23),
        date_precision="day",
        location=Place(
            name="Jableh", geonameid=172374, lat=35.3615, lon=35.9256, country_code="SY",
            admin1="Latakia", admin2="Jableh District", precision="town",
        ),
        perpetrators=[Actor(name="Islamic State", basis="claimed")],
        targets=["bus station"],
        victims=["civilians"],
        weapons=["suicide vest"],
        killed=Range(low=100, best=100, high=100),
        figures=[
            figure(article, "At least 100 people were killed", qualifier="at least",
                   reported_by="Syrian Observatory", scope="Jableh")
        ],
        claimed_by="Islamic State",
        sources=["Reuters", "Syrian Observatory"],
        related=[],
        articles=[article.id],
        evidence=[evidence(article, "perpetrators", "Islamic State claimed the bombings.")],
    )
    fields.update(kw)
    return Incident(**fields)


def incident_at(incident_id: str, date: dt.date, cc: str, sub: str, article: Article) -> Incident:
    return Incident(
        id=incident_id, sub_event_type=sub, date=date, date_precision="day",
        location=Place(name=incident_id, lat=1.0, lon=2.0, country_code=cc, precision="town"),
        articles=[article.id],
    )


@pytest.fixture
def ledger(db_url):
    with Ledger(db_url) as led:
        yield led


@pytest.fixture
def sqlite_ledger(tmp_path):
    with Ledger(str(tmp_path / "ledger.db")) as led:
        yield led


def test_add_and_read_back_full_record(ledger):
    article = make_article()
    incident = make_incident(article)
    excluded = Excluded(
        reason="historical", text="In 1986, 144 died", detail="year 1986",
        article_id=article.id, start=0, end=10,
    )
    result = ledger.add(article, Extraction(incidents=[incident], excluded=[excluded]))

    assert result.stored and result.article_id == article.id
    assert result.incidents == [incident.id]
    stored = ledger.incident(incident.id)
    assert stored.updated_at is not None and stored.updated_at.tzinfo is not None  # the ledger's last change
    assert stored.model_copy(update={"updated_at": None}) == incident
    assert [i.model_copy(update={"updated_at": None}) for i in ledger.incidents()] == [incident]
    assert ledger.article(article.id) == article
    assert ledger.has_content(article.content_hash)
    assert ledger.excluded(article.id) == [excluded]
    assert ledger.excluded() == [excluded]
    assert ledger.counts() == {"articles": 1, "incidents": 1, "figures": 1}
    assert ledger.incident("nope") is None
    assert ledger.article("nope") is None


def test_sqlite_pragmas(sqlite_ledger):
    with sqlite_ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_indexes(ledger):
    names = {ix["name"] for ix in inspect(ledger.engine).get_indexes("incidents")}
    assert {"ix_incidents_date", "ix_incidents_country_code", "ix_incidents_sub_event_type",
            "ix_incidents_lat_lon"} <= names


def test_schema_compiles_for_postgresql():
    dialect = postgresql.dialect()
    for table in Base.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert table.name in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))
    ddl = str(CreateTable(Base.metadata.tables["incidents"]).compile(dialect=dialect))
    assert "TIMESTAMP WITH TIME ZONE" in ddl and "JSON" in ddl and "DATE" in ddl


def test_reopen_file_keeps_data(tmp_path):
    path = tmp_path / "sub" / "dir" / "ledger.db"
    article = make_article()
    with Ledger(str(path)) as first:
        first.add(article, Extraction(incidents=[make_incident(article)]))
    with Ledger(f"sqlite:///{path}") as second:
        assert second.counts()["incidents"] == 1


def test_idempotent_re_add(ledger):
    article = make_article()
    extraction = Extraction(incidents=[make_incident(article)])
    ledger.add(article, extraction)
    before = ledger.counts()

    again = ledger.add(article, extraction)
    # same content under another id (e.g. a feed's own id) is still the same report
    renamed = ledger.add(article.model_copy(update={"id": "feed-42"}), extraction)

    assert again.stored is False and again.incidents == []
    assert renamed.stored is False and renamed.article_id == article.id
    assert ledger.counts() == before
    assert ledger.article("feed-42") is None


def test_same_id_different_content_is_refused(ledger):
    article = make_article()
    ledger.add(article, Extraction())
    other = make_article(TARTUS_TEXT).model_copy(update={"id": article.id})
    with pytest.raises(ValueError):
        ledger.add(other, Extraction())
    assert ledger.counts()["articles"] == 1


def test_two_articles_union_into_one_incident(ledger):
    first = make_article()
    ledger.add(first, Extraction(incidents=[make_incident(first)]))
    with Session(ledger.engine) as s:
        created = s.scalar(select(IncidentRow.created_at))
        updated = s.scalar(select(IncidentRow.updated_at))

    second = make_article(
        "Officials said 120 died in the Jableh attacks; 50 were wounded.", source="AP",
        published=dt.date(2016, 5, 24),
    )
    # the merged record carries the first report's figure and evidence again, plus new ones
    merged = make_incident(first)
    merged = merged.model_copy(update={
        "figures": merged.figures + [
            figure(second, "120 died", value=120, reported_by="Officials"),
            figure(second, "50 were wounded", kind="injured", value=50, reported_by="Officials"),
            figure(second, "120 died", value=120, reported_by="Officials"),  # duplicate
        ],
        "evidence": merged.evidence + [evidence(second, "killed", "120 died")],
        "killed": Range(low=100, best=120, high=120),
        "injured": Range(low=50, best=50, high=50),
        "perpetrators": [Actor(name="ISIL", basis="attributed")],
        "related": ["SYR-20160523-tartus"],
        "articles": [second.id],
        "claimed_by": None,  # unknown in this report: the stored claim stays
    })
    result = ledger.add(second, Extraction(incidents=[merged]))
    assert result.incidents == [merged.id]

    got = ledger.incident(merged.id)
    assert got is not None
    assert [(f.article_id, f.kind, f.value) for f in got.figures] == [
        (first.id, "killed", 100), (second.id, "killed", 120), (second.id, "injured", 50),
    ]
    assert len(got.evidence) == 2
    assert got.articles == [first.id, second.id]
    assert got.sources == ["AP", "Officials", "Reuters", "Syrian Observatory"]
    assert got.killed == Range(low=100, best=120, high=120)
    assert got.injured == Range(low=50, best=50, high=50)
    assert [a.name for a in got.perpetrators] == ["Islamic State", "ISIL"]
    assert got.claimed_by == "Islamic State"
    assert got.related == ["SYR-20160523-tartus"]
    assert ledger.counts() == {"articles": 2, "incidents": 1, "figures": 3}

    with Session(ledger.engine) as s:
        assert s.scalar(select(IncidentRow.created_at)) == created
        assert s.scalar(select(IncidentRow.updated_at)) > updated


@pytest.fixture
def populated(ledger):
    article = make_article()
    incidents = [
        incident_at("a-sy-old", dt.date(2016, 5, 1), "SY", "Suicide bomb", article),
        incident_at("b-sy-new", dt.date(2016, 6, 1), "SY", "Air/drone strike", article),
        incident_at("c-iq-mid", dt.date(2016, 5, 15), "IQ", "Suicide bomb", article),
        incident_at("d-iq-same", dt.date(2016, 5, 15), "IQ", "Armed clash", article),
        Incident(id="e-undated", sub_event_type="Suicide bomb", articles=[article.id]),
    ]
    ledger.add(article, Extraction(incidents=incidents))
    return ledger


def ids(incidents: list[Incident]) -> list[str]:
    return [i.id for i in incidents]


def test_incidents_order_and_no_filter(populated):
    assert ids(populated.incidents()) == [
        "b-sy-new", "c-iq-mid", "d-iq-same", "a-sy-old", "e-undated",
    ]


def test_filter_country_case_insensitive(populated):
    assert ids(populated.incidents(country="sy")) == ["b-sy-new", "a-sy-old"]
    assert ids(populated.incidents(country="IQ")) == ["c-iq-mid", "d-iq-same"]
    assert populated.incidents(country="FR") == []


def test_filter_since_until(populated):
    assert ids(populated.incidents(since=dt.date(2016, 5, 15))) == [
        "b-sy-new", "c-iq-mid", "d-iq-same",
    ]
    assert ids(populated.incidents(until=dt.date(2016, 5, 14))) == ["a-sy-old"]
    assert ids(populated.incidents(since=dt.date(2016, 5, 2), until=dt.date(2016, 5, 31))) == [
        "c-iq-mid", "d-iq-same",
    ]


def test_filter_sub_event_type(populated):
    assert ids(populated.incidents(sub_event_type="Suicide bomb")) == [
        "c-iq-mid", "a-sy-old", "e-undated",
    ]


def test_filter_limit_and_combined(populated):
    assert ids(populated.incidents(limit=2)) == ["b-sy-new", "c-iq-mid"]
    assert ids(populated.incidents(country="IQ", sub_event_type="Suicide bomb", limit=5)) == [
        "c-iq-mid"
    ]


def test_failed_add_rolls_back_everything(ledger):
    first = make_article()
    ledger.add(first, Extraction(incidents=[make_incident(first)]))
    before = ledger.counts()
    stored = ledger.incident("SYR-20160523-jableh")

    second = make_article(TARTUS_TEXT)
    bad_figure = figure(second, "48 people died", value=48).model_copy(
        update={"article_id": "not-an-article"}  # violates the figures -> articles foreign key
    )
    update = make_incident(first, figures=[bad_figure], articles=[second.id])
    new = incident_at("SYR-tartus", dt.date(2016, 5, 23), "SY", "Suicide bomb", second)
    with pytest.raises(IntegrityError):
        ledger.add(second, Extraction(incidents=[new, update]))

    assert ledger.counts() == before
    assert not ledger.has_content(second.content_hash)
    assert ledger.incident("SYR-tartus") is None
    assert ledger.incident("SYR-20160523-jableh") == stored
    # and the report can be stored once fixed
    assert ledger.add(second, Extraction(incidents=[new])).stored


def test_failure_while_writing_excluded_rolls_back(ledger, monkeypatch):
    first = make_article()
    ledger.add(first, Extraction(incidents=[make_incident(first)]))
    before = ledger.counts()
    second = make_article(TARTUS_TEXT)

    def boom(*_args, **_kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Ledger, "_write_excluded", staticmethod(boom))
    with pytest.raises(RuntimeError):
        ledger.add(second, Extraction(
            incidents=[incident_at("x", dt.date(2016, 5, 23), "SY", "Suicide bomb", second)]
        ))
    assert ledger.counts() == before
    assert ledger.incident("x") is None
    assert ledger.article(second.id) is None


def test_not_null_violation_rolls_back(ledger):
    first = make_article()
    ledger.add(first, Extraction(incidents=[make_incident(first)]))
    before = ledger.counts()
    second = make_article(TARTUS_TEXT)
    good = figure(second, "48 people died", value=48)
    # a figure that skipped validation: its quote is None, and figures.quote is NOT NULL
    bad = Figure.model_construct(**{**good.model_dump(), "quote": None, "start": 0})
    incident = incident_at("SYR-tartus", dt.date(2016, 5, 23), "SY", "Suicide bomb", second)
    incident = incident.model_copy(update={"figures": [good, bad]})
    with pytest.raises(IntegrityError):
        ledger.add(second, Extraction(incidents=[incident]))
    assert ledger.counts() == before
    assert ledger.incident("SYR-tartus") is None
    assert ledger.incident("SYR-20160523-jableh").model_copy(update={"updated_at": None}) == make_incident(first)


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("sitrep.db", "sqlite:///sitrep.db"),
        ("./x.db", "sqlite:///x.db"),
        ("/tmp/a/b.db", "sqlite:////tmp/a/b.db"),
        (":memory:", "sqlite://"),
        ("sqlite:///already.db", "sqlite:///already.db"),
        ("postgresql+psycopg://u:p@localhost/sitrep", "postgresql+psycopg://u:p@localhost/sitrep"),
    ],
)
def test_normalize_db_url(value, url):
    assert normalize_db_url(value) == url


def test_in_memory_ledger():
    with Ledger(":memory:") as led:
        article = make_article()
        led.add(article, Extraction(incidents=[make_incident(article)]))
        assert led.counts()["incidents"] == 1


def test_spatial_and_date_filters_use_indexes(ledger):
    from backends import query_plan

    from sitrep.store.query import IncidentFilter

    def plan(**filters) -> str:
        return query_plan(ledger.engine, select(IncidentRow.id).where(*IncidentFilter(**filters).conditions()))

    assert "ix_incidents_lat_lon" in plan(bbox=(35.0, 34.0, 37.0, 36.0))
    assert "ix_incidents_date" in plan(since=dt.date(2016, 5, 1), until=dt.date(2016, 5, 31))


def test_a_ranged_figure_keeps_its_high_end(ledger, pipeline):
    """"Between 12 and 20 people were killed": the incident's toll is 12 to 20, as coded and as stored."""
    article = make_article("Between 12 and 20 people were killed when gunmen attacked a village near Jos on "
                           "Sunday, officials said.", published=dt.date(2024, 3, 11))
    [incident] = pipeline.extract(article).incidents
    assert [(f.value, f.high, f.qualifier) for f in incident.figures] == [(12, 20, "range")]
    assert (incident.killed.low, incident.killed.high) == (12, 20)
    ledger.add(article, pipeline.extract(article))
    [stored] = ledger.incidents()
    assert [(f.value, f.high) for f in stored.figures] == [(12, 20)]
    assert (stored.killed.low, stored.killed.high) == (12, 20)
