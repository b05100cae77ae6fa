"""`sitrep eval casualties`: killed and injured counts against the Gun Violence Archive, per article.

Input: a Gun Violence Archive folder (`gva_incidents.jsonl` + `gva_articles.jsonl`, e.g.
`../shared/data/gva`: each article against its incident's counts, crawl noise skipped as `eval merge`
skips it), or the GVC JSON-lines format (`{"doc_id", "title", "dct", "text", "split_ukp_bugert2021",
"gva": {"num_killed", "num_injured", ...}}`), e.g. `../shared/data/gvc/gvc-train-dev.jsonl`.
Each article is coded on its own (title + text, `dct` as the publication date) and the killed and
injured of its **main incident** are compared with the Gun Violence Archive's gold counts.

The main incident of a report is the incident with the most evidence: the most distinct sentences
behind it, then the most casualty figure rows, then the earliest in the text. A report with no
incident predicts 0 killed and 0 injured. An incident's killed (injured) is its reconciled `best`
(reconcile.py), 0 when it has no figure of that kind.

The Gun Violence Archive counts a shooter who dies (shot by police, or by his own hand) among
the killed: in the train/dev articles every incident whose participants include a killed
`Subject-Suspect` has that suspect in `num_killed` (see `perpetrator_share`), and so does the
incident's killed (`reconcile.attackers`: attackers killed are added to the victims' toll unless a
sentence already counts them in it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Optional

import typer

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.common import counts, main_incident, reading
from sitrep.records import Article


@dataclass
class GoldArticle:
    doc_id: str
    text: str
    published: dt.date | None
    killed: int
    injured: int
    split: str | None = None


@dataclass
class Prediction:
    doc_id: str
    killed: int
    injured: int
    gold_killed: int
    gold_injured: int
    incidents: int
    split: str | None = None

    @property
    def killed_ok(self) -> bool:
        return self.killed == self.gold_killed

    @property
    def injured_ok(self) -> bool:
        return self.injured == self.gold_injured


@dataclass
class CasualtyScores:
    articles: int = 0
    killed_acc: float = 0.0
    injured_acc: float = 0.0
    killed_mae: float = 0.0
    injured_mae: float = 0.0
    no_incident: int = 0
    predictions: list[Prediction] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        out = asdict(self)
        out.pop("predictions")
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def read_gvc(path: Path, split: str | None = None) -> Iterator[GoldArticle]:
    """GVC articles with their gold counts; `split` keeps only "train" or "dev" articles."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if split and row.get("split_ukp_bugert2021") != split:
                continue
            title = (row.get("title") or "").strip()
            body = row.get("text") or ""
            text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
            dct = row.get("dct")
            gva = row.get("gva") or {}
            yield GoldArticle(
                doc_id=str(row.get("doc_id")), text=text,
                published=dt.date.fromisoformat(dct[:10]) if dct else None,
                killed=int(gva.get("num_killed") or 0), injured=int(gva.get("num_injured") or 0),
                split=row.get("split_ukp_bugert2021"),
            )


def read_gva(folder: Path) -> list[GoldArticle]:
    """The articles of a GVA folder (noise skipped) with their incident's counts, in publication order."""
    from sitrep.evaluate.merge import read_gva as read_joined

    joined, _ = read_joined(folder)
    return [GoldArticle(doc_id=f"{g.incident_id}:{g.line}", text=g.article.text, published=g.article.published,
                        killed=g.killed, injured=g.injured) for g in joined]


def score(predictions: Iterable[Prediction]) -> CasualtyScores:
    preds = list(predictions)
    n = len(preds)
    if not n:
        return CasualtyScores()
    return CasualtyScores(
        articles=n,
        killed_acc=sum(p.killed_ok for p in preds) / n,
        injured_acc=sum(p.injured_ok for p in preds) / n,
        killed_mae=sum(abs(p.killed - p.gold_killed) for p in preds) / n,
        injured_mae=sum(abs(p.injured - p.gold_injured) for p in preds) / n,
        no_incident=sum(p.incidents == 0 for p in preds),
        predictions=preds,
    )


def evaluate(pipeline, gold: Iterable[GoldArticle]) -> CasualtyScores:
    """Code every article and score its main incident's counts."""
    gold = list(gold)
    articles = [Article.from_text(g.text, published=g.published) for g in gold]
    preds = []
    for g, (_, extraction) in zip(gold, pipeline.extract_many(articles), strict=True):
        killed, injured = counts(main_incident(extraction))
        preds.append(Prediction(g.doc_id, killed, injured, g.killed, g.injured,
                                len(extraction.incidents), g.split))
    return score(preds)


def perpetrator_share(path: Path) -> tuple[int, int]:
    """(incidents with a killed suspect, of which the suspect is within num_killed by the participant
    list): the check behind counting attackers killed."""
    seen: dict[str, tuple[int, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            gva = row.get("gva") or {}
            parts = gva.get("participants") or []
            killed = [p for p in parts if "Killed" in (p.get("Status") or "")]
            suspects = [p for p in killed if "Suspect" in (p.get("Type") or "")]
            if suspects:
                seen[row["incident_id"]] = (len(killed), int(gva.get("num_killed") or 0))
    return len(seen), sum(1 for k, n in seen.values() if n == k)


@eval_app.command("casualties")
def casualties_command(
    file: Annotated[Path, typer.Argument(help="GVC JSON lines (../shared/data/gvc/gvc-train-dev.jsonl) or a GVA "
                                             "folder (../shared/data/gva).")],
    split: Annotated[Optional[str], typer.Option(help="Only this split_ukp_bugert2021 value (train or dev).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N articles.")] = None,
    misses: Annotated[int, typer.Option(help="Print up to N articles whose counts are wrong.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Last line: the scores as JSON.")] = False,
) -> None:
    """Killed/injured of each article's main incident against the Gun Violence Archive's counts."""
    from sitrep.pipeline import Pipeline

    with reading(file, "GVC JSON lines (as ../shared/data/gvc/gvc-train-dev.jsonl) or a GVA folder"):
        gold = read_gva(file) if file.is_dir() else list(read_gvc(file, split))
    if limit:
        gold = gold[:limit]
    result = evaluate(Pipeline.load(), gold)
    wrong = [p for p in result.predictions if not (p.killed_ok and p.injured_ok)]
    for p in wrong[:misses]:
        typer.echo(f"miss {p.doc_id}: killed {p.killed} (gold {p.gold_killed}), injured {p.injured} "
                   f"(gold {p.gold_injured}), {p.incidents} incident(s)")
    s = result.summary()
    if as_json:
        typer.echo(json.dumps(s))
    else:
        typer.echo(f"{s['articles']} articles: killed exact {s['killed_acc']:.1%} (MAE {s['killed_mae']:.3f}), "
                   f"injured exact {s['injured_acc']:.1%} (MAE {s['injured_mae']:.3f}); "
                   f"{s['no_incident']} with no incident (scored 0/0)")


__all__ = ["casualties_command", "counts", "evaluate", "main_incident", "read_gva", "read_gvc", "score"]
