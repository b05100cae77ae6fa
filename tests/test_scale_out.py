"""Scale-out: several writers on one PostgreSQL ledger, parallel coding (local processes, Dask), and an
ingest that is stopped and restarted. Every check compares whole ledgers, incident by incident."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from importlib import resources
from pathlib import Path

import pytest

from sitrep.ingest import batch
from sitrep.records import Article, Extraction, Figure, Incident, Place
from sitrep.store.ledger import Ledger

TOWNS = [("Kidal", 18.44, 1.41, "ML"), ("Dapchi", 12.49, 11.50, "NG"), ("Beni", 0.49, 29.47, "CD"),
         ("Marawi", 8.0, 124.29, "PH")]
MONDAY = dt.date(2024, 3, 4)


def _reports() -> list[tuple[Article, Extraction]]:
    """Three reports of each of four attacks, each report coding its attack as the extractor would."""
    out = []
    for n, (town, lat, lon, cc) in enumerate(TOWNS):
        for outlet in ("Wire", "Post", "Radio"):
            text = (f"{town.upper()} ({outlet}) - Gunmen attacked a checkpoint in {town} on Monday, killing "
                    f"{n + 2} soldiers, the army said. The {outlet} correspondent saw burned vehicles.")
            article = Article.from_text(text, published=MONDAY + dt.timedelta(days=1), source=outlet)
            phrase = f"killing {n + 2} soldiers"
            start = text.index(phrase)
            figure = Figure(kind="killed", value=n + 2, qualifier="exact", reported_by="the army", quote=text,
                            article_id=article.id, start=start, end=start + len(phrase))
            incident = Incident(
                id=f"{cc}-20240304-{town.lower()}", sub_event_type="Attack", event_type="Violence against civilians",
                date=MONDAY, date_precision="day", articles=[article.id], figures=[figure],
                location=Place(name=town, lat=lat, lon=lon, country_code=cc, precision="town"),
            )
            out.append((article, Extraction(incidents=[incident])))
    return out


def records(ledger: Ledger) -> list[dict]:
    """The ledger's incidents as plain data, in id order (what two ledgers are compared on; not when each
    ledger wrote them)."""
    return sorted((i.model_dump(mode="json", exclude={"updated_at"}) for i in ledger.incidents()),
                  key=lambda r: r["id"])


def _write_all(url: str, order: list[int]) -> None:
    reports = _reports()
    with Ledger(url) as ledger:
        for i in order:
            ledger.add(*reports[i])


def test_concurrent_writers_build_what_one_writer_would(postgres, tmp_path):
    url = postgres.create_database()
    Ledger(url).close()  # migrate once up front; the writers race on the reports, not the schema
    n = len(_reports())
    fork = multiprocessing.get_context("fork")
    writers = [fork.Process(target=_write_all, args=(url, order))
               for order in (list(range(n)), list(reversed(range(n))), list(range(0, n, 2)) + list(range(1, n, 2)))]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    with Ledger(url) as shared:
        assert shared.counts()["articles"] == n  # each report once, although three writers added it
        concurrent = records(shared)
        with shared.engine.connect() as conn:
            from sqlalchemy import text

            commit_order = [row[0] for row in conn.execute(text("SELECT id FROM articles ORDER BY ingested_at, id"))]
    assert len(concurrent) == len(TOWNS) and all(len(r["articles"]) == 3 for r in concurrent)

    by_id = {a.id: (a, x) for a, x in _reports()}
    with Ledger(str(tmp_path / "replay.db")) as single:  # one writer, the same reports in commit order
        for article_id in commit_order:
            single.add(*by_id[article_id])
        assert records(single) == concurrent


# ---------------------------------------------------------------- parallel coding of real reports


@pytest.fixture(scope="module")
def demo_feed(tmp_path_factory) -> Path:
    """The bundled demo reports, split into three JSONL shards."""
    lines = resources.files("sitrep").joinpath("demo", "reports.jsonl").read_text(encoding="utf-8").splitlines()
    folder = tmp_path_factory.mktemp("shards")
    for k in range(3):
        (folder / f"shard-{k}.jsonl").write_text("\n".join(lines[k::3]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def baseline(demo_feed, pipeline, tmp_path_factory) -> list[dict]:
    """The demo shards coded in this process: what every other way of ingesting must reproduce."""
    with Ledger(str(tmp_path_factory.mktemp("baseline") / "one.db")) as ledger:
        summary = batch.ingest([demo_feed], ledger, batch.InProcessCoder(pipeline))
        assert summary.stored == 28 and summary.problems == 0
        return records(ledger)


def test_two_worker_processes_build_the_same_ledger(demo_feed, baseline, tmp_path):
    coder = batch.ProcessCoder(2)
    try:
        with Ledger(str(tmp_path / "two.db")) as ledger:
            batch.ingest([demo_feed], ledger, coder)
            assert records(ledger) == baseline
    finally:
        coder.close()


def test_a_dask_cluster_builds_the_same_ledger_on_postgresql(demo_feed, baseline, postgres):
    coder = batch.DaskCoder("local", workers=2)
    try:
        assert coder.workers == 2
        with Ledger(postgres.create_database()) as ledger:
            batch.ingest([demo_feed], ledger, coder)
            assert records(ledger) == baseline
    finally:
        coder.close()


def test_a_stopped_ingest_resumes_without_redoing_or_losing_work(demo_feed, baseline, pipeline, tmp_path,
                                                                 monkeypatch):
    coder = batch.InProcessCoder(pipeline)
    db = str(tmp_path / "resumed.db")
    add = Ledger._add_in
    calls = {"n": 0}

    def add_then_stop(self, session, article, extraction, *rest):
        calls["n"] += 1
        if calls["n"] == 22:  # Ctrl+C in the second batch (the first holds shards 0 and 1: 19 reports)
            raise KeyboardInterrupt
        return add(self, session, article, extraction, *rest)

    with Ledger(db) as ledger, monkeypatch.context() as patch:
        patch.setattr(Ledger, "_add_in", add_then_stop)
        with pytest.raises(KeyboardInterrupt):
            batch.ingest([demo_feed], ledger, coder)
        stored_before = ledger.counts()["articles"]
    assert stored_before == 21  # the first batch, and the 2 reports of the second finished before the stop

    with Ledger(db) as ledger:
        summary = batch.ingest([demo_feed], ledger, coder)
        assert summary.files_skipped == 2  # shards 0 and 1 were finished
        assert summary.coded == 28 - stored_before  # nothing stored is coded again
        assert records(ledger) == baseline
        again = batch.ingest([demo_feed], ledger, coder)
        assert again.files_skipped == 3 and again.coded == 0
        resumed_terms = _term_stats(ledger)
    with Ledger(str(tmp_path / "whole.db")) as whole:  # the statistics count each stored report once
        batch.ingest([demo_feed], whole, coder)
        assert resumed_terms == _term_stats(whole) and resumed_terms[""] == 28


def test_a_report_that_breaks_the_extractor_is_stored_with_the_reason(pipeline, tmp_path):
    class Fussy:
        """A pipeline that fails on one report."""

        def extract_many(self, articles):
            for article in articles:
                yield article, self.extract(article)

        def extract(self, article):
            if "Kidal" in article.text:
                raise RuntimeError("parser crashed")
            return pipeline.extract(article)

    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"text": t, "published": "2024-03-05"}) for t in (
        "Gunmen killed two guards in Kidal on Monday.", "A bomb killed four people in Gao on Tuesday.")) + "\n")
    problems = []
    with Ledger(str(tmp_path / "l.db")) as ledger:
        summary = batch.ingest([feed], ledger, batch.InProcessCoder(Fussy()), on_problem=problems.append)
        assert summary.stored == 2 and summary.problems == 0 and summary.coded_in_part == 1
        [notice] = problems
        assert (notice.outcome, notice.path, notice.line) == ("coded in part", str(feed), 1)
        assert "parser crashed" in notice.reason
        [kept] = ledger.coding()
        assert kept.problems[0].stage == "coding" and "RuntimeError: parser crashed" in kept.problems[0].detail
        assert "Kidal" in ledger.article(kept.article_id).text


def test_a_report_that_cannot_be_stored_does_not_sink_its_batch(db_url):
    reports = _reports()[:3]
    clash = Article(id=reports[0][0].id, text="Another text under a taken id.", content_hash="other")
    with Ledger(db_url) as ledger:
        results = ledger.add_many([reports[0], (clash, Extraction()), *reports[1:]])
        assert [r.stored for r in results] == [True, False, True, True]
        assert "already stored with different content" in results[1].error
        assert ledger.counts()["articles"] == 3


def _term_stats(ledger: Ledger) -> dict[str, int]:
    from sqlalchemy import text

    with ledger.engine.connect() as connection:
        return dict(connection.execute(text("SELECT term, df FROM term_stats")).all())


def test_a_report_rolled_back_after_merging_began_leaves_no_counts(db_url, tmp_path):
    """Merging counts a report's terms before it fails (here on a figure quoting an article that was never
    stored): the batch's statistics are those of the reports stored, as if the failed one was never sent."""
    reports = _reports()[:4]
    article, extraction = _reports()[6]
    [incident] = extraction.incidents
    stray = incident.figures[0].model_copy(update={"article_id": "no-such-article"})
    broken = (article, Extraction(incidents=[incident.model_copy(update={"figures": [stray]})]))
    with Ledger(db_url) as ledger, Ledger(str(tmp_path / "clean.db")) as clean:
        results = ledger.add_many([*reports[:2], broken, *reports[2:]])
        assert [r.stored for r in results] == [True, True, False, True, True]
        clean.add_many(reports)
        assert _term_stats(ledger) == _term_stats(clean) and _term_stats(ledger)[""] == 4
        assert records(ledger) == records(clean)


def test_cli_ingest_with_worker_processes(demo_feed, baseline, tmp_path):
    from typer.testing import CliRunner

    from sitrep.cli import app

    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(app, ["ingest", str(demo_feed), "--workers", "2", "--db", db])
    assert result.exit_code == 0, result.output
    assert "28 reports stored" in result.output
    with Ledger(db) as ledger:
        assert records(ledger) == baseline


def test_cli_ingest_on_a_running_dask_cluster(demo_feed, baseline, tmp_path):
    import logging

    from distributed import LocalCluster
    from typer.testing import CliRunner

    from sitrep.cli import app

    db = str(tmp_path / "dask.db")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        result = CliRunner().invoke(app, ["ingest", str(demo_feed), "--dask", address, "--db", db])
    assert result.exit_code == 0, result.output
    with Ledger(db) as ledger:
        assert records(ledger) == baseline


def test_ingest_uses_every_core_by_default_only_for_a_large_input(tmp_path, monkeypatch):
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7}, raising=False)
    monkeypatch.setattr(batch.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 16 << 18}[name])
    small = tmp_path / "small.jsonl"
    small.write_text('{"text": "Gunmen killed two people in Kano."}\n')
    assert batch.auto_workers([small]) == 1
    big = tmp_path / "feed"
    big.mkdir()
    for k in range(3):  # a folder of files that add up past the threshold
        (big / f"part{k}.jsonl").write_text("x" * (batch.AUTO_WORKERS_BYTES // 2))
    assert batch.auto_workers([big, tmp_path / "missing.txt"]) == batch.MAX_AUTO_WORKERS  # 8 cores, 16 GB
    monkeypatch.setattr(batch.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 2 << 18}[name])
    assert batch.auto_workers([big]) == 2  # 2 GB holds two workers
    monkeypatch.setattr(batch.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert batch.auto_workers([big]) == 1
