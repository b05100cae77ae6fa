"""The ledger's own gazetteer (table `places`): write imported or hand-set places, read them back.

An import is idempotent: a place is identified by its GeoNames id, else by its country, normalised name
and coordinates (to four decimals, about 10 m), and a place already stored is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sitrep.nlp.gazetteer import LocalPlace, normalize
from sitrep.store.schema import PlaceRow, utcnow

CHUNK = 500  # rows per INSERT statement


def ident(place: LocalPlace) -> str:
    """What makes two imported places the same place."""
    if place.geonameid is not None:
        return f"geonames:{place.geonameid}"
    return f"{place.country_code}|{normalize(place.name)}|{place.lat:.4f}|{place.lon:.4f}"


def add_places(session: Session, places: Iterable[LocalPlace]) -> tuple[int, int]:
    """Store the places not stored yet; (added, already there), counting a place given twice once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    before = session.scalar(select(func.count()).select_from(PlaceRow)) or 0
    now, seen, rows = utcnow(), set(), []

    def flush() -> None:
        if rows:
            session.execute(insert(PlaceRow).values(rows).on_conflict_do_nothing(index_elements=["ident"]))
            rows.clear()

    for p in places:
        key = ident(p)
        if key in seen:
            continue
        seen.add(key)
        rows.append(dict(ident=key, name=p.name, alternate_names=list(p.alternate_names),
                         country_code=p.country_code, admin1=p.admin1, admin2=p.admin2, lat=p.lat, lon=p.lon,
                         population=p.population, geonameid=p.geonameid, source=p.source, added_at=now))
        if len(rows) >= CHUNK:
            flush()
    flush()
    added = (session.scalar(select(func.count()).select_from(PlaceRow)) or 0) - before
    return added, len(seen) - added


def read_places(session: Session, country: str | None = None) -> list[LocalPlace]:
    """Every stored place (of one country), in the order they were added."""
    query = select(PlaceRow).order_by(PlaceRow.id)
    if country is not None:
        query = query.where(PlaceRow.country_code == country)
    return [LocalPlace(name=r.name, lat=r.lat, lon=r.lon, country_code=r.country_code, admin1=r.admin1,
                       admin2=r.admin2, alternate_names=tuple(r.alternate_names or ()), population=r.population,
                       geonameid=r.geonameid, source=r.source)
            for r in session.scalars(query)]
