"""`sitrep watch` and `sitrep sources` (registered on the main app by `sitrep.cli`).

Logs go to standard error, one line per poll (with the time, UTC); alerts go to standard output, one
line each; webhooks get JSON (sitrep.watch.alerts).
"""

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

__all__ = ["register"]

out = Console()
err = Console(stderr=True)


def _fail(message: str, option: str | None = None) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=option)


def _log_to_stderr() -> logging.Handler:
    """The `sitrep.watch` logger's lines on standard error, each with its UTC time."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger = logging.getLogger("sitrep.watch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def _print_alert(payload: dict[str, Any]) -> None:
    sys.stdout.write(payload["text"] + "\n")
    sys.stdout.flush()


def register(app: typer.Typer, open_ledger: Callable[..., Any], db_option: Any, default_db: str,
             load_pipeline: Callable[..., Any]) -> None:
    """Add `watch` and `sources` to the `sitrep` app."""

    @app.command()
    def watch(
        sources: Annotated[Optional[list[str]], typer.Argument(metavar="SOURCE...", help="RSS/Atom feed URLs (http, https) and folders of report files.")] = None,
        db: db_option = default_db,
        every: Annotated[str, typer.Option("--every", help="Poll interval: 30s, 15m, 1h ... (a sources file may set its own).")] = "15m",
        once: Annotated[bool, typer.Option("--once", help="Poll every source once, deliver the alerts, and exit (1 if a source failed).")] = False,
        country: Annotated[Optional[str], typer.Option("--country", help="The outlets' country (ISO 3166 alpha-2), kept with each source.")] = None,
        sources_file: Annotated[Optional[Path], typer.Option("--sources", help="A YAML or TOML file listing the sources (url or path, name, country, language, every); replaces SOURCE...")] = None,
        alert: Annotated[Optional[list[str]], typer.Option("--alert", metavar="RULE", help="Alert on incidents that meet RULE: min_killed=10, country=SY, type='Suicide bomb', actor=..., joined with commas; repeat for more rules.")] = None,
        webhook: Annotated[Optional[list[str]], typer.Option("--webhook", metavar="URL", help="POST each alert as JSON to URL (repeatable); failed deliveries are kept and retried.")] = None,
        fetch_articles: Annotated[bool, typer.Option("--fetch-articles/--no-fetch-articles", help="Fetch the article behind an item that is only a teaser, and code its main text.")] = True,
        dashboard_url: Annotated[str, typer.Option("--dashboard-url", help="Base URL of the dashboard, for the links in alerts.")] = "http://127.0.0.1:8000",
        timeout: Annotated[float, typer.Option("--timeout", min=0.1, max=600, help="Seconds a request may take, all of it.")] = 20.0,
        retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="Times a request that failed for the moment (timeout, 5xx, 429) is tried again, waiting 2 s, 4 s, ...")] = 2,
    ) -> None:
        """Follow feeds and folders: code each new item once into the ledger (as `ingest` does), alert on
        what matters. Stops cleanly on SIGTERM or Ctrl+C, once the item in hand is stored."""
        from sitrep.ingest.batch import make_coder
        from sitrep.records import country_code
        from sitrep.store.ledger import normalize_db_url
        from sitrep.watch.alerts import Alerter, parse_rule
        from sitrep.watch.fetch import Fetcher
        from sitrep.watch.loop import Watcher
        from sitrep.watch.sources import SourcesError, load_sources, parse_duration, source_from_arg

        try:
            every_s = parse_duration(every)
        except ValueError as exc:
            raise _fail(str(exc), "--every") from None
        if country is not None:
            try:
                country = country_code(country)
            except ValueError as exc:
                raise _fail(str(exc), "--country") from None
        try:
            rules = [parse_rule(text) for text in alert or []]
        except ValueError as exc:
            raise _fail(str(exc), "--alert") from None
        for url in webhook or []:
            if not url.lower().startswith(("http://", "https://")):
                raise _fail(f"{url!r} is not an http(s) URL", "--webhook")
        if webhook and not rules:
            raise _fail("webhooks need at least one --alert rule (e.g. --alert min_killed=10)", "--webhook")
        if sources_file is not None and sources:
            raise _fail("give sources on the command line or in --sources FILE, not both", "--sources")
        try:
            if sources_file is not None:
                watched = load_sources(sources_file, every_s=every_s, country=country)
            elif sources:
                watched = [source_from_arg(value, every_s=every_s, country=country) for value in dict.fromkeys(sources)]
            else:
                raise _fail("name at least one feed URL or folder, or a sources file", "SOURCE...")
        except SourcesError as exc:
            raise _fail(str(exc), "--sources" if sources_file else "SOURCE...") from None

        ledger = open_ledger(db, create=True)
        handler = _log_to_stderr()
        stop = threading.Event()
        restore = _stop_on_signals(stop)
        fetcher = Fetcher(timeout=timeout, retries=retries, stop=stop)
        coder = None
        try:
            places = ledger.places()  # the ledger's own gazetteer (sitrep places import)
            coder = make_coder(lambda: load_pipeline(places))
            from sitrep.watch.state import WatchState

            state = WatchState(ledger)
            alerter = Alerter(state, rules, webhook or [], fetcher, dashboard_url=dashboard_url, on_alert=_print_alert)
            watcher = Watcher(ledger, watched, coder, fetcher=fetcher, alerter=alerter, state=state,
                              fetch_articles=fetch_articles, stop=stop)
            logging.getLogger("sitrep.watch").info(
                "watching %d source(s) into %s%s", len(watched), normalize_db_url(db).split("://")[0],
                "" if once else f"; every {every} unless a source says otherwise (SIGTERM or Ctrl+C stops)")
            polls = watcher.run(once=once)
        finally:
            restore()
            fetcher.close()
            if coder is not None:
                coder.close()
            ledger.close()
            logging.getLogger("sitrep.watch").removeHandler(handler)
        if stop.is_set():
            err.print("stopped; every item stored so far is complete, and the next run goes on from there.",
                      highlight=False)
            return
        if once and any(p.failed or p.unstored for p in polls):
            raise typer.Exit(1)

    @app.command("sources")
    def sources_command(
        db: db_option = default_db,
        as_json: Annotated[bool, typer.Option("--json", help="Print {\"sources\": [...], \"deliveries\": {...}} as JSON.")] = False,
    ) -> None:
        """The feeds and folders `sitrep watch` follows on this ledger: last poll, last success, errors,
        items seen and stored; and where the alerts' webhook deliveries stand."""
        from sitrep.watch.state import WatchState

        ledger = open_ledger(db)
        try:
            overview = WatchState(ledger).overview()
        finally:
            ledger.close()
        if as_json:
            sys.stdout.write(overview.model_dump_json() + "\n")
            return
        found, deliveries = overview.sources, overview.deliveries
        if not found:
            err.print("No source has been watched on this ledger yet (sitrep watch URL|FOLDER --db ...).")
            return
        out.print(_sources_table(found))
        if any(deliveries.values()):
            out.print(f"Webhook deliveries: {deliveries['delivered']} delivered, {deliveries['pending']} pending, "
                      f"{deliveries['failed']} failed.", highlight=False)


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and Ctrl+C set `stop` (the loop ends once the item in hand is stored); a second one
    stops at once. Returns what restores the handlers before."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        logging.getLogger("sitrep.watch").info("%s: stopping once the item in hand is stored",
                                               signal.Signals(signum).name)

    before = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in before.items():
            signal.signal(sig, handler)

    return restore


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "never"


def _sources_table(found: list[Any]) -> Any:
    from rich.markup import escape
    from rich.table import Column, Table

    table = Table("every", "last poll (UTC)", "last success (UTC)", "errors", "items", "last status", header_style="bold")
    table.columns.insert(0, Column("source", overflow="fold"))
    for s in found:
        label = escape(s.name or "") + ("\n" if s.name else "") + escape(s.url)
        extra = " · ".join(x for x in (s.country, s.language) if x)
        every = f"{s.every_s // 60}m" if s.every_s and s.every_s % 60 == 0 else f"{s.every_s}s"
        errors = f"{s.error_count} in a row, {s.errors_total} in all" if s.errors_total else "0"
        status = escape(s.last_status or "")
        if s.error_count and s.last_error:
            status = f"[red]{escape(s.last_error)}[/]"
        table.add_row(label + (f"\n{escape(extra)}" if extra else ""), every, _when(s.last_poll),
                      _when(s.last_success), errors, f"{s.items_seen} seen\n{s.items_stored} stored", status)
    return table
