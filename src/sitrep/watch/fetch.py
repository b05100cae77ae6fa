"""Polite, robust HTTP for `sitrep watch`: feeds, the articles their items point to, and webhooks.

- Every request names sitrep and its version in its User-Agent.
- Feeds are fetched conditionally (If-None-Match / If-Modified-Since from the last response's ETag and
  Last-Modified): an unchanged feed costs the server a 304 and no body.
- One request at a time per server (host and port), at least `host_interval` seconds apart.
- A whole request (connect, headers, body) must finish within `timeout` seconds; bodies over `max_bytes`
  are refused as they stream in.
- What fails for the moment (a timeout, a refused or reset connection, HTTP 408, 429, 500, 502, 503,
  504) is tried again `retries` times, waiting `backoff` seconds, then twice that, ... (or what a
  Retry-After header asks, up to a minute). What cannot succeed (a DNS failure, another 4xx) is not.
- Failures are `FetchError`s saying what happened in a few words; nothing here prints or logs.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from sitrep import __version__

__all__ = ["FetchError", "Fetched", "Fetcher", "USER_AGENT", "is_public_host"]

USER_AGENT = f"sitrep/{__version__} (news feed watcher; python-httpx)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 60.0


class FetchError(Exception):
    """A request that did not succeed; `str()` says why (`HTTP 503`, `timed out after 20 s`, ...)."""

    def __init__(self, reason: str, *, status: int | None = None, transient: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.transient = transient  # of the moment: worth trying again
        self.retry_after = retry_after  # seconds the server asked us to wait


@dataclass
class Fetched:
    """A successful response (2xx or, for a conditional request, 304)."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """An HTTP client with the manners above. Close it (or use it as a context manager) when done.
    `stop`, when set, cuts the waits between requests short (a watch asked to stop)."""

    def __init__(self, *, timeout: float = 20.0, retries: int = 2, backoff: float = 2.0,
                 host_interval: float = 1.0, max_bytes: int = 100_000_000, user_agent: str = USER_AGENT,
                 stop: threading.Event | None = None) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.host_interval = host_interval
        self.max_bytes = max_bytes
        self.stop = stop or threading.Event()
        self._next_at: dict[str, float] = {}  # server -> monotonic time of its next allowed request
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5,
                                    headers={"User-Agent": user_agent})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ requests

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = FEED_ACCEPT, language: str | None = None, max_bytes: int | None = None) -> Fetched:
        """GET `url`, conditionally when validators are given (a 304 comes back as `not_modified`)."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if language:
            headers["Accept-Language"] = f"{language}, *;q=0.5"
        return self._request("GET", url, headers=headers, max_bytes=max_bytes or self.max_bytes)

    def post_json(self, url: str, payload: Any) -> Fetched:
        """POST `payload` as JSON (a webhook); any 2xx answer is success. Webhooks are not rate limited."""
        return self._request("POST", url, json=payload, polite=False, max_bytes=1_000_000)

    def _request(self, method: str, url: str, *, headers: dict[str, str] | None = None, json: Any = None,
                 polite: bool = True, max_bytes: int) -> Fetched:
        server = urlsplit(url).netloc.lower()
        attempt = 0
        while True:
            if polite:
                self._wait_turn(server)
            try:
                return self._once(method, url, headers or {}, json, max_bytes)
            except FetchError as exc:
                retry_in = self._retry_in(exc, attempt)
                if retry_in is None or self.stop.is_set():
                    raise
            attempt += 1
            self.stop.wait(retry_in)

    def _retry_in(self, exc: FetchError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when not to try again."""
        if attempt >= self.retries or not exc.transient:
            return None
        wait = self.backoff * 2 ** attempt
        return min(max(wait, exc.retry_after), MAX_RETRY_AFTER_S) if exc.retry_after is not None else wait

    def _wait_turn(self, server: str) -> None:
        now = time.monotonic()
        ready = self._next_at.get(server, now)
        if ready > now:
            self.stop.wait(ready - now)
        self._next_at[server] = max(now, ready) + self.host_interval

    def _once(self, method: str, url: str, headers: dict[str, str], json: Any, max_bytes: int) -> Fetched:
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream(method, url, headers=headers, json=json) as response:
                if response.status_code == 304:
                    return _fetched(response, b"")
                if not response.is_success:
                    raise _status_error(response)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"response of {int(declared):,} bytes; the limit is {max_bytes:,}")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"response over {max_bytes:,} bytes; the limit is {max_bytes:,}")
                    if time.monotonic() > deadline:
                        raise FetchError(f"timed out after {self.timeout:g} s (body still coming)", transient=True)
                    chunks.append(chunk)
                return _fetched(response, b"".join(chunks))
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout:g} s", transient=True) from None
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects") from None
        except httpx.ConnectError as exc:
            reason = _connect_reason(exc)
            raise FetchError(reason, transient=not reason.startswith("host not found")) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise FetchError(f"connection failed ({type(exc).__name__}: {exc})"[:300], transient=True) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"not a valid URL ({exc})") from None


def _fetched(response: httpx.Response, body: bytes) -> Fetched:
    return Fetched(url=str(response.url), status=response.status_code, body=body,
                   content_type=response.headers.get("Content-Type", ""),
                   etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"))


def _status_error(response: httpx.Response) -> FetchError:
    reason = response.reason_phrase or ""
    again = response.status_code in RETRY_STATUSES
    return FetchError(f"HTTP {response.status_code}" + (f" {reason}" if reason else ""), status=response.status_code,
                      transient=again, retry_after=_retry_after(response.headers.get("Retry-After")) if again else None)


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text \
            or "No address associated" in text or "Temporary failure in name resolution" in text:
        return f"host not found (DNS: {text})"[:300]
    if "refused" in text.lower():
        return "connection refused"
    return f"cannot connect ({text})"[:300]


def is_public_host(url: str) -> bool:
    """Whether every address the URL's host resolves to is a public one (not loopback, private,
    link-local or reserved). A host that does not resolve counts as public (the fetch will say why)."""
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return True
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)
