"""`sitrep eval merge`: cross-report merging against gold incident ids (GVC, GVA).

Input, either
- the GVC JSON-lines format (`{"doc_id", "incident_id", "title", "dct", "text", "gva": {"num_killed",
  "num_injured", ...}}`), e.g. `../shared/data/gvc/gvc-train-dev.jsonl`; or
- the GVA folder (`gva_articles.jsonl` + `gva_incidents.jsonl`, e.g. `../shared/data/gva/`): articles
  are joined to incidents by `incident_id` (articles of held-back incidents are skipped), and crawl
  noise is skipped by a stated rule (`is_noise`): an article is noise when, after dropping lines of
  page furniture (cookie, JavaScript, subscription, newsletter, log-in and captcha notices), fewer than
  200 characters of text remain.

Every article (its text as `sitrep ingest` reads a JSON-lines feed, `dct` as its publication date) is coded and stored, in `dct` order (file
order on ties), into a fresh temporary ledger, exactly as `sitrep ingest` does; the ledger's
incidents are then compared with the gold incidents.

An article's incident (its **main incident**) is the stored incident that most of what the article
contributed went to: the most evidence rows of the article (sentences, places, dates, figures),
then the most figure rows, then the incident created first. An article attached by text only (no
codable incident of its own) belongs to the incident it was attached to. An article with no incident
is a cluster of its own.

Scores:
- `b3_precision`, `b3_recall`, `b3_f1`: B-cubed over articles (predicted clusters = articles sharing
  a main incident, gold clusters = articles sharing an `incident_id`);
- `pairwise_f1`: F1 over pairs of articles put in one incident;
- `incidents_pred`: incidents in the ledger; `incidents_gold`: gold incidents; `articles`;
- `killed_acc_incident`, `injured_acc_incident`: share of gold incidents whose predicted incident (the
  main incident of most of its articles; ties: the one its earliest article went to; none: wrong)
  has the gold `num_killed` / `num_injured`. An incident's killed is its reconciled `best` (0 when no
  killed figure counts), attackers killed included (`reconcile.attackers`), exactly as `sitrep eval
  casualties` counts (`common.counts`): the Gun Violence Archive counts a shooter who dies among the killed.
  `killed_acc_incident_best` scores the `best` alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from sqlalchemy import func, select

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.common import counts, reading
from sitrep.ingest.readers import titled
from sitrep.records import Article, Extraction, Incident
from sitrep.store.ledger import Ledger
from sitrep.store.schema import EvidenceRow, FigureRow, IncidentArticleRow, IncidentRow

NOISE_MIN_CHARS = 200
_FURNITURE = re.compile(
    r"cookie|javascript|subscriber|subscribe|subscription|newsletter|log ?in\b|sign ?in\b|sign up|"
    r"enter the characters|owner of this article|enable .*browser|ad ?blocker|captcha",
    re.IGNORECASE,
)


@dataclass
class GoldArticle:
    article: Article
    incident_id: str
    killed: int
    injured: int
    line: int


@dataclass
class MergeScores:
    articles: int = 0
    incidents_gold: int = 0
    incidents_pred: int = 0
    b3_precision: float = 0.0
    b3_recall: float = 0.0
    b3_f1: float = 0.0
    pairwise_precision: float = 0.0
    pairwise_recall: float = 0.0
    pairwise_f1: float = 0.0
    killed_acc_incident: float = 0.0
    injured_acc_incident: float = 0.0
    killed_acc_incident_best: float = 0.0
    articles_without_incident: int = 0
    duplicates: int = 0  # articles whose text another article already had (stored and scored once)
    skipped: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "misses"}
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


# ---------------------------------------------------------------- data


def _article(title: str | None, body: str, dct: str | None, url: str | None) -> Article:
    """The Article `sitrep ingest` makes of a JSON-lines record (its headline, then its text as given, CRLF to
    LF, no trailing space)."""
    published = dt.date.fromisoformat(dct[:10]) if dct else None
    text = titled(title, body.replace("\r\n", "\n").rstrip())
    return Article.from_text(text, title=(title or "").strip() or None, url=url, published=published)


def read_gvc(path: Path) -> list[GoldArticle]:
    """GVC articles with their gold incident, in `dct` order (file order on ties)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            gva = row.get("gva") or {}
            out.append(GoldArticle(
                article=_article(row.get("title"), row.get("text") or "", row.get("dct"), row.get("url")),
                incident_id=str(row["incident_id"]), killed=int(gva.get("num_killed") or 0),
                injured=int(gva.get("num_injured") or 0), line=n,
            ))
    return _in_order(out)


def is_noise(text: str) -> bool:
    """Crawl noise: under 200 characters once lines of page furniture are dropped."""
    kept = "\n".join(line for line in text.splitlines() if not _FURNITURE.search(line))
    return len(kept.strip()) < NOISE_MIN_CHARS


def read_gva(folder: Path) -> tuple[list[GoldArticle], int]:
    """GVA articles joined to their incidents, noise skipped; (articles, skipped)."""
    incidents = {}
    with open(folder / "gva_incidents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                incidents[str(row["incident_uri"])] = row
    out, skipped = [], 0
    with open(folder / "gva_articles.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            gold = incidents.get(str(row.get("incident_id")))
            body = row.get("content") or ""
            if gold is None or is_noise(body):
                skipped += 1
                continue
            out.append(GoldArticle(
                article=_article(row.get("title"), body, row.get("dct"), row.get("uri")),
                incident_id=str(row["incident_id"]), killed=int(gold.get("num_killed") or 0),
                injured=int(gold.get("num_injured") or 0), line=n,
            ))
    return _in_order(out), skipped


def _in_order(items: list[GoldArticle]) -> list[GoldArticle]:
    return sorted(items, key=lambda g: (g.article.published or dt.date.max, g.line))


def read_any(path: Path) -> tuple[list[GoldArticle], int]:
    if path.is_dir():
        return read_gva(path)
    return read_gvc(path), 0


# ---------------------------------------------------------------- scoring


def main_incidents(ledger: Ledger) -> dict[str, str]:
    """article id -> its main incident (see the module docstring)."""
    with ledger._sessions() as session:
        created = dict(session.execute(select(IncidentRow.id, IncidentRow.created_at)).all())
        evidence = Counter({(a, i): n for a, i, n in session.execute(
            select(EvidenceRow.article_id, EvidenceRow.incident_id, func.count())
            .group_by(EvidenceRow.article_id, EvidenceRow.incident_id))})
        figures = Counter({(a, i): n for a, i, n in session.execute(
            select(FigureRow.article_id, FigureRow.incident_id, func.count())
            .group_by(FigureRow.article_id, FigureRow.incident_id))})
        links = session.execute(select(IncidentArticleRow.article_id, IncidentArticleRow.incident_id)).all()
    options: dict[str, list[str]] = defaultdict(list)
    for article_id, incident_id in links:
        options[article_id].append(incident_id)
    return {
        a: min(ids, key=lambda i: (-evidence[(a, i)], -figures[(a, i)], created[i], i))
        for a, ids in options.items()
    }


def b_cubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    pred_sets: dict[str, set[str]] = defaultdict(set)
    gold_sets: dict[str, set[str]] = defaultdict(set)
    for a, c in pred.items():
        pred_sets[c].add(a)
    for a, c in gold.items():
        gold_sets[c].add(a)
    p = r = 0.0
    for a in gold:
        ps, gs = pred_sets[pred[a]], gold_sets[gold[a]]
        both = len(ps & gs)
        p += both / len(ps)
        r += both / len(gs)
    n = len(gold) or 1
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pairwise(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    def pairs(assign: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for a, c in assign.items():
            groups[c].append(a)
        return {(x, y) for members in groups.values() for x in members for y in members if x < y}

    p_pairs, g_pairs = pairs(pred), pairs(gold)
    both = len(p_pairs & g_pairs)
    p = both / len(p_pairs) if p_pairs else 1.0
    r = both / len(g_pairs) if g_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def incident_killed(incident: Incident | None) -> tuple[int, int, int]:
    """(killed as scored, injured, killed best alone) of a stored incident (see the module docstring)."""
    if incident is None:
        return 0, 0, 0
    killed, injured = counts(incident)
    return killed, injured, incident.killed.best if incident.killed else 0


def score_ledger(ledger: Ledger, gold_articles: list[GoldArticle], stored_ids: dict[str, str]) -> MergeScores:
    """Compare the ledger with the gold incidents (`stored_ids`: content hash -> stored article id)."""
    main = main_incidents(ledger)
    gold: dict[str, str] = {}
    pred: dict[str, str] = {}
    by_gold: dict[str, list[str]] = defaultdict(list)
    facts: dict[str, GoldArticle] = {}
    duplicates = 0
    for g in gold_articles:
        aid = stored_ids.get(g.article.content_hash)
        if aid is None or aid in gold:  # duplicate content: scored once
            duplicates += 1
            continue
        gold[aid] = g.incident_id
        pred[aid] = main.get(aid, f"none:{aid}")
        by_gold[g.incident_id].append(aid)
        facts[g.incident_id] = g
    bp, br, bf = b_cubed(pred, gold)
    pp, pr, pf = pairwise(pred, gold)

    killed_ok = injured_ok = best_ok = 0
    misses = []
    for gid, articles in by_gold.items():
        chosen = [main[a] for a in articles if a in main]
        g = facts[gid]
        if not chosen:
            misses.append(f"{gid}: no incident for its {len(articles)} report(s)")
            continue
        counts = Counter(chosen)
        top = max(counts.values())
        pick = next(c for c in chosen if counts[c] == top)
        killed, injured, best = incident_killed(ledger.incident(pick))
        killed_ok += killed == g.killed
        injured_ok += injured == g.injured
        best_ok += best == g.killed
        if killed != g.killed:
            misses.append(f"{gid}: {pick} killed {killed} (gold {g.killed}), {len(articles)} report(s)")
    n_gold = len(by_gold) or 1
    return MergeScores(
        articles=len(gold), incidents_gold=len(by_gold), incidents_pred=ledger.counts()["incidents"],
        b3_precision=bp, b3_recall=br, b3_f1=bf, pairwise_precision=pp, pairwise_recall=pr, pairwise_f1=pf,
        killed_acc_incident=killed_ok / n_gold, injured_acc_incident=injured_ok / n_gold,
        killed_acc_incident_best=best_ok / n_gold,
        articles_without_incident=sum(1 for a in gold if a not in main), duplicates=duplicates, misses=misses,
    )


def evaluate(gold_articles: list[GoldArticle], extract: Callable[[list[Article]], Iterable[tuple[Article, Extraction]]],
             db_url: str | None = None) -> MergeScores:
    """Store every article (in order) in a fresh ledger and score the merged incidents."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sitrep-eval-merge-") as tmp:
        with Ledger(db_url or f"{tmp}/ledger.db") as ledger:
            stored_ids: dict[str, str] = {}
            for article, extraction in extract([g.article for g in gold_articles]):
                result = ledger.add(article, extraction)
                stored_ids.setdefault(article.content_hash, result.article_id)
            scores = score_ledger(ledger, gold_articles, stored_ids)
    scores.seconds = time.perf_counter() - start
    return scores


def pipeline_extractor(pipeline) -> Callable[[list[Article]], Iterator[tuple[Article, Extraction]]]:
    def run(articles: list[Article]) -> Iterator[tuple[Article, Extraction]]:
        yield from pipeline.extract_many(articles)
    return run


@eval_app.command("merge")
def merge_command(
    path: Annotated[Path, typer.Argument(help="GVC JSON lines (../shared/data/gvc/gvc-train-dev.jsonl) or the GVA folder (../shared/data/gva).")],
    limit: Annotated[Optional[int], typer.Option(help="Only the first N articles (in dct order).")] = None,
    misses: Annotated[int, typer.Option(help="Print up to N gold incidents whose killed count is wrong.")] = 0,
    db: Annotated[Optional[str], typer.Option("--db", help="Keep the ledger here instead of a temporary file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Last line: the scores as JSON.")] = False,
) -> None:
    """Ingest every article in dct order into a fresh ledger; score merged incidents against gold ids."""
    from sitrep.pipeline import Pipeline

    with reading(path, "GVC JSON lines or the GVA folder (as ../shared/data/gvc/gvc-train-dev.jsonl, ../shared/data/gva)"):
        gold, skipped = read_any(path)
    if limit:
        gold = gold[:limit]
    result = evaluate(gold, pipeline_extractor(Pipeline.load()), db_url=db)
    result.skipped = skipped
    for line in result.misses[:misses]:
        typer.echo(f"miss {line}")
    s = result.summary()
    typer.echo(
        f"{s['articles']} articles ({skipped} skipped as noise or without a gold incident, {s['duplicates']} "
        f"duplicate texts scored once), "
        f"{s['incidents_gold']} gold incidents, {s['incidents_pred']} stored: "
        f"B3 P {s['b3_precision']:.3f} R {s['b3_recall']:.3f} F1 {s['b3_f1']:.3f}; pairwise F1 "
        f"{s['pairwise_f1']:.3f}; killed exact {s['killed_acc_incident']:.1%}, injured exact "
        f"{s['injured_acc_incident']:.1%} of gold incidents; {s['articles_without_incident']} articles "
        f"in no incident; {s['seconds']:.0f} s"
    )
    if as_json:
        typer.echo(json.dumps(s))


__all__ = ["b_cubed", "evaluate", "is_noise", "main_incidents", "merge_command", "pairwise", "read_gva",
           "read_gvc", "score_ledger"]
