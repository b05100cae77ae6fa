"""Scale-out benchmark: ingest throughput with 1 and 2 Dask workers, and SQLite vs PostgreSQL, in one run.

    .venv/bin/python benchmarks/scale_out.py [--articles 2000] [--gva ../shared/data/gva/gva_articles.jsonl]

The first N GVA articles are written as JSONL shards to a temporary folder and ingested three times,
each time into a new ledger through `sitrep.ingest.batch` (what `sitrep ingest --dask local` runs):
1 Dask worker into SQLite, 2 Dask workers into SQLite, 2 Dask workers into PostgreSQL (a durable
throwaway server started here). Timed from the first report read to the last one written; the
cluster start and the workers' one-time model load are timed apart. It prints each run, the speed-up
of 2 workers over 1, whether the 1- and 2-worker ledgers hold the same incidents, and whether the
SQLite and PostgreSQL ledgers do; the last line is the same as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sitrep.ingest import batch
from sitrep.store.ledger import Ledger
from sitrep.store.local_postgres import LocalPostgres

SHARDS = 8


def write_shards(source: Path, n: int, folder: Path) -> int:
    """The first `n` records of `source`, round-robin into SHARDS files; returns how many were written."""
    lines = []
    with source.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                lines.append(line if line.endswith("\n") else line + "\n")
            if len(lines) == n:
                break
    for k in range(SHARDS):
        (folder / f"shard-{k:02d}.jsonl").write_text("".join(lines[k::SHARDS]), encoding="utf-8")
    return len(lines)


def incident_records(ledger: Ledger) -> list[dict]:
    return sorted((i.model_dump(mode="json") for i in ledger.incidents()), key=lambda r: r["id"])


class TimedLedger(Ledger):
    """A ledger that adds up the time spent writing (matching, folding, committing)."""

    write_seconds = 0.0

    def add_many(self, reports, texts=None):
        t0 = time.perf_counter()
        try:
            return super().add_many(reports, texts)
        finally:
            self.write_seconds += time.perf_counter() - t0


def run(shards: Path, url: str, workers: int) -> tuple[dict, list[dict]]:
    started = time.perf_counter()
    coder = batch.DaskCoder("local", workers=workers)
    ready = time.perf_counter()
    try:
        with TimedLedger(url) as ledger:
            t0, cpu0 = time.perf_counter(), time.process_time()
            summary = batch.ingest([shards], ledger, coder)
            seconds = time.perf_counter() - t0
            cpu_ms = 1000 * (time.process_time() - cpu0) / max(1, summary.stored)
            records = incident_records(ledger)
            write_ms = 1000 * ledger.write_seconds / max(1, summary.stored)
    finally:
        coder.close()
    figures = {
        "workers": workers, "backend": url.split(":", 1)[0].split("+")[0], "articles": summary.stored,
        "problems": summary.problems, "incidents": len(records), "seconds": round(seconds, 1),
        "articles_per_sec": round(summary.stored / seconds, 2), "startup_seconds": round(ready - started, 1),
        "write_ms_per_article": round(write_ms, 1), "ingest_process_cpu_ms_per_article": round(cpu_ms, 1),
    }
    print(f"  {figures['backend']:<10} {workers} worker(s): {summary.stored} articles in {seconds:.1f} s = "
          f"{figures['articles_per_sec']:.2f} articles/s -> {len(records)} incidents "
          f"(writing {write_ms:.1f} ms/article; ingest process CPU {cpu_ms:.1f} ms/article; "
          f"cluster start + model load {figures['startup_seconds']} s)", flush=True)
    return figures, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--gva", type=Path, default=Path("../shared/data/gva/gva_articles.jsonl"))
    args = parser.parse_args()
    if not args.gva.exists():
        sys.exit(f"no GVA articles at {args.gva}: give --gva PATH")
    print(f"machine: {os.cpu_count()} cores; {args.articles} GVA articles", flush=True)
    with tempfile.TemporaryDirectory(prefix="sitrep-scale-") as tmp, LocalPostgres(durable=True) as pg:
        folder = Path(tmp)
        shards = folder / "shards"
        shards.mkdir()
        n = write_shards(args.gva, args.articles, shards)
        one, one_records = run(shards, f"sqlite:///{folder / 'one.db'}", 1)
        two, two_records = run(shards, f"sqlite:///{folder / 'two.db'}", 2)
        pg_two, pg_records = run(shards, pg.create_database("bench"), 2)
    speedup = two["articles_per_sec"] / one["articles_per_sec"]
    same_workers = one_records == two_records
    same_backends = _without_ids(two_records) == _without_ids(pg_records)
    for name, same, a, b in (("1 vs 2 workers", same_workers, one_records, two_records),
                             ("SQLite vs PostgreSQL", same_backends, _without_ids(two_records), _without_ids(pg_records))):
        if not same:
            first = next((x, y) for x, y in zip(a, b) if x != y) if len(a) == len(b) else (len(a), len(b))
            print(f"first difference, {name}: {str(first[0])[:600]}\n  vs {str(first[1])[:600]}")
    print(f"speed-up, 2 workers over 1: {speedup:.2f}x (bar 1.7x)")
    print(f"1- and 2-worker ledgers hold the same incidents: {same_workers}")
    print(f"SQLite and PostgreSQL ledgers identical apart from ids: {same_backends} "
          f"(SQLite {two['articles_per_sec']:.2f} vs PostgreSQL {pg_two['articles_per_sec']:.2f} articles/s)")
    print(json.dumps({"articles": n, "runs": [one, two, pg_two], "speedup": round(speedup, 2),
                      "same_incidents_1_vs_2_workers": same_workers,
                      "same_incidents_sqlite_vs_postgresql": same_backends}))


def _without_ids(records: list[dict]) -> list[str]:
    """Incident records with their ids (and the ids in `related`) left out, as sorted JSON strings."""
    out = []
    for record in records:
        record = {k: v for k, v in record.items() if k not in ("id", "related")}
        out.append(json.dumps(record, sort_keys=True))
    return sorted(out)


if __name__ == "__main__":
    main()
