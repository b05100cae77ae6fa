"""Batch ingestion: files in, reports coded in parallel, incidents written to the ledger in input order.

    files ──read──> fresh reports ──batches──> coder (this process | N processes | a Dask cluster)
                                                  │ results in input order
    ledger <──Ledger.add, one report per transaction──┘

- Coding (spaCy and the extractors, the costly part) runs where the `Coder` puts it; each worker
  process loads the pipeline once (`worker_pipeline`) and keeps it for every batch it is sent.
- Writing stays in this process and follows the input order, so a ledger does not depend on the
  number of workers: 1 or 20 workers build the same incidents with the same ids. A batch is written
  in one transaction with a savepoint per report (`Ledger.add_many`).
- Resuming: reports whose content is already stored are skipped before they are coded, and a file
  whose every report is stored (or was refused for a reason of its own: unreadable, empty, ...) is
  recorded (`Ledger.mark_file_finished`) and skipped unread next time, so an ingest stopped at any
  point and run again redoes nothing and loses nothing (each report is written all or nothing).
- No report is lost to a failure that is not its own: a report whose coding fails is stored with the
  reason (`Extraction.problems`); a write the database refuses for the moment (locked, connection
  lost) is tried again, and if it still fails the report is reported and its file is left unfinished,
  to be read again by the next run.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol


from sitrep.extract.problems import problem
from sitrep.ingest.readers import IngestProblem, Read, read_reports, report_files, shown_path
from sitrep.merge.engine import ReportText
from sitrep.records import Article, Extraction
from sitrep.store.ledger import AddResult, transient

if TYPE_CHECKING:
    from sitrep.store.ledger import Ledger

BATCH_SIZE = 16  # reports per task sent to a worker
AUTO_WORKERS_BYTES = 512 * 1024  # an input this large (about 150 news reports) is coded on every core by default:
                                 # each worker's start (a few seconds to load the model) is soon paid back
MAX_AUTO_WORKERS = 4
WORKER_MEMORY_BYTES = 1 << 30  # one worker at its peak (model, gazetteer, a batch: 0.63 GB measured), with room
STORE_ATTEMPTS = 5  # a batch the database refuses for the moment is tried this often, waiting longer each time
RETRY_WAIT_S = 0.5


@dataclass
class Coded:
    """One report after coding: its extraction (with the stages that failed on it, if any) and the
    text features matching needs."""

    article: Article
    extraction: Extraction
    text: ReportText | None = None


_pipeline: Any = None
_pipeline_lock = threading.Lock()


def worker_pipeline(places: Sequence[Any] = ()) -> Any:
    """This process's pipeline, loaded on first use (with the ledger's own `places` beside GeoNames) and
    kept (one per worker process)."""
    global _pipeline
    with _pipeline_lock:
        if _pipeline is None:
            from sitrep.pipeline import Pipeline

            _pipeline = Pipeline.load(places=places)
        return _pipeline


def _quiet_worker(places: Sequence[Any] = ()) -> None:
    """In a worker process this command started: leave Ctrl+C to the ingest process, which stops the
    workers itself (else every worker prints its own interrupted traceback); then load the pipeline."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_pipeline(places)


def preload_pipeline(places: Sequence[Any] = ()) -> None:
    """Load this process's pipeline now (run on every Dask worker when a DaskCoder starts)."""
    worker_pipeline(places)


def code_batch(articles: list[Article], pipeline: Any = None) -> list[Coded]:
    """Code a batch of reports. A report that breaks the extractor comes back with no incidents and
    the failure recorded as a problem (it is stored all the same); the others are coded as usual."""
    pipeline = pipeline or worker_pipeline()
    try:
        coded = [Coded(article, extraction) for article, extraction in pipeline.extract_many(articles)]
    except Exception:  # find the report that fails, code the rest one by one
        coded = []
        for article in articles:
            try:
                coded.append(Coded(article, pipeline.extract(article)))
            except Exception as exc:
                coded.append(Coded(article, Extraction(problems=[problem("coding", exc)])))
    for item in coded:
        item.text = ReportText.of(item.article)
    return coded


class Coder(Protocol):
    """Where reports are coded. `submit` returns a future-like object with `.result()`."""

    workers: int

    def submit(self, batch: list[Article]) -> Any: ...

    def close(self) -> None: ...


class _Done:
    """A finished result for the in-process coder."""

    def __init__(self, value: list[Coded]) -> None:
        self.value = value

    def result(self) -> list[Coded]:
        return self.value


class InProcessCoder:
    """Code in this process with an already loaded pipeline (the default: one core)."""

    workers = 1

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def submit(self, batch: list[Article]) -> _Done:
        return _Done(code_batch(batch, self.pipeline))

    def close(self) -> None:
        pass


class ProcessCoder:
    """Code in N local worker processes (`--workers N`), each loading the pipeline once at start."""

    def __init__(self, workers: int, places: Sequence[Any] = ()) -> None:
        self.workers = workers
        self.places = tuple(places)
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                   initializer=_quiet_worker, initargs=(self.places,))

    def submit(self, batch: list[Article]) -> Any:
        try:
            return self.pool.submit(code_batch, batch)
        except BrokenProcessPool:  # a worker died (its batches are reported unstored): start new ones
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(code_batch, batch)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskCoder:
    """Code on a Dask distributed cluster: an existing one (`tcp://HOST:PORT`, every worker with
    sitrep installed) or, for `local`, a LocalCluster of `workers` single-threaded processes."""

    def __init__(self, address: str, workers: int | None = None, places: Sequence[Any] = ()) -> None:
        import logging

        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        if address == "local":
            # the workers' statistical profiler samples every thread each 10 ms: CPU the coding needs
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout="30s")
        self.workers = max(1, sum(self.client.nthreads().values()))
        # every worker loads the pipeline once, now, in parallel (our own LocalCluster's also leave Ctrl+C to us)
        self.client.run(_quiet_worker if self.cluster is not None else preload_pipeline, tuple(places))

    def submit(self, batch: list[Article]) -> Any:
        return self.client.submit(code_batch, batch, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def auto_workers(paths: Iterable[str | Path]) -> int:
    """How many worker processes `ingest` starts when not told: one per core (at most `MAX_AUTO_WORKERS`,
    and as many as the memory holds) for an input of `AUTO_WORKERS_BYTES` or more, else 1 (this process)."""
    size = 0
    for path in report_files(paths):
        if not isinstance(path, IngestProblem):
            try:
                size += path.stat().st_size
            except OSError:
                continue  # the reader reports it
    if size < AUTO_WORKERS_BYTES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not told: let the cores decide
        memory = cores * WORKER_MEMORY_BYTES
    return max(1, min(cores, MAX_AUTO_WORKERS, memory // WORKER_MEMORY_BYTES))


def make_coder(pipeline_loader: Callable[[], Any], workers: int | None = None, dask: str | None = None,
               places: Sequence[Any] = ()) -> Coder:
    """The coder the `ingest` options ask for: Dask, N processes, or this process (`pipeline_loader`).
    Worker processes load their pipeline with the ledger's own `places`."""
    if dask:
        return DaskCoder(dask, workers, places)
    if workers and workers > 1:
        return ProcessCoder(workers, places)
    return InProcessCoder(pipeline_loader())


# ---------------------------------------------------------------- the ingest loop


@dataclass
class FileTally:
    """What became of one file's reports."""

    path: Path
    stored: int = 0
    duplicates: int = 0
    problems: int = 0
    unstored: int = 0  # not stored for a reason that is not the report's own (the database): read again


@dataclass
class IngestSummary:
    """What an ingest did."""

    stored: int = 0
    duplicates: int = 0
    problems: int = 0  # inputs skipped for a reason of their own: unreadable, empty, refused by the database
    incidents: int = 0
    files_skipped: int = 0  # finished by an earlier run, unchanged since
    coded: int = 0  # reports sent to the coder in this run
    not_coded: int = 0  # stored without coding (a language not supported yet)
    coded_in_part: int = 0  # stored, but a stage of the coding failed on them (the reason is stored)
    unstored: int = 0  # reports not stored through no fault of theirs (database busy, worker died): read again
    files: list[FileTally] = field(default_factory=list)


@dataclass
class _FileEnd:
    """A file read to its end; finished once its reports up to `after` (an index into the batch that
    carries it, -1: before the first) are written."""

    tally: FileTally
    size: int
    mtime_ns: int
    after: int


@dataclass
class _Batch:
    """Reports to code together (possibly from several small files), with the files ending in it."""

    articles: list[Article] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)  # where each was read
    tallies: list[FileTally] = field(default_factory=list)
    ends: list[_FileEnd] = field(default_factory=list)


def ingest(
    paths: Iterable[str | Path],
    ledger: Ledger,
    coder: Coder,
    *,
    published: dt.date | None = None,
    source: str | None = None,
    country: str | None = None,
    on_problem: Callable[[IngestProblem], None] = lambda problem: None,
    on_progress: Callable[[IngestSummary], None] = lambda summary: None,
) -> IngestSummary:
    """Read, code and store every report under `paths` (see the module docstring). `country`: the country
    of reports whose record gives none (ISO alpha-2), for those that name no country."""
    summary = IngestSummary()
    window = max(2, 2 * coder.workers)  # batches in flight: enough to keep every worker busy
    pending: deque[tuple[Any, _Batch]] = deque()

    def finish_files(batch: _Batch, index: int) -> None:
        for end in batch.ends:
            if end.after == index and end.tally.unstored == 0:
                t = end.tally
                _retrying(lambda: ledger.mark_file_finished(
                    str(t.path), end.size, end.mtime_ns, stored=t.stored, duplicates=t.duplicates,
                    problems=t.problems))  # not recorded: the file is only read again next time

    def write(batch: _Batch, coded: list[Coded] | BaseException) -> None:
        results = _store(ledger, coded) if isinstance(coded, list) else coded
        finish_files(batch, -1)
        for index, (read, tally) in enumerate(zip(batch.reads, batch.tallies)):
            result = results if isinstance(results, BaseException) else results[index]
            if isinstance(result, BaseException):  # not stored, through no fault of the report's
                on_problem(read.problem(f"{_reason(result)}; the next run tries again").model_copy(
                    update={"outcome": "not stored"}))
                tally.unstored += 1
                summary.unstored += 1
            elif result.error:
                on_problem(read.problem(result.error))
                tally.problems += 1
                summary.problems += 1
            elif result.stored:
                tally.stored += 1
                summary.stored += 1
                summary.incidents += len(result.incidents)
                extraction = coded[index].extraction  # type: ignore[index]
                if extraction.skipped:
                    summary.not_coded += 1
                    on_problem(read.problem(f"{extraction.skipped} (stored, not coded)").model_copy(
                        update={"outcome": "not coded"}))
                elif extraction.problems:
                    summary.coded_in_part += 1
                    lost = "; ".join(f"{p.stage}: {p.detail}" for p in extraction.problems[:3])
                    on_problem(read.problem(f"stored; coding failed in part ({lost})").model_copy(
                        update={"outcome": "coded in part"}))
            else:
                tally.duplicates += 1
                summary.duplicates += 1
            finish_files(batch, index)
        on_progress(summary)

    def drain(keep: int) -> None:
        while len(pending) > keep:
            future, batch = pending.popleft()
            try:
                coded = future.result() if future is not None else []
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # the worker died (or the cluster went away) with the batch
                coded = exc
            write(batch, coded)

    for batch in _work(paths, ledger, summary, published, source, country, on_problem, on_progress):
        future = None
        if batch.articles:
            future = coder.submit(batch.articles)
            summary.coded += len(batch.articles)
        pending.append((future, batch))
        drain(window)
    drain(0)
    return summary


def _store(ledger: Ledger, coded: list[Coded]) -> list[AddResult | BaseException]:
    """Store coded reports in one transaction; what the database refuses for the moment (a lock held
    too long by another writer, a lost connection) is tried again, waiting longer each time. What still
    fails comes back as the exception."""
    results: list[AddResult | BaseException | None] = [None] * len(coded)
    todo = list(range(len(coded)))
    for attempt in range(STORE_ATTEMPTS):
        if attempt:
            time.sleep(RETRY_WAIT_S * 2 ** (attempt - 1))
        try:
            stored = ledger.add_many([(coded[i].article, coded[i].extraction) for i in todo],
                                     {coded[i].article.id: coded[i].text for i in todo if coded[i].text})
        except Exception as exc:
            if not transient(exc):
                raise
            for i in todo:
                results[i] = exc
            continue
        for i, result in zip(todo, stored):
            results[i] = result
        todo = [i for i, result in zip(todo, stored) if result.transient]
        if not todo:
            break
    return [RuntimeError(r.error) if isinstance(r, AddResult) and r.transient else r for r in results]


def _retrying(write: Callable[[], None]) -> bool:
    """Run a small write, trying again while the database refuses it for the moment; False if it never took."""
    for attempt in range(STORE_ATTEMPTS):
        try:
            write()
            return True
        except Exception as exc:
            if not transient(exc):
                raise
            time.sleep(RETRY_WAIT_S * 2 ** attempt)
    return False


def _reason(exc: BaseException) -> str:
    """One line on why a batch was not stored."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200] or type(exc).__name__


def _work(paths: Iterable[str | Path], ledger: Ledger, summary: IngestSummary, published: dt.date | None,
          source: str | None, country: str | None, on_problem: Callable[[IngestProblem], None],
          on_progress: Callable[[IngestSummary], None]) -> Iterator[_Batch]:
    """Batches of fresh reports, in input order; a batch may span small files and carries the ends of
    the files whose last report it holds (or that ended while it was being filled)."""
    batch = _Batch()
    seen: set[str] = set()  # content coded in this run (the same report twice in the input)

    def add_fresh(candidates: list[tuple[Read, FileTally]]) -> None:
        stored = ledger.stored_hashes(read.article.content_hash for read, _ in candidates)
        for read, tally in candidates:
            article = read.article
            if article.content_hash in stored or article.content_hash in seen:
                tally.duplicates += 1
                summary.duplicates += 1
                on_progress(summary)
            else:
                seen.add(article.content_hash)
                if country is not None and article.country is None:
                    article = article.model_copy(update={"country": country})
                batch.articles.append(article)
                batch.reads.append(read)
                batch.tallies.append(tally)

    for entry in report_files(paths):
        if isinstance(entry, IngestProblem):
            on_problem(entry)
            summary.problems += 1
            continue
        try:
            stat = entry.stat()
            key = shown_path(entry.resolve())
        except OSError as exc:  # gone, or unreadable, since the folder was listed
            on_problem(IngestProblem(path=shown_path(entry), reason=f"cannot read ({exc.strerror or exc})"))
            summary.problems += 1
            continue
        if ledger.file_finished(key, stat.st_size, stat.st_mtime_ns):
            summary.files_skipped += 1
            continue
        tally = FileTally(Path(key))
        summary.files.append(tally)
        candidates: list[tuple[Read, FileTally]] = []
        for item in read_reports(entry, published=published, source=source):
            if isinstance(item, IngestProblem):
                on_problem(item)
                tally.problems += 1
                summary.problems += 1
                continue
            candidates.append((item, tally))
            if len(candidates) == BATCH_SIZE:
                add_fresh(candidates)
                candidates = []
                if len(batch.articles) >= BATCH_SIZE:
                    yield batch
                    batch = _Batch()
        add_fresh(candidates)
        batch.ends.append(_FileEnd(tally, stat.st_size, stat.st_mtime_ns, after=len(batch.articles) - 1))
        if len(batch.articles) >= BATCH_SIZE:
            yield batch
            batch = _Batch()
    if batch.articles or batch.ends:
        yield batch


__all__ = ["Coded", "Coder", "DaskCoder", "FileTally", "InProcessCoder", "IngestSummary", "ProcessCoder",
           "code_batch", "ingest", "make_coder", "preload_pipeline", "worker_pipeline"]
