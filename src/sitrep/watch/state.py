"""What `sitrep watch` keeps in the ledger: per source, where its polling stands (last poll, last success,
errors in a row, the validators for conditional requests); the items it has dealt with; the alerts it
raised and their deliveries to webhooks (tables `watch_sources`, `watch_items`, `watch_alerts`,
`watch_deliveries`, migration 0005).

An item is marked seen only after its report is stored (`Ledger.add_many` commits the report, then
`mark_seen` records the item): a process killed between the two finds the report stored when it runs
again (its content hash), so it marks the item seen without coding it twice, and nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from sitrep.store.ledger import WRITE, Ledger
from sitrep.store.ledger import _utc  # stored times as aware UTC (SQLite gives them back naive): one rule for both
from sitrep.store.schema import AlertDeliveryRow, AlertRow, WatchItemRow, WatchSourceRow, utcnow
from sitrep.watch.sources import Source

__all__ = ["Delivery", "MAX_DELIVERY_ATTEMPTS", "PollState", "SourceState", "WatchOverview", "WatchState"]

MAX_DELIVERY_ATTEMPTS = 20  # a webhook delivery tried this often is marked failed (kept, listed, not retried)


class SourceState(BaseModel):
    """A watched source as `sitrep sources` and GET /sources show it."""

    url: str
    kind: str
    name: str | None = None
    country: str | None = None
    language: str | None = None
    every_s: int | None = None
    last_poll: dt.datetime | None = None
    last_success: dt.datetime | None = None
    next_poll: dt.datetime | None = None
    last_status: str | None = None
    error_count: int = 0  # failed polls in a row (0 after a success)
    errors_total: int = 0
    last_error: str | None = None
    items_seen: int = 0
    items_stored: int = 0  # of those, stored as new reports


@dataclass
class PollState:
    """Where a source's polling stands, as the next poll needs it."""

    etag: str | None = None
    last_modified: str | None = None
    next_poll: dt.datetime | None = None
    error_count: int = 0


class WatchOverview(BaseModel):
    """Every watched source's state, and how many webhook deliveries are delivered, pending and failed."""

    sources: list[SourceState]
    deliveries: dict[str, int]


class Delivery(BaseModel):
    """An alert waiting to reach a webhook."""

    id: int
    target: str
    attempts: int
    payload: dict[str, Any]


class WatchState:
    """The watch tables of one ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.engine = ledger.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**WRITE), expire_on_commit=False)

    # ------------------------------------------------------------------ sources

    def register(self, source: Source) -> int:
        """The id of the source's row, inserted if new; its name, country, language and interval are
        updated to those given now (its polling state is kept)."""
        dialect = self.engine.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        with self._write.begin() as session:
            session.execute(insert(WatchSourceRow).values(
                url=source.url, kind=source.kind, error_count=0, errors_total=0,
            ).on_conflict_do_nothing(index_elements=["url"]))
            row = session.scalars(select(WatchSourceRow).where(WatchSourceRow.url == source.url)).one()
            row.kind, row.name, row.country, row.language = source.kind, source.name, source.country, source.language
            row.every_s = round(source.every_s)
            return row.id

    def poll_state(self, source_id: int) -> PollState:
        """The validators of the source's last complete response, when it is next due, its errors in a row."""
        with self._read() as session:
            row = session.get(WatchSourceRow, source_id)
            if row is None:
                return PollState()
            return PollState(etag=row.etag, last_modified=row.last_modified, next_poll=_utc(row.next_poll),
                             error_count=row.error_count)

    def polled(self, source_id: int, *, ok: bool, status: str, next_poll: dt.datetime, error: str | None = None,
               validators: tuple[str | None, str | None] | None = None) -> None:
        """Record a poll: a success (`ok`) resets the errors in a row, a failure counts one more.
        `validators` (ETag, Last-Modified) replace the stored ones when given (None keeps them)."""
        now = utcnow()
        with self._write.begin() as session:
            row = session.get(WatchSourceRow, source_id)
            row.last_poll, row.last_status, row.next_poll = now, status[:1000], next_poll
            if ok:
                row.last_success, row.error_count = now, 0
            else:
                row.error_count += 1
                row.errors_total += 1
                row.last_error = (error or status)[:1000]
            if validators is not None:
                row.etag, row.last_modified = validators

    def sources(self) -> list[SourceState]:
        """Every source ever watched on this ledger, with its items seen and stored, by name then URL."""
        with self._read() as session:
            counts = dict(session.execute(select(WatchItemRow.source_id, func.count()).group_by(WatchItemRow.source_id)).all())
            stored = dict(session.execute(select(WatchItemRow.source_id, func.count())
                                          .where(WatchItemRow.outcome == "stored").group_by(WatchItemRow.source_id)).all())
            rows = session.scalars(select(WatchSourceRow).order_by(WatchSourceRow.name, WatchSourceRow.url)).all()
            return [SourceState(
                url=r.url, kind=r.kind, name=r.name, country=r.country, language=r.language, every_s=r.every_s,
                last_poll=_utc(r.last_poll), last_success=_utc(r.last_success), next_poll=_utc(r.next_poll),
                last_status=r.last_status, error_count=r.error_count, errors_total=r.errors_total,
                last_error=r.last_error, items_seen=counts.get(r.id, 0), items_stored=stored.get(r.id, 0),
            ) for r in rows]

    # ------------------------------------------------------------------ items

    def seen_hashes(self, source_id: int, hashes: Iterable[str]) -> set[str]:
        """Those of the item hashes this source has already dealt with."""
        wanted = sorted(set(hashes))
        if not wanted:
            return set()
        with self._read() as session:
            return set(session.scalars(select(WatchItemRow.item_hash).where(
                WatchItemRow.source_id == source_id, WatchItemRow.item_hash.in_(wanted))))

    def known(self, source_id: int, guid: str | None, link: str | None) -> bool:
        """Whether an item with this guid (or, for items without one, this link) was seen before: an
        item that is known but has a new hash is a revision of an earlier one."""
        column, value = (WatchItemRow.guid, guid) if guid else (WatchItemRow.link, link)
        if not value:
            return False
        with self._read() as session:
            return session.scalar(select(WatchItemRow.id).where(
                WatchItemRow.source_id == source_id, column == value).limit(1)) is not None

    def mark_seen(self, source_id: int, guid: str | None, link: str | None, item_hash: str,
                  article_id: str | None, outcome: str) -> None:
        """Record an item dealt with (`outcome`: stored, duplicate, skipped); call it only once its
        report is stored (or needs no storing)."""
        with self._write.begin() as session:
            session.add(WatchItemRow(source_id=source_id, guid=guid, link=link, item_hash=item_hash,
                                     article_id=article_id, outcome=outcome, seen_at=utcnow()))

    # ------------------------------------------------------------------ alerts

    def alerted_level(self, incident_id: str) -> int | None:
        """The highest toll level an alert was raised at for this incident, or None (never alerted)."""
        with self._read() as session:
            return session.scalar(select(func.max(AlertRow.level)).where(AlertRow.incident_id == incident_id))

    def record_alert(self, incident_id: str, level: int, rules: list[str], killed: int | None,
                     payload: dict[str, Any], targets: Iterable[str]) -> int | None:
        """Store an alert and a pending delivery to each webhook, in one transaction; None when this
        incident was already alerted at this level (by another watch on the same ledger)."""
        try:
            with self._write.begin() as session:
                row = AlertRow(incident_id=incident_id, level=level, rules=rules, killed=killed, payload=payload,
                               created_at=utcnow())
                session.add(row)
                session.flush()
                for target in dict.fromkeys(targets):
                    session.add(AlertDeliveryRow(alert_id=row.id, target=target, status="pending", attempts=0))
                return row.id
        except IntegrityError:
            return None

    def pending(self, targets: Iterable[str]) -> list[Delivery]:
        """Deliveries not made yet to these webhooks, oldest first."""
        wanted = sorted(set(targets))
        if not wanted:
            return []
        query = (select(AlertDeliveryRow.id, AlertDeliveryRow.target, AlertDeliveryRow.attempts, AlertRow.payload)
                 .join(AlertRow, AlertRow.id == AlertDeliveryRow.alert_id)
                 .where(AlertDeliveryRow.status == "pending", AlertDeliveryRow.target.in_(wanted))
                 .order_by(AlertDeliveryRow.id))
        with self._read() as session:
            return [Delivery(id=i, target=t, attempts=a, payload=p) for i, t, a, p in session.execute(query)]

    def delivered(self, delivery_id: int, error: str | None = None) -> str:
        """Record an attempt at a delivery: made (`error` None), or failed with `error`. Returns the
        delivery's status after it: delivered, pending, or failed (tried MAX_DELIVERY_ATTEMPTS times)."""
        now = utcnow()
        with self._write.begin() as session:
            row = session.get(AlertDeliveryRow, delivery_id)
            row.attempts += 1
            row.last_attempt = now
            if error is None:
                row.status, row.delivered_at = "delivered", now
            else:
                row.last_error = error[:1000]
                if row.attempts >= MAX_DELIVERY_ATTEMPTS:
                    row.status = "failed"
            return row.status

    def overview(self) -> WatchOverview:
        """What `sitrep sources` and GET /sources show."""
        return WatchOverview(sources=self.sources(), deliveries=self.deliveries())

    def deliveries(self) -> dict[str, int]:
        """How many webhook deliveries are delivered, pending and failed."""
        with self._read() as session:
            found = dict(session.execute(select(AlertDeliveryRow.status, func.count()).group_by(AlertDeliveryRow.status)).all())
        return {status: found.get(status, 0) for status in ("delivered", "pending", "failed")}
