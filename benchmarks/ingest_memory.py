"""Whether `sitrep ingest` holds its memory flat as the input grows: peak resident memory of an ingest of N
articles and of 10 N, each into a fresh SQLite ledger, as a user runs it (default settings).

    .venv/bin/python benchmarks/ingest_memory.py [--data ../shared/data/gva/gva_articles.jsonl] [--n 200]
                                                 [--ingest-args "--workers 1"]

The inputs are the first N and the first 10 N readable articles of the corpus, written as JSON lines. Each
ingest runs in a new process, measured in a new Python so that its peak is its own: `ru_maxrss` of the
children, i.e. the largest single process (the ingest process or, when it starts them, one of its workers).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest_ratio import first_articles, write_feed

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gva" / "gva_articles.jsonl"
SITREP = Path(sys.executable).with_name("sitrep")

MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(run.returncode, peak, time.perf_counter() - started)
sys.stderr.write(run.stderr[-2000:] if run.returncode else "")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--ingest-args", default="", help="More options for sitrep ingest, e.g. '--workers 1'.")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no corpus at {args.data}")
        return 0

    articles = first_articles(args.data, 10 * args.n)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.n, 10 * args.n):
            feed = Path(tmp) / f"articles-{n}.jsonl"
            write_feed(articles[:n], feed)
            command = [str(SITREP), "ingest", str(feed), "--db", str(Path(tmp) / f"fresh-{n}.db"),
                       *shlex.split(args.ingest_args)]
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
            if run.returncode != 0 or not run.stdout.strip() or run.stdout.split()[0] != "0":
                print(run.stdout, run.stderr[-2000:])
                return 1
            _, peak, _ = run.stdout.split()
            seconds = time.perf_counter() - started
            print(f"{min(n, len(articles)):>6} articles ({feed.stat().st_size / 1e6:.1f} MB): peak {float(peak):.0f} MB "
                  f"(largest process), {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
