"""A web server for the watch tests: feeds, articles and webhooks served from this process on a free
loopback port (http.server in a thread), so that `sitrep watch` is tested over real HTTP.

    with FeedServer() as server:
        server.route("/feed.xml", rss([...]), etag='"v1"')
        server.url("/feed.xml")   # http://127.0.0.1:PORT/feed.xml
        server.requests           # what was asked: method, path, headers, body
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before answering (a slow server)
    failures: int = 0  # answer `failure_status` this many times first
    failure_status: int = 503
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FeedServer:
    """Routes by path; unknown paths are 404. Thread-safe enough for the tests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server.lock:
                    server.requests.append(Request(self.command, self.path, dict(self.headers), body))
                    route = server.routes.get(self.path.split("?")[0])
                    failing = route is not None and route.failures > 0
                    if failing:
                        route.failures -= 1
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if failing:
                    return self._send(route.failure_status, b"failing", "text/plain")
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._send(304, b"", None, {"ETag": route.etag})
                if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                    return self._send(304, b"", None, {"Last-Modified": route.last_modified})
                extra = dict(route.headers)
                if route.etag:
                    extra["ETag"] = route.etag
                if route.last_modified:
                    extra["Last-Modified"] = route.last_modified
                self._send(route.status, route.body, route.content_type, extra)

            def _send(self, status: int, body: bytes, content_type: str | None,
                      headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body and self.command != "HEAD":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> Route:
        route = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **options)
        with self.lock:
            self.routes[path] = route
        return route

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str, method: str = "GET") -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method]


def rss(items: list[dict[str, str]], title: str = "Test Wire") -> str:
    """An RSS 2.0 document of `items` (keys: title, link, guid, description, content, pubDate)."""
    parts = []
    for item in items:
        fields = []
        for key in ("title", "link", "guid", "description", "pubDate"):
            if key in item:
                fields.append(f"<{key}>{escape(item[key])}</{key}>")
        if "content" in item:
            fields.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("<item>" + "".join(fields) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{escape(title)}</title><link>http://example.org/</link><description>test</description>"
            + "".join(parts) + "</channel></rss>")


def http_date(year: int, month: int, day: int) -> str:
    import datetime as dt

    return format_datetime(dt.datetime(year, month, day, 12, 0, tzinfo=dt.timezone.utc), usegmt=True)
