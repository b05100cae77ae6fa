"""Analyst corrections: merge two incidents, split a report out of one, edit a field.

Each is versioned in `incident_history` with who (`by`: --by, else $USER), when and why (`note`),
and leaves the incident re-folded from its contributions. Edited fields are locked against later
reports and merges (`history.edits`). A merge keeps the id of the incident created first (the one
published first) and lists the other in `deletions` with the id that replaced it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sitrep.codebook import Codebook, load_codebook
from sitrep.merge import history, rows
from sitrep.merge.fold import EDITABLE
from sitrep.records import text_problem
from sitrep.store.schema import (
    DeletionRow,
    EvidenceRow,
    FigureRow,
    IncidentArticleRow,
    IncidentReportRow,
    IncidentRow,
    IncidentTermsRow,
    MatchKeyRow,
    utcnow,
)


class CorrectionError(ValueError):
    """A correction that cannot be made (unknown id, nothing to split ...); the message says why."""


def _get(session: Session, incident_id: str) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None:
        gone = session.get(DeletionRow, incident_id)
        raise CorrectionError(f"no incident {incident_id!r} in the ledger" + (f" (merged into {gone.replaced_by})" if gone else ""))
    return row


def merge(session: Session, first: str, second: str, *, by: str | None = None, note: str | None = None,
          now: dt.datetime | None = None, codebook: Codebook | None = None) -> tuple[str, str]:
    """Fold two incidents into one; returns (kept id, deleted id). The older id is kept."""
    now, codebook, by = now or utcnow(), codebook or load_codebook(), history.current_user(by)
    if first == second:
        raise CorrectionError("an incident cannot be merged with itself")
    a, b = _get(session, first), _get(session, second)
    keep, gone = sorted((a, b), key=lambda r: (_aware(r.created_at), r.id))
    for row in (keep, gone):
        rows.ensure_contributions(session, row, now)
    before = rows.snapshot(session, keep)
    kept_edits = history.edits(session, keep.id)
    carried = {f: v for f, v in history.edits(session, gone.id).items() if f not in kept_edits}

    _move_children(session, gone.id, keep.id)
    session.execute(delete(MatchKeyRow).where(MatchKeyRow.incident_id == gone.id))
    session.execute(delete(IncidentTermsRow).where(IncidentTermsRow.incident_id == gone.id))
    related = [r for r in dict.fromkeys([*(keep.related or []), *(gone.related or [])]) if r not in (keep.id, gone.id)]
    for other_id in gone.related or []:
        other = session.get(IncidentRow, other_id)
        if other is not None and other.id != keep.id:
            old = list(other.related or [])
            other.related = [r for r in dict.fromkeys(keep.id if r == gone.id else r for r in old) if r != other.id]
            if other.related != old:
                other.updated_at = now
                history.note_row(session, other.id, action="merge", field="related", old=old, new=other.related,
                                 at=now, by=by, note=f"{gone.id} merged into {keep.id}")
    gone_id = gone.id
    session.delete(gone)
    session.flush()
    history.add_deletion(session, gone_id, keep.id, reason="merged", by=by, note=note, at=now)
    history.note_row(session, gone_id, action="merge", field="*", new={"merged_into": keep.id}, at=now, by=by, note=note)
    for field, value in carried.items():
        history.note_row(session, keep.id, action="edit", field=field, old=None, new=value, at=now, by=by,
                         note=f"carried over from {gone_id}")

    keep.related = related
    rows.refold(session, keep, codebook)
    keep.updated_at = now
    terms = rows.rebuild_incident_terms(session, keep.id)
    rows.refresh_keys(session, keep, terms, now.date())
    history.record_changes(session, keep.id, before, rows.snapshot(session, keep), action="merge", at=now, by=by,
                           note=note or f"merged with {gone_id}")
    return keep.id, gone_id


def _move_children(session: Session, source: str, target: str, article_id: str | None = None) -> None:
    """Move contributions, figures, evidence and report links (all, or one report's) between incidents."""
    def scope(model: Any) -> list[Any]:
        conds = [model.incident_id == source]
        if article_id is not None:
            conds.append(model.article_id == article_id)
        return conds

    existing_reports = {(r.article_id, r.extracted_id) for r in session.scalars(
        select(IncidentReportRow).where(IncidentReportRow.incident_id == target))}
    for r in list(session.scalars(select(IncidentReportRow).where(*scope(IncidentReportRow)))):
        if (r.article_id, r.extracted_id) in existing_reports:
            session.delete(r)
        else:
            r.incident_id = target
    existing_figures = {(f.article_id, f.kind, f.value, f.start, f.end) for f in session.scalars(
        select(FigureRow).where(FigureRow.incident_id == target))}
    for f in list(session.scalars(select(FigureRow).where(*scope(FigureRow)))):
        if (f.article_id, f.kind, f.value, f.start, f.end) in existing_figures:
            session.delete(f)
        else:
            f.incident_id = target
    existing_evidence = {(e.article_id, e.field, e.start, e.end) for e in session.scalars(
        select(EvidenceRow).where(EvidenceRow.incident_id == target))}
    for e in list(session.scalars(select(EvidenceRow).where(*scope(EvidenceRow)))):
        if (e.article_id, e.field, e.start, e.end) in existing_evidence:
            session.delete(e)
        else:
            e.incident_id = target
    linked = set(session.scalars(select(IncidentArticleRow.article_id).where(IncidentArticleRow.incident_id == target)))
    for link in list(session.scalars(select(IncidentArticleRow).where(*scope(IncidentArticleRow)))):
        aid = link.article_id
        session.delete(link)
        if aid not in linked:
            session.flush()
            session.add(IncidentArticleRow(incident_id=target, article_id=aid))
            linked.add(aid)
    session.flush()
    for row_id in (source, target):
        row = session.get(IncidentRow, row_id)
        if row is not None:
            session.expire(row, ["figures", "evidence", "articles"])


def split(session: Session, incident_id: str, article_id: str, *, by: str | None = None, note: str | None = None,
          now: dt.datetime | None = None, codebook: Codebook | None = None) -> str | None:
    """Take one report out of an incident into an incident of its own; returns the new id.

    A report that was attached by text only (no incident of its own) is detached and None returned.
    """
    now, codebook, by = now or utcnow(), codebook or load_codebook(), history.current_user(by)
    row = _get(session, incident_id)
    rows.ensure_contributions(session, row, now)
    reports = list(session.scalars(select(IncidentReportRow).where(IncidentReportRow.incident_id == incident_id)))
    mine = [r for r in reports if r.article_id == article_id]
    if not mine:
        raise CorrectionError(f"report {article_id!r} is not one of the reports of {incident_id}")
    if not any(r.article_id != article_id and r.link == "extracted" for r in reports):
        raise CorrectionError(f"{incident_id} has no other coded report: nothing would be left of it")
    before = rows.snapshot(session, row)

    extracted = [r for r in mine if r.link == "extracted"]
    new_id = None
    if extracted:
        new_id = _free_id(session, extracted[0].extracted_id, incident_id, article_id)
        new = IncidentRow(id=new_id, perpetrators=[], targets=[], victims=[], weapons=[], related=[],
                          created_at=now, updated_at=now)
        session.add(new)
        session.flush()
        _move_children(session, incident_id, new_id, article_id)
        rows.refold(session, new, codebook, new=True)
        terms = rows.rebuild_incident_terms(session, new_id)
        rows.refresh_keys(session, new, terms, now.date())
        history.record_changes(session, new_id, None, rows.snapshot(session, new), action="split", at=now,
                               article_id=article_id, by=by, note=note or f"split from {incident_id}")
        history.note_row(session, new_id, action="split", field="*", new={"split_from": incident_id},
                         at=now, article_id=article_id, by=by, note=note)
    else:  # attached by text only: detach
        for r in mine:
            session.delete(r)
        session.execute(delete(IncidentArticleRow).where(IncidentArticleRow.incident_id == incident_id,
                                                         IncidentArticleRow.article_id == article_id))
        session.flush()
        session.expire(row, ["articles"])

    rows.refold(session, row, codebook)
    row.updated_at = now
    terms = rows.rebuild_incident_terms(session, incident_id)
    rows.refresh_keys(session, row, terms, now.date())
    history.record_changes(session, incident_id, before, rows.snapshot(session, row), action="split", at=now,
                           article_id=article_id, by=by,
                           note=note or (f"report split out into {new_id}" if new_id else "report detached"))
    return new_id


def _free_id(session: Session, wanted: str, incident_id: str, article_id: str) -> str:
    candidate, n = wanted, 0
    while session.get(IncidentRow, candidate) is not None or history.is_deleted(session, candidate):
        n += 1
        candidate = "inc-" + hashlib.sha1(f"{incident_id}|{article_id}|split|{n}".encode()).hexdigest()[:12]
    return candidate


def edit(session: Session, incident_id: str, values: dict[str, Any], *, by: str | None = None,
         note: str | None = None, release: list[str] | None = None, now: dt.datetime | None = None,
         codebook: Codebook | None = None) -> list[str]:
    """Set fields by hand (JSON values, see `fold.apply_edits`); they stay set whatever later reports say.

    `release` lifts earlier edits of these fields (the reports decide them again). Returns the fields
    whose stored value changed.
    """
    now, codebook, by = now or utcnow(), codebook or load_codebook(), history.current_user(by)
    row = _get(session, incident_id)
    unknown = [f for f in [*values, *(release or [])] if f not in EDITABLE]
    if unknown:
        raise CorrectionError(f"cannot edit {', '.join(unknown)}; editable fields: {', '.join(EDITABLE)}")
    check_edit(values, codebook)
    rows.ensure_contributions(session, row, now)
    before = rows.snapshot(session, row)
    current = before
    for field in release or []:
        history.note_row(session, incident_id, action="release", field=field, at=now, by=by, note=note)
    for field, value in values.items():
        old = current.get(field)
        history.note_row(session, incident_id, action="edit", field=field, old=old, new=value, at=now, by=by, note=note)
    rows.refold(session, row, codebook)
    after = rows.snapshot(session, row)
    changed = [f for f in history.TRACKED if before.get(f) != after.get(f)]
    row.updated_at = now
    terms = rows.incident_terms(session, incident_id)
    rows.refresh_keys(session, row, terms, now.date())
    return changed


MAX_COUNT = 10_000_000  # killed or injured in one incident: more is a typing error


def check_edit(values: dict[str, Any], codebook: Codebook) -> None:
    """Refuse (CorrectionError, saying why) an edit whose values the ledger must not hold: counts that
    are negative or absurd, an unknown sub-event type, a date not in the calendar, coordinates off the
    globe, a country code that is no ISO 3166 alpha-2 code, empty or unprintable names."""
    for kind in ("killed", "injured"):
        value = values.get(kind)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT):
            raise CorrectionError(f"{kind} must be a whole number from 0 to {MAX_COUNT:,}, not {value!r}")
    if values.get("sub_event_type") is not None:
        names = {t.name for t in codebook.sub_event_types}
        if values["sub_event_type"] not in names:
            raise CorrectionError(f"unknown sub-event type {values['sub_event_type']!r}; use one of: {', '.join(sorted(names))}")
    if values.get("date") is not None:
        try:
            dt.date.fromisoformat(values["date"])
        except (TypeError, ValueError):
            raise CorrectionError(f"{values['date']!r} is not a date in the calendar; use YYYY-MM-DD") from None
    if values.get("date_precision") not in (None, "day", "week", "month", "year"):
        raise CorrectionError(f"date precision {values['date_precision']!r}: use day, week, month or year")
    if values.get("location") is not None:
        _check_location(values["location"])
    names = [values.get("claimed_by")] + [a.get("name") for a in values.get("perpetrators") or []]
    for name in names:
        if name is not None and (not str(name).strip() or text_problem(str(name))):
            raise CorrectionError(f"{name!r} is not a name (empty, or {text_problem(str(name)) or 'blank'})")


def _check_location(location: dict[str, Any]) -> None:
    import math

    import pycountry

    if not str(location.get("name") or "").strip():
        raise CorrectionError("a place needs a name")
    lat, lon = location.get("lat"), location.get("lon")
    if (lat is None) != (lon is None):
        raise CorrectionError("give both --lat and --lon, or neither")
    if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
        raise CorrectionError(f"latitude {lat} is off the globe: it must be between -90 and 90")
    if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
        raise CorrectionError(f"longitude {lon} is off the globe: it must be between -180 and 180")
    code = location.get("country_code")
    if code is not None and (len(code) != 2 or pycountry.countries.get(alpha_2=code.upper()) is None):
        raise CorrectionError(f"{code!r} is not an ISO 3166 alpha-2 country code (e.g. SY, UA, NG)")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


__all__ = ["CorrectionError", "check_edit", "edit", "merge", "split"]
