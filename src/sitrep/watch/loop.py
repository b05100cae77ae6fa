"""The watch loop: poll each source when it is due, code each new item once, store it as `sitrep ingest`
does, raise alerts, deliver them; one log line per poll (logger `sitrep.watch`).

For each new item of a poll, in the source's order:
1. items whose hash this source has seen are skipped (nothing fetched, nothing coded);
2. a teaser is completed with its article's main text (unless `fetch_articles` is off);
3. a report whose content the ledger already holds (from another feed, or stored by a run that was
   killed before it marked the item seen) is not coded again: the item is marked seen and its
   incidents are checked against the alert rules;
4. otherwise the report is coded (`sitrep.ingest.batch` coder: the same pipeline as `ingest`), stored
   all or nothing (`Ledger.add_many`), and only then marked seen; the incidents it wrote are checked
   against the alert rules.

A source that fails (DNS, refused connection, timeout, 4xx/5xx, not XML, an HTML page, no feed) is
logged, counted in its state and polled again later: at its interval after one failure, then at 2, 4
and at most 8 times its interval while it keeps failing. Other sources go on. A feed's ETag and
Last-Modified are kept only when every item of the response was dealt with, so an item left unstored
(the database busy, a stop) is read again at the next poll instead of hiding behind a 304.

`stop` (a threading.Event; the command sets it on SIGTERM and Ctrl+C) is checked between items: the
item in hand is stored before the loop returns.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitrep.ingest.batch import Coder
from sitrep.ingest.readers import IngestProblem
from sitrep.records import Incident
from sitrep.store.ledger import AddResult, Ledger, transient
from sitrep.store.schema import utcnow
from sitrep.watch.alerts import Alerter
from sitrep.watch.fetch import Fetcher, FetchError, is_public_host
from sitrep.watch.items import FeedError, FileItems, Item, complete_teaser, feed_items, folder_items, is_teaser
from sitrep.watch.sources import Source
from sitrep.watch.state import PollState, WatchState

__all__ = ["Poll", "Watcher"]

log = logging.getLogger("sitrep.watch")

STORE_ATTEMPTS = 4  # a report the database refuses for the moment is tried this often, then left for the next poll
STORE_WAIT_S = 0.5
MAX_BACKOFF = 8  # a failing source is polled at most this many intervals apart


@dataclass
class Poll:
    """What one poll of one source did."""

    source: Source
    status: str = "ok"  # ok | not modified | failed | stopped
    error: str | None = None
    items: int = 0  # offered by the source
    new: int = 0  # not seen before (revised items included)
    revised: int = 0  # seen before with other content
    stored: int = 0
    duplicates: int = 0  # content already in the ledger
    unstored: int = 0  # left for the next poll (the database refused them for the moment)
    problems: int = 0  # entries that gave no report (no text, a bad date, ...)
    incidents: int = 0
    alerts: int = 0
    notes: list[str] = field(default_factory=list)
    errors_in_a_row: int = 0
    next_poll: dt.datetime | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def line(self) -> str:
        """The poll's log line."""
        return f"poll {self.source.label}: {self.summary()}"

    def summary(self) -> str:
        """What the poll found, in one line (kept in the source's state as its last status)."""
        if self.failed:
            again = f"; retry at {self.next_poll:%Y-%m-%d %H:%M:%S} UTC" if self.next_poll else ""
            return f"failed ({self.error}); {self.errors_in_a_row} failure(s) in a row{again}"
        if self.status == "not modified":
            return f"not modified (304); {self.seconds:.1f} s"
        counts = (f"{self.items} items, {self.new} new" + (f" ({self.revised} revised)" if self.revised else "")
                  + f", {self.stored} stored ({self.incidents} incident records), {self.duplicates} already in the ledger")
        if self.problems:
            counts += f", {self.problems} unreadable"
        if self.unstored:
            counts += f", {self.unstored} left for the next poll"
        counts += f", {self.alerts} alerts"
        tail = "".join(f"; {note}" for note in self.notes[:3])
        stopped = "; stopped" if self.status == "stopped" else ""
        return f"{counts}{tail}{stopped}; {self.seconds:.1f} s"


class Watcher:
    """Polls `sources` into `ledger`, coding with `coder` (e.g. `InProcessCoder(pipeline)`)."""

    def __init__(self, ledger: Ledger, sources: Sequence[Source], coder: Coder, *,
                 fetcher: Fetcher | None = None, alerter: Alerter | None = None, state: WatchState | None = None,
                 fetch_articles: bool = True, stop: threading.Event | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.ledger = ledger
        self.sources = list(sources)
        self.coder = coder
        self.stop = stop or (fetcher.stop if fetcher is not None else threading.Event())
        self.fetcher = fetcher or Fetcher(stop=self.stop)
        self.state = state or WatchState(ledger)
        self.alerter = alerter
        self.fetch_articles = fetch_articles
        self.clock = clock
        self._ids = {source.url: self.state.register(source) for source in self.sources}
        self._told: set[tuple[str, str]] = set()  # problems already logged (source, reason)

    # ------------------------------------------------------------------ the loop

    def run(self, *, once: bool = False) -> list[Poll]:
        """Poll every source once (`once`), or each whenever it is due until `stop` is set. Returns the
        polls made (with `once`) or the last round's."""
        due = {source.url: self.state.poll_state(self._ids[source.url]).next_poll for source in self.sources}
        polls: list[Poll] = []
        while not self.stop.is_set():
            now = self.clock()
            polls = []
            for source in self.sources:
                if self.stop.is_set():
                    break
                if once or due[source.url] is None or due[source.url] <= now:
                    poll = self.poll(source)
                    polls.append(poll)
                    due[source.url] = poll.next_poll
            self.deliver()
            if once:
                break
            wait = min(((when - self.clock()).total_seconds() for when in due.values() if when is not None), default=0.0)
            self.stop.wait(max(1.0, wait))
        return polls

    def deliver(self) -> None:
        """Deliver pending alerts (retries included) to the webhooks."""
        if self.alerter is not None and self.alerter.webhooks:
            delivered, waiting = self.alerter.deliver()
            if delivered or waiting:
                log.info("webhooks: %d alert(s) delivered, %d waiting for the next poll", delivered, waiting)

    # ------------------------------------------------------------------ one poll

    def poll(self, source: Source) -> Poll:
        """Poll one source now, record the outcome in its state and log one line."""
        started = time.monotonic()
        source_id = self._ids[source.url]
        before = self.state.poll_state(source_id)
        poll = Poll(source)
        validators: tuple[str | None, str | None] | None = None  # the response's, kept after a complete success
        try:
            if source.kind == "feed":
                validators = self._poll_feed(source, source_id, poll, before)
            else:
                self._poll_folder(source, source_id, poll)
        except (FetchError, FeedError, OSError) as exc:
            poll.status, poll.error = "failed", str(exc) or type(exc).__name__
        except Exception as exc:  # a fault of ours or of the database: this source fails, the others go on
            log.exception("%s: poll failed", source.label)
            poll.status, poll.error = "failed", f"internal error ({type(exc).__name__}: {exc})"[:500]
        poll.seconds = time.monotonic() - started
        complete = not poll.failed and poll.status != "stopped" and poll.unstored == 0
        poll.errors_in_a_row = before.error_count + 1 if poll.failed else 0
        factor = min(2 ** (poll.errors_in_a_row - 1), MAX_BACKOFF) if poll.failed else 1
        poll.next_poll = self.clock() + dt.timedelta(seconds=source.every_s * factor)
        self.state.polled(source_id, ok=not poll.failed, status=poll.summary(), error=poll.error,
                          next_poll=poll.next_poll, validators=validators if complete else None)
        (log.warning if poll.failed else log.info)("%s", poll.line())
        return poll

    def _poll_feed(self, source: Source, source_id: int, poll: Poll,
                   before: PollState) -> tuple[str | None, str | None] | None:
        fetched = self.fetcher.get(source.url, etag=before.etag, last_modified=before.last_modified,
                                   language=source.language)
        if fetched.not_modified:
            poll.status = "not modified"
            return None
        found = feed_items(fetched.body, source.url, source=source.name)
        if found.warning:
            poll.notes.append(found.warning)
        self._problems(source, found.problems, poll)
        private_ok = not is_public_host(source.url)
        self._take(source, source_id, found.items, poll, private_ok)
        return fetched.etag, fetched.last_modified

    def _poll_folder(self, source: Source, source_id: int, poll: Poll) -> None:
        if not source.path.exists():
            raise FeedError(f"no such folder or file: {source.url}")
        for group in folder_items(source.path, source=source.name, finished=self.ledger.file_finished):
            if self.stop.is_set():
                poll.status = "stopped"
                return
            if isinstance(group, IngestProblem):
                self._problems(source, [group], poll)
                continue
            self._problems(source, group.problems, poll)
            before = (poll.stored, poll.duplicates, poll.unstored, poll.status)
            self._take(source, source_id, group.items, poll, private_ok=False)
            if poll.unstored == before[2] and poll.status != "stopped":
                self._finish_file(group, poll.stored - before[0], poll.duplicates - before[1])

    def _finish_file(self, group: FileItems, stored: int, duplicates: int) -> None:
        try:
            self.ledger.mark_file_finished(str(group.path), group.size, group.mtime_ns, stored=stored,
                                           duplicates=duplicates, problems=len(group.problems))
        except Exception as exc:  # only an optimisation: the file is read again next time
            if not transient(exc):
                raise

    def _problems(self, source: Source, problems: Iterable[IngestProblem], poll: Poll) -> None:
        for problem in problems:
            poll.problems += 1
            if (source.url, problem.reason) not in self._told:  # said once per run, then only counted
                self._told.add((source.url, problem.reason))
                log.warning("%s: %s skipped: %s", source.label, problem.path, problem.reason)

    # ------------------------------------------------------------------ items

    def _take(self, source: Source, source_id: int, items: list[Item], poll: Poll, private_ok: bool) -> None:
        """Deal with a poll's items in order; stops between items when asked to."""
        poll.items += len(items)
        seen = self.state.seen_hashes(source_id, (item.item_hash for item in items))
        done_now: set[str] = set()  # the same item twice in one response
        for item in items:
            if item.item_hash in seen or item.item_hash in done_now:
                continue
            if self.stop.is_set():
                poll.status = "stopped"
                return
            poll.new += 1
            if self.state.known(source_id, item.guid, item.link):
                poll.revised += 1
            if self.fetch_articles and source.kind == "feed" and is_teaser(item.article):
                item, note = complete_teaser(item, self.fetcher, allow_private=private_ok, language=source.language)
                if note:
                    log.info("%s: %s: %s", source.label, item.read.entry or item.link, note)
            if source.country and item.article.country is None:  # set where the outlet is, unless it says
                item.read.article = item.article.model_copy(update={"country": source.country})
            outcome, article_id, incidents = self._store(item, poll)
            if outcome is None:
                continue  # not stored, for the moment: not marked seen, read again next poll
            self.state.mark_seen(source_id, item.guid, item.link, item.item_hash, article_id, outcome)
            done_now.add(item.item_hash)
            if self.alerter is not None and incidents:
                poll.alerts += self.alerter.consider(incidents)

    def _store(self, item: Item, poll: Poll) -> tuple[str | None, str | None, list[Incident]]:
        """(outcome, article id, the incidents to check for alerts) of one item; outcome None when the
        database refused the report for the moment."""
        article = item.article
        if self.ledger.stored_hashes([article.content_hash]):
            poll.duplicates += 1
            return "duplicate", article.id, self.ledger.incidents(article_id=article.id)
        coded = self.coder.submit([article]).result()[0]
        result = self._add(coded)
        if isinstance(result, BaseException) or result.transient:
            poll.unstored += 1
            reason = result if isinstance(result, BaseException) else result.error
            log.warning("%s: not stored for the moment (%s); tried again at the next poll",
                        item.read.problem("").path, str(reason).splitlines()[0][:200])
            return None, None, []
        if result.error:
            poll.problems += 1
            log.warning("%s", item.read.problem(result.error).reason)
            return "skipped", None, []
        if not result.stored:  # another writer stored the same content meanwhile
            poll.duplicates += 1
            return "duplicate", result.article_id, self.ledger.incidents(article_id=result.article_id)
        poll.stored += 1
        poll.incidents += len(result.incidents)
        if coded.extraction.skipped:
            poll.notes.append(f"{item.read.entry or article.title or article.id}: {coded.extraction.skipped} (stored, not coded)")
        incidents = [found for incident_id in result.incidents if (found := self.ledger.incident(incident_id))]
        return "stored", result.article_id, incidents

    def _add(self, coded: Any) -> AddResult | BaseException:
        """Store one coded report, trying again while the database refuses it for the moment."""
        outcome: AddResult | BaseException = RuntimeError("not tried")
        for attempt in range(STORE_ATTEMPTS):
            if attempt:
                time.sleep(STORE_WAIT_S * 2 ** (attempt - 1))
            try:
                texts = {coded.article.id: coded.text} if coded.text is not None else None
                outcome = self.ledger.add_many([(coded.article, coded.extraction)], texts)[0]
            except Exception as exc:
                if not transient(exc):
                    raise
                outcome = exc
                continue
            if not outcome.transient:
                return outcome
        return outcome
