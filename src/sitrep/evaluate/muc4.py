"""`sitrep eval muc4`: code every MUC-4 document with the ordinary pipeline and score its templates.

    sitrep eval muc4 ../shared/data/muc4/dev.jsonl [--out PRED.jsonl] [--predictions PRED.jsonl] [--json]

Without `--predictions` the documents' `doctext` are coded by sitrep (the same stages as any report), mapped
to templates by `sitrep.muc4` and written to `--out`; with `--predictions` that file is only scored.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.common import reading
from sitrep.evaluate.muc4_score import read_templates, score, summary, table_rows, template_from_json

out = Console()
err = Console(stderr=True)


_pipeline = None  # the loaded pipeline, inherited by forked workers


def _code(records: list[dict]) -> list[tuple[str, list[dict]]]:
    """Code a batch of MUC-4 documents with the loaded pipeline; return (docid, templates)."""
    from sitrep.muc4 import templates
    from sitrep.records import Article

    articles = (Article.from_text(r["doctext"], source=r["docid"]) for r in records)
    return [(a.source, templates(x, _pipeline.codebook)) for a, x in _pipeline.extract_many(articles)]


def predict(gold_path: Path, out_path: Path | None, workers: int) -> tuple[dict[str, list[dict]], float]:
    """Code every document of a MUC-4 file; return docid -> templates and documents per second.
    With several workers the loaded pipeline is shared by forking, and batches are coded in parallel."""
    global _pipeline
    from sitrep.pipeline import Pipeline

    records = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with err.status("Loading the language model and gazetteer…"):
        _pipeline = Pipeline.load()
    batches = [records[i : i + 16] for i in range(0, len(records), 16)]
    started = time.perf_counter()
    if workers > 1 and len(batches) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            coded = [pair for batch in pool.imap(_code, batches) for pair in batch]
    else:
        coded = [pair for batch in batches for pair in _code(batch)]
    speed = len(records) / max(time.perf_counter() - started, 1e-9)
    predicted = dict(coded)
    if out_path is not None:
        with open(out_path, "w", encoding="utf-8") as f:
            for docid, temps in predicted.items():
                f.write(json.dumps({"docid": docid, "templates": temps}) + "\n")
    return predicted, speed


@eval_app.command("muc4")
def muc4(
    gold: Annotated[Path, typer.Argument(help="MUC-4 documents with gold templates (GTT JSONL).", exists=True, dir_okay=False)],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Write sitrep's templates here (JSONL).")] = None,
    predictions: Annotated[Optional[Path], typer.Option(help="Score this prediction file instead of running sitrep.", exists=True, dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of the scores.")] = False,
    workers: Annotated[int, typer.Option(help="Processes coding documents in parallel.")] = min(2, len(os.sched_getaffinity(0))),
) -> None:
    """Role extraction on MUC-4: per-role precision, recall and F1 (the GTT template metric)."""
    with reading(gold, "MUC-4 JSON lines (as ../shared/data/muc4/dev.jsonl)"):
        gold_templates = read_templates(gold, gold=True)
    if predictions is not None:
        with reading(predictions, "MUC-4 templates as JSON lines (as `--out` writes them)"):
            predicted, speed = read_templates(predictions), 0.0
    else:
        raw, speed = predict(gold, out_path, workers)
        predicted = {docid: [template_from_json(t) for t in temps] for docid, temps in raw.items()}
    result = score(predicted, gold_templates)
    table = Table(title=f"MUC-4 templates, {result.documents} documents")
    for column in ("slot", "P", "R", "F1"):
        table.add_column(column, justify="left" if column == "slot" else "right")
    for slot, p, r, f in table_rows(result):
        table.add_row(slot, f"{p:.2f}", f"{r:.2f}", f"{f:.2f}")
    out.print(table)
    if speed:
        out.print(f"{speed:.2f} documents/s")
    if as_json:
        print(json.dumps(summary(result, speed)))
