"""Versioned history of incidents, analyst edits (field locks) and the deletions list.

Every change to a stored incident is a row of `incident_history`: the field, its old and new value
(JSON), the action (create, report, link, edit, merge, split, release), the report that caused it or
the analyst who made it (`by`), why (`note`) and when. An `edit` row also locks its field: later
reports and merges never overwrite it (the latest edit of a field holds; a `release` row lifts it).
Ids that disappear in a manual merge are listed in `deletions` with the id that replaced them, so
downstream copies can be synced with `sitrep incidents --updated-since` and `sitrep deletions --since`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitrep.store.schema import DeletionRow, IncidentHistoryRow, IncidentRow, insert_rows

_DELETED = "sitrep.deleted_ids"  # session.info key of the deleted ids read in this session
TRACKED = (
    "event_type", "sub_event_type", "date", "date_precision", "location", "killed", "injured",
    "perpetrators", "targets", "victims", "weapons", "claimed_by", "related", "articles",
)


class HistoryEntry(BaseModel):
    incident_id: str
    action: str
    field: str
    old: Any = None
    new: Any = None
    article_id: str | None = None
    by: str | None = None
    note: str | None = None
    at: dt.datetime


class Deletion(BaseModel):
    incident_id: str
    replaced_by: str | None = None
    reason: str
    by: str | None = None
    note: str | None = None
    at: dt.datetime


def current_user(explicit: str | None = None) -> str:
    """Who makes a correction: --by, else $USER, else the login name."""
    if explicit:
        return explicit
    user = os.environ.get("USER") or os.environ.get("USERNAME")
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def snapshot(row: IncidentRow, articles: list[str]) -> dict[str, Any]:
    """The tracked fields of a stored incident as JSON values."""
    location = None
    if row.location_name is not None:
        location = {
            "name": row.location_name, "geonameid": row.geonameid, "lat": row.lat, "lon": row.lon,
            "country_code": row.country_code, "admin1": row.admin1, "admin2": row.admin2,
            "precision": row.location_precision,
        }

    def tally(kind: str) -> dict[str, int] | None:
        low, best, high = (getattr(row, f"{kind}_{p}") for p in ("low", "best", "high"))
        return None if best is None else {"low": low, "best": best, "high": high}

    return {
        "event_type": row.event_type, "sub_event_type": row.sub_event_type,
        "date": row.date.isoformat() if row.date else None, "date_precision": row.date_precision,
        "location": location, "killed": tally("killed"), "injured": tally("injured"),
        "perpetrators": list(row.perpetrators or []), "targets": list(row.targets or []),
        "victims": list(row.victims or []), "weapons": list(row.weapons or []),
        "claimed_by": row.claimed_by, "related": list(row.related or []), "articles": list(articles),
    }


def record_changes(
    session: Session, incident_id: str, before: dict[str, Any] | None, after: dict[str, Any], *,
    action: str, at: dt.datetime, article_id: str | None = None, by: str | None = None,
    note: str | None = None,
) -> int:
    """Write one history row per changed field (one `create` row for a new incident)."""
    if before is None:
        rows = [dict(incident_id=incident_id, action="create", field="*", old=None, new=after,
                     article_id=article_id, by=by, note=note, at=at)]
    else:
        rows = [
            dict(incident_id=incident_id, action=action, field=name, old=before.get(name),
                 new=after.get(name), article_id=article_id, by=by, note=note, at=at)
            for name in TRACKED if before.get(name) != after.get(name)
        ]
    if rows:
        insert_rows(session, IncidentHistoryRow, rows)
    return len(rows)


def note_row(session: Session, incident_id: str, *, action: str, field: str, old: Any = None, new: Any = None,
             at: dt.datetime, article_id: str | None = None, by: str | None = None, note: str | None = None) -> None:
    session.add(IncidentHistoryRow(incident_id=incident_id, action=action, field=field, old=old, new=new,
                                   article_id=article_id, by=by, note=note, at=at))


def edits(session: Session, incident_id: str) -> dict[str, Any]:
    """The fields an analyst has set on this incident and their values (the latest edit holds)."""
    query = (
        select(IncidentHistoryRow.action, IncidentHistoryRow.field, IncidentHistoryRow.new)
        .where(IncidentHistoryRow.incident_id == incident_id,
               IncidentHistoryRow.action.in_(("edit", "release")))
        .order_by(IncidentHistoryRow.id)
    )
    out: dict[str, Any] = {}
    for action, field, new in session.execute(query):
        if action == "edit":
            out[field] = new
        else:
            out.pop(field, None)
    return out


def history(session: Session, incident_id: str) -> list[HistoryEntry]:
    query = select(IncidentHistoryRow).where(IncidentHistoryRow.incident_id == incident_id) \
        .order_by(IncidentHistoryRow.id)
    return [
        HistoryEntry(incident_id=r.incident_id, action=r.action, field=r.field, old=r.old, new=r.new,
                     article_id=r.article_id, by=r.by, note=r.note, at=_aware(r.at))
        for r in session.scalars(query)
    ]


def add_deletion(session: Session, incident_id: str, replaced_by: str | None, *, reason: str,
                 by: str | None, note: str | None, at: dt.datetime) -> None:
    session.add(DeletionRow(incident_id=incident_id, replaced_by=replaced_by, reason=reason, by=by,
                            note=note, at=at))
    session.info.pop(_DELETED, None)
    # ids that were already replaced by the disappearing one now point at its replacement
    for row in session.scalars(select(DeletionRow).where(DeletionRow.replaced_by == incident_id)):
        row.replaced_by = replaced_by


def is_deleted(session: Session, incident_id: str) -> bool:
    """Whether this id disappeared in a merge (the ids are read once per session: a handful, from analysts)."""
    deleted = session.info.get(_DELETED)
    if deleted is None:
        deleted = session.info[_DELETED] = set(session.scalars(select(DeletionRow.incident_id)))
    return incident_id in deleted


def deletions(session: Session, since: dt.datetime | None = None) -> list[Deletion]:
    query = select(DeletionRow).order_by(DeletionRow.at, DeletionRow.incident_id)
    if since is not None:
        query = query.where(DeletionRow.at >= to_utc(since))
    return [
        Deletion(incident_id=r.incident_id, replaced_by=r.replaced_by, reason=r.reason, by=r.by,
                 note=r.note, at=_aware(r.at))
        for r in session.scalars(query)
    ]


def to_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp in UTC (naive input is taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
