"""Schema migrations (Alembic) on SQLite and PostgreSQL: a new ledger gets the models' schema, and a
ledger made before migrations existed is upgraded in place with its data."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.records import Article, Extraction, Incident, Place
from sitrep.store import migrate
from sitrep.store.ledger import Ledger
from sitrep.store.schema import Base


def test_a_new_ledger_has_exactly_the_models_schema(db_url):
    with Ledger(db_url) as ledger:
        state = migrate.state(ledger.engine)
        assert state.up_to_date and state.current == migrate.head_revision()
        with ledger.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"schema.py and the migrations disagree; write a migration for: {diff}"


def _legacy_ledger(url: str) -> None:
    """A ledger as sitrep wrote them before migrations: revision 0001's tables, no alembic_version."""
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), migrate.BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text(
            "INSERT INTO articles (id, content_hash, text, ingested_at) "
            "VALUES ('art-old', 'hash-old', 'A bomb went off in the market.', '2020-01-01 00:00:00+00')"
        ))
    engine.dispose()


def test_a_ledger_older_than_migrations_is_upgraded_in_place(db_url):
    _legacy_ledger(db_url)
    with Ledger(db_url) as ledger:
        assert migrate.state(ledger.engine).up_to_date
        assert inspect(ledger.engine).has_table("ingest_files")
        assert ledger.article("art-old").text == "A bomb went off in the market."
        article = Article.from_text("Gunmen killed two guards in Kano on Monday.", published=dt.date(2021, 3, 2))
        incident = Incident(id="inc-kano", date=dt.date(2021, 3, 1), date_precision="day",
                            location=Place(name="Kano", lat=12.0, lon=8.5, country_code="NG"),
                            articles=[article.id])
        assert ledger.add(article, Extraction(incidents=[incident])).stored
        assert ledger.counts() == {"articles": 2, "incidents": 1, "figures": 0}


def test_db_commands_show_and_apply_the_revision(db_url):
    runner = CliRunner()
    _legacy_ledger(db_url)
    status = runner.invoke(app, ["db", "status", "--db", db_url])
    assert status.exit_code == 1 and "older than migrations" in status.output
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert "older than migrations; now at " + migrate.head_revision() in upgraded.output
    status = runner.invoke(app, ["db", "status", "--db", db_url])
    assert status.exit_code == 0 and "up to date" in status.output
