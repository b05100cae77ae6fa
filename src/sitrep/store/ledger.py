"""The ledger: stores articles with their incidents and reads incident records back.

`Ledger.add` writes one report (article, incidents, figures, evidence, excluded mentions) in
a single transaction. It is idempotent on content: a report whose content hash is already
stored changes nothing. Each incident the report yields is matched against the stored incidents
(sitrep.merge: indexed blocking on date window, grid cell, place, actors and distinctive terms, then
scoring) and folded into the one it matches, keeping that id, or stored as new: articles, figures,
evidence and related ids are unioned (no duplicate rows) and the fields are recomputed from every
report (reconciliation rule for killed/injured; analyst edits win), with a history of changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, event, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.pool import StaticPool

from sitrep.merge import engine as merge_engine
from sitrep.merge import rows as merge_rows
from sitrep.records import Actor, Article, ArticleCoding, Evidence, Excluded, Extraction, Figure, Incident, Place, Range
from sitrep.store import migrate
from sitrep.store.query import IncidentFilter, order_by
from sitrep.store.query import stats as query_stats
from sitrep.store.schema import (
    ArticleRow,
    ExcludedRow,
    FigureRow,
    IncidentRow,
    IngestFileRow,
    SourceRow,
    insert_rows,
    utcnow,
)

DEFAULT_URL = "sqlite:///sitrep.db"
WRITE_LOCK = 0x5173_7265_0002  # pg_advisory_xact_lock key held by every write transaction


class AddResult(BaseModel):
    """Outcome of `Ledger.add` (and of each report of `Ledger.add_many`)."""

    article_id: str
    stored: bool  # False when this content was already in the ledger
    incidents: list[str] = []  # ids of the incidents written (created or updated)
    error: str | None = None  # `add_many`: why this report could not be stored
    transient: bool = False  # `add_many`: the error was the database's for the moment (try again later)


def transient(exc: BaseException) -> bool:
    """Whether a database error is one of the moment, not of the data: a lock held too long (SQLite's
    "database is locked"), a lost connection, a PostgreSQL serialization failure or deadlock."""
    if isinstance(exc, OperationalError):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and code in ("40001", "40P01")


def normalize_db_url(value: str) -> str:
    """Turn a `--db` value into an SQLAlchemy URL: URLs pass through, bare paths become SQLite.

    `sitrep.db` -> `sqlite:///sitrep.db`, `/tmp/x.db` -> `sqlite:////tmp/x.db`,
    `:memory:` -> `sqlite://`.
    """
    value = value.strip()
    if value.startswith("postgres://"):  # the spelling of Heroku and libpq; SQLAlchemy knows only postgresql://
        return "postgresql://" + value.removeprefix("postgres://")
    if "://" in value:
        return value
    if value in ("", ":memory:"):
        return "sqlite://"
    return "sqlite:///" + Path(value).expanduser().as_posix()


BUSY_TIMEOUT_MS = 30_000  # SQLite: how long a writer waits for another process's write to finish
WRITE = {"sitrep_write": True}  # execution option of write transactions (SQLite: BEGIN IMMEDIATE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3 would open transactions itself, lazily, at the first INSERT: a writer's reads would then
    # run outside its transaction and two writers could both decide to insert the same row. We open
    # them ourselves (`_sqlite_begin`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # another process writing: wait, don't fail
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Open every SQLite transaction explicitly; a write transaction takes the database's write lock
    at once (BEGIN IMMEDIATE, waiting up to the busy timeout), so that what it reads before writing
    cannot change under it and a second writer waits instead of failing half-way."""
    write = connection.get_execution_options().get("sitrep_write")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class UnsupportedDatabase(ValueError):
    """A `--db` URL for a database sitrep cannot keep its ledger in; the message says why."""


def make_engine(url: str) -> Engine:
    """Create an engine for `url` (normalised); SQLite gets WAL and enforced foreign keys.
    UnsupportedDatabase for URLs of other databases, malformed URLs and missing drivers."""
    url = normalize_db_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError, ValueError (a bad port ...)
        raise UnsupportedDatabase(f"not a database URL ({exc})") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise UnsupportedDatabase(f"{backend}: sitrep keeps its ledger in SQLite (a file path or sqlite:///PATH) "
                                  "or PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)")
    if backend != "sqlite":
        try:
            return create_engine(url)
        except ImportError as exc:
            raise UnsupportedDatabase(f"{parsed.drivername}: its driver is not installed ({exc}); "
                                      "use postgresql:// (psycopg 3, installed with sitrep)") from None
    database = parsed.database
    if not database or database == ":memory:":
        engine = create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _unique(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order."""
    return list(dict.fromkeys(values))


class Ledger:
    """The incident ledger on an SQLAlchemy database: SQLite (default) or PostgreSQL.

    Opening a ledger migrates its schema to the current revision in place (`sitrep.store.migrate`).
    """

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = normalize_db_url(url)
        self.engine = make_engine(self.url)
        migrate.upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.engine.execution_options(**WRITE), expire_on_commit=False)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- writing

    def add(self, article: Article, extraction: Extraction) -> AddResult:
        """Store one report and what it yields, all or nothing (see module docstring)."""
        existing = self._article_id_for(article.content_hash)
        if existing is not None:
            return AddResult(article_id=existing, stored=False)
        try:
            with self._writing() as session:
                return self._add_in(session, article, extraction)
        except IntegrityError:
            existing = self._article_id_for(article.content_hash)
            if existing is not None:  # a concurrent writer stored the same content first
                return AddResult(article_id=existing, stored=False)
            raise

    def add_many(self, reports: Iterable[tuple[Article, Extraction]],
                 texts: Mapping[str, merge_engine.ReportText] | None = None) -> list[AddResult]:
        """Store several reports in one transaction, each still all or nothing (a savepoint each).
        `texts`: the reports' `ReportText` by article id where already computed (by batch workers).

        A report that cannot be stored comes back with `error` set and the others are stored. One
        commit for the lot makes batch ingestion cheaper; when interrupted (Ctrl+C), the reports
        finished before the interruption are committed, so none is lost or half-written.
        """
        results: list[AddResult] = []
        reports = list(reports)
        with self._writing() as session:
            stored = _stored_articles(session, [article for article, _ in reports])
            current: str | None = None  # the report being stored
            try:
                for article, extraction in reports:
                    current = article.id
                    try:
                        with session.begin_nested():
                            text = texts.get(article.id) if texts else None
                            results.append(self._add_in(session, article, extraction, text, stored))
                        if results[-1].stored:
                            stored.add(article.id, article.content_hash)
                    except Exception as exc:  # rolled back to the savepoint; the rest goes on
                        merge_rows.uncount(session, article.id)  # its term counts are rolled back too
                        results.append(AddResult(article_id=article.id, stored=False,
                                                 error=f"not stored: {exc!r}"[:500], transient=transient(exc)))
                    current = None
            except KeyboardInterrupt:  # keep what was finished; the current report was rolled back
                if current is not None:
                    merge_rows.uncount(session, current)
                merge_rows.write_frequencies(session)
                session.commit()
                raise
        return results

    def _add_in(self, session: Session, article: Article, extraction: Extraction,
                text: merge_engine.ReportText | None = None, stored: _StoredArticles | None = None) -> AddResult:
        """Write one report inside a write transaction (`_writing`); `stored`: the stored articles that
        share its id or content, when the caller read them within this transaction."""
        if stored is None:
            stored = _stored_articles(session, [article])
        if article.content_hash in stored.by_hash:  # stored earlier, or by another writer while we waited
            return AddResult(article_id=stored.by_hash[article.content_hash], stored=False)
        if article.id in stored.ids:
            raise ValueError(f"article id {article.id!r} is already stored with different content")
        now = utcnow()
        self._write_article(session, article, extraction, now)
        # cross-report merging: match, fold or create each incident (sitrep.merge)
        written = merge_engine.add_report(session, article, extraction, now, text=text).written
        self._write_excluded(session, extraction.excluded)
        return AddResult(article_id=article.id, stored=True, incidents=_unique(written))

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction that holds the ledger's merge lock until it commits.

        Merging reads the stored incidents and then writes: two writers doing that at once could
        both miss each other's incident and store it twice. On PostgreSQL a transaction-scoped
        advisory lock serialises the merge step of concurrent writers (extraction, the costly part,
        runs before and outside it), so the ledger is the one a single writer would build by adding
        the reports in commit order. On SQLite the transaction takes the database's write lock when it
        begins (BEGIN IMMEDIATE), with the same effect.
        """
        with self._write_sessions.begin() as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield session
            merge_rows.write_frequencies(session)  # the term counts merging kept in memory

    def _write_article(self, session: Session, article: Article, extraction: Extraction,
                       now: dt.datetime) -> None:
        problems = [problem.model_dump() for problem in extraction.problems]
        insert_rows(session, ArticleRow, [dict(
            id=article.id, content_hash=article.content_hash, title=article.title,
            source_id=_source_id(session, article.source) if article.source else None,
            url=article.url, published=article.published, text=article.text, ingested_at=now,
            feed_item_id=article.feed_item_id, not_coded=extraction.skipped, coding_problems=problems or None,
        )])

    @staticmethod
    def _write_excluded(session: Session, excluded: list[Excluded]) -> None:
        insert_rows(session, ExcludedRow, [item.model_dump() for item in excluded])

    # ---------------------------------------------------------------- analyst corrections (sitrep.merge)

    def merge_incidents(self, first: str, second: str, *, by: str | None = None,
                        note: str | None = None) -> tuple[str, str]:
        """Merge two incidents; the older id is kept. Returns (kept id, deleted id)."""
        from sitrep.merge import corrections

        with self._writing() as session:
            return corrections.merge(session, first, second, by=by, note=note)

    def split_incident(self, incident_id: str, article_id: str, *, by: str | None = None,
                       note: str | None = None) -> str | None:
        """Take one report out of an incident into its own; returns the new id (None: detached)."""
        from sitrep.merge import corrections

        with self._writing() as session:
            return corrections.split(session, incident_id, article_id, by=by, note=note)

    def edit_incident(self, incident_id: str, values: dict[str, Any], *, by: str | None = None,
                      note: str | None = None, release: list[str] | None = None) -> list[str]:
        """Set fields by hand (locked against later reports); returns the fields that changed."""
        from sitrep.merge import corrections

        with self._writing() as session:
            changed = corrections.edit(session, incident_id, values, by=by, note=note, release=release)
            place = _hand_set_place(values.get("location"), incident_id)
            if place is not None:  # a place an analyst located joins the ledger's gazetteer
                from sitrep.store.places import add_places

                add_places(session, [place])
            return changed

    def add_places(self, places: Iterable[Any]) -> tuple[int, int]:
        """Add places (`sitrep.nlp.gazetteer.LocalPlace`) to the ledger's own gazetteer; (added, already there)."""
        from sitrep.store.places import add_places

        with self._writing() as session:
            return add_places(session, places)

    def places(self, country: str | None = None) -> list[Any]:
        """The ledger's own gazetteer (`LocalPlace` records), of one country or all."""
        from sitrep.store.places import read_places

        with self._sessions() as session:
            return read_places(session, country)

    def history(self, incident_id: str) -> list[Any]:
        """Every recorded change to an incident, oldest first (sitrep.merge.history.HistoryEntry)."""
        from sitrep.merge import history

        with self._sessions() as session:
            return history.history(session, incident_id)

    def deletions(self, since: dt.datetime | None = None) -> list[Any]:
        """Incident ids that disappeared (merged into another), oldest first."""
        from sitrep.merge import history

        with self._sessions() as session:
            return history.deletions(session, since)

    # ---------------------------------------------------------------- reading

    def _article_id_for(self, content_hash: str) -> str | None:
        with self._sessions() as session:
            return session.scalar(
                select(ArticleRow.id).where(ArticleRow.content_hash == content_hash)
            )

    def has_content(self, content_hash: str) -> bool:
        """Whether a report with this content hash is already stored."""
        return self._article_id_for(content_hash) is not None

    def stored_hashes(self, hashes: Iterable[str]) -> set[str]:
        """Those of `hashes` whose report is already stored (one query)."""
        wanted = sorted(set(hashes))
        if not wanted:
            return set()
        with self._sessions() as session:
            query = select(ArticleRow.content_hash).where(ArticleRow.content_hash.in_(wanted))
            return set(session.scalars(query))

    def file_finished(self, path: str, size: int, mtime_ns: int) -> bool:
        """Whether `sitrep ingest` finished this file, unchanged since (same size and mtime)."""
        with self._sessions() as session:
            row = session.get(IngestFileRow, path)
            return row is not None and (row.size, row.mtime_ns) == (size, mtime_ns)

    def mark_file_finished(self, path: str, size: int, mtime_ns: int, *, stored: int,
                           duplicates: int, problems: int) -> None:
        """Record that every report of this file is stored (or was a duplicate or a problem)."""
        with self._write_sessions.begin() as session:
            row = session.get(IngestFileRow, path) or IngestFileRow(path=path)
            row.size, row.mtime_ns, row.finished_at = size, mtime_ns, utcnow()
            row.stored, row.duplicates, row.problems = stored, duplicates, problems
            session.merge(row)

    def incidents(
        self,
        *,
        country: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        sub_event_type: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "-date",
        **filters: Any,
    ) -> list[Incident]:
        """Full incident records, newest first (date desc, then id); filters combine with AND.

        `country` is an ISO2 code (any case); `since`/`until` are inclusive and drop undated
        incidents. More filters (`admin1`, `event_type`, `actor`, `min_killed`, `bbox`, `q`,
        `article_id`) are those of `sitrep.store.query.IncidentFilter`; `sort` is one of
        `-date` (default), `date`, `-killed`, `killed`; `limit`/`offset` page the result.
        """
        where = IncidentFilter(
            country=country, since=since, until=until, sub_event_type=sub_event_type, **filters
        ).conditions()
        query = select(IncidentRow).where(*where).order_by(*order_by(sort))
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._sessions() as session:
            return [_incident_record(row) for row in session.scalars(_with_children(query))]

    def iter_incidents(self, *, sort: str = "-date", page_size: int = 100, **filters: Any) -> Iterator[Incident]:
        """Every incident that passes the filters, in the order of `incidents(sort=...)`, read
        `page_size` at a time: for exports, in memory that does not grow with the ledger.

        Keyset pagination: each page is the next `page_size` rows after the last row of the previous
        page by the sort key and id, read in a short session of its own (no transaction stays open
        between pages, so a slow reader never holds up writers). Filters are those of `incidents`.
        """
        from sqlalchemy import and_, false, or_

        row = IncidentRow
        # The columns `order_by(sort)` sorts on before the id, each (column, descending); nulls last.
        keys = {
            "-date": [(row.date, True)],
            "date": [(row.date, False)],
            "-killed": [(row.killed_best, True), (row.date, True)],
            "killed": [(row.killed_best, False), (row.date, True)],
        }
        ordered = select(row).where(*IncidentFilter(**filters).conditions()).order_by(*order_by(sort))
        columns = keys[sort]
        page_size = max(1, page_size)

        def after(last: IncidentRow) -> Any:
            """Rows after `last` in the sort order (nulls last, ties broken by id)."""
            later, same = [], []
            for column, descending in columns:
                value = getattr(last, column.key)
                if value is not None:  # after a value: the values past it, then the nulls
                    past = column < value if descending else column > value
                    later.append(and_(*same, or_(past, column.is_(None))))
                    same.append(column == value)
                else:  # nulls come last: only more nulls follow
                    same.append(column.is_(None))
            later.append(and_(*same, row.id > last.id))
            return or_(false(), *later)

        query = ordered.limit(page_size)
        while True:
            with self._sessions() as session:
                rows = list(session.scalars(_with_children(query)))
                page = [_incident_record(r) for r in rows]
                if len(rows) == page_size:
                    query = ordered.where(after(rows[-1])).limit(page_size)
            yield from page
            if len(rows) < page_size:
                return

    def count_incidents(self, **filters: Any) -> int:
        """How many incidents pass the filters (those of `incidents`, without paging or sort)."""
        query = select(func.count(IncidentRow.id)).where(*IncidentFilter(**filters).conditions())
        with self._sessions() as session:
            return session.scalar(query) or 0

    def stats(self, **filters: Any) -> dict[str, Any]:
        """Incidents and fatalities in total, per day, per sub-event type and per country
        (see `sitrep.store.query.stats`), over the incidents that pass the filters."""
        with self._sessions() as session:
            return query_stats(session, IncidentFilter(**filters))

    def incident(self, incident_id: str) -> Incident | None:
        """The full record of one incident, or None."""
        query = _with_children(select(IncidentRow).where(IncidentRow.id == incident_id))
        with self._sessions() as session:
            row = session.scalar(query)
            return _incident_record(row) if row is not None else None

    def article(self, article_id: str) -> Article | None:
        """A stored article, or None."""
        with self._sessions() as session:
            row = session.get(ArticleRow, article_id)
            if row is None:
                return None
            return Article(
                id=row.id, text=row.text, title=row.title,
                source=row.source.name if row.source else None, url=row.url,
                published=row.published, content_hash=row.content_hash, feed_item_id=row.feed_item_id,
            )

    def coding(self, article_ids: Iterable[str] | None = None) -> list[ArticleCoding]:
        """The stored reports (of `article_ids`, or all) that were not coded or were coded only in part,
        with the reasons, in order of ingestion."""
        query = select(ArticleRow.id, ArticleRow.not_coded, ArticleRow.coding_problems).where(
            (ArticleRow.not_coded.is_not(None)) | (ArticleRow.coding_problems.is_not(None)))
        if article_ids is not None:
            query = query.where(ArticleRow.id.in_(sorted(set(article_ids))))
        with self._sessions() as session:
            return [ArticleCoding(article_id=id_, not_coded=not_coded, problems=problems or [])
                    for id_, not_coded, problems in session.execute(query.order_by(ArticleRow.ingested_at,
                                                                                   ArticleRow.id))]

    def excluded(self, article_id: str | None = None) -> list[Excluded]:
        """Excluded mentions, of one article or of all, in text order."""
        query = select(ExcludedRow)
        if article_id is not None:
            query = query.where(ExcludedRow.article_id == article_id)
        query = query.order_by(ExcludedRow.article_id, ExcludedRow.start, ExcludedRow.id)
        with self._sessions() as session:
            return [
                Excluded(
                    reason=r.reason, text=r.text, detail=r.detail, article_id=r.article_id,
                    start=r.start, end=r.end,
                )
                for r in session.scalars(query)
            ]

    def counts(self) -> dict[str, int]:
        """Row counts: articles, incidents, figures."""
        with self._sessions() as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (
                    ("articles", ArticleRow), ("incidents", IncidentRow), ("figures", FigureRow)
                )
            }


def _hand_set_place(location: Mapping[str, Any] | None, incident_id: str) -> Any:
    """The gazetteer entry of a place an analyst set with its name, coordinates and country; else None."""
    from sitrep.nlp.gazetteer import LocalPlace

    if not location or location.get("lat") is None or location.get("lon") is None or not location.get("country_code"):
        return None
    return LocalPlace(name=str(location["name"]).strip(), lat=float(location["lat"]), lon=float(location["lon"]),
                      country_code=str(location["country_code"]).upper(), source=f"analyst {incident_id}")


@dataclass
class _StoredArticles:
    """Stored articles by content hash (their ids) and their ids."""

    by_hash: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def add(self, article_id: str, content_hash: str) -> None:
        self.by_hash[content_hash] = article_id
        self.ids.add(article_id)


def _stored_articles(session: Session, articles: list[Article]) -> _StoredArticles:
    """The stored articles that share an id or a content hash with these (one query per 400)."""
    found = _StoredArticles()
    for start in range(0, len(articles), 400):
        chunk = articles[start : start + 400]
        query = select(ArticleRow.id, ArticleRow.content_hash).where(or_(
            ArticleRow.content_hash.in_({a.content_hash for a in chunk}), ArticleRow.id.in_({a.id for a in chunk})))
        for article_id, content_hash in session.execute(query):
            found.add(article_id, content_hash)
    return found


def _source_id(session: Session, name: str) -> int:
    """The id of the source called `name`, inserted if new (a concurrent insert of the same name is
    not an error: the row is there either way)."""
    found = session.scalar(select(SourceRow.id).where(SourceRow.name == name))
    if found is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(SourceRow).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        found = session.scalar(select(SourceRow.id).where(SourceRow.name == name))
    return found


def _with_children(query: Any) -> Any:
    """Eager-load figures, evidence and article ids + sources (not article texts)."""
    return query.options(
        selectinload(IncidentRow.figures),
        selectinload(IncidentRow.evidence),
        selectinload(IncidentRow.articles).load_only(
            ArticleRow.id, ArticleRow.ingested_at, ArticleRow.source_id
        ),
    )


def _range(low: int | None, best: int | None, high: int | None) -> Range | None:
    if low is None or best is None or high is None:
        return None
    return Range(low=low, best=best, high=high)


def _incident_record(row: IncidentRow) -> Incident:
    """Rebuild the incident record of DESIGN.md from a row and its children."""
    location = None
    if row.location_name is not None:
        location = Place(
            name=row.location_name, geonameid=row.geonameid, lat=row.lat, lon=row.lon,
            country_code=row.country_code, admin1=row.admin1, admin2=row.admin2,
            precision=row.location_precision,
        )
    figures = [
        Figure(
            kind=f.kind, value=f.value, qualifier=f.qualifier, high=f.high, scope=f.scope,
            reported_by=f.reported_by, quote=f.quote, article_id=f.article_id,
            start=f.start, end=f.end,
        )
        for f in row.figures
    ]
    evidence = [
        Evidence(field=e.field, article_id=e.article_id, start=e.start, end=e.end, text=e.text)
        for e in row.evidence
    ]
    sources = {f.reported_by for f in figures if f.reported_by}
    sources |= {a.source.name for a in row.articles if a.source is not None}
    return Incident(
        id=row.id, event_type=row.event_type, sub_event_type=row.sub_event_type,
        date=row.date, date_precision=row.date_precision, location=location,
        perpetrators=[Actor(**actor) for actor in row.perpetrators or []],
        targets=list(row.targets or []), victims=list(row.victims or []),
        weapons=list(row.weapons or []),
        killed=_range(row.killed_low, row.killed_best, row.killed_high),
        injured=_range(row.injured_low, row.injured_best, row.injured_high),
        figures=figures, claimed_by=row.claimed_by, sources=sorted(sources),
        attack_type=row.attack_type, weapon_type=row.weapon_type, target_types=list(row.target_types or []),
        suicide=bool(row.suicide),
        related=list(row.related or []), articles=[a.id for a in row.articles],
        evidence=evidence, updated_at=_utc(row.updated_at),
    )


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives it back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


__all__ = ["AddResult", "DEFAULT_URL", "Ledger", "UnsupportedDatabase", "make_engine", "normalize_db_url",
           "transient"]
