"""`sitrep export`: ACLED CSV, GeoJSON, JSON Lines and Parquet, with filters; ledger queries."""

from __future__ import annotations

import builtins
import csv
import io
import json

import pytest
from ledger_samples import LOCATED, TOTAL, build_sample_ledger
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.exports import ACLED_COLUMNS, ExportError, incidents_parquet

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "ledger.db"
    build_sample_ledger(str(path)).close()
    return str(path)


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_acled_csv_to_stdout(db):
    result = run("export", "--db", db)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ACLED_COLUMNS
    assert len(rows) == 1 + TOTAL


def test_filters_and_file_output(db, tmp_path):
    out = tmp_path / "sy.csv"
    result = run("export", "--db", db, "--format", "acled-csv", "--country", "sy", "--min-killed", "50",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["event_id_cnty"] for r in rows] == ["SYR-20160523-jableh"]
    result = run("export", "--db", db, "--bbox", "170,-30,-170,0", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["FJI-20230714-suva"]
    result = run("export", "--db", db, "--actor", "islamic", "--sort", "-killed", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "SYR-20160523-jableh", "SYR-20160523-tartus",
    ]
    result = run("export", "--db", db, "-q", "tear gas", "--format", "jsonl", "--event-type", "Protests")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["NGA-20260304-kano"]


def test_geojson_and_jsonl(db):
    result = run("export", "--db", db, "--format", "geojson")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["features"]) == LOCATED
    result = run("export", "--db", db, "--format", "jsonl", "--type", "Suicide bomb")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["id"] for r in records} == {"SYR-20160523-jableh", "SYR-20160523-tartus"}
    assert records[0]["figures"] and records[0]["evidence"]


def test_bad_options(db):
    assert run("export", "--db", db, "--bbox", "1,2").exit_code == 2
    assert run("export", "--db", db, "--since", "May").exit_code == 2
    assert run("export", "--db", db, "--sort", "size").exit_code == 2
    result = run("export", "--db", db, "--format", "parquet")
    assert result.exit_code == 2 and "-o" in result.output


def test_parquet_round_trip(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional extra sitrep[parquet]")
    out = tmp_path / "incidents.parquet"
    result = run("export", "--db", db, "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == ACLED_COLUMNS
    assert table.num_rows == TOTAL
    rows = {r["event_id_cnty"]: r for r in table.to_pylist()}
    assert rows["SYR-20160523-jableh"]["fatalities"] == 100
    assert str(rows["SYR-20160523-jableh"]["event_date"]) == "2016-05-23"
    assert rows["XX-unplaced"]["latitude"] is None


def test_parquet_without_pyarrow_says_how_to_get_it(db, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ExportError, match=r"sitrep\[parquet\]"):
        incidents_parquet([], tmp_path / "x.parquet")
    result = run("export", "--db", db, "--format", "parquet", "-o", str(tmp_path / "y.parquet"))
    assert result.exit_code == 2
    assert "pyarrow" in result.output and "sitrep[parquet]" in result.output
    assert not (tmp_path / "y.parquet").exists()


def test_ledger_queries_stay_backward_compatible(db):
    from sitrep.store.ledger import Ledger

    with Ledger(db) as ledger:
        everything = ledger.incidents()
        assert len(everything) == TOTAL
        assert [i.id for i in ledger.incidents(limit=2)] == [i.id for i in everything[:2]]
        assert {i.id for i in ledger.incidents(country="SY", sub_event_type="Suicide bomb")} == {
            "SYR-20160523-jableh", "SYR-20160523-tartus",
        }
        assert ledger.count_incidents() == TOTAL
        assert ledger.count_incidents(country="UA") == 1
        assert ledger.stats(country="UA")["killed"] == 10
        with pytest.raises(ValueError, match="sort"):
            ledger.incidents(sort="sideways")


def test_serve_needs_an_existing_ledger(tmp_path):
    result = run("serve", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 1
    assert "No ledger" in result.output
