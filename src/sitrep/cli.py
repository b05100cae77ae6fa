"""The `sitrep` command line: extract, ingest, incidents, show, demo.

Start-up stays light (`sitrep --help` imports typer and rich, no more): every command imports what it needs.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from sitrep.evaluate.cli import eval_app
from sitrep.merge.cli import parse_timestamp
from sitrep.merge.cli import register as register_corrections
from sitrep.places.cli import register as register_places
from sitrep.store.cli import register as register_db
from sitrep.watch.cli import register as register_watch

if TYPE_CHECKING:  # the records, readers and ledger (pydantic, SQLAlchemy) are imported by the commands that use them
    from sitrep.ingest.readers import IngestProblem
    from sitrep.store.ledger import Ledger

app = typer.Typer(help="News reports about political violence in; a sourced, queryable ledger of incidents out.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False, rich_markup_mode=None)
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


def _pipeline(places=()):
    """The pipeline, with a ledger's own gazetteer (`places`) beside GeoNames."""
    from sitrep.pipeline import Pipeline  # loads spaCy: only for commands that code reports

    with err.status("Loading the language model and gazetteer…"):
        return Pipeline.load(places=places)


def _report(problem: IngestProblem) -> None:
    from rich.markup import escape

    where = f"{problem.path}" + (f":{problem.line}" if problem.line else "")
    err.print(f"[yellow]{problem.outcome}[/] {escape(where)}: {escape(problem.reason)}", highlight=False)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A report: .txt, .html, .jsonl feed or RSS/Atom .xml.")],
    published: Annotated[Optional[str], typer.Option(help="Publication date, YYYY-MM-DD (resolves 'yesterday').")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"incidents\": [...], \"excluded\": [...]}.")] = False,
) -> None:
    """Print the incidents found in one report (no database)."""
    from sitrep import formats
    from sitrep.ingest.readers import IngestProblem, read_articles
    from sitrep.records import Extraction

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
        combined.problems.extend(result.problems)
        if result.skipped:
            combined.skipped = "; ".join(filter(None, (combined.skipped, result.skipped)))
            _report(IngestProblem(path=str(file), reason=result.skipped, outcome="not coded"))
    if as_json:
        out.print_json(combined.model_dump_json())
    else:
        from rich.markup import escape

        out.print(formats.incidents_table(combined.incidents))
        for ex in combined.excluded:
            out.print(f"[dim]excluded ({ex.reason}): {escape(ex.text[:110])}[/]", highlight=False)
        for problem in combined.problems:
            err.print(f"[yellow]coding problem ({problem.stage}):[/] {escape(problem.detail)}", highlight=False)
    if failed and not combined.incidents and not combined.excluded:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .html, .jsonl, RSS/Atom .xml.")],
    db: DbOption = DEFAULT_DB,
    published: Annotated[Optional[str], typer.Option(help="Publication date for reports that carry none.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Source name for these reports.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Where reports that name no country are set (ISO 3166 alpha-2, e.g. NG); a JSON-lines record's own 'country' comes first.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Code reports in N local processes (each loads the model once); 1: in this process. Default: one per core (up to 4) for an input of 512 KB or more, else 1. With --dask local, the number of Dask workers.")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Code reports on a Dask cluster: tcp://HOST:PORT of a running scheduler (workers need sitrep installed), or 'local' to start a LocalCluster.")] = None,
) -> None:
    """Code reports and store their incidents in the ledger. Re-ingesting the same content adds nothing;
    an ingest stopped part-way resumes where it stopped when run again."""
    from sitrep.records import country_code
    from sitrep.store.ledger import normalize_db_url

    day = _date(published, "--published")
    if country is not None:
        try:
            country = country_code(country)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--country") from None
    summary = _ingest(paths, normalize_db_url(db), day, source, country=country, workers=workers, dask=dask)
    if summary.unstored or (summary.stored == 0 and summary.duplicates == 0 and summary.problems > 0):
        raise typer.Exit(1)


def _ingest(paths: list[Path], url: str, day: Optional[dt.date], source: Optional[str], *,
            country: Optional[str] = None, workers: Optional[int] = None, dask: Optional[str] = None):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from sitrep.ingest.batch import IngestSummary, auto_workers, ingest, make_coder

    ledger = _open(url, create=True)
    if workers is None and not dask:
        workers = auto_workers(paths)
    where = f"Dask {dask}" if dask else f"{workers} worker processes" if workers and workers > 1 else "this process"
    try:
        with err.status(f"Starting the coder ({where})…"):
            places = ledger.places()  # the ledger's own gazetteer (sitrep places import)
            coder = make_coder(lambda: _pipeline(places), workers=workers, dask=dask, places=places)
    except ImportError as exc:
        err.print(f"[red]error:[/] --dask needs the optional extra: pip install 'sitrep[dask]' ({exc})", highlight=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[red]error:[/] cannot reach the Dask scheduler {dask}: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
               TextColumn("{task.fields[rate]}"))
    summary = IngestSummary()
    try:
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("", total=None, rate="")

            def show(state: IngestSummary) -> None:
                elapsed = progress.tasks[task].elapsed or 0.0
                rate = f"{state.stored / elapsed:.1f} reports/s" if elapsed > 1 else ""
                progress.update(task, rate=rate, description=(
                    f"Coding reports: {state.stored} stored, {state.duplicates} already in the ledger, "
                    f"{state.problems} skipped"))

            summary = ingest(paths, ledger, coder, published=day, source=source, country=country, on_problem=_report,
                             on_progress=show)
    except KeyboardInterrupt:
        err.print("[yellow]stopped.[/] Every report stored so far is complete; run the same command again "
                  "to go on (stored reports and finished files are skipped).")
        raise typer.Exit(130)
    finally:
        coder.close()
    counts = ledger.counts()
    files = "file" if summary.files_skipped == 1 else "files"
    skipped = f" {summary.files_skipped} {files} finished by an earlier run, skipped unread;" if summary.files_skipped else ""
    partly = "".join(f" ({n} {what})" for n, what in ((summary.not_coded, "not coded: language"),
                                                      (summary.coded_in_part, "coded in part")) if n)
    err.print(
        f"{summary.stored} reports stored{partly}, {summary.duplicates} already in the ledger, "
        f"{summary.problems} skipped;{skipped} {summary.incidents} incident records written. "
        f"Ledger: {counts['articles']} reports, {counts['incidents']} incidents ({_shown(url)}).",
        soft_wrap=True, highlight=False,
    )
    if summary.unstored:
        err.print(f"[red]{summary.unstored} reports were not stored[/] through no fault of their own (see above: "
                  "the database was busy, or a worker stopped); their files are left unfinished: run the same "
                  "command again.", soft_wrap=True, highlight=False)
    return summary


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
    updated_since: Annotated[Optional[str], typer.Option("--updated-since", help="Only incidents changed at or after this time (YYYY-MM-DD or ISO timestamp, UTC): incremental sync, with `sitrep deletions --since`.")] = None,
) -> None:
    """List the incidents in the ledger."""
    from sitrep import formats

    changed = {"updated_since": parse_timestamp(updated_since, "--updated-since")} if updated_since else {}
    filters = dict(country=country, since=_date(since, "--since"), until=_date(until, "--until"),
                   sub_event_type=sub_event_type, **changed)
    ledger = _open(db)
    found = ledger.incidents(**filters, limit=limit)
    if not found:
        _say_what_the_ledger_holds(ledger, filters)
        if output is OutputFormat.table:  # no empty table: what was said is the answer
            return
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
    from sitrep import formats

    ledger = _open(db)
    incident = ledger.incident(incident_id)
    if incident is None:
        err.print(f"No incident {incident_id!r} in the ledger.", highlight=False, markup=False)
        raise typer.Exit(1)
    coding = ledger.coding(incident.articles)
    reports = [a for a in (ledger.article(aid) for aid in incident.articles) if a is not None]
    if as_json:
        record = incident.model_dump(mode="json")
        record["coding_problems"] = [c.model_dump(mode="json") for c in coding]
        record["reports"] = [r.model_dump(mode="json", exclude={"text", "content_hash"}) for r in reports]
        out.print_json(data=record)
    else:
        out.print(formats.incident_detail(incident, coding, reports))


@app.command()
def problems(
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines: one report a line.")] = False,
) -> None:
    """Stored reports that were not coded (a language not supported yet) or were coded only in part, and why."""
    from rich.table import Table

    ledger = _open(db)
    found = ledger.coding()
    if as_json:
        for item in found:
            sys.stdout.write(item.model_dump_json() + "\n")
        return
    if not found:
        err.print("Every stored report was coded in full.")
        return
    table = Table("report", "title or address", "what was lost", header_style="bold")
    for item in found:
        article = ledger.article(item.article_id)
        label = (article.title or article.url or "") if article else ""
        lost = [f"not coded: {item.not_coded}"] if item.not_coded else []
        lost += [f"{p.stage} failed: {p.detail}" for p in item.problems]
        table.add_row(item.article_id, label[:60], "\n".join(lost))
    out.print(table)


@app.command()
def demo(db: DbOption = DEFAULT_DB) -> None:
    """Ingest the bundled sample reports into the ledger and print the incident ledger."""
    from importlib import resources

    from sitrep import formats
    from sitrep.store.ledger import normalize_db_url

    reports = resources.files("sitrep").joinpath("demo", "reports.jsonl")
    with resources.as_file(reports) as path:
        _ingest([path], normalize_db_url(db), None, None)
    out.print(formats.incidents_table(_open(db).incidents()))


class ExportFormat(str, Enum):
    acled_csv = "acled-csv"
    geojson = "geojson"
    jsonl = "jsonl"
    parquet = "parquet"


@app.command()
def export(
    output_format: Annotated[ExportFormat, typer.Option("--format", help="acled-csv (ACLED columns), geojson, jsonl (one incident record a line), parquet (needs the optional extra \"parquet\": pyarrow).")] = ExportFormat.acled_csv,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here instead of standard output (required for parquet).")] = None,
    db: DbOption = DEFAULT_DB,
    country: Annotated[Optional[str], typer.Option(help="ISO 3166 alpha-2 country code, e.g. SY.")] = None,
    admin1: Annotated[Optional[str], typer.Option(help="First-level region, e.g. Latakia.")] = None,
    since: Annotated[Optional[str], typer.Option(help="First date, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last date, YYYY-MM-DD.")] = None,
    event_type: Annotated[Optional[str], typer.Option("--event-type", help="ACLED event type, e.g. 'Explosions/Remote violence'.")] = None,
    sub_event_type: Annotated[Optional[str], typer.Option("--type", help="ACLED sub-event type, e.g. 'Suicide bomb'.")] = None,
    actor: Annotated[Optional[str], typer.Option(help="Part of a perpetrator's or claimant's name.")] = None,
    min_killed: Annotated[Optional[int], typer.Option("--min-killed", min=0, max=1_000_000_000, help="Best killed figure at least this.")] = None,
    bbox: Annotated[Optional[str], typer.Option(help="minlon,minlat,maxlon,maxlat in degrees.")] = None,
    q: Annotated[Optional[str], typer.Option("-q", "--query", help="Text in the place, actors, evidence or reports.")] = None,
    sort: Annotated[str, typer.Option(help="date, -date, killed or -killed.")] = "-date",
    include_unlocated: Annotated[bool, typer.Option("--include-unlocated", help="geojson: also write incidents without coordinates, with a null geometry (left out by default).")] = False,
) -> None:
    """Export incidents (all, or those that pass the filters) for other tools.

    Incidents are read from the ledger and written a page at a time, so memory stays flat whatever
    the ledger's size. A file (-o) is written whole or not at all: to a temporary file beside it,
    renamed when the export is complete. ACLED CSV leaves out undated incidents (an ACLED row needs a
    date) and GeoJSON those without coordinates (unless --include-unlocated); how many is said on
    standard error.
    """
    import os
    from collections.abc import Iterator
    from typing import NoReturn

    from sitrep import exports
    from sitrep.records import Incident
    from sitrep.store.query import SORTS, parse_bbox

    if sort not in SORTS:
        raise typer.BadParameter(f"{sort!r}; use one of {', '.join(SORTS)}", param_hint="--sort")
    box = None
    if bbox:
        try:
            box = parse_bbox(bbox)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--bbox") from None
    if output_format is ExportFormat.parquet and output is None:
        raise typer.BadParameter("parquet is binary: give a file with -o FILE.parquet", param_hint="--output")
    filters = dict(
        country=country, admin1=admin1, since=_date(since, "--since"), until=_date(until, "--until"),
        event_type=event_type, sub_event_type=sub_event_type, actor=actor, min_killed=min_killed,
        bbox=box, q=q,
    )
    ledger = _open(db)
    counts = exports.ExportCounts()

    def counted() -> Iterator[Incident]:
        yield from ledger.iter_incidents(**filters, sort=sort)

    def fail(message: str) -> NoReturn:
        from rich.markup import escape

        err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)

    try:
        if output is None:
            for chunk in exports.stream(output_format.value, counted(), counts, include_unlocated=include_unlocated):
                sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            with exports.atomic_file(output) as temporary:
                if output_format is ExportFormat.parquet:
                    exports.incidents_parquet(counted(), temporary, counts)
                else:
                    with temporary.open("w", encoding="utf-8") as file:
                        for chunk in exports.stream(output_format.value, counted(), counts,
                                                    include_unlocated=include_unlocated):
                            file.write(chunk)
        if not (counts.written or counts.undated or counts.unlocated):
            _say_what_the_ledger_holds(ledger, filters)
    except exports.ExportError as exc:
        fail(str(exc))
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        try:  # nothing more can reach it; keep Python's exit flush from failing too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise typer.Exit(0) from None
    except OSError as exc:
        fail(f"cannot write {output if output is not None else 'to standard output'}: "
             f"{exc.strerror or exc}")
    finally:
        ledger.close()
    left_out = counts.left_out()
    if output is not None:
        err.print(f"{counts.written} incidents written to {output} ({output_format.value})"
                  + (f"; {left_out}." if left_out else "."), highlight=False, soft_wrap=True)
    elif left_out:
        err.print(f"{left_out[0].upper()}{left_out[1:]}.", highlight=False, soft_wrap=True)


class BriefFormat(str, Enum):
    html = "html"
    pdf = "pdf"
    md = "md"


@app.command()
def brief(
    db: DbOption = DEFAULT_DB,
    country: Annotated[Optional[str], typer.Option(help="ISO 3166 alpha-2 country code, e.g. SY.")] = None,
    admin1: Annotated[Optional[str], typer.Option(help="First-level region, e.g. Latakia.")] = None,
    since: Annotated[Optional[str], typer.Option(help="First day of the period, YYYY-MM-DD (default: 30 days before --until).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last day of the period, YYYY-MM-DD (default: the latest incident's date).")] = None,
    output_format: Annotated[BriefFormat, typer.Option("--format", help="html (one self-contained page), pdf (needs the extra \"pdf\": WeasyPrint) or md.")] = BriefFormat.html,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here (required for pdf); html and md go to standard output without it.")] = None,
    event_type: Annotated[Optional[str], typer.Option("--event-type", help="ACLED event type, e.g. 'Battles'.")] = None,
    sub_event_type: Annotated[Optional[str], typer.Option("--type", help="ACLED sub-event type, e.g. 'Suicide bomb'.")] = None,
    actor: Annotated[Optional[str], typer.Option(help="Part of a perpetrator's or claimant's name.")] = None,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many key incidents (the deadliest) to describe.")] = 10,
    title: Annotated[Optional[str], typer.Option(help="The brief's title (default: 'Situation brief: <area>').")] = None,
) -> None:
    """Write a situation brief: headline figures against the previous period of the same length, by event
    type and by region; a map; the trend; the key incidents with their sources; a method note.

    Nothing is loaded from the network: the page holds its styles, map and chart. A file (-o) is written
    whole or not at all.
    """
    from sitrep import brief as briefs
    from sitrep.exports import atomic_file

    if output_format is BriefFormat.pdf and output is None:
        raise typer.BadParameter("a PDF is binary: give a file with -o FILE.pdf", param_hint="--output")
    first, last = _date(since, "--since"), _date(until, "--until")
    if first and last and first > last:
        raise typer.BadParameter(f"{first} is after --until {last}", param_hint="--since")
    ledger = _open(db)
    try:
        made = briefs.build_brief(ledger, country=country, admin1=admin1, since=first, until=last, top=top,
                                  title=title, event_type=event_type, sub_event_type=sub_event_type, actor=actor)
        data = briefs.render(made, output_format.value)
    except briefs.PdfUnavailable as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(2) from None
    finally:
        ledger.close()
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
    else:
        try:
            with atomic_file(output) as temporary:
                temporary.write_bytes(data)
        except OSError as exc:
            err.print(f"error: cannot write {output}: {exc.strerror or exc}", highlight=False, markup=False)
            raise typer.Exit(2) from None
    n = made.total.current.incidents
    err.print(f"Brief of {made.area}, {made.since} to {made.until}: {n} incident{'s' if n != 1 else ''}, "
              f"{made.total.current.killed} killed" + (f"; written to {output} ({output_format.value})." if output else "."),
              highlight=False, markup=False, soft_wrap=True)


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the REST API and the dashboard (map, timeline, table, incident view).

    Writes (POST /articles) need SITREP_TOKEN set and sent as a bearer token; set
    SITREP_READ_TOKEN to close reads too.
    """
    import uvicorn

    from sitrep.api import create_app

    application = create_app(ledger=_open(db))
    shown = f"[{host}]" if ":" in host else host
    out.print(f"sitrep dashboard: http://{shown}:{port}/   (API schema: http://{shown}:{port}/openapi.json; Ctrl+C stops)",
              highlight=False, soft_wrap=True)
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _say_what_the_ledger_holds(ledger: Ledger, filters: dict) -> None:
    """On standard error, for a filter that matched nothing: what it asked for, and what the ledger holds
    for each part of it ("no incidents in UA; countries in this ledger: SY 2")."""
    from rich.markup import escape

    given = {k: v for k, v in filters.items() if v not in (None, "")}
    if ledger.count_incidents() == 0:
        err.print(f"The ledger holds no incidents yet: add reports with `sitrep ingest PATH --db {ledger.url}`.",
                  highlight=False, markup=False, soft_wrap=True)
        return
    asked, hints = [], []

    def others(*names: str) -> dict:
        return {k: v for k, v in given.items() if k not in names}

    def listed(rows: list, label: Callable[[dict], str], limit: int = 12) -> str:
        shown = [f"{label(r)} {r['incidents']}" for r in rows[:limit]]
        return ", ".join(shown) + (f" (and {len(rows) - limit} more)" if len(rows) > limit else "")

    if "country" in given:
        asked.append(f"in {str(given['country']).upper()}")
        rows = ledger.stats(**others("country", "admin1"))["by_country"]
        hints.append("countries in this ledger: " + (listed(rows, lambda r: r["country_code"] or "no country") or "none"))
    if "admin1" in given:
        asked.append(f"in the region {given['admin1']}")
        rows = [r for r in ledger.stats(**others("admin1"))["by_admin1"] if r["admin1"]]
        hints.append("regions: " + (listed(rows, lambda r: f"{r['admin1']} ({r['country_code']})") or "none"))
    if "since" in given or "until" in given:
        first, last = given.get("since"), given.get("until")
        asked.append(f"from {first} to {last}" if first and last else f"since {first}" if first else f"until {last}")
        days = ledger.stats(**others("since", "until"))["by_day"]
        hints.append(f"dated incidents run from {days[0]['date']} to {days[-1]['date']}" if days
                     else "no dated incidents")
    for key in ("event_type", "sub_event_type"):
        if key in given:
            asked.append(f"of type {given[key]!r}")
            rows = ledger.stats(**others("event_type", "sub_event_type"))["by_sub_event_type"]
            hints.append("types: " + (listed(rows, lambda r: r[key] or "untyped") or "none"))
    if "actor" in given:
        asked.append(f"by an actor matching {given['actor']!r}")
        rows = ledger.stats(**others("actor"))["by_actor"]
        hints.append("actors: " + (listed(rows, lambda r: r["actor"]) or "none named"))
    rest = [k for k in given if k not in ("country", "admin1", "since", "until", "event_type", "sub_event_type",
                                          "actor")]
    if rest:
        asked.append("with " + ", ".join(f"{k.replace('_', ' ')} {given[k]}" for k in rest))
    if not hints:
        total = ledger.count_incidents()
        hints.append(f"the ledger holds {total} incident{'s' if total != 1 else ''}")
    err.print(escape("no incidents " + " ".join(asked) + "; " + "; ".join(hints)), highlight=False, soft_wrap=True)


def _open(db: str, create: bool = False) -> Ledger:
    """The ledger at `db`; a clear message and exit 1 when there is none or it cannot be reached."""
    from sqlalchemy.exc import SQLAlchemyError

    from sitrep.store.cli import database_error
    from sitrep.store.ledger import Ledger, UnsupportedDatabase, normalize_db_url

    url = normalize_db_url(db)
    if not create and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"No ledger at {db!r}: run `sitrep ingest PATH --db {db}` first.")
        raise typer.Exit(1)
    try:
        return Ledger(url)
    except UnsupportedDatabase as exc:
        err.print(f"[red]error:[/] cannot keep a ledger at {_shown(url)}: {exc}", highlight=False, soft_wrap=True,
                  markup=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        err.print(f"[red]error:[/] cannot open the ledger at {_shown(url)}: {database_error(exc)}",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _shown(url: str) -> str:
    """A ledger URL fit to print: any password hidden."""
    from rich.markup import escape
    from sqlalchemy.engine import make_url

    try:
        return escape(make_url(url).render_as_string(hide_password=True))
    except Exception:  # not even a URL: show its scheme only (it may hold a password)
        return escape(url.split("://")[0] + "://...")


register_corrections(app, _open, DbOption, DEFAULT_DB)  # sitrep merge | split | edit | deletions | history
register_db(app, DbOption, DEFAULT_DB, _shown)  # sitrep db status | upgrade
register_watch(app, _open, DbOption, DEFAULT_DB, lambda places=(): _pipeline(places))  # sitrep watch | sources
register_places(app, _open, DbOption, DEFAULT_DB)  # sitrep places import | list


if __name__ == "__main__":
    app()
