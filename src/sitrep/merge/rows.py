"""Row-level helpers shared by the merge engine and the analyst corrections.

Reading a stored incident as a scoring `Side`, re-folding it from its contributions (with the
analyst's edits), and refreshing its text signature and blocking keys after any change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sitrep.codebook import Codebook
from sitrep.merge import blocking, history
from sitrep.merge.fold import Contribution, Folded, fold, record_from_json, record_json
from sitrep.merge.scoring import Side
from sitrep.merge.signature import TOP_KEYS, fold as fold_text, merge_terms, top_terms, weights
from sitrep.records import Actor, Figure, Incident, Place, Range
from sitrep.store.schema import (
    ArticleRow,
    ArticleTermsRow,
    FigureRow,
    IncidentArticleRow,
    IncidentReportRow,
    IncidentRow,
    IncidentTermsRow,
    TermStatRow,
    insert_rows,
)

N_DOCS = ""  # the term_stats row counting reports
_READ_DF = select(TermStatRow.term, TermStatRow.df).where(TermStatRow.term.in_(bindparam("terms", expanding=True)))
_STATS = "sitrep.term_stats"  # session.info key of the session's `_TermStats`


@dataclass
class _TermStats:
    """The term statistics of one write session. Within a write transaction no other writer changes
    them (the merge lock), so each term is read once and the reports' counts are written together at
    the end (`write_frequencies`)."""

    df: dict[str, int] = field(default_factory=dict)  # the current value of each term read (counts included)
    unwritten: Counter[str] = field(default_factory=Counter)  # counts not yet written
    counted: dict[str, list[str]] = field(default_factory=dict)  # article id -> the terms it counted


def _stats(session: Session) -> _TermStats:
    return session.info.setdefault(_STATS, _TermStats())


# ---------------------------------------------------------------- term statistics


def document_frequencies(session: Session, terms: Iterable[str]) -> tuple[dict[str, int], int]:
    """df of each term (absent: 0) and the number of reports counted, this session's counts included."""
    known = _stats(session).df
    wanted = sorted((set(terms) | {N_DOCS}) - known.keys())
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found = dict(session.connection().execute(_READ_DF, {"terms": chunk}).all())
        known.update({t: found.get(t, 0) for t in chunk})
    df = {t: known[t] for t in terms if known[t]}
    return df, known[N_DOCS]


def count_terms(session: Session, article_id: str, terms: Iterable[str]) -> None:
    """Add one report to the statistics of its terms (read first by `document_frequencies`), in memory
    until `write_frequencies`."""
    stats = _stats(session)
    counted = sorted(set(terms) | {N_DOCS})
    for term in counted:
        stats.df[term] += 1
        stats.unwritten[term] += 1
    stats.counted[article_id] = counted


def uncount(session: Session, article_id: str) -> None:
    """Take back the counts of a report whose storing was rolled back (nothing if it counted none)."""
    stats = _stats(session)
    for term in stats.counted.pop(article_id, []):
        stats.df[term] -= 1
        stats.unwritten[term] -= 1


def write_frequencies(session: Session) -> None:
    """Write the session's counts (one upsert of every term counted), before its transaction commits."""
    stats = session.info.get(_STATS)
    if stats is None or not +stats.unwritten:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(TermStatRow.__table__)
    statement = statement.on_conflict_do_update(index_elements=["term"],
                                                set_={"df": TermStatRow.__table__.c.df + statement.excluded.df})
    rows = [{"term": t, "df": n} for t, n in sorted(stats.unwritten.items()) if n]
    session.connection().execute(statement, rows)
    stats.unwritten.clear()
    stats.counted.clear()


# ---------------------------------------------------------------- stored incidents as records


def place_of(row: IncidentRow) -> Place | None:
    if row.location_name is None:
        return None
    return Place(name=row.location_name, geonameid=row.geonameid, lat=row.lat, lon=row.lon,
                 country_code=row.country_code, admin1=row.admin1, admin2=row.admin2,
                 precision=row.location_precision)


def _range(row: IncidentRow, kind: str) -> Range | None:
    low, best, high = (getattr(row, f"{kind}_{p}") for p in ("low", "best", "high"))
    if low is None or best is None or high is None:
        return None
    return Range(low=low, best=best, high=high)


def fields_record(row: IncidentRow) -> Incident:
    """The stored incident's fields as a record (no figures, evidence or articles)."""
    return Incident(
        id=row.id, event_type=row.event_type, sub_event_type=row.sub_event_type, date=row.date,
        date_precision=row.date_precision, location=place_of(row),
        perpetrators=[Actor(**a) for a in row.perpetrators or []], targets=list(row.targets or []),
        victims=list(row.victims or []), weapons=list(row.weapons or []),
        killed=_range(row, "killed"), injured=_range(row, "injured"), claimed_by=row.claimed_by,
    )


def article_ids(session: Session, incident_id: str) -> list[str]:
    query = (
        select(IncidentArticleRow.article_id)
        .join(ArticleRow, ArticleRow.id == IncidentArticleRow.article_id)
        .where(IncidentArticleRow.incident_id == incident_id)
        .order_by(ArticleRow.ingested_at, ArticleRow.id)
    )
    return list(session.scalars(query))


def linked_articles(session: Session, incident_id: str) -> tuple[list[str], list[dt.date | None]]:
    """The incident's article ids (in the order of `article_ids`) and their publication dates."""
    query = (
        select(IncidentArticleRow.article_id, ArticleRow.published)
        .join(ArticleRow, ArticleRow.id == IncidentArticleRow.article_id)
        .where(IncidentArticleRow.incident_id == incident_id)
        .order_by(ArticleRow.ingested_at, ArticleRow.id)
    )
    found = session.execute(query).all()
    return [a for a, _ in found], [p for _, p in found]


def link_article(session: Session, incident_id: str, article_id: str) -> None:
    if session.get(IncidentArticleRow, (incident_id, article_id)) is None:
        session.add(IncidentArticleRow(incident_id=incident_id, article_id=article_id))


def stored_side(row: IncidentRow, terms: Mapping[str, int], df: Mapping[str, int], n_docs: int) -> Side:
    return Side(
        date=row.date, date_precision=row.date_precision, location_name=row.location_name,
        lat=row.lat, lon=row.lon, location_precision=row.location_precision,
        country_code=row.country_code, event_type=row.event_type, sub_event_type=row.sub_event_type,
        actors=set(blocking.named_actors(row.perpetrators or [])),
        suspects=set(blocking.named_actors(row.perpetrators or [], persons=True)), killed_best=row.killed_best,
        weights=weights(terms, df, n_docs),
    )


def incident_side(incident: Incident, article_weights: dict[str, float], text: str,
                  published: dt.date | None = None) -> Side:
    place = incident.location
    date = blocking.plausible_date(incident.date, incident.date_precision, published)
    return Side(
        date=date, date_precision=incident.date_precision if date else None,
        location_name=place.name if place else None, lat=place.lat if place else None,
        lon=place.lon if place else None, location_precision=place.precision if place else None,
        country_code=place.country_code if place else None, event_type=incident.event_type,
        sub_event_type=incident.sub_event_type, actors=set(blocking.named_actors(incident.perpetrators)),
        suspects=set(blocking.named_actors(incident.perpetrators, persons=True)),
        killed_best=incident.killed.best if incident.killed else None, weights=article_weights, text=text,
    )


def folded_text(title: str | None, text: str) -> str:
    return fold_text(f"{title or ''}\n{text}")


# ---------------------------------------------------------------- contributions and re-folding


def ensure_contributions(session: Session, row: IncidentRow, now: dt.datetime) -> None:
    """An incident stored before cross-report merging existed gets its current state as a contribution."""
    has = session.scalar(select(IncidentReportRow.id).where(IncidentReportRow.incident_id == row.id).limit(1))
    if has is not None:
        return
    articles = article_ids(session, row.id)
    if not articles:
        return
    session.add(IncidentReportRow(
        incident_id=row.id, article_id=articles[0], extracted_id=row.id, link="extracted",
        record=record_json(fields_record(row)), added_at=now,
    ))
    session.flush()


def contributions_of(session: Session, incident_id: str) -> list[Contribution]:
    query = (
        select(IncidentReportRow, ArticleRow.published)
        .join(ArticleRow, ArticleRow.id == IncidentReportRow.article_id)
        .where(IncidentReportRow.incident_id == incident_id)
        .order_by(IncidentReportRow.id)
    )
    return [
        Contribution(article_id=r.article_id, record=record_from_json(r.record, r.extracted_id),
                     published=published, order=r.id, link=r.link)
        for r, published in session.execute(query)
    ]


def stored_figures(session: Session, incident_id: str) -> list[Figure]:
    """The incident's figures as stored, in the order they were stored."""
    columns = [getattr(FigureRow, name) for name in Figure.model_fields]
    query = select(*columns).where(FigureRow.incident_id == incident_id).order_by(FigureRow.id)
    return [Figure.model_construct(**values) for values in session.execute(query).mappings()]


def apply(row: IncidentRow, folded: Folded) -> None:
    row.event_type = folded.event_type
    row.sub_event_type = folded.sub_event_type
    row.date = folded.date
    row.date_precision = folded.date_precision
    place = folded.location
    row.location_name = place.name if place else None
    row.geonameid = place.geonameid if place else None
    row.lat = place.lat if place else None
    row.lon = place.lon if place else None
    row.country_code = place.country_code.upper() if place and place.country_code else None
    row.admin1 = place.admin1 if place else None
    row.admin2 = place.admin2 if place else None
    row.location_precision = place.precision if place else None
    for kind in ("killed", "injured"):
        tally: Range | None = getattr(folded, kind)
        setattr(row, f"{kind}_low", tally.low if tally else None)
        setattr(row, f"{kind}_best", tally.best if tally else None)
        setattr(row, f"{kind}_high", tally.high if tally else None)
    row.perpetrators = folded.perpetrators
    row.targets = folded.targets
    row.victims = folded.victims
    row.weapons = folded.weapons
    row.claimed_by = folded.claimed_by
    columns = IncidentRow.__table__.columns
    for name, value in folded.extra.items():
        if name in columns:  # record fields other stages added a column for
            setattr(row, name, value)


def refold(session: Session, row: IncidentRow, codebook: Codebook, *, new: bool = False,
           contributions: list[Contribution] | None = None, figures: list[Figure] | None = None) -> None:
    """Recompute the incident's fields from its contributions, figures and edits (`contributions`,
    `figures`: all of them, when the caller has them; else they are read)."""
    session.flush()
    if figures is None:
        figures = stored_figures(session, row.id)
    if contributions is None:
        contributions = contributions_of(session, row.id)
    edits = {} if new else history.edits(session, row.id)
    apply(row, fold(contributions, figures, codebook, edits))


def first_published_of(session: Session, incident_id: str) -> dt.date | None:
    query = (
        select(ArticleRow.published)
        .join(IncidentArticleRow, IncidentArticleRow.article_id == ArticleRow.id)
        .where(IncidentArticleRow.incident_id == incident_id, ArticleRow.published.is_not(None))
        .order_by(ArticleRow.published)
        .limit(1)
    )
    return session.scalar(query)


def incident_terms(session: Session, incident_id: str) -> dict[str, int]:
    row = session.get(IncidentTermsRow, incident_id)
    return dict(row.terms) if row is not None else {}


def set_incident_terms(session: Session, incident_id: str, terms: dict[str, int]) -> None:
    row = session.get(IncidentTermsRow, incident_id)
    if row is None:
        session.add(IncidentTermsRow(incident_id=incident_id, terms=terms))
    else:
        row.terms = terms


def add_incident_terms(session: Session, incident_id: str, terms: Mapping[str, int], *,
                       new: bool = False) -> dict[str, int]:
    """Merge a report's signature into the incident's (`new`: the incident has none yet)."""
    if new:
        merged = dict(terms)
        insert_rows(session, IncidentTermsRow, [{"incident_id": incident_id, "terms": merged}])
        return merged
    merged = merge_terms(incident_terms(session, incident_id), terms)
    set_incident_terms(session, incident_id, merged)
    return merged


def rebuild_incident_terms(session: Session, incident_id: str) -> dict[str, int]:
    """The union of the signatures of the incident's reports (after a split or merge)."""
    query = (
        select(ArticleTermsRow.terms)
        .join(IncidentArticleRow, IncidentArticleRow.article_id == ArticleTermsRow.article_id)
        .where(IncidentArticleRow.incident_id == incident_id)
    )
    merged = merge_terms(*session.scalars(query))
    set_incident_terms(session, incident_id, merged)
    return merged


def refresh_keys(session: Session, row: IncidentRow, terms: Mapping[str, int], today: dt.date,
                 df: Mapping[str, int] | None = None, n_docs: int | None = None,
                 articles: list[str] | None = None, *, first_published: dt.date | None | object = ...,
                 new: bool = False) -> None:
    """Rewrite the incident's blocking keys from its fields and its reports' most distinctive terms
    (`articles`: its article ids, `first_published`: its earliest report's date, when the caller has them;
    `new`: the incident has no keys yet)."""
    if df is None or n_docs is None:
        df, n_docs = document_frequencies(session, terms)
    n_articles = max(1, len(articles if articles is not None else article_ids(session, row.id)))
    chosen = top_terms(terms, df, n_docs, k=TOP_KEYS * min(n_articles, 3))
    keys = blocking.structured_keys(place_of(row), row.perpetrators or [], neighbours=False)
    keys |= blocking.term_keys(chosen)
    if first_published is ...:
        first_published = first_published_of(session, row.id)
    day = blocking.anchor_day(row.date, row.date_precision, first_published, today)
    blocking.replace_incident_keys(session, row.id, keys, day, new=new)


def snapshot(session: Session, row: IncidentRow, articles: list[str] | None = None) -> dict[str, Any]:
    session.flush()
    return history.snapshot(row, articles if articles is not None else article_ids(session, row.id))
