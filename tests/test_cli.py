"""The command line on a real SQLite ledger: extract, ingest, incidents, show, and bad input."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from typer.testing import CliRunner

from sitrep import cli
from sitrep.store.ledger import Ledger

REPORT = (
    "Gunmen killed seven villagers and wounded four others in an attack on the village of Dapchi in "
    "Nigeria's Yobe state on Tuesday, police said. The attackers arrived on motorcycles and set fire to houses."
)
OTHER = (
    "A roadside bomb killed three soldiers near Kidal in northern Mali on Monday, the army said. "
    "No group has claimed the attack."
)


@pytest.fixture()
def runner(pipeline, monkeypatch):
    monkeypatch.setattr(cli, "_pipeline", lambda places=(): pipeline)  # one loaded model for the whole session
    return CliRunner()


def _feed(tmp_path, name, records):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in records) + "\n")
    return path


def test_extract_json_has_incidents_and_excluded(runner, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT + " The insurgency has killed more than 35,000 people since 2009.")
    result = runner.invoke(cli.app, ["extract", str(report), "--published", "2024-02-08", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"incidents", "excluded", "problems", "skipped"}
    assert data["problems"] == [] and data["skipped"] is None
    (incident,) = data["incidents"]
    assert incident["location"]["name"] == "Dapchi" and incident["location"]["country_code"] == "NG"
    assert incident["date"] == "2024-02-06" and incident["killed"]["best"] == 7
    assert {e["reason"] for e in data["excluded"]} == {"aggregate"}


def test_unparseable_published_is_a_clear_error(runner, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT)
    result = runner.invoke(cli.app, ["extract", str(report), "--published", "last tuesday"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


@pytest.mark.parametrize("content, reason", [(b"", "empty"), (b"\x00\x01\x02\xff" * 100, "binary")])
def test_extract_bad_file_exits_non_zero_with_reason(runner, tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = runner.invoke(cli.app, ["extract", str(bad)])
    assert result.exit_code == 1
    assert reason in result.output


def test_ingest_is_idempotent_and_queries_filter(runner, tmp_path):
    db = tmp_path / "ledger.db"
    feed = _feed(tmp_path, "feed.jsonl", [
        {"id": "a", "published": "2024-02-08", "source": "Sahel Wire", "text": REPORT},
        {"id": "b", "published": "2024-03-05", "source": "Desert Post", "text": OTHER},
    ])
    first = runner.invoke(cli.app, ["ingest", str(feed), "--db", str(db)])
    assert first.exit_code == 0, first.output
    counts = Ledger(f"sqlite:///{db}").counts()
    again = runner.invoke(cli.app, ["ingest", str(feed), "--db", str(db)])
    assert again.exit_code == 0 and "1 file finished by an earlier run, skipped unread" in again.output
    os.utime(feed, ns=(feed.stat().st_atime_ns, feed.stat().st_mtime_ns + 10**9))  # touched: read again
    again = runner.invoke(cli.app, ["ingest", str(feed), "--db", str(db)])
    assert again.exit_code == 0 and "2 already in the ledger" in again.output
    assert Ledger(f"sqlite:///{db}").counts() == counts and counts["incidents"] == 2

    ng = json.loads(runner.invoke(cli.app, ["incidents", "--db", str(db), "--country", "NG", "--format", "json"]).stdout)
    assert [i["location"]["name"] for i in ng] == ["Dapchi"]
    since = json.loads(runner.invoke(cli.app, ["incidents", "--db", str(db), "--since", "2024-03-01", "--format", "json"]).stdout)
    assert [i["location"]["name"] for i in since] == ["Kidal"]
    typed = json.loads(runner.invoke(cli.app, ["incidents", "--db", str(db), "--type", "Remote explosive/landmine/IED",
                                               "--format", "json"]).stdout)
    assert [i["location"]["name"] for i in typed] == ["Kidal"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(cli.app, ["incidents", "--db", str(db), "--format", "csv"]).stdout)))
    assert {r["location"] for r in rows} == {"Dapchi", "Kidal"}
    geo = json.loads(runner.invoke(cli.app, ["incidents", "--db", str(db), "--format", "geojson"]).stdout)
    assert len(geo["features"]) == 2

    shown = runner.invoke(cli.app, ["show", ng[0]["id"], "--db", str(db)])
    assert shown.exit_code == 0 and "police" in shown.stdout and "Gunmen killed seven villagers" in shown.stdout
    assert runner.invoke(cli.app, ["show", "inc-missing", "--db", str(db)]).exit_code == 1


def test_bad_lines_are_reported_and_the_rest_is_stored(runner, tmp_path):
    db = tmp_path / "ledger.db"
    stored = _feed(tmp_path, "first.jsonl", [{"published": "2024-02-08", "text": REPORT}])
    assert runner.invoke(cli.app, ["ingest", str(stored), "--db", str(db)]).exit_code == 0
    before = Ledger(f"sqlite:///{db}").counts()

    feed = _feed(tmp_path, "mixed.jsonl", [
        "{not json",
        {"published": "2024-03-05", "text": OTHER},
        "[1, 2, 3]",
        {"published": "yesterday-ish", "text": "Gunmen killed two traders in Gao on Monday."},
    ])
    result = runner.invoke(cli.app, ["ingest", str(feed), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "mixed.jsonl:1" in result.output and "mixed.jsonl:3" in result.output and "mixed.jsonl:4" in result.output
    after = Ledger(f"sqlite:///{db}").counts()
    assert after["articles"] == before["articles"] + 1 and after["incidents"] > before["incidents"]


def test_nothing_readable_exits_non_zero_and_keeps_the_ledger(runner, tmp_path):
    db = tmp_path / "ledger.db"
    stored = _feed(tmp_path, "first.jsonl", [{"published": "2024-02-08", "text": REPORT}])
    runner.invoke(cli.app, ["ingest", str(stored), "--db", str(db)])
    before = Ledger(f"sqlite:///{db}").counts()
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(cli.app, ["ingest", str(huge), str(empty), "--db", str(db)])
    assert result.exit_code == 1
    assert "limit for one report" in result.output and "empty" in result.output
    assert Ledger(f"sqlite:///{db}").counts() == before


def test_incidents_without_a_ledger_says_how_to_make_one(runner, tmp_path):
    result = runner.invoke(cli.app, ["incidents", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "sitrep ingest" in result.output


@pytest.mark.parametrize("command", [["incidents"], ["db", "status"], ["db", "upgrade"]])
def test_an_unreachable_database_is_a_clear_error(runner, command):
    result = runner.invoke(cli.app, [*command, "--db", "postgresql://nobody@127.0.0.1:1/ledger"])
    assert result.exit_code == 1
    assert "cannot open the ledger at postgresql://nobody@127.0.0.1:1/ledger" in result.output


@pytest.mark.parametrize("url, words", [
    ("mysql://u:secret@localhost/ledger", "mysql: sitrep keeps its ledger in SQLite"),
    ("postgresql+psycopg2://u:secret@localhost/ledger", "its driver is not installed"),
    ("postgresql://u:secret@localhost:notaport/ledger", "not a database URL"),
])
@pytest.mark.parametrize("command", [["incidents"], ["db", "status"], ["ingest", "missing.txt"]])
def test_a_database_sitrep_cannot_use_is_a_one_line_error(url, words, command):
    result = CliRunner().invoke(cli.app, [*command, "--db", url])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert words in " ".join(result.output.split()) and "secret" not in result.output


def test_postgres_urls_are_postgresql_urls():
    from sitrep.store.ledger import normalize_db_url

    assert normalize_db_url("postgres://u:p@db:5432/l") == "postgresql://u:p@db:5432/l"


@pytest.mark.parametrize("command, file", [
    ("casualties", "notes.csv"), ("geo", "feed.jsonl"), ("types", "feed.jsonl"), ("detection", "notes.csv"),
    ("muc4", "feed.jsonl"), ("merge", "notes.csv"), ("casualties", "missing.jsonl"),
])
def test_eval_given_the_wrong_kind_of_file_says_so_in_one_line(command, file, tmp_path):
    (tmp_path / "notes.csv").write_text("event_id_cnty,notes\nBEN1,Gunmen attacked a village.\n")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": "Gunmen attacked a village."}) + "\n")
    result = CliRunner().invoke(cli.app, ["eval", command, str(tmp_path / file)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
