"""Folding: an incident's fields recomputed from every report that contributed to it.

Each report's contribution is kept as the incident that report coded (`incident_reports.record`);
the stored incident is a function of those contributions, the figure rows and the analyst's edits,
so adding a report, splitting one out or merging two incidents all end in the same recomputation.

Rules (one report: its own values, unchanged):
- killed / injured: low and high by the reconciliation rule of `sitrep.extract.reconcile` over every
  figure of every report, each report's publication date deciding "most recent" (then the order reports
  arrived); a figure scoped to its own report's name for the place counts as the incident's own. Best is
  the most recent report's own best (as that report coded it); when no figure counts, the most recent
  report's stated range stands. A follow-up that raises the toll moves the wounded who died from the
  injured to the killed: the injured are those the last report of them counted, less the rise in the
  killed since (`_died_since`).
- date: the most precise (day > week > month > year); among those, the value most reports give;
  ties go to the earliest report.
- location: the most precise (exact > town > near > admin2 > admin1 > country), then the most
  reported, then the earliest report.
- event and sub-event type: the most reported sub-event type (earliest on ties), with its event type.
- perpetrators, targets, victims, weapons: the union, in report order (a later basis for the same
  actor replaces the earlier one); claimed_by: the earliest report that names a claimant.
- an analyst's edit of a field wins over all of the above (see `sitrep.merge.history`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sitrep.codebook import Codebook
from sitrep.records import Actor, Figure, Incident, Place, Range

DATE_RANK = {"day": 0, "week": 1, "month": 2, "year": 3, None: 4}
PLACE_RANK = {"exact": 0, "town": 1, "near": 2, "admin2": 3, "admin1": 4, "country": 5, None: 6}
RECORD_EXCLUDE = {"figures", "evidence", "articles", "sources", "related", "updated_at"}  # updated_at: the ledger's, not a report's
FOLDED = {"id", "event_type", "sub_event_type", "date", "date_precision", "location", "killed", "injured",
          "perpetrators", "targets", "victims", "weapons", "claimed_by"} | RECORD_EXCLUDE


@dataclass
class Contribution:
    """One report's incident, as that report coded it."""

    article_id: str
    record: Incident
    published: dt.date | None
    order: int  # arrival order (incident_reports.id)
    link: str = "extracted"


@dataclass
class Folded:
    """The incident's fields (everything `IncidentRow` holds but ids, timestamps and `related`)."""

    event_type: str | None
    sub_event_type: str | None
    date: dt.date | None
    date_precision: str | None
    location: Place | None
    killed: Range | None
    injured: Range | None
    perpetrators: list[dict[str, Any]]
    targets: list[str]
    victims: list[str]
    weapons: list[str]
    claimed_by: str | None
    extra: dict[str, Any] = field(default_factory=dict)  # other record fields (e.g. GTD typing): earliest known value


def record_json(incident: Incident) -> dict[str, Any]:
    """What `incident_reports.record` keeps of a report's incident."""
    return incident.model_dump(mode="json", exclude=RECORD_EXCLUDE)


def record_from_json(data: dict[str, Any], incident_id: str) -> Incident:
    return Incident.model_validate({**data, "id": data.get("id") or incident_id})


def _earliest_majority(values: list[tuple[Any, int]]) -> Any:
    """The most frequent value; ties go to the one seen first (values are (value, order))."""
    counts = Counter(v for v, _ in values)
    first: dict[Any, int] = {}
    for v, order in values:
        first.setdefault(v, order)
    return min(counts, key=lambda v: (-counts[v], first[v]))


def _union(lists: list[list[str]]) -> list[str]:
    out: list[str] = []
    for items in lists:
        out.extend(x for x in items if x not in out)
    return out


def _actors(lists: list[list[Actor]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for actors in lists:
        for actor in actors:
            merged[actor.name] = actor.model_dump()
    return list(merged.values())


def _place_key(place: Place) -> Any:
    return place.geonameid or (place.name, place.lat, place.lon)


def fold(
    contributions: list[Contribution], figures: list[Figure], codebook: Codebook,
    edits: dict[str, Any] | None = None,
) -> Folded:
    """The incident's fields from its contributions, figures and edits (rules in the module doc)."""
    reports = sorted((c for c in contributions if c.link == "extracted"), key=lambda c: c.order)
    records = [c.record for c in reports]
    if len(records) == 1:
        r = records[0]
        folded = Folded(
            event_type=r.event_type, sub_event_type=r.sub_event_type, date=r.date,
            date_precision=r.date_precision, location=r.location, killed=r.killed, injured=r.injured,
            perpetrators=_actors([r.perpetrators]), targets=list(r.targets), victims=list(r.victims),
            weapons=list(r.weapons), claimed_by=r.claimed_by,
        )
    else:
        folded = _fold_many(reports, figures, codebook)
    folded.extra = _extra(records)
    return apply_edits(folded, edits or {}, codebook)


def _extra(records: list[Incident]) -> dict[str, Any]:
    """Record fields this module has no rule for: the earliest report's known (non-empty) value."""
    out: dict[str, Any] = {}
    for name in Incident.model_fields:
        if name in FOLDED:
            continue
        values = [getattr(r, name) for r in records]
        out[name] = next((v for v in values if v not in (None, [], {}, False)), values[0] if values else None)
    return out


def _fold_many(reports: list[Contribution], figures: list[Figure], codebook: Codebook) -> Folded:
    from sitrep.extract.reconcile import reconcile  # imported late: it pulls in spaCy (figures.py)

    records = [c.record for c in reports]
    typed = [(r.sub_event_type, c.order) for c, r in zip(reports, records) if r.sub_event_type]
    sub_event_type = _earliest_majority(typed) if typed else None
    event_type = next((r.event_type for r in records if r.sub_event_type == sub_event_type and r.event_type), None)
    if event_type is None:
        event_type = next((r.event_type for r in records if r.event_type), None)

    dated = [(r, c.order) for c, r in zip(reports, records) if r.date is not None]
    date = precision = None
    if dated:
        top = min(DATE_RANK.get(r.date_precision, 4) for r, _ in dated)
        date, precision = _earliest_majority(
            [((r.date, r.date_precision), o) for r, o in dated if DATE_RANK.get(r.date_precision, 4) == top]
        )

    placed = [(r.location, c.order) for c, r in zip(reports, records) if r.location is not None]
    location = None
    if placed:
        top = min(PLACE_RANK.get(p.precision, 6) for p, _ in placed)
        best = [(p, o) for p, o in placed if PLACE_RANK.get(p.precision, 6) == top]
        key = _earliest_majority([(_place_key(p), o) for p, o in best])
        location = next(p for p, _ in best if _place_key(p) == key)

    place_names = {c.article_id: c.record.location.name for c in reports if c.record.location is not None}
    published = {c.article_id: c.published for c in reports}
    order = {c.article_id: c.order for c in reports}
    own = location.name if location else None
    counted = [
        f.model_copy(update={"scope": None})
        if f.scope is not None and f.scope in {place_names.get(f.article_id), own} else f
        for f in figures
    ]
    ranges: dict[str, Range | None] = {}
    latest = sorted(reports, key=lambda c: (published.get(c.article_id) or dt.date.min, c.order))
    for kind in ("killed", "injured"):
        got = reconcile(counted, kind, None, codebook, published=published, article_order=order)
        stated = [getattr(c.record, kind) for c in latest if getattr(c.record, kind) is not None]
        if stated:  # the most recent report's own best (as it coded it), within every report's range
            best = stated[-1].best
            got = Range(low=min(got.low, best), best=best, high=max(got.high, best)) if got else stated[-1]
        ranges[kind] = got
    ranges["injured"] = _died_since(latest, ranges["killed"], ranges["injured"])

    claimed = next((r.claimed_by for r in records if r.claimed_by), None)
    return Folded(
        event_type=event_type, sub_event_type=sub_event_type, date=date, date_precision=precision,
        location=location, killed=ranges["killed"], injured=ranges["injured"],
        perpetrators=_actors([r.perpetrators for r in records]),
        targets=_union([r.targets for r in records]), victims=_union([r.victims for r in records]),
        weapons=_union([r.weapons for r in records]), claimed_by=claimed,
    )


def _died_since(latest: list[Contribution], killed: Range | None, injured: Range | None) -> Range | None:
    """The injured less those who died since the last report that counted the injured: when later reports
    raise the toll ("the man shot on Tuesday has died"), the wounded they now count among the dead are no
    longer among the injured (both reports stay the incident's evidence). `latest`: reports, oldest first."""
    told = [i for i, c in enumerate(latest) if c.record.injured is not None]
    if killed is None or injured is None or not told or not any(
            c.record.killed is not None for c in latest[told[-1] + 1:]):
        return injured
    then = max((c.record.killed.best for c in latest[:told[-1] + 1] if c.record.killed is not None), default=0)
    moved = min(max(0, killed.best - then), injured.best)
    if not moved:
        return injured
    return Range(low=max(0, injured.low - moved), best=injured.best - moved, high=max(0, injured.high - moved))


EDITABLE = ("killed", "injured", "sub_event_type", "date", "date_precision", "location", "claimed_by",
            "perpetrators")


def apply_edits(folded: Folded, edits: dict[str, Any], codebook: Codebook) -> Folded:
    """An analyst's value for a field replaces the folded one (edits are JSON values).

    `killed`/`injured` edits fix the best figure; low and high still follow the reports but are
    widened to include it. A `sub_event_type` edit sets the event type with it.
    """
    for kind in ("killed", "injured"):
        if kind in edits:
            value = edits[kind]
            if value is None:
                setattr(folded, kind, None)
            else:
                current: Range | None = getattr(folded, kind)
                low = min(current.low, value) if current else value
                high = max(current.high, value) if current else value
                setattr(folded, kind, Range(low=low, best=value, high=high))
    if "sub_event_type" in edits:
        folded.sub_event_type = edits["sub_event_type"]
        folded.event_type = codebook.sub_event(folded.sub_event_type).event_type if folded.sub_event_type else None
    if "date" in edits:
        folded.date = dt.date.fromisoformat(edits["date"]) if edits["date"] else None
        folded.date_precision = "day" if folded.date else None
    if "date_precision" in edits:
        folded.date_precision = edits["date_precision"]
    if "location" in edits:
        folded.location = Place.model_validate(edits["location"]) if edits["location"] else None
    if "claimed_by" in edits:
        folded.claimed_by = edits["claimed_by"]
    if "perpetrators" in edits:
        folded.perpetrators = [Actor.model_validate(a).model_dump() for a in edits["perpetrators"] or []]
    return folded
