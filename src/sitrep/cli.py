"""The `sitrep` command line: extract, ingest, incidents, show, demo."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sitrep import formats
from sitrep.evaluate.cli import eval_app
from sitrep.ingest.readers import IngestProblem, read_articles
from sitrep.records import Article, Extraction
from sitrep.store.ledger import Ledger, normalize_db_url

app = typer.Typer(help="News reports about political violence in; a sourced, queryable ledger of incidents out.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
app.add_typer(eval_app, name="eval")
out = Console()
err = Console(stderr=True)

DEFAULT_DB = "sitrep.db"
DbOption = Annotated[str, typer.Option("--db", help="Ledger URL or SQLite file path.", envvar="SITREP_DB")]


def _date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD (e.g. 2016-05-24)", param_hint=option)


def _pipeline():
    from sitrep.pipeline import Pipeline  # loads spaCy: only for commands that code reports

    with err.status("Loading the language model and gazetteer…"):
        return Pipeline.load()


def _report(problem: IngestProblem) -> None:
    where = f"{problem.path}" + (f":{problem.line}" if problem.line else "")
    err.print(f"[yellow]skipped[/] {where}: {problem.reason}", highlight=False)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A report: .txt, .html, .jsonl feed or RSS/Atom .xml.")],
    published: Annotated[Optional[str], typer.Option(help="Publication date, YYYY-MM-DD (resolves 'yesterday').")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"incidents\": [...], \"excluded\": [...]}.")] = False,
) -> None:
    """Print the incidents found in one report (no database)."""
    day = _date(published, "--published")
    pipeline = _pipeline()
    combined = Extraction()
    failed = 0
    for item in read_articles([file], published=day):
        if isinstance(item, IngestProblem):
            _report(item)
            failed += 1
            continue
        result = pipeline.extract(item)
        combined.incidents.extend(result.incidents)
        combined.excluded.extend(result.excluded)
    if as_json:
        out.print_json(combined.model_dump_json())
    else:
        out.print(formats.incidents_table(combined.incidents))
        for ex in combined.excluded:
            out.print(f"[dim]excluded ({ex.reason}): {ex.text[:110]}[/]", highlight=False)
    if failed and not combined.incidents and not combined.excluded:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .html, .jsonl, RSS/Atom .xml.")],
    db: DbOption = DEFAULT_DB,
    published: Annotated[Optional[str], typer.Option(help="Publication date for reports that carry none.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Source name for these reports.")] = None,
) -> None:
    """Code reports and store their incidents in the ledger. Re-ingesting the same content adds nothing."""
    day = _date(published, "--published")
    summary = _ingest(paths, normalize_db_url(db), day, source)
    if summary["stored"] == 0 and summary["duplicates"] == 0 and summary["problems"] > 0:
        raise typer.Exit(1)


def _ingest(paths: list[Path], url: str, day: Optional[dt.date], source: Optional[str]) -> dict[str, int]:
    pipeline = _pipeline()
    ledger = Ledger(url)
    summary = {"stored": 0, "duplicates": 0, "problems": 0, "incidents": 0}

    def fresh_articles(progress, task):
        for item in read_articles(paths, published=day, source=source):
            progress.advance(task)
            if isinstance(item, IngestProblem):
                _report(item)
                summary["problems"] += 1
            elif ledger.has_content(item.content_hash):
                summary["duplicates"] += 1
            else:
                yield item

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("Coding reports", total=None)
        for article, extraction in _safe_extract(pipeline, fresh_articles(progress, task), summary):
            result = ledger.add(article, extraction)
            if result.stored:
                summary["stored"] += 1
                summary["incidents"] += len(result.incidents)
            else:
                summary["duplicates"] += 1
    counts = ledger.counts()
    err.print(
        f"{summary['stored']} reports stored, {summary['duplicates']} already in the ledger, "
        f"{summary['problems']} skipped; {summary['incidents']} incident records written. "
        f"Ledger: {counts['articles']} reports, {counts['incidents']} incidents ({url})."
    )
    return summary


def _safe_extract(pipeline, articles, summary):
    """Batch extraction; a report that breaks the extractor is reported and skipped, the batch goes on."""
    batch: list[Article] = []

    def flush():
        try:
            yield from pipeline.extract_many(batch)
        except Exception:  # one bad report must not sink the batch: retry one by one
            for article in batch:
                try:
                    yield article, pipeline.extract(article)
                except Exception as exc:
                    _report(IngestProblem(path=article.url or article.id, reason=f"extraction failed: {exc!r}"))
                    summary["problems"] += 1

    for article in articles:
        batch.append(article)
        if len(batch) == 32:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    geojson = "geojson"


@app.command()
def incidents(
    db: DbOption = DEFAULT_DB,
    country: Annotated[Optional[str], typer.Option(help="ISO 3166 alpha-2 country code, e.g. SY.")] = None,
    since: Annotated[Optional[str], typer.Option(help="First date, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last date, YYYY-MM-DD.")] = None,
    sub_event_type: Annotated[Optional[str], typer.Option("--type", help="ACLED sub-event type, e.g. 'Suicide bomb'.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
    limit: Annotated[Optional[int], typer.Option(help="At most this many incidents.")] = None,
) -> None:
    """List the incidents in the ledger."""
    found = _open(db).incidents(
        country=country, since=_date(since, "--since"), until=_date(until, "--until"),
        sub_event_type=sub_event_type, limit=limit,
    )
    if output is OutputFormat.table:
        out.print(formats.incidents_table(found))
    else:
        render = {"json": formats.incidents_json, "csv": formats.incidents_csv, "geojson": formats.incidents_geojson}
        sys.stdout.write(render[output.value](found))
        sys.stdout.write("\n")


@app.command()
def show(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="Incident id, as listed by `sitrep incidents`.")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the incident record as JSON.")] = False,
) -> None:
    """Show one incident with every reported figure, who reported it, and the quoted sentence."""
    incident = _open(db).incident(incident_id)
    if incident is None:
        err.print(f"No incident {incident_id!r} in the ledger.")
        raise typer.Exit(1)
    if as_json:
        out.print_json(incident.model_dump_json())
    else:
        out.print(formats.incident_detail(incident))


@app.command()
def demo(db: DbOption = DEFAULT_DB) -> None:
    """Ingest the bundled sample reports into the ledger and print the incident ledger."""
    reports = resources.files("sitrep").joinpath("demo", "reports.jsonl")
    with resources.as_file(reports) as path:
        _ingest([path], normalize_db_url(db), None, None)
    out.print(formats.incidents_table(_open(db).incidents()))


def _open(db: str) -> Ledger:
    url = normalize_db_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"No ledger at {db!r}: run `sitrep ingest PATH --db {db}` first.")
        raise typer.Exit(1)
    return Ledger(url)


if __name__ == "__main__":
    app()
