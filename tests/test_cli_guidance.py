"""A filter that matches nothing says what the ledger holds for it (`sitrep incidents`, `sitrep export`)."""

from __future__ import annotations

import pytest
from ledger_samples import build_sample_ledger
from typer.testing import CliRunner

from sitrep.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("guidance") / "ledger.db"
    build_sample_ledger(str(path)).close()
    return str(path)


def said(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.stderr.split())


@pytest.mark.parametrize("command", [["incidents"], ["incidents", "--format", "json"], ["export"],
                                     ["export", "--format", "geojson"]])
def test_an_empty_country_lists_the_countries(db, command):
    assert "no incidents in UZ; countries in this ledger: SY 2, FJ 1, ML 1, NG 1, no country 1, UA 1" in said(
        *command, "--db", db, "--country", "uz")


def test_each_filter_is_explained(db):
    assert "no incidents since 2030-01-01; dated incidents run from 2016-05-23 to 2026-03-04" in said(
        "incidents", "--db", db, "--since", "2030-01-01")
    text = said("incidents", "--db", db, "--country", "SY", "--type", "Attack")
    assert "no incidents in SY of type 'Attack'" in text and "types: Suicide bomb 2" in text
    assert "countries in this ledger: ML 1, no country 1" in text  # where there are attacks
    text = said("export", "--db", db, "--actor", "nobody", "--format", "jsonl")
    assert "no incidents by an actor matching 'nobody'; actors: Islamic State 2" in text
    text = said("export", "--db", db, "--admin1", "Nowhere", "--format", "jsonl")
    assert "no incidents in the region Nowhere; regions: " in text and "Latakia (SY) 1" in text


def test_a_result_says_nothing_more(db):
    assert said("incidents", "--db", db, "--country", "SY") == ""


def test_an_empty_ledger_says_how_to_fill_it(tmp_path):
    from sitrep.store.ledger import Ledger

    Ledger(str(tmp_path / "empty.db")).close()
    assert "The ledger holds no incidents yet" in said("incidents", "--db", str(tmp_path / "empty.db"))
