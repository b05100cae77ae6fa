"""Incident typing and detection benchmarks.

`sitrep eval types FILE.csv`: event descriptions (a CSV with `notes` and `sub_event_type` columns, such as
ACLED's export or tests/fixtures/typing-heldout.csv) are typed on the pipeline's incident typing path
(`Pipeline.type_descriptions`) and scored against the gold ACLED sub-event type: precision, recall and F1
per type, F1 weighted by support, macro F1 (over gold and predicted types) and accuracy.

`sitrep eval detection FILE.jsonl`: MUC-4 documents (`{"docid", "doctext", "templates"}`, an empty template
list meaning no relevant incident). A document "reports an incident" when the MUC-4 adapter
(`sitrep.muc4.templates`, the mapping `sitrep eval muc4` scores) gives its incidents at least one template:
combat between armed forces, protests, arrests and other strategic developments are not MUC-4 terrorism
incidents. Scores: the share of documents without a template for which sitrep reports none, and the share
with templates for which it reports at least one.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.common import reading, require_columns


@dataclass
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class TypeScores:
    per_class: dict[str, ClassScore]
    weighted_f1: float
    macro_f1: float
    accuracy: float
    events: int

    def summary(self) -> dict:
        return {
            "weighted_f1": round(self.weighted_f1, 4), "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "per_class": {name: round(s.f1, 4) for name, s in self.per_class.items()}, "events": self.events,
        }


def score_types(gold: list[str], predicted: list[str]) -> TypeScores:
    """Per-type precision/recall/F1; F1 weighted by gold support; macro F1 over every type seen."""
    support = Counter(gold)
    per_class: dict[str, ClassScore] = {}
    for name in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == name for g, p in zip(gold, predicted))
        fp = sum(p == name != g for g, p in zip(gold, predicted))
        fn = sum(g == name != p for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = ClassScore(precision, recall, f1, support[name])
    n = len(gold)
    return TypeScores(
        per_class=per_class,
        weighted_f1=sum(s.f1 * s.support for s in per_class.values()) / n if n else 0.0,
        macro_f1=sum(s.f1 for s in per_class.values()) / len(per_class) if per_class else 0.0,
        accuracy=sum(g == p for g, p in zip(gold, predicted)) / n if n else 0.0,
        events=n,
    )


def read_descriptions(path: Path) -> list[tuple[str, str]]:
    """(notes, sub_event_type) pairs of a CSV with at least those two columns."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        require_columns(path, reader.fieldnames, ("notes", "sub_event_type"))
        return [(r["notes"], r["sub_event_type"]) for r in reader]


def types_table(scores: TypeScores) -> str:
    width = max([len(n) for n in scores.per_class] + [10])
    lines = [f"{'sub-event type':<{width}}  support  precision  recall     F1"]
    for name, s in scores.per_class.items():
        lines.append(f"{name:<{width}}  {s.support:>7}  {s.precision:>9.3f}  {s.recall:>6.3f}  {s.f1:>5.3f}")
    lines.append(f"{scores.events} descriptions: weighted F1 {scores.weighted_f1:.3f}, macro F1 {scores.macro_f1:.3f}, "
                 f"accuracy {scores.accuracy:.3f}")
    return "\n".join(lines)


@eval_app.command("types")
def types_command(
    file: Annotated[Path, typer.Argument(
        help="CSV with `notes` and `sub_event_type` columns, e.g. ../shared/data/acled/acled-benin-dev.csv.")],
    misses: Annotated[int, typer.Option(help="Print up to N descriptions typed wrongly.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Last line: the scores as JSON.")] = False,
) -> None:
    """Type each description as an event description and score the ACLED sub-event types."""
    from sitrep.pipeline import Pipeline

    with reading(file, "a CSV with 'notes' and 'sub_event_type' columns"):
        rows = read_descriptions(file)
    predicted = [t.sub_event_type for t in Pipeline.load().type_descriptions(notes for notes, _ in rows)]
    gold = [g for _, g in rows]
    wrong = [(g, p, notes) for (notes, g), p in zip(rows, predicted) if g != p]
    for g, p, notes in wrong[:misses]:
        typer.echo(f"miss: {g} -> {p}: {notes[:160]}")
    scores = score_types(gold, predicted)
    typer.echo(types_table(scores))
    if as_json:
        typer.echo(json.dumps(scores.summary()))


@dataclass
class DetectionScores:
    empty_docs: int
    empty_without_incident: int
    template_docs: int
    template_with_incident: int

    def summary(self) -> dict:
        return {
            "no_template_docs": self.empty_docs,
            "no_template_without_incident": round(self.empty_without_incident / self.empty_docs, 4)
            if self.empty_docs else None,
            "template_docs": self.template_docs,
            "template_with_incident": round(self.template_with_incident / self.template_docs, 4)
            if self.template_docs else None,
        }


def score_detection(pairs: Iterable[tuple[bool, bool]]) -> DetectionScores:
    """From (document has a gold template, sitrep reports an incident) pairs."""
    s = DetectionScores(0, 0, 0, 0)
    for has_template, reported in pairs:
        if has_template:
            s.template_docs += 1
            s.template_with_incident += reported
        else:
            s.empty_docs += 1
            s.empty_without_incident += not reported
    return s


@eval_app.command("detection")
def detection_command(
    file: Annotated[Path, typer.Argument(help="MUC-4 JSON lines, e.g. ../shared/data/muc4/dev.jsonl.")],
    misses: Annotated[int, typer.Option(help="Print up to N documents of each kind that are missed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Last line: the scores as JSON.")] = False,
) -> None:
    """Does sitrep report an incident exactly for the MUC-4 documents that have a gold template?"""
    from sitrep.codebook import load_codebook
    from sitrep.muc4 import templates
    from sitrep.pipeline import Pipeline
    from sitrep.records import Article

    with reading(file, "MUC-4 JSON lines (as ../shared/data/muc4/dev.jsonl)"):
        docs = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        docs = [{"doctext": d["doctext"], "templates": d["templates"], "docid": d.get("docid")} for d in docs]
    codebook = load_codebook()
    articles = (Article.from_text(d["doctext"]) for d in docs)
    pairs = []
    for doc, (_, extraction) in zip(docs, Pipeline.load().extract_many(articles)):
        types = [t["incident_type"] for t in templates(extraction, codebook)]
        has_template = bool(doc["templates"])
        pairs.append((has_template, bool(types)))
        if misses and has_template != bool(types):
            misses -= 1
            what = f"reports {', '.join(types)}" if types else "reports no incident"
            typer.echo(f"miss {doc['docid']}: {len(doc['templates'])} template(s), sitrep {what}")
    s = score_detection(pairs).summary()
    typer.echo(f"{s['no_template_docs']} documents without a template: {s['no_template_without_incident']:.1%} "
               f"give no incident; {s['template_docs']} with templates: {s['template_with_incident']:.1%} "
               "give at least one")
    if as_json:
        typer.echo(json.dumps(s))


__all__ = ["detection_command", "read_descriptions", "score_detection", "score_types", "types_command"]
