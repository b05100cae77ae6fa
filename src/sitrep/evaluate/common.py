"""What the benchmark commands share: reading a gold file, and which incident of a report is scored."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from sitrep.records import Extraction, Incident


@contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Read a gold file inside this block: a missing file, or one that is not `what` (not JSON, not UTF-8,
    a field or column missing), is a one-line error naming the file and what the command reads (exit 2),
    not a traceback."""
    if not path.exists():
        typer.echo(f"error: no such file or folder: {path}", err=True)
        raise typer.Exit(2)
    try:
        yield
    except (OSError, ValueError, KeyError, TypeError, IndexError, csv.Error) as exc:
        detail = f"no field {exc}" if isinstance(exc, KeyError) else " ".join(str(exc).split())[:200]
        typer.echo(f"error: {path} is not {what} ({detail or type(exc).__name__})", err=True)
        raise typer.Exit(2) from None


def require_columns(path: Path, found: Iterable[str] | None, needed: Iterable[str]) -> None:
    """ValueError naming the columns a CSV gold file lacks."""
    missing = [c for c in needed if c not in set(found or ())]
    if missing:
        raise ValueError(f"no column {', '.join(map(repr, missing))} in {path.name}")


def main_incident(extraction: Extraction) -> Incident | None:
    """The incident of a report with the most evidence: the most distinct sentences behind it, then
    the most casualty figure rows, then the earliest in the text. None when there is no incident."""
    if not extraction.incidents:
        return None

    def weight(inc: Incident) -> tuple:
        sentences = {(e.start, e.end) for e in inc.evidence if e.field == "event"}
        first = min((e.start for e in inc.evidence), default=0)
        return (len(sentences), len(inc.figures), -first)

    return max(extraction.incidents, key=weight)


def counts(incident: Incident | None) -> tuple[int, int]:
    """(killed, injured) as scored against the Gun Violence Archive: the reconciled best values, attackers
    killed or wounded included (as the archive counts them; see `reconcile.attackers`), 0 when unknown."""
    if incident is None:
        return 0, 0
    return (incident.killed.best if incident.killed else 0), (incident.injured.best if incident.injured else 0)
