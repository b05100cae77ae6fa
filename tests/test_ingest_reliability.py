"""No report lost, no batch aborted: two ingests on one ledger at once, a new source posted by many writers
at once, bad input beside good input, and reports whose coding or storing fails. Every check counts what
reached the ledger."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from backends import BACKENDS, fresh_ledger_url

from sitrep.ingest import batch
from sitrep.records import Article, Evidence, Extraction, Incident, Place
from sitrep.store.ledger import Ledger

PUBLISHED = dt.date(2024, 3, 5)


def _report(n: int) -> str:
    return (f"Gunmen killed {n % 7 + 2} villagers in Kidal on Monday, officials said. Report number {n} of the "
            f"series, with its own wording {n * 7919}.")


class QuickPipeline:
    """Codes a report as one attack in Kidal on its publication day, with no NLP (so that the writes, not
    the parse, are what the test exercises)."""

    def extract(self, article: Article) -> Extraction:
        evidence = Evidence(field="event", article_id=article.id, start=0, end=6, text=article.text[:6])
        return Extraction(incidents=[Incident(
            id=f"ML-{article.id}", event_type="Violence against civilians", sub_event_type="Attack",
            date=article.published, date_precision="day", articles=[article.id], evidence=[evidence],
            location=Place(name="Kidal", lat=18.44, lon=1.41, country_code="ML", precision="town"))])

    def extract_many(self, articles):
        for article in articles:
            yield article, self.extract(article)


# ---------------------------------------------------------------- two ingests into one SQLite ledger at once

_INGEST = """
import json, sys
sys.path.insert(0, {tests!r})
from test_ingest_reliability import QuickPipeline
from sitrep.ingest import batch
from sitrep.store.ledger import Ledger
paths = json.loads(sys.argv[1])
with Ledger(sys.argv[2]) as ledger:
    s = batch.ingest(paths, ledger, batch.InProcessCoder(QuickPipeline()))
print(json.dumps({{"stored": s.stored, "duplicates": s.duplicates, "problems": s.problems, "unstored": s.unstored}}))
"""


def test_two_ingests_into_one_sqlite_ledger_at_once_store_every_report(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    paths = []
    for n in range(60):
        path = folder / f"r{n:03d}.jsonl"
        path.write_text(json.dumps({"text": _report(n), "published": str(PUBLISHED)}) + "\n")
        paths.append(str(path))
    db = str(tmp_path / "ledger.db")
    Ledger(db).close()
    script = _INGEST.format(tests=str(Path(__file__).parent))
    runs = [subprocess.Popen([sys.executable, "-c", script, json.dumps(order), db], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for order in (paths, paths[::-1])]
    outcomes = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
        outcomes.append(json.loads(stdout))
    assert all(o["problems"] == 0 and o["unstored"] == 0 for o in outcomes), outcomes
    assert sum(o["stored"] for o in outcomes) == 60
    with Ledger(db) as ledger:
        assert ledger.counts()["articles"] == 60
        again = batch.ingest([folder], ledger, batch.InProcessCoder(QuickPipeline()))
        assert again.files_skipped == 60 and again.coded == 0  # every file finished, none lost


def test_a_batch_the_database_refuses_for_the_moment_is_retried(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": _report(n), "published": str(PUBLISHED)}) + "\n" for n in range(3)))
    refusals = {"left": 2}
    add_many = Ledger.add_many

    def locked_twice(self, *args, **kwargs):
        if refusals["left"]:
            refusals["left"] -= 1
            raise OperationalError("INSERT ...", {}, Exception("database is locked"))
        return add_many(self, *args, **kwargs)

    monkeypatch.setattr(batch, "RETRY_WAIT_S", 0.01)
    monkeypatch.setattr(Ledger, "add_many", locked_twice)
    with Ledger(str(tmp_path / "l.db")) as ledger:
        summary = batch.ingest([feed], ledger, batch.InProcessCoder(QuickPipeline()))
        assert (summary.stored, summary.unstored) == (3, 0)
        assert ledger.file_finished(str(feed.resolve()), feed.stat().st_size, feed.stat().st_mtime_ns)


def test_a_batch_the_database_keeps_refusing_leaves_its_file_unfinished(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"text": _report(n), "published": str(PUBLISHED)}) + "\n" for n in range(3)))

    def always_locked(self, *args, **kwargs):
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    problems = []
    with Ledger(str(tmp_path / "l.db")) as ledger:
        with monkeypatch.context() as patch:
            patch.setattr(batch, "RETRY_WAIT_S", 0.01)
            patch.setattr(Ledger, "add_many", always_locked)
            summary = batch.ingest([feed], ledger, batch.InProcessCoder(QuickPipeline()), on_problem=problems.append)
        assert (summary.stored, summary.unstored) == (0, 3)
        assert [(p.path, p.line) for p in problems] == [(str(feed), 1), (str(feed), 2), (str(feed), 3)]
        assert all("database is locked" in p.reason and "next run" in p.reason and p.outcome == "not stored"
                   for p in problems)
        assert summary.problems == 0
        assert not ledger.file_finished(str(feed.resolve()), feed.stat().st_size, feed.stat().st_mtime_ns)
        again = batch.ingest([feed], ledger, batch.InProcessCoder(QuickPipeline()))  # the database is back
        assert (again.stored, again.files_skipped) == (3, 0)
        assert ledger.counts()["articles"] == 3


# ---------------------------------------------------------------- a new source written by many writers at once


@pytest.fixture(params=BACKENDS)
def ledger_url(request, tmp_path):
    url = fresh_ledger_url(request, tmp_path)
    Ledger(url).close()
    return url


def test_many_writers_with_one_new_source_store_every_report(ledger_url):
    pipeline = QuickPipeline()
    reports = [Article.from_text(_report(n), source="=New Outlet", published=PUBLISHED) for n in range(20)]
    ledgers = [Ledger(ledger_url) for _ in range(4)]
    failures: list[BaseException] = []
    start = threading.Barrier(len(reports))

    def post(n: int) -> None:
        start.wait()
        try:
            ledgers[n % 4].add(reports[n], pipeline.extract(reports[n]))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(reports))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for ledger in ledgers:
        ledger.close()
    assert failures == []
    with Ledger(ledger_url) as ledger:
        assert ledger.counts()["articles"] == 20
        from sqlalchemy import func, select

        from sitrep.store.schema import SourceRow

        with ledger.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(SourceRow)) == 1


# ---------------------------------------------------------------- bad input beside good input


def _bad_and_good_files(folder: Path) -> None:
    good = [_report(n) for n in range(100, 106)]
    (folder / "a-good.txt").write_text(good[0])
    lines = [
        json.dumps({"text": good[1], "published": "2024-03-05"}),
        '{"text": "Gunmen killed two people.", "n": ' + "9" * 5000 + "}",  # int past Python's digit limit
        '{"text": "Gunmen killed \\ud800 two people in Gao."}',  # a lone surrogate
        '{"text": "Gunmen killed two people.", "published": "0000-00-00"}',
        json.dumps({"text": good[2], "published": "2024-03-05"}),
    ]
    (folder / "b-feed.jsonl").write_text("\n".join(lines) + "\n")
    items = "".join(f"<item><title>t{n}</title><description>{text}</description><pubDate>{date}</pubDate></item>"
                    for n, (text, date) in enumerate([(good[3], "Tue, 05 Mar 2024 10:00:00 GMT"),
                                                      ("Gunmen killed two people in Mopti.", "0000-00-00"),
                                                      ("Gunmen killed two people in Segou.", "9999-99-99"),
                                                      (good[4], "Tue, 05 Mar 2024 11:00:00 GMT")]))
    (folder / "c-rss.xml").write_text(f"<rss><channel><title>Wire</title>{items}</channel></rss>")
    name = os.fsdecode(b"d-caf\xe9-latin1.txt")  # a file name that is not UTF-8
    (folder / name).write_text(good[5])


def test_bad_input_beside_good_input_is_skipped_with_file_line_and_reason(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _bad_and_good_files(folder)
    problems = []
    with Ledger(str(tmp_path / "l.db")) as ledger:
        summary = batch.ingest([folder], ledger, batch.InProcessCoder(QuickPipeline()), on_problem=problems.append)
        assert summary.stored == 6 and summary.unstored == 0
        assert ledger.counts()["articles"] == 6
        again = batch.ingest([folder], ledger, batch.InProcessCoder(QuickPipeline()))
        assert again.files_skipped == 4  # the non-UTF-8 name was recorded as finished too
    where = {(Path(p.path).name, p.line): p.reason for p in problems}
    feed = "b-feed.jsonl"
    assert "not valid JSON" in where[(feed, 2)] and "digits" in where[(feed, 2)]
    assert "lone surrogate" in where[(feed, 3)]
    assert "not a date in the calendar" in where[(feed, 4)]
    rss = [p.reason for p in problems if Path(p.path).name == "c-rss.xml"]
    assert sorted(r.split(":")[0] for r in rss) == ["entry 2 ('t1')", "entry 3 ('t2')"]
    assert len(problems) == 5


def test_cli_ingest_of_bad_input_beside_good_input_exits_0_and_names_each_problem(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sitrep import cli

    folder = tmp_path / "in"
    folder.mkdir()
    _bad_and_good_files(folder)
    (folder / "e-[red]markup.txt").write_text("")  # an empty file whose name rich would read as markup
    monkeypatch.setattr(cli, "_pipeline", lambda places=(): QuickPipeline())
    result = CliRunner().invoke(cli.app, ["ingest", str(folder), "--db", str(tmp_path / "l.db")])
    assert result.exit_code == 0, result.output
    assert "6 reports stored" in result.output and "6 skipped" in result.output
    assert "d-caf\\xe9-latin1.txt" not in result.output  # stored, so not named among the problems
    assert "b-feed.jsonl:2" in result.output and "b-feed.jsonl:4" in result.output
    assert "e-[red]markup.txt:" in result.output.replace("\n", "")  # printed as written, not as markup


# ---------------------------------------------------------------- reports whose coding fails


def test_a_report_not_in_english_is_stored_not_coded_and_says_why(tmp_path):
    class French(QuickPipeline):
        def extract(self, article):
            if "tués" in article.text:
                return Extraction(skipped="language fr is not supported yet")
            return super().extract(article)

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"text": "Deux soldats ont été tués lundi à Kidal.", "published": "2024-03-05"}) + "\n"
                    + json.dumps({"text": _report(1), "published": "2024-03-05"}) + "\n")
    problems = []
    with Ledger(str(tmp_path / "l.db")) as ledger:
        summary = batch.ingest([feed], ledger, batch.InProcessCoder(French()), on_problem=problems.append)
        assert (summary.stored, summary.not_coded, summary.problems) == (2, 1, 0)
        [notice] = problems
        assert (notice.outcome, notice.line) == ("not coded", 1) and "language fr" in notice.reason
        [kept] = ledger.coding()
        assert kept.not_coded == "language fr is not supported yet"
        assert "tués" in ledger.article(kept.article_id).text


def test_cli_problems_lists_reports_stored_without_a_full_coding(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sitrep import cli
    from sitrep.records import CodingProblem

    db = str(tmp_path / "l.db")
    with Ledger(db) as ledger:
        french = Article.from_text("Deux soldats ont été tués lundi à Kidal.", title="Kidal")
        ledger.add(french, Extraction(skipped="language fr is not supported yet"))
        partial = Article.from_text(_report(3), title="Kidal attack", published=PUBLISHED)
        coded = QuickPipeline().extract(partial)
        coded.problems = [CodingProblem(stage="sentence", detail="IndexError: out of range (figures.py:1)", start=0, end=9)]
        ledger.add(partial, coded)
        ledger.add(Article.from_text(_report(4), published=PUBLISHED), QuickPipeline().extract(Article.from_text(_report(4))))
        incident_id = ledger.incidents(article_id=partial.id)[0].id
    runner = CliRunner()
    listed = [json.loads(line) for line in runner.invoke(cli.app, ["problems", "--db", db, "--json"]).stdout.splitlines()]
    assert [(r["article_id"], r["not_coded"], [p["stage"] for p in r["problems"]]) for r in listed] == [
        (french.id, "language fr is not supported yet", []), (partial.id, None, ["sentence"])]
    shown = runner.invoke(cli.app, ["show", incident_id, "--db", db])
    assert shown.exit_code == 0 and "sentence failed: IndexError" in " ".join(shown.output.split())
    record = json.loads(runner.invoke(cli.app, ["show", incident_id, "--db", db, "--json"]).stdout)
    assert record["coding_problems"][0]["problems"][0]["detail"].startswith("IndexError")
