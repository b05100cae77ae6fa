"""`sitrep merge | split | edit | deletions | history`: analyst corrections and incremental sync.

Registered on the main `sitrep` app by `sitrep.cli` (`register`). Corrections are versioned with
who (--by, else $USER), when and why (--note); edited fields survive later automatic merges.
(No `from __future__ import annotations` here: typer must see the `--db` option type defined in
`sitrep.cli` when the commands are built.)
"""

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

out = Console()
err = Console(stderr=True)

ByOption = Annotated[Optional[str], typer.Option("--by", help="Who makes the correction (default: $USER).")]
NoteOption = Annotated[Optional[str], typer.Option("--note", help="Why: kept in the incident's history.")]


def parse_timestamp(value: Optional[str], option: str) -> Optional[dt.datetime]:
    """YYYY-MM-DD or an ISO 8601 timestamp (naive = UTC) -> an aware UTC datetime."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            stamp = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        else:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a timestamp; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+00:00]", param_hint=option
        ) from None
    return stamp.replace(tzinfo=dt.timezone.utc) if stamp.tzinfo is None else stamp.astimezone(dt.timezone.utc)


def register(app: typer.Typer, open_ledger: Callable[[str], Any], db_option: Any, default_db: str) -> None:
    """Add the correction and sync commands to the `sitrep` app."""
    def run(action: Callable[[], Any]) -> Any:
        from sitrep.merge.corrections import CorrectionError  # with the ledger: only when a command runs

        try:
            return action()
        except CorrectionError as exc:
            err.print(f"[red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    @app.command("merge")
    def merge_cmd(
        first: Annotated[str, typer.Argument(metavar="ID", help="An incident id.")],
        second: Annotated[str, typer.Argument(metavar="ID", help="Another incident id: one incident with the first.")],
        db: db_option = default_db,
        by: ByOption = None,
        note: NoteOption = None,
    ) -> None:
        """Merge two incidents into one. The id published first is kept; the other is listed in `sitrep deletions`."""
        ledger = open_ledger(db)
        kept, gone = run(lambda: ledger.merge_incidents(first, second, by=by, note=note))
        out.print(f"merged {gone} into {kept} ({gone} is listed in `sitrep deletions`)", highlight=False)

    @app.command("split")
    def split_cmd(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident a report was wrongly merged into.")],
        article: Annotated[str, typer.Option("--article", help="The report (article id) to take out.")],
        db: db_option = default_db,
        by: ByOption = None,
        note: NoteOption = None,
    ) -> None:
        """Take one report out of an incident: its figures and evidence become an incident of their own."""
        ledger = open_ledger(db)
        new_id = run(lambda: ledger.split_incident(incident_id, article, by=by, note=note))
        if new_id:
            out.print(f"report {article} split out of {incident_id} into {new_id}", highlight=False)
        else:
            out.print(f"report {article} (attached by text only) detached from {incident_id}", highlight=False)

    @app.command("edit")
    def edit_cmd(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident to correct.")],
        killed: Annotated[Optional[int], typer.Option(min=0, help="Killed (best figure).")] = None,
        injured: Annotated[Optional[int], typer.Option(min=0, help="Injured (best figure).")] = None,
        sub_event_type: Annotated[Optional[str], typer.Option("--sub-event-type", help="ACLED sub-event type (sets the event type too).")] = None,
        date: Annotated[Optional[str], typer.Option(help="Date, YYYY-MM-DD (precision: day).")] = None,
        place: Annotated[Optional[str], typer.Option(help="Place name (with --lat/--lon/--country when known).")] = None,
        lat: Annotated[Optional[float], typer.Option(help="Latitude of --place.")] = None,
        lon: Annotated[Optional[float], typer.Option(help="Longitude of --place.")] = None,
        country: Annotated[Optional[str], typer.Option(help="ISO 3166 alpha-2 code of --place.")] = None,
        claimed_by: Annotated[Optional[str], typer.Option("--claimed-by", help="Who claimed the attack.")] = None,
        perpetrator: Annotated[Optional[list[str]], typer.Option("--perpetrator", help="Perpetrator (repeat for several; replaces the list).")] = None,
        release: Annotated[Optional[list[str]], typer.Option("--release", help="Lift an earlier edit of this field (killed, date ...): reports decide it again.")] = None,
        db: db_option = default_db,
        by: ByOption = None,
        note: NoteOption = None,
    ) -> None:
        """Correct fields of an incident by hand. Edited fields are kept whatever later reports say."""
        values: dict[str, Any] = {}
        if killed is not None:
            values["killed"] = killed
        if injured is not None:
            values["injured"] = injured
        if sub_event_type is not None:
            values["sub_event_type"] = sub_event_type
        if date is not None:
            try:
                values["date"] = dt.date.fromisoformat(date).isoformat()
            except ValueError:
                raise typer.BadParameter(f"{date!r} is not a date; use YYYY-MM-DD", param_hint="--date") from None
        if place is not None:
            precision = "town" if lat is not None and lon is not None else None
            values["location"] = {"name": place, "lat": lat, "lon": lon,
                                  "country_code": country.upper() if country else None, "precision": precision}
        elif lat is not None or lon is not None or country is not None:
            raise typer.BadParameter("give the place name too", param_hint="--place")
        if claimed_by is not None:
            values["claimed_by"] = claimed_by
        if perpetrator:
            values["perpetrators"] = [{"name": p, "basis": "reported"} for p in perpetrator]
        fields = [f.replace("-", "_") for f in release or []]
        if not values and not fields:
            raise typer.BadParameter("nothing to change: give a field, e.g. --killed 12")
        ledger = open_ledger(db)
        changed = run(lambda: ledger.edit_incident(incident_id, values, by=by, note=note, release=fields))
        what = ", ".join(changed) if changed else "no stored value changed"
        out.print(f"{incident_id}: {what}; edits recorded and locked ({', '.join(values) or 'released: ' + ', '.join(fields)})",
                  highlight=False)

    @app.command("deletions")
    def deletions_cmd(
        db: db_option = default_db,
        since: Annotated[Optional[str], typer.Option(help="Only ids deleted at or after this time (YYYY-MM-DD or ISO timestamp, UTC).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines: one deletion a line.")] = False,
    ) -> None:
        """Incident ids that disappeared (merged into another), with the id that replaced them."""
        found = open_ledger(db).deletions(parse_timestamp(since, "--since"))
        if as_json:
            for d in found:
                sys.stdout.write(d.model_dump_json() + "\n")
            return
        table = Table("id", "replaced by", "reason", "at", "by", "note")
        for d in found:
            table.add_row(d.incident_id, d.replaced_by or "", d.reason, d.at.isoformat(timespec="seconds"),
                          d.by or "", d.note or "")
        out.print(table)

    @app.command("history")
    def history_cmd(
        incident_id: Annotated[str, typer.Argument(metavar="ID", help="Incident id (also a deleted one).")],
        db: db_option = default_db,
        as_json: Annotated[bool, typer.Option("--json", help="JSON lines: one change a line.")] = False,
    ) -> None:
        """Every change to an incident: which report or analyst changed which field, when and why."""
        entries = open_ledger(db).history(incident_id)
        if not entries:
            err.print(f"No history for {incident_id!r}.")
            raise typer.Exit(1)
        if as_json:
            for e in entries:
                sys.stdout.write(e.model_dump_json() + "\n")
            return
        table = Table("at", "action", "field", "old", "new", "report", "by", "note")
        for e in entries:
            table.add_row(e.at.isoformat(timespec="seconds"), e.action, e.field, _short(e.old), _short(e.new),
                          e.article_id or "", e.by or "", e.note or "")
        out.print(table)


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
