"""Throughput of the full `extract` pipeline against the bare spaCy pipeline, with peak memory.

    .venv/bin/python benchmarks/throughput.py [--data ../shared/data/gva/gva_articles.jsonl] [--n 500]

Prints articles/s for both over the same texts, their ratio, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from sitrep.ingest.readers import IngestProblem, read_articles
from sitrep.pipeline import Pipeline

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gva" / "gva_articles.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no corpus at {args.data}")
        return 0
    articles = []
    for item in read_articles([args.data]):
        if not isinstance(item, IngestProblem):
            articles.append(item)
        if len(articles) == args.n:
            break

    t0 = time.perf_counter()
    pipeline = Pipeline.load()
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for _ in pipeline.nlp.pipe((a.text for a in articles), batch_size=32):
        pass
    bare_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    incidents = sum(len(x.incidents) for _, x in pipeline.extract_many(articles))
    full_s = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(articles)
    print(f"articles            {n}")
    print(f"load (model+gazetteer) {load_s:.1f} s")
    print(f"bare spaCy          {n / bare_s:.1f} articles/s")
    print(f"full extract        {n / full_s:.1f} articles/s  ({incidents} incidents)")
    print(f"ratio full/bare     {bare_s / full_s:.2f}")
    print(f"peak memory         {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
