"""A warm API server's latency on a ledger of 10,000 incidents: GET /incidents (the dashboard's first call)
and the other reads an analyst's page makes, each `--requests` times, one at a time; median and 95th
percentile in milliseconds.

    .venv/bin/python benchmarks/api_latency.py [--incidents 10000] [--requests 50] [--postgresql]

The ledger is filled in bulk with synthetic incidents shaped like coded ones (`export_memory.fill`); the
server is `sitrep serve` in a child process, warmed up by one request to each path before timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from export_memory import fill, running_server

from sitrep.store.ledger import Ledger

PATHS = ["/incidents", "/incidents?min_killed=10&sort=-killed", "/incidents?q=market", "/stats",
         "/incidents/SYN-0004242"]


def timed_get(url: str) -> float:
    """Milliseconds to GET url and read its whole body."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgresql", action="store_true", help="The ledger on a PostgreSQL server of our own.")
    args = parser.parse_args()

    postgres = None
    with tempfile.TemporaryDirectory() as folder:
        if args.postgresql:
            from sitrep.store.local_postgres import LocalPostgres

            postgres = LocalPostgres().start()
            url = postgres.create_database()
        else:
            url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        try:
            with Ledger(url) as ledger:
                seconds = fill(ledger, args.incidents)
            print(f"{args.incidents:,} incidents filled in {seconds:.1f} s", file=sys.stderr)
            with running_server(url) as (base, _pid):
                for path in PATHS:
                    timed_get(base + path)
                rows = []
                for path in PATHS:
                    ms = sorted(timed_get(base + path) for _ in range(args.requests))
                    rows.append((path, statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]))
        finally:
            if postgres is not None:
                postgres.stop()
    backend = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"warm `sitrep serve`, {args.incidents:,} incidents ({backend}), {args.requests} requests each, ms")
    print(f"{'path':<40} {'median':>7} {'p95':>7}")
    for path, median, p95 in rows:
        print(f"{path:<40} {median:>7.1f} {p95:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
