"""Relational schema of the ledger (SQLAlchemy 2 declarative).

Portable by construction: generic types only (JSON, Date, timezone-aware DateTime), no
dialect-specific SQL, so the same models run on SQLite (default) and PostgreSQL.

articles ─< incident_articles >─ incidents ─< figures, evidence; articles ─< excluded;
articles >─ sources. Every figure and evidence row points at the article whose text its
character offsets index.

The tables are created and upgraded by the Alembic migrations in `migrations/versions/`
(`sitrep.store.migrate`); a change here needs a new migration (tests/test_migrations.py
compares the two on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    insert,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.timezone.utc)


def insert_rows(session: Session, model: type[Base], values: list[dict[str, Any]]) -> None:
    """INSERT many rows of `model`'s table in one executemany on the session's connection, without the
    ORM's bookkeeping (the rows are not loaded as objects). Every dict has the same keys; rows they
    refer to by foreign key must already be flushed."""
    if values:
        statement = _INSERTS.get(model)
        if statement is None:
            statement = _INSERTS[model] = insert(model.__table__)
        session.connection().execute(statement, values)


_INSERTS: dict[type, Any] = {}  # one INSERT statement per table, its cache key computed once


class Base(DeclarativeBase):
    """Declarative base of all ledger tables."""


class SourceRow(Base):
    """A publisher of articles ("Reuters", "SANA")."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String, unique=True, nullable=False)


class IncidentArticleRow(Base):
    """Link: an article reports an incident."""

    __tablename__ = "incident_articles"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_incident_articles_article_id", "article_id"),)


class ArticleRow(Base):
    """One ingested report; `text` is what all character offsets index."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    ingested_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    feed_item_id: Mapped[str | None] = mapped_column(Text)  # the item's id in its feed (JSONL id, RSS guid)
    not_coded: Mapped[str | None] = mapped_column(Text)  # why it was stored without coding (language)
    coding_problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))  # stages that failed

    source: Mapped[SourceRow | None] = relationship(lazy="joined")


class IncidentRow(Base):
    """The incident record, location flattened, actor lists as JSON."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    event_type: Mapped[str | None] = mapped_column(String)
    sub_event_type: Mapped[str | None] = mapped_column(String)
    date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String)

    location_name: Mapped[str | None] = mapped_column(String)
    geonameid: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    country_code: Mapped[str | None] = mapped_column(String)
    admin1: Mapped[str | None] = mapped_column(String)
    admin2: Mapped[str | None] = mapped_column(String)
    location_precision: Mapped[str | None] = mapped_column(String)

    killed_low: Mapped[int | None] = mapped_column(Integer)
    killed_best: Mapped[int | None] = mapped_column(Integer)
    killed_high: Mapped[int | None] = mapped_column(Integer)
    injured_low: Mapped[int | None] = mapped_column(Integer)
    injured_best: Mapped[int | None] = mapped_column(Integer)
    injured_high: Mapped[int | None] = mapped_column(Integer)

    claimed_by: Mapped[str | None] = mapped_column(String)
    perpetrators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    targets: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    victims: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    weapons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    related: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    attack_type: Mapped[str | None] = mapped_column(String)  # GTD typing (extract/typing.py)
    weapon_type: Mapped[str | None] = mapped_column(String)
    target_types: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    suicide: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    figures: Mapped[list[FigureRow]] = relationship(
        order_by="FigureRow.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[EvidenceRow]] = relationship(
        order_by="EvidenceRow.id", cascade="all, delete-orphan"
    )
    articles: Mapped[list[ArticleRow]] = relationship(
        secondary="incident_articles",
        order_by=lambda: (ArticleRow.ingested_at, ArticleRow.id),
        viewonly=True,
    )

    __table_args__ = (
        Index("ix_incidents_date", "date"),
        Index("ix_incidents_country_code", "country_code"),
        Index("ix_incidents_sub_event_type", "sub_event_type"),
        Index("ix_incidents_lat_lon", "lat", "lon"),
        Index("ix_incidents_updated_at", "updated_at"),
    )


class FigureRow(Base):
    """One reported figure: a claim (value, qualifier, a range's high end, scope, reporter, quote) from one
    article."""

    __tablename__ = "figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    )
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    qualifier: Mapped[str] = mapped_column(String, nullable=False)
    high: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String)
    quote: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (
        UniqueConstraint(
            "incident_id", "article_id", "kind", "value", "start", "end", name="uq_figures_claim"
        ),
        Index("ix_figures_incident_id", "incident_id"),
    )


class EvidenceRow(Base):
    """A span of an article backing one field of an incident."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    )
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), nullable=False)
    field: Mapped[str] = mapped_column(String, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        UniqueConstraint("incident_id", "article_id", "field", "start", "end", name="uq_evidence_span"),
        Index("ix_evidence_incident_id", "incident_id"),
    )


class ExcludedRow(Base):
    """A mention of violence kept out of the ledger (historical, aggregate, threat ...)."""

    __tablename__ = "excluded"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    )
    reason: Mapped[str] = mapped_column(String, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_excluded_article_id", "article_id"),)


# ---------------------------------------------------------------- cross-report merging (sitrep.merge)


class IncidentReportRow(Base):
    """One report's contribution to an incident: the incident as that report coded it.

    `link` is "extracted" (the report's own incident folded in) or "text" (a report with no
    codable incident of its own, attached by text similarity). The incident's fields are
    recomputed from these rows (sitrep.merge.fold), so a split can take one report out again.
    """

    __tablename__ = "incident_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    )
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    )
    extracted_id: Mapped[str] = mapped_column(String, nullable=False)
    link: Mapped[str] = mapped_column(String, nullable=False, default="extracted")
    score: Mapped[float | None] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    added_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    __table_args__ = (
        UniqueConstraint("incident_id", "article_id", "extracted_id", name="uq_incident_reports"),
        Index("ix_incident_reports_incident_id", "incident_id"),
        Index("ix_incident_reports_article_id", "article_id"),
    )


class MatchKeyRow(Base):
    """A blocking key (grid cell, place name, actor, rare term) of an incident, or of a report
    that yielded no incident yet (`incident_id` NULL, `article_id` set), on a day.

    Candidates for a new report are found with the (key, day) index: a few range scans, never a
    scan of all incidents.
    """

    __tablename__ = "match_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String, nullable=False)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    article_id: Mapped[str | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))

    __table_args__ = (
        Index("ix_match_keys_key_day", "key", "day"),
        Index("ix_match_keys_incident_id", "incident_id"),
        Index("ix_match_keys_article_id", "article_id"),
    )


class ArticleTermsRow(Base):
    """The text signature of a report: its distinctive terms (names, streets, ages) and counts."""

    __tablename__ = "article_terms"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    terms: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)


class IncidentTermsRow(Base):
    """The union of the text signatures of an incident's reports (what candidates are scored on)."""

    __tablename__ = "incident_terms"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    terms: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)


class TermStatRow(Base):
    """Document frequency of a term over the ledger's reports (term "" counts the reports)."""

    __tablename__ = "term_stats"

    term: Mapped[str] = mapped_column(String, primary_key=True)
    df: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class IncidentHistoryRow(Base):
    """A versioned change to an incident: which field, from what to what, caused by which report
    or by whom (analyst corrections), when and why. Kept after the incident is merged away."""

    __tablename__ = "incident_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String, nullable=False)
    action: Mapped[str] = mapped_column(String, nullable=False)  # create|report|link|edit|merge|split
    field: Mapped[str] = mapped_column(String, nullable=False)
    old: Mapped[Any] = mapped_column(JSON)
    new: Mapped[Any] = mapped_column(JSON)
    article_id: Mapped[str | None] = mapped_column(String)
    by: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_incident_history_incident_id", "incident_id"),
        Index("ix_incident_history_at", "at"),
    )


class DeletionRow(Base):
    """An incident id that disappeared (a manual merge folded it into `replaced_by`)."""

    __tablename__ = "deletions"

    incident_id: Mapped[str] = mapped_column(String, primary_key=True)
    replaced_by: Mapped[str | None] = mapped_column(String)
    reason: Mapped[str] = mapped_column(String, nullable=False)
    by: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (Index("ix_deletions_at", "at"),)


# ---------------------------------------------------------------- batch ingestion (sitrep.ingest.batch)


class IngestFileRow(Base):
    """A file `sitrep ingest` finished reading into this ledger, as it was then (size, mtime).

    A restarted ingest skips a file whose size and mtime still match; within a file it skips
    reports whose content is already stored, so stopping and restarting redoes no work.
    """

    __tablename__ = "ingest_files"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, nullable=False)
    stored: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    problems: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )


# ---------------------------------------------------------------- keeping watch (sitrep.watch)


class WatchSourceRow(Base):
    """A feed (URL) or folder that `sitrep watch` follows, and where its polling stands."""

    __tablename__ = "watch_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text, unique=True, nullable=False)  # feed URL, or a folder's absolute path
    kind: Mapped[str] = mapped_column(String, nullable=False)  # feed|folder
    name: Mapped[str | None] = mapped_column(String)
    country: Mapped[str | None] = mapped_column(String)  # the outlet's default country (ISO 3166 alpha-2)
    language: Mapped[str | None] = mapped_column(String)
    every_s: Mapped[int | None] = mapped_column(Integer)  # poll interval, seconds
    etag: Mapped[str | None] = mapped_column(Text)  # validators of the last response, for conditional requests
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_poll: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_success: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    next_poll: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(Text)  # what the last poll found, in a few words
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # failed polls in a row
    errors_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class WatchItemRow(Base):
    """A feed item (or a report of a watched folder) that was seen and dealt with: stored, found
    already in the ledger, or unusable. Written only once the report is stored (or needs no storing),
    so an item is never marked seen without its report."""

    __tablename__ = "watch_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("watch_sources.id", ondelete="CASCADE"), nullable=False)
    guid: Mapped[str | None] = mapped_column(Text)  # RSS guid / Atom id; in a folder, the file (and line)
    link: Mapped[str | None] = mapped_column(Text)
    item_hash: Mapped[str] = mapped_column(String, nullable=False)  # content hash of the item as the feed gives it
    article_id: Mapped[str | None] = mapped_column(String)  # the stored report
    outcome: Mapped[str] = mapped_column(String, nullable=False)  # stored|duplicate|skipped
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_watch_items_source_guid", "source_id", "guid"),
        Index("ix_watch_items_source_link", "source_id", "link"),
        Index("ix_watch_items_source_hash", "source_id", "item_hash"),
    )


class AlertRow(Base):
    """An alert raised for an incident: when it first met a rule, and each time its toll rose past
    the next threshold (`level`, see sitrep.watch.alerts). `payload` is what webhooks are sent."""

    __tablename__ = "watch_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String, nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    rules: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    killed: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("incident_id", "level", name="uq_watch_alerts_level"),)


class AlertDeliveryRow(Base):
    """One alert sent to one webhook: pending until the webhook answers 2xx, retried on every poll;
    `failed` once it has been tried `MAX_DELIVERY_ATTEMPTS` times (kept, never dropped)."""

    __tablename__ = "watch_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("watch_alerts.id", ondelete="CASCADE"), nullable=False)
    target: Mapped[str] = mapped_column(Text, nullable=False)  # the webhook URL
    status: Mapped[str] = mapped_column(String, nullable=False, default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_attempt: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("alert_id", "target", name="uq_watch_deliveries_target"),
        Index("ix_watch_deliveries_status", "status"),
    )


# ---------------------------------------------------------------- the ledger's own gazetteer (sitrep.places)


class PlaceRow(Base):
    """A place of the ledger's own gazetteer, consulted beside GeoNames when reports are coded: imported
    from a GeoNames country dump or an ACLED-style CSV (`sitrep places import`), or set by an analyst
    (`sitrep edit --place --lat --lon --country`). `ident` makes an import idempotent: the GeoNames id,
    else country, normalised name and coordinates."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ident: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    alternate_names: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    country_code: Mapped[str] = mapped_column(String, nullable=False, index=True)
    admin1: Mapped[str | None] = mapped_column(Text)
    admin2: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    population: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    geonameid: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text, nullable=False)  # "geonames BJ.zip", "acled events.csv", "analyst inc-…"
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
