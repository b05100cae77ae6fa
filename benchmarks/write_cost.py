"""What storing a coded report costs: `Ledger.add_many` of real coded GVA reports into a fresh ledger, as
`sitrep ingest` stores them (batches of 32, one transaction each), on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/write_cost.py [--data ../shared/data/gva/gva_articles.jsonl] [--n 600]
                                              [--batch 32] [--no-postgresql]

The first N readable articles are coded once (not timed; about a minute for 600), then stored into each
fresh ledger; printed per report: milliseconds, SQL statements, and the milliseconds spent inside the
database driver (the rest is Python: the merge engine and SQLAlchemy). GVA articles come in incident
order, so about a third of the reports fold into an incident stored before them. PostgreSQL is the
throwaway local server of `sitrep.store.local_postgres` (skipped when its programs are not installed).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event, func, select

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gva" / "gva_articles.jsonl"


def code(data: Path, n: int) -> list:
    """(article, extraction, report text) of the first `n` readable articles, as ingest's workers code them."""
    from sitrep.ingest.batch import code_batch, worker_pipeline
    from sitrep.ingest.readers import IngestProblem, read_articles

    articles = [a for a in read_articles([data]) if not isinstance(a, IngestProblem)][:n]
    pipeline = worker_pipeline()
    coded = []
    for start in range(0, len(articles), 32):
        coded += code_batch(articles[start : start + 32], pipeline)
    return coded


@contextlib.contextmanager
def ledger_url(backend: str) -> Iterator[str | None]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/fresh.db"
        return
    from sitrep.store.local_postgres import LocalPostgres, PostgresUnavailable

    try:
        with LocalPostgres(durable=True) as server:
            yield server.create_database()
    except PostgresUnavailable as exc:
        print(f"postgresql skipped: {exc}")
        yield None


def store(url: str, coded: list, batch: int) -> str:
    from sitrep.store.ledger import Ledger
    from sitrep.store.schema import IncidentRow

    with Ledger(url) as ledger:
        statements, driver = [0], [0.0]

        @event.listens_for(ledger.engine, "before_cursor_execute")
        def before(conn, cursor, statement, params, context, executemany):
            statements[0] += 1
            context.started = time.perf_counter()

        @event.listens_for(ledger.engine, "after_cursor_execute")
        def after(conn, cursor, statement, params, context, executemany):
            driver[0] += time.perf_counter() - context.started

        started = time.perf_counter()
        stored = 0
        for start in range(0, len(coded), batch):
            part = coded[start : start + batch]
            results = ledger.add_many([(c.article, c.extraction) for c in part], {c.article.id: c.text for c in part})
            stored += sum(r.stored for r in results)
        seconds = time.perf_counter() - started
        with ledger.engine.connect() as connection:
            incidents = connection.execute(select(func.count()).select_from(IncidentRow)).scalar()
    n = len(coded)
    return (f"{1000 * seconds / n:.2f} ms a report ({n} reports, {stored} stored, {incidents} incidents); "
            f"{statements[0] / n:.1f} statements a report, {1000 * driver[0] / n:.2f} ms of it in the database driver")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no corpus at {args.data}")
        return 0
    coded = code(args.data, args.n)
    for backend in ("sqlite",) if args.no_postgresql else ("sqlite", "postgresql"):
        with ledger_url(backend) as url:
            if url is not None:
                print(f"{backend:<11} {store(url, coded, args.batch)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
