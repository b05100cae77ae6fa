"""Sweep: code every text of the evaluation data with the forgiving pipeline (strict=False) and count what
went wrong: the stages that failed (`Extraction.problems`), grouped by where they raised, any exception that
still escaped the pipeline, and the reports skipped for their language.

    .venv/bin/python benchmarks/sweep.py [--data ../shared/data] [--limit N]    (or: make sweep)

Reads muc4/{train,dev}.jsonl (doctext), gvc/gvc-train-dev.jsonl (text), gva/gva_articles.jsonl (content),
acled/*.csv (notes), case2021/*.csv (notes or text) and wikievents/dev.jsonl (text), each folder that is
there; `--limit` codes only the first N texts of each dataset.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BATCH = 32


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _csv(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def records(data: Path) -> Iterator[tuple[str, str, str | None, dt.date | None]]:
    """(dataset, text, title, published) for every text of the evaluation data, folder by folder."""
    for name in ("train", "dev"):
        path = data / "muc4" / f"{name}.jsonl"
        if path.exists():
            for row in _jsonl(path):
                yield f"muc4/{name}", row.get("doctext") or "", None, None
    path = data / "gvc" / "gvc-train-dev.jsonl"
    if path.exists():
        for row in _jsonl(path):
            yield "gvc", row.get("text") or "", row.get("title"), _date(row.get("dct"))
    path = data / "gva" / "gva_articles.jsonl"
    if path.exists():
        for row in _jsonl(path):
            yield "gva", row.get("content") or "", row.get("title"), _date(row.get("dct"))
    for path in sorted((data / "acled").glob("*.csv")):
        for row in _csv(path):
            yield "acled", row.get("notes") or "", None, _date(row.get("event_date"))
    for path in sorted((data / "case2021").glob("*.csv")):
        for row in _csv(path):
            yield f"case2021/{path.stem.split('-')[1]}", row.get("notes") or row.get("text") or "", None, None
    path = data / "wikievents" / "dev.jsonl"
    if path.exists():
        for row in _jsonl(path):
            yield "wikievents", row.get("text") or " ".join(row.get("tokens") or []), None, None


@dataclass
class Tally:
    documents: Counter[str] = field(default_factory=Counter)
    unreadable: Counter[str] = field(default_factory=Counter)  # Article.from_text refused the text
    skipped: Counter[str] = field(default_factory=Counter)  # language not supported
    incidents: Counter[str] = field(default_factory=Counter)
    with_problems: Counter[str] = field(default_factory=Counter)
    problems: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (site, exception, stage)
    escaped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (site, exception)
    examples: dict = field(default_factory=dict)


def _site_and_type(detail: str) -> tuple[str, str]:
    """("figures.py:547", "IndexError") from "IndexError: list index out of range (figures.py:547)"."""
    kind = detail.split(":", 1)[0].split(" ", 1)[0]
    site = detail.rsplit("(", 1)[1].rstrip(")") if detail.endswith(")") and "(" in detail else "?"
    return site, kind


def sweep(pipeline, items: list, tally: Tally) -> None:
    """Code one batch of (dataset, article); a batch that raises is coded again report by report."""
    from sitrep.extract.problems import site

    def count(dataset, article, extraction) -> None:
        tally.documents[dataset] += 1
        tally.incidents[dataset] += len(extraction.incidents)
        if extraction.skipped:
            tally.skipped[dataset] += 1
        if extraction.problems:
            tally.with_problems[dataset] += 1
        for p in extraction.problems:
            where, kind = _site_and_type(p.detail)
            key = (where, kind, p.stage)
            tally.problems[key] += 1
            tally.examples.setdefault(key, (dataset, article.text[p.start:p.end][:160] if p.start is not None
                                            else article.text[:160], p.detail))

    try:
        coded = list(pipeline.extract_many([a for _, a in items], batch_size=BATCH))
    except Exception:  # noqa: BLE001 - counted report by report below
        coded = None
    if coded is not None:
        for (dataset, _), (article, extraction) in zip(items, coded, strict=True):
            count(dataset, article, extraction)
        return
    for dataset, article in items:
        try:
            extraction = pipeline.extract(article)
        except Exception as exc:  # noqa: BLE001 - what the sweep is for
            tally.documents[dataset] += 1
            key = (site(exc) or "?", type(exc).__name__)
            tally.escaped[key] += 1
            tally.examples.setdefault(key, (dataset, article.text[:160], repr(exc)[:200]))
            continue
        count(dataset, article, extraction)


def report(tally: Tally, seconds: float, load_s: float) -> str:
    lines = [f"{'dataset':<22}{'docs':>7}{'incidents':>11}{'skipped':>9}{'w/ problems':>13}{'unreadable':>12}"]
    for name in tally.documents | tally.unreadable:
        lines.append(f"{name:<22}{tally.documents[name]:>7}{tally.incidents[name]:>11}{tally.skipped[name]:>9}"
                     f"{tally.with_problems[name]:>13}{tally.unreadable[name]:>12}")
    total = sum(tally.documents.values())
    lines.append(f"{'total':<22}{total:>7}{sum(tally.incidents.values()):>11}{sum(tally.skipped.values()):>9}"
                 f"{sum(tally.with_problems.values()):>13}{sum(tally.unreadable.values()):>12}")
    lines.append("")
    lines.append(f"exceptions escaping the pipeline: {sum(tally.escaped.values())}")
    for (where, kind), n in tally.escaped.most_common():
        lines.append(f"  {n:>6}  {kind:<22}{where:<24}e.g. {tally.examples[(where, kind)]}")
    lines.append(f"coding problems recorded: {sum(tally.problems.values())}")
    for (where, kind, stage), n in tally.problems.most_common():
        dataset, text, detail = tally.examples[(where, kind, stage)]
        lines.append(f"  {n:>6}  {kind:<22}{where:<24}stage {stage:<10} e.g. [{dataset}] {detail}")
        lines.append(f"          {text!r}")
    lines.append(f"skipped (language): {sum(tally.skipped.values())}")
    lines.append("")
    rate = total / seconds if seconds else 0.0
    lines.append(f"time: {seconds:.1f} s coding ({rate:.1f} docs/s), {load_s:.1f} s loading")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the evaluation data folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N texts of each dataset")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: no evaluation data at {args.data}")
        return 0

    from sitrep.pipeline import Pipeline
    from sitrep.records import Article

    t0 = time.perf_counter()
    pipeline = Pipeline.load()
    pipeline.strict = False
    load_s = time.perf_counter() - t0
    tally = Tally()
    seen: Counter[str] = Counter()
    batch: list = []
    t0 = time.perf_counter()
    for dataset, text, title, published in records(args.data):
        if args.limit is not None and seen[dataset] >= args.limit:
            continue
        seen[dataset] += 1
        try:
            article = Article.from_text(text.replace("\r\n", "\n").rstrip(), title=title, published=published)
        except ValueError:
            tally.unreadable[dataset] += 1
            continue
        batch.append((dataset, article))
        if len(batch) == BATCH:
            sweep(pipeline, batch, tally)
            batch = []
            print(f"\r{sum(tally.documents.values())} documents ...", end="", file=sys.stderr, flush=True)
    if batch:
        sweep(pipeline, batch, tally)
    print(file=sys.stderr)
    if not seen:
        print(f"skipped: no known dataset under {args.data}")
        return 0
    print(report(tally, time.perf_counter() - t0, load_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
