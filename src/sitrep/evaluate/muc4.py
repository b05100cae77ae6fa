"""`sitrep eval muc4`: code every MUC-4 document with the ordinary pipeline and score its templates.

    sitrep eval muc4 ../shared/data/muc4/dev.jsonl [--out PRED.jsonl] [--predictions PRED.jsonl] [--json]

Without `--predictions` the documents' `doctext` are coded by sitrep (the same stages as any report), mapped
to templates by `sitrep.muc4` and written to `--out`; with `--predictions` that file is only scored.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.muc4_score import read_templates, score, summary, table_rows, template_from_json

out = Console()
err = Console(stderr=True)


def predict(gold_path: Path, out_path: Path | None) -> tuple[dict[str, list[dict]], float]:
    """Code every document of a MUC-4 file; return docid -> templates and documents per second."""
    from sitrep.muc4 import templates
    from sitrep.pipeline import Pipeline
    from sitrep.records import Article

    records = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with err.status("Loading the language model and gazetteer…"):
        pipeline = Pipeline.load()
    articles = (Article.from_text(r["doctext"], source=r["docid"]) for r in records)
    started = time.perf_counter()
    predicted = {
        article.source: templates(extraction, pipeline.codebook)
        for article, extraction in pipeline.extract_many(articles)
    }
    speed = len(records) / max(time.perf_counter() - started, 1e-9)
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
) -> None:
    """Role extraction on MUC-4: per-role precision, recall and F1 (the GTT template metric)."""
    gold_templates = read_templates(gold)
    if predictions is not None:
        predicted, speed = read_templates(predictions), 0.0
    else:
        raw, speed = predict(gold, out_path)
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
