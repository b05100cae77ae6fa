"""Candidate blocking: which stored incidents a new report's incident could be, found through an index.

Every incident (and every stored report that yielded no incident yet: an "orphan") has blocking keys
in `match_keys`, each on a day (the incident's date when known to the day or week, else the day its
first report was published):

- `g:<row>:<col>`   its cell on a 0.25-degree grid (about 28 km); a probe asks for the 3x3 cells
                    around its own, so anything within about 28 km is found;
- `p:<cc>:<name>`   its place name, for incidents whose coordinates are missing or imprecise;
- `a:<name>`        each named perpetrator (also finds coordinated attacks: same actor, same day);
- `t:<term>`        the most distinctive terms of its reports (victims' names, streets, ages).

A probe asks `key IN (...) AND day BETWEEN lo AND hi` on the (key, day) index: one range scan per
key, whose length depends on how many incidents share that key within the date window, not on the
size of the ledger. Windows stop at the ends of the calendar (0001-01-01, 9999-12-31): `shift` never
overflows.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.orm import Session

from sitrep.merge.signature import TOP_KEYS, fold, top_terms
from sitrep.records import Actor, Incident, Place
from sitrep.store.schema import MatchKeyRow, insert_rows

GRID_DEG = 0.25
DAY_WINDOW = 7  # a day-precise incident matches stored incidents dated within a week of it ...
LOOKBACK = 60  # ... and any report may tell of an incident up to two months old (follow-ups: arrests,
UNDATED_AFTER = 2  # funerals, hearings, often dated by the extractor to the follow-up's own day)
ORPHAN_AFTER = 60  # a report without an incident of its own, published up to this long after an incident
MAX_CANDIDATES = 20
COMMON_DF = 100  # a term in more than this many reports (and 1% of them) is no blocking key for a probe
MIN_TERM_HITS = 2  # a candidate found by terms alone must share at least two of them ...
NEAR_DAYS = 3  # ... or one, when it is filed within three days of the new report's incident
PRECISE_DATES = {"day", "week"}
LOCAL_PRECISION = {"exact", "town", "near", "admin2"}


def shift(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held within dt.date.min..dt.date.max (a window's edge, never an OverflowError)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min if days < 0 else dt.date.max


def cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEG), math.floor(lon / GRID_DEG)


def place_key(place: Place | None) -> str | None:
    if place is None or not place.name:
        return None
    return f"p:{(place.country_code or '').lower()}:{fold(place.name)}"


def named_actors(actors: Iterable[Actor | dict], persons: bool = False) -> list[str]:
    """Named perpetrators: groups ("Islamic State"; not descriptions such as "gunmen", "a man"), or with
    `persons` the suspects named as people ("Yvonne Hiller")."""
    names = []
    for actor in actors:
        actor = Actor(**actor) if isinstance(actor, dict) else actor
        if actor.name and not actor.name.islower() and actor.person == persons:
            names.append(fold(actor.name))
    return names


def structured_keys(location: Place | None, actors: Iterable[Actor | dict], neighbours: bool) -> set[str]:
    """Keys from an incident's place and actors; `neighbours` adds the 8 surrounding grid cells (probes)."""
    keys: set[str] = set()
    if location is not None and location.lat is not None and location.lon is not None \
            and (location.precision is None or location.precision in LOCAL_PRECISION):
        row, col = cell(location.lat, location.lon)
        spread = (-1, 0, 1) if neighbours else (0,)
        keys |= {f"g:{row + dr}:{col + dc}" for dr in spread for dc in spread}
    pk = place_key(location)
    if pk:
        keys.add(pk)
    actors = list(actors)
    keys |= {f"a:{name}" for name in named_actors(actors) + named_actors(actors, persons=True)}
    return keys


def term_keys(terms: Iterable[str]) -> set[str]:
    return {f"t:{t}" for t in terms}


def probe_terms(signature: dict[str, int], df: dict[str, int], n_docs: int, k: int = TOP_KEYS) -> list[str]:
    """The terms a new report is looked up by: its most distinctive ones, leaving out terms so common in
    the ledger that their index range would be long and say little (the cost of a probe stays flat)."""
    limit = max(COMMON_DF, n_docs // 100)
    return top_terms({t: c for t, c in signature.items() if df.get(t, 0) <= limit}, df, n_docs, k)


def anchor_day(date: dt.date | None, precision: str | None, published: dt.date | None,
               today: dt.date) -> dt.date:
    """The day an incident is filed under: its date when precise (and plausible), else its first report's date."""
    return plausible_date(date, precision, published) or published or today


def plausible_date(date: dt.date | None, precision: str | None, published: dt.date | None) -> dt.date | None:
    """The date when precise (day or week) and not after the report was published (a resolution error)."""
    if date is None or (precision is not None and precision not in PRECISE_DATES):
        return None
    if published is not None and date > shift(published, 1):
        return None
    return date


def probe_window(incident: Incident | None, published: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """Days of stored incidents a new incident (or a report without one) may match: the two months
    before the report was published, and a week either side of the incident's own date."""
    day = published or today
    lo, hi = shift(day, -LOOKBACK), shift(day, UNDATED_AFTER)
    date = plausible_date(incident.date, incident.date_precision, published) if incident is not None else None
    if date is not None:
        lo = min(lo, shift(date, -DAY_WINDOW))
        hi = max(hi, shift(date, DAY_WINDOW))
    return lo, hi


def orphan_window(day: dt.date) -> tuple[dt.date, dt.date]:
    """Publication days of stored orphan reports that may be about an incident filed under `day`."""
    return shift(day, -UNDATED_AFTER), shift(day, ORPHAN_AFTER)


@dataclass
class Hits:
    """What a probe found: matched keys (and the day they are filed under) per incident and per orphan report."""

    incidents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    orphans: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    days: dict[str, dt.date] = field(default_factory=dict)

    def top_incidents(self, limit: int = MAX_CANDIDATES, near: dt.date | None = None) -> list[str]:
        """Candidates sharing a place, cell or actor key, or two terms, or one term and filed within
        `NEAR_DAYS` of `near`; most shared keys first."""
        def strong(keys: set[str]) -> int:
            return sum(1 for k in keys if not k.startswith("t:"))

        def close(iid: str) -> bool:
            return near is not None and iid in self.days and abs((self.days[iid] - near).days) <= NEAR_DAYS

        found = [(iid, keys) for iid, keys in self.incidents.items()
                 if strong(keys) or len(keys) >= MIN_TERM_HITS or close(iid)]
        found.sort(key=lambda item: (-(len(item[1]) + strong(item[1])), item[0]))
        return [iid for iid, _ in found[:limit]]

    def top_orphans(self, limit: int = MAX_CANDIDATES) -> list[str]:
        return [a for a, _ in sorted(self.orphans.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]]


def _candidate_statement(orphans: bool):
    row = MatchKeyRow
    where = and_(row.key.in_(bindparam("keys", expanding=True)), row.day >= bindparam("lo"), row.day <= bindparam("hi"))
    if orphans:
        return select(row.key, row.article_id, row.day).where(where, row.incident_id.is_(None))
    return select(row.key, row.incident_id, row.day).where(where, row.incident_id.is_not(None))


_CANDIDATES = {orphans: _candidate_statement(orphans) for orphans in (False, True)}  # built once, compiled once


def candidate_query(keys: Iterable[str], lo: dt.date, hi: dt.date, *, orphans: bool = False):
    """The indexed blocking query with its values bound (exposed so tests can EXPLAIN it)."""
    return _CANDIDATES[orphans].params(keys=sorted(set(keys)), lo=lo, hi=hi)


def find(session: Session, keys: Iterable[str], lo: dt.date, hi: dt.date, *, orphans: bool = False) -> Hits:
    """Incidents (or orphan reports) sharing at least one key within the date window."""
    keys = set(keys)
    hits = Hits()
    if not keys:
        return hits
    target = hits.orphans if orphans else hits.incidents
    found = session.connection().execute(_CANDIDATES[orphans], {"keys": sorted(keys), "lo": lo, "hi": hi})
    for key, owner, day in found:
        target[owner].add(key)
        hits.days[owner] = day
    return hits


def replace_incident_keys(session: Session, incident_id: str, keys: Iterable[str], day: dt.date, *,
                          new: bool = False) -> None:
    """Store the incident's blocking keys in place of its earlier ones (`new`: it has none yet)."""
    if not new:
        session.connection().execute(delete(MatchKeyRow).where(MatchKeyRow.incident_id == incident_id))
    insert_rows(session, MatchKeyRow, [{"key": k, "day": day, "incident_id": incident_id, "article_id": None}
                                       for k in sorted(set(keys))])


def add_orphan_keys(session: Session, article_id: str, keys: Iterable[str], day: dt.date) -> None:
    insert_rows(session, MatchKeyRow, [{"key": k, "day": day, "incident_id": None, "article_id": article_id}
                                       for k in sorted(set(keys))])


def drop_orphan_keys(session: Session, article_id: str) -> None:
    session.execute(
        delete(MatchKeyRow).where(MatchKeyRow.article_id == article_id, MatchKeyRow.incident_id.is_(None))
    )
