"""Relational schema of the ledger (SQLAlchemy 2 declarative).

Portable by construction: generic types only (JSON, Date, timezone-aware DateTime), no
dialect-specific SQL, so the same models run on SQLite (default) and PostgreSQL.

articles ─< incident_articles >─ incidents ─< figures, evidence; articles ─< excluded;
articles >─ sources. Every figure and evidence row points at the article whose text its
character offsets index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.timezone.utc)


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
    )


class FigureRow(Base):
    """One reported figure: a claim (value, qualifier, scope, reporter, quote) from one article."""

    __tablename__ = "figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    )
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    value: Mapped[int] = mapped_column(Integer, nullable=False)
    qualifier: Mapped[str] = mapped_column(String, nullable=False)
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
