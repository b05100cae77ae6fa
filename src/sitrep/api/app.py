"""The REST API and the dashboard: one FastAPI app on one ledger.

Reads are open unless `SITREP_READ_TOKEN` is set (then they need `Authorization: Bearer <it>`,
or the write token). Writes (`POST /articles`) need `Authorization: Bearer $SITREP_TOKEN`; with
no `SITREP_TOKEN` configured they are refused (403). The token is checked before the request body is
read; a body over the limit (`SITREP_MAX_BODY_BYTES`, default 8 MiB) is refused with 413 unread (by
its Content-Length, or once a chunked body passes it). The extraction pipeline is loaded once per
app, on the first report posted; a report it fails on is stored all the same, with the problems
listed. Bad parameters give 400 with a `detail` message, unknown ids 404; a ledger busy with another
writer gives 503 with Retry-After. Exports stream (the whole ledger, or what passes the filters).
The dashboard (static files, no build step, no network) is served at `/`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import itertools
import json
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from sitrep import __version__, exports
from sitrep.api.models import (
    ArticleDetail,
    ArticleIn,
    ArticleMeta,
    IncidentDetail,
    IncidentPage,
    IncidentSummary,
    IngestResult,
    Problem,
    Span,
    StageProblem,
    Stats,
    published_ok,
)
from sitrep.records import Article, CodingProblem, Extraction
from sitrep.store.ledger import DEFAULT_URL, Ledger
from sitrep.store.query import SORTS, BBox, parse_bbox
from sitrep.watch.state import WatchOverview, WatchState

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000  # integer parameters are bounded: the database's integers are not endless
MAX_KILLED = 1_000_000_000
MAX_REPORT_CHARS = 1_000_000  # as sitrep.ingest.readers
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024  # SITREP_MAX_BODY_BYTES overrides
RETRY_AFTER_S = 2  # a ledger busy with another writer: try again after this
EXPORT_CHUNK_CHARS = 64 * 1024  # streamed exports are sent in pieces of about this size
UNDATED_HEADER = "X-Sitrep-Undated-Left-Out"  # ACLED CSV: incidents left out for having no date
UNLOCATED_HEADER = "X-Sitrep-Unlocated-Left-Out"  # GeoJSON: incidents left out for having no coordinates

_FROM_ENV: Any = object()

# No inline scripts, nothing from other origins: data that slips into markup cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class PipelineUnavailable(RuntimeError):
    """The extraction pipeline could not be loaded (the report was not coded, nor stored)."""


class _LazyPipeline:
    """The extraction pipeline, loaded on first use; one report is coded at a time."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._pipeline: Any = None
        self._lock = threading.Lock()

    def extract(self, article: Article) -> Extraction:
        """The report coded; PipelineUnavailable when the pipeline cannot be loaded. Whatever else
        is raised comes from coding this report."""
        with self._lock:
            if self._pipeline is None:
                try:
                    self._pipeline = self._factory()
                except Exception as exc:
                    raise PipelineUnavailable(f"{type(exc).__name__}: {exc}") from exc
            return self._pipeline.extract(article)


def _coding_problem(stage: str, exc: BaseException) -> CodingProblem:
    """A CodingProblem for an exception: its type, message and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return CodingProblem(stage=stage, detail=f"{type(exc).__name__}: {exc}"[:480] + where)


# SQLSTATE classes and codes of PostgreSQL errors that pass: connection lost or refused (08),
# serialization failure and deadlock (40), too many connections or out of resources (53),
# lock not available (55P03), server shutting down or starting (57P01-57P03).
_TRANSIENT_SQLSTATE = ("08", "40", "53", "55P03", "57P01", "57P02", "57P03")


def _transient(exc: BaseException) -> bool:
    """Whether a storage error is one that passes: the database is locked or busy, a connection
    dropped, a transaction was chosen as a deadlock victim. Trying again later may succeed."""
    if isinstance(exc, PoolTimeoutError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_TRANSIENT_SQLSTATE)
    message = str(exc.orig).lower()
    if type(exc.orig).__module__.startswith("sqlite3"):
        return "locked" in message or "busy" in message
    return "connection" in message or "server closed" in message or "timeout" in message


def _busy(exc: BaseException) -> HTTPException:
    log.warning("ledger busy: %s", exc)
    return HTTPException(
        status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)},
        detail=f"The ledger is busy (another writer holds it, or the database is unreachable); nothing "
               f"was stored. Try again in {RETRY_AFTER_S} seconds.",
    )


def _too_large(limit: int, size: int | None = None) -> HTTPException:
    said = f"{size:,} bytes" if size is not None else "more than that"
    return HTTPException(
        status_code=413, headers={"Connection": "close"},
        detail=f"The request body is {said}; the limit is {limit:,} bytes (SITREP_MAX_BODY_BYTES).",
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 before it is read when its Content-Length is over `limit`,
    and as soon as it passes `limit` when it comes without one (chunked)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise _bad(f"Content-Length: {declared[:40]!r} is not a number of bytes") from None
        if size > limit:
            raise _too_large(limit, size)
    chunks, received = [], 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _article_in(raw: bytes) -> ArticleIn:
    """The posted report (JSON); 400 with the reason when it is not one."""
    if not raw.strip():
        raise _bad("the body is empty: send the report as JSON, e.g. {\"text\": \"...\"}")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise _bad(f"the body is not UTF-8 text (byte {exc.start:,})") from None
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise _bad(f"the body is not valid JSON ({reason}); send the report as a JSON object") from None
    try:
        return ArticleIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from None


def _chunked(pieces: Iterable[str], size: int = EXPORT_CHUNK_CHARS) -> Iterator[str]:
    """The pieces of a streamed export joined into chunks of about `size` characters."""
    buffer: list[str] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer)


def _started(incidents: Iterator[Any]) -> Iterator[Any]:
    """The same incidents, with the first page read now: a ledger that cannot be read fails the
    request before the response starts, not half-way through it."""
    first = list(itertools.islice(incidents, 1))
    return itertools.chain(first, incidents)


def _bad(detail: str) -> HTTPException:
    return HTTPException(status_code=400, detail=detail)


def _parse_date(value: str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _bad(f"{name}: {value!r} is not a date; use YYYY-MM-DD (e.g. 2016-05-23)") from None


def _parse_bbox(value: str | None) -> BBox | None:
    if value is None or value == "":
        return None
    try:
        return parse_bbox(value)
    except ValueError as exc:
        raise _bad(f"bbox: {exc}") from None


def incident_filters(
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat (WGS84 degrees); minlon > maxlon crosses the antimeridian.", examples=["35,34,37,36"])] = None,
    country: Annotated[str | None, Query(description="ISO 3166 alpha-2 code, e.g. SY.", max_length=8)] = None,
    admin1: Annotated[str | None, Query(description="First-level region, e.g. Latakia (any case).", max_length=200)] = None,
    since: Annotated[str | None, Query(description="First date, YYYY-MM-DD (inclusive).", examples=["2016-05-01"])] = None,
    until: Annotated[str | None, Query(description="Last date, YYYY-MM-DD (inclusive).", examples=["2016-05-31"])] = None,
    event_type: Annotated[str | None, Query(description="ACLED event type, e.g. 'Explosions/Remote violence'.", max_length=200)] = None,
    sub_event_type: Annotated[str | None, Query(description="ACLED sub-event type, e.g. 'Suicide bomb'.", max_length=200)] = None,
    actor: Annotated[str | None, Query(description="Part of a perpetrator's or claimant's name (any case).", max_length=200)] = None,
    min_killed: Annotated[int | None, Query(ge=0, le=MAX_KILLED, description="Best killed figure at least this.")] = None,
    q: Annotated[str | None, Query(description="Text in the place, actors, evidence or report text (any case).", max_length=500)] = None,
) -> dict[str, Any]:
    """The incident filters shared by /incidents, /stats and the exports."""
    first = _parse_date(since, "since")
    last = _parse_date(until, "until")
    if first and last and first > last:
        raise _bad(f"since {first} is after until {last}")
    return {
        "bbox": _parse_bbox(bbox), "country": country or None, "admin1": admin1 or None,
        "since": first, "until": last, "event_type": event_type or None,
        "sub_event_type": sub_event_type or None, "actor": actor or None,
        "min_killed": min_killed, "q": q or None,
    }


Filters = Annotated[dict[str, Any], Depends(incident_filters)]
SortParam = Annotated[str, Query(description="date, -date (newest first), killed, -killed (deadliest first).")]

_bearer = HTTPBearer(auto_error=False, description="Bearer token: SITREP_TOKEN for writes; SITREP_READ_TOKEN for reads where reads are closed.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token_ok(credentials: HTTPAuthorizationCredentials | None, *tokens: str | None) -> bool:
    if credentials is None:
        return False
    given = credentials.credentials.encode()
    return any(token and hmac.compare_digest(given, token.encode()) for token in tokens)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _country_name(code: str | None) -> str | None:
    if not code:
        return None
    import pycountry

    found = pycountry.countries.get(alpha_2=code.upper())
    return (getattr(found, "common_name", None) or found.name) if found else None


def _summary(ledger: Ledger, incident_id: str) -> IncidentSummary:
    found = ledger.incident(incident_id)
    if found is None:
        return IncidentSummary(id=incident_id, found=False)
    loc = found.location
    return IncidentSummary(
        id=found.id, event_type=found.event_type, sub_event_type=found.sub_event_type,
        date=found.date, location=loc.name if loc else None,
        country_code=loc.country_code if loc else None, killed=found.killed,
    )


def _history(ledger: Ledger, incident_id: str) -> list[dict[str, Any]]:
    """The incident's history, where the ledger keeps one (`Ledger.history`); else empty."""
    history = getattr(ledger, "history", None)
    if not callable(history):
        return []
    entries = history(incident_id) or []
    return [e.model_dump(mode="json") if hasattr(e, "model_dump") else dict(e) for e in entries]


def create_app(
    db: str | None = None,
    *,
    ledger: Ledger | None = None,
    pipeline_factory: Callable[[], Any] | None = None,
    write_token: str | None = _FROM_ENV,
    read_token: str | None = _FROM_ENV,
    max_body_bytes: int | None = _FROM_ENV,
) -> FastAPI:
    """The API + dashboard app on the ledger at `db` (or an open `ledger`).

    Tokens default to the environment (`SITREP_TOKEN`, `SITREP_READ_TOKEN`), and so does the limit on
    request bodies (`SITREP_MAX_BODY_BYTES`, else 8 MiB); `pipeline_factory` (default `Pipeline.load` with
    the ledger's own gazetteer) is called once, on the first report posted.
    """
    if write_token is _FROM_ENV:
        write_token = os.environ.get("SITREP_TOKEN") or None
    if read_token is _FROM_ENV:
        read_token = os.environ.get("SITREP_READ_TOKEN") or None
    if max_body_bytes is _FROM_ENV:
        configured = os.environ.get("SITREP_MAX_BODY_BYTES", "").strip()
        try:
            max_body_bytes = int(configured.replace("_", "")) if configured else DEFAULT_MAX_BODY_BYTES
        except ValueError:
            raise ValueError(f"SITREP_MAX_BODY_BYTES={configured!r} is not a number of bytes") from None
    max_body = DEFAULT_MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes
    if max_body < 1:
        raise ValueError(f"the request body limit must be at least 1 byte, not {max_body}")
    if ledger is None:
        ledger = Ledger(db or os.environ.get("SITREP_DB") or DEFAULT_URL)
    if pipeline_factory is None:
        def pipeline_factory() -> Any:  # with the ledger's own gazetteer (sitrep places import) beside GeoNames
            from sitrep.pipeline import Pipeline

            return Pipeline.load(places=ledger.places())
    pipeline = _LazyPipeline(pipeline_factory)

    def require_read(credentials: Credentials) -> None:
        if read_token and not _token_ok(credentials, read_token, write_token):
            raise _unauthorized("Reading this ledger needs a token: send 'Authorization: Bearer <SITREP_READ_TOKEN>'.")

    def require_write(credentials: Credentials) -> None:
        if not write_token:
            raise HTTPException(
                status_code=403,
                detail="Writes are disabled on this server: no SITREP_TOKEN is configured. "
                       "Start it with SITREP_TOKEN=<secret> and send 'Authorization: Bearer <secret>'.",
            )
        if credentials is None:
            raise _unauthorized("Writing needs a token: send 'Authorization: Bearer <SITREP_TOKEN>'.")
        if not _token_ok(credentials, write_token):
            raise _unauthorized("The bearer token is not valid for writing.")

    app = FastAPI(
        title="sitrep",
        version=__version__,
        summary="A sourced, queryable ledger of incidents of political violence.",
        description=f"{__doc__}\nThis server's limit on request bodies: {max_body:,} bytes.\n",
        docs_url=None,  # Swagger UI loads from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.ledger = ledger

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        messages = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path"))
            messages.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return JSONResponse(status_code=400, content={"detail": "; ".join(messages) or "bad request"})

    errors: dict[int | str, dict[str, Any]] = {
        400: {"model": Problem, "description": "Bad parameter"},
        401: {"model": Problem, "description": "Token missing or not valid"},
    }
    reads = APIRouter(dependencies=[Depends(require_read)], responses=errors)

    @reads.get("/incidents", response_model=IncidentPage, tags=["incidents"])
    def list_incidents(
        filters: Filters,
        sort: SortParam = "-date",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Incidents to skip.")] = 0,
    ) -> IncidentPage:
        """Incidents that pass the filters, sorted and paged; `total` counts all that pass."""
        if sort not in SORTS:
            raise _bad(f"sort: {sort!r} is not a sort order; use one of {', '.join(SORTS)}")
        items = ledger.incidents(**filters, sort=sort, limit=limit, offset=offset)
        return IncidentPage(total=ledger.count_incidents(**filters), limit=limit, offset=offset, items=items)

    @reads.get("/incidents/{incident_id}", response_model=IncidentDetail, tags=["incidents"],
               responses={404: {"model": Problem, "description": "No such incident"}})
    def get_incident(incident_id: str) -> IncidentDetail:
        """One incident: every figure with its reporter, evidence, reports, history, related incidents."""
        incident = ledger.incident(incident_id)
        if incident is None:
            raise HTTPException(404, detail=f"No incident {incident_id!r} in the ledger.")
        reports = []
        for article_id in incident.articles:
            article = ledger.article(article_id)
            if article is not None:
                reports.append(ArticleMeta(**article.model_dump(include=set(ArticleMeta.model_fields))))
        return IncidentDetail(
            **incident.model_dump(),
            reports=reports,
            history=_history(ledger, incident_id),
            related_incidents=[_summary(ledger, rid) for rid in incident.related],
        )

    @reads.get("/articles/{article_id}", response_model=ArticleDetail, tags=["articles"],
               responses={404: {"model": Problem, "description": "No such article"}})
    def get_article(article_id: str) -> ArticleDetail:
        """A stored report: its text and the spans backing the ledger (evidence, figures, exclusions)."""
        article = ledger.article(article_id)
        if article is None:
            raise HTTPException(404, detail=f"No article {article_id!r} in the ledger.")
        incidents = ledger.incidents(article_id=article_id, sort="date")
        spans: dict[tuple[Any, ...], Span] = {}

        def add(span: Span) -> None:
            if 0 <= span.start <= span.end <= len(article.text):
                spans.setdefault((span.kind, span.field, span.incident_id, span.start, span.end), span)

        for incident in incidents:
            for e in incident.evidence:
                if e.article_id == article_id:
                    add(Span(kind="evidence", field=e.field, incident_id=incident.id, start=e.start, end=e.end,
                             text=article.text[e.start:e.end]))
            for f in incident.figures:
                if f.article_id == article_id:
                    value = f"{f.value} to {f.high}" if f.high is not None else str(f.value)
                    detail = " ".join(x for x in (f.qualifier, value, f.kind) if x not in ("exact", "range"))
                    if f.reported_by:
                        detail += f", according to {f.reported_by}"
                    add(Span(kind="figure", field=f.kind, incident_id=incident.id, start=f.start, end=f.end,
                             text=article.text[f.start:f.end], detail=detail))
        for x in ledger.excluded(article_id):
            add(Span(kind="excluded", field=x.reason, start=x.start, end=x.end,
                     text=article.text[x.start:x.end], detail=x.detail))
        return ArticleDetail(
            **article.model_dump(),
            incidents=[i.id for i in incidents],
            spans=sorted(spans.values(), key=lambda s: (s.start, s.end, s.kind)),
        )

    @reads.get("/stats", response_model=Stats, tags=["incidents"])
    def get_stats(filters: Filters) -> Stats:
        """Incidents and fatalities per day, per sub-event type and per country."""
        result = ledger.stats(**filters)
        for row in result["by_country"]:
            row["country"] = _country_name(row["country_code"])
        return Stats(**result)

    def export_stream(filters: dict[str, Any], sort: str,
                      render: Callable[[Iterable[Any]], Iterator[str]]) -> Iterator[str]:
        """An export streamed: incidents read a page at a time, written as they come."""
        if sort not in SORTS:
            raise _bad(f"sort: {sort!r} is not a sort order; use one of {', '.join(SORTS)}")
        return _chunked(render(_started(ledger.iter_incidents(**filters, sort=sort))))

    def left_out(filters: dict[str, Any], **condition: Any) -> int:
        """How many incidents that pass the filters fail `condition` (counted before an export streams,
        for its header)."""
        return ledger.count_incidents(**filters) - ledger.count_incidents(**{**filters, **condition})

    @reads.get("/export.csv", tags=["exports"], response_class=StreamingResponse,
               responses={200: {"content": {"text/csv": {}}, "description": "ACLED CSV", "headers": {
                   UNDATED_HEADER: {"description": "Incidents left out for having no date", "schema": {"type": "integer"}}}}})
    def export_csv(filters: Filters, sort: SortParam = "-date") -> StreamingResponse:
        """The dated incidents that pass the filters as ACLED CSV (ACLED's columns and order), streamed.

        Undated incidents are left out (an ACLED row needs a date); the X-Sitrep-Undated-Left-Out header
        says how many. Text cells that a spreadsheet would run as a formula (starting with =, +, -, @,
        tab or carriage return) are written with a leading single quote."""
        undated = 0 if filters["since"] or filters["until"] else left_out(filters, since=dt.date.min)
        return StreamingResponse(
            export_stream(filters, sort, exports.iter_acled_csv), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="sitrep-incidents.csv"',
                     UNDATED_HEADER: str(undated)},
        )

    @reads.get("/export.geojson", tags=["exports"], response_class=StreamingResponse,
               responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON", "headers": {
                   UNLOCATED_HEADER: {"description": "Incidents left out for having no coordinates",
                                      "schema": {"type": "integer"}}}}})
    def export_geojson(
        filters: Filters, sort: SortParam = "-date",
        include_unlocated: Annotated[bool, Query(description="Also write incidents without coordinates, with a null geometry.")] = False,
    ) -> StreamingResponse:
        """The incidents that pass the filters as a GeoJSON FeatureCollection (RFC 7946) with flat
        properties, streamed. Incidents without coordinates are left out (the X-Sitrep-Unlocated-Left-Out
        header says how many) unless `include_unlocated`."""
        unlocated = 0 if include_unlocated or filters["bbox"] else left_out(filters, bbox=(-180.0, -90.0, 180.0, 90.0))

        def render(incidents: Iterable[Any]) -> Iterator[str]:
            return exports.iter_geojson(incidents, include_unlocated=include_unlocated)

        return StreamingResponse(export_stream(filters, sort, render), media_type="application/geo+json",
                                 headers={"Content-Disposition": 'attachment; filename="sitrep-incidents.geojson"',
                                          UNLOCATED_HEADER: str(unlocated)})

    @reads.get("/sources", response_model=WatchOverview, tags=["meta"])
    def watched_sources() -> WatchOverview:
        """The feeds and folders `sitrep watch` follows into this ledger (last poll, last success, errors,
        items seen and stored) and where the alerts' webhook deliveries stand."""
        return WatchState(ledger).overview()

    @reads.get("/brief", tags=["exports"], response_class=Response, responses={200: {"content": {
        "text/html": {}, "application/pdf": {}, "text/markdown": {}}, "description": "The situation brief"},
        501: {"model": Problem, "description": "PDF asked for where WeasyPrint or Pango is not installed"}})
    def get_brief(
        filters: Filters,
        fmt: Annotated[str, Query(alias="format", description="html (one self-contained page), pdf or md.",
                                  pattern="^(html|pdf|md)$")] = "html",
        top: Annotated[int, Query(ge=1, le=100, description="How many key incidents to describe.")] = 10,
    ) -> Response:
        """A situation brief of the incidents that pass the filters: headline figures against the previous
        period of the same length (since..until; by default the 30 days up to the latest incident), by event
        type and by region, a map, the trend, the key incidents with their sources, a method note. The
        same brief as `sitrep brief`; nothing in it is loaded from the network."""
        from sitrep import brief as briefs

        period = {"since": filters.pop("since"), "until": filters.pop("until")}
        made = briefs.build_brief(ledger, **period, **filters, top=top)
        try:
            data = briefs.render(made, fmt)
        except briefs.PdfUnavailable as exc:
            raise HTTPException(501, detail=str(exc)) from None
        name = f"sitrep-brief-{made.since}-{made.until}.{fmt}"
        disposition = "attachment" if fmt == "pdf" else "inline"
        return Response(data, media_type=briefs.MEDIA_TYPES[fmt],
                        headers={"Content-Disposition": f'{disposition}; filename="{name}"'})

    @reads.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness, and the ledger's row counts."""
        return {"status": "ok", "version": __version__, **ledger.counts()}

    writes = APIRouter(dependencies=[Depends(require_write)], responses={
        **errors, 403: {"model": Problem, "description": "Writes disabled (no SITREP_TOKEN configured)"},
    })

    def code(article: Article) -> Extraction:
        """The report coded; whatever the pipeline raises on it becomes a problem of the extraction."""
        try:
            return pipeline.extract(article)
        except PipelineUnavailable as exc:
            log.exception("the extraction pipeline could not be loaded")
            raise HTTPException(
                status_code=503, headers={"Retry-After": "60"},
                detail=f"The extraction pipeline could not be loaded ({exc}); nothing was stored.",
            ) from None
        except Exception as exc:
            log.exception("coding report %s failed; it is stored uncoded", article.id)
            return Extraction(problems=[_coding_problem("pipeline", exc)])

    def store(article: Article, extraction: Extraction) -> tuple[Any, Extraction]:
        """`ledger.add`, so that the report is kept even when what was coded from it cannot be: a
        conflict with a concurrent writer is tried again, then the report is stored without its
        incidents, with a problem saying why. Transient errors (a locked ledger) are raised."""
        try:
            return ledger.add(article, extraction), extraction
        except Exception as exc:
            if _transient(exc):
                raise
            if isinstance(exc, IntegrityError):  # a concurrent writer stored a row we also wrote
                try:
                    return ledger.add(article, extraction), extraction
                except Exception as again:
                    if _transient(again):
                        raise
                    exc = again
            log.exception("storing what report %s yields failed; it is stored uncoded", article.id)
            kept = Extraction(problems=[*extraction.problems, _coding_problem("store", exc)],
                              skipped=extraction.skipped)
            return ledger.add(article, kept), kept

    def ingest(body: ArticleIn, response: Response) -> IngestResult:
        text, title, url, published = body.text, body.title, body.url, body.published
        if (text is None or not text.strip()) and body.html:
            from sitrep.ingest.readers import _extract_html  # noqa: PLC2701 (the readers' own HTML path)

            page = _extract_html(body.html)
            if page is None:
                raise _bad("html: no article text found in the page")
            text, page_title, page_date, page_url = page
            if not published_ok(page_date):
                page_date = None  # a page's own date that cannot be its publication date is ignored
            title, url, published = title or page_title, url or page_url, published or page_date
        if text is None or not text.strip():
            raise _bad("give the report as 'text' (or 'html'); it is empty")
        text = text.replace("\r\n", "\n").rstrip()
        if len(text) > MAX_REPORT_CHARS:
            raise HTTPException(413, detail=f"report is {len(text):,} characters; the limit is {MAX_REPORT_CHARS:,}")
        article = Article.from_text(text, title=title, source=body.source, url=url, published=published)
        if ledger.has_content(article.content_hash):
            result = ledger.add(article, Extraction())  # stores nothing; tells the stored id
            response.status_code = 200
            found = ledger.incidents(article_id=result.article_id, sort="date")
            return IngestResult(article_id=result.article_id, stored=False, incidents=found)
        result, extraction = store(article, code(article))
        if not result.stored:  # a concurrent writer stored the same content first: its coding stands
            response.status_code = 200
            found = ledger.incidents(article_id=result.article_id, sort="date")
            return IngestResult(article_id=result.article_id, stored=False, incidents=found)
        found = [i for i in (ledger.incident(x) for x in result.incidents) if i is not None]
        return IngestResult(
            article_id=result.article_id, stored=True, incidents=found, skipped=extraction.skipped,
            problems=[StageProblem(stage=p.stage, detail=p.detail) for p in extraction.problems],
        )

    @writes.post(
        "/articles", response_model=IngestResult, status_code=201, tags=["articles"],
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}}}}},
        responses={
            200: {"model": IngestResult, "description": "Already in the ledger"},
            413: {"model": Problem, "description": f"Request body over {max_body:,} bytes (SITREP_MAX_BODY_BYTES; "
                                                   f"refused unread), or report over {MAX_REPORT_CHARS:,} characters"},
            503: {"model": Problem, "description": "The ledger is busy (locked by another writer): "
                                                   "nothing stored; try again after Retry-After seconds"},
        },
    )
    async def post_article(request: Request, response: Response) -> IngestResult:
        """Code one report and store it; returns the incidents it created or updated.

        The body is an `ArticleIn` (JSON) of at most SITREP_MAX_BODY_BYTES (default 8 MiB); it is read
        only once the token is checked. The same content posted again stores nothing and answers 200
        with the incidents it backs. A report the pipeline fails on is stored all the same: 201, with
        the failed stages in `problems`.
        """
        body = _article_in(await _read_body(request, max_body))
        try:
            return await run_in_threadpool(ingest, body, response)
        except SQLAlchemyError as exc:
            if _transient(exc):
                raise _busy(exc) from None
            raise

    app.include_router(reads)
    app.include_router(writes)

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _document_400(app)
    return app


def _document_400(app: FastAPI) -> None:
    """Bad parameters answer 400 (not FastAPI's 422): say so in the OpenAPI schema. POST /articles
    reads its body itself (after the token check): name its schema, `ArticleIn`, among the components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            article_in = ArticleIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(article_in.pop("$defs", {}))
            components.setdefault("ArticleIn", article_in)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["create_app"]
