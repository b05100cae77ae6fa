"""Read report files and feeds into Articles.

`read_articles` takes files and folders (.txt, .html/.htm, .jsonl, .xml/.rss/.atom) and yields one
`Article` per report, or an `IngestProblem` for anything it cannot use. It never raises on bad input:
a broken line, page or feed entry is reported with its path (and line) and reading goes on.
`read_reports` yields each report with where it was read (`Read`: path, line, feed entry), so that a
report that fails later, while it is coded or stored, is reported by file and line too.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import lxml.etree
import lxml.html
from pydantic import BaseModel

from sitrep.records import Article

__all__ = ["IngestProblem", "MAX_FEED_BYTES", "MAX_REPORT_CHARS", "Read", "page_text", "parse_date", "read_articles",
           "read_feed_bytes", "read_file", "read_reports", "report_files", "shown_path", "titled"]

MAX_REPORT_CHARS = 1_000_000
MAX_REPORT_BYTES = 4 * MAX_REPORT_CHARS  # .txt/.html files above this are refused unread
MAX_LINE_BYTES = 16 * MAX_REPORT_CHARS  # one .jsonl record (JSON escapes and HTML take room)
MAX_FEED_BYTES = 100 * MAX_REPORT_CHARS  # one RSS/Atom file, parsed in memory

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES

# Field names accepted in .jsonl records, in order of preference.
TEXT_KEYS = ("text", "content", "doctext", "body")
HTML_KEYS = ("html", "raw_html")
DATE_KEYS = ("published", "dct", "date", "pubdate", "published_at")
URL_KEYS = ("url", "uri", "link")
TITLE_KEYS = ("title", "headline")
SOURCE_KEYS = ("source", "publisher")

# C0 controls other than tab, LF, FF, CR, plus DEL: rare in text, common in binary data.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "hr",
}


class IngestProblem(BaseModel):
    """An input that gave no Article, or a report stored with less than a full coding, and why (`reason`
    is meant for people)."""

    path: str
    line: int | None = None
    reason: str
    outcome: Literal["skipped", "not coded", "coded in part", "not stored"] = "skipped"


@dataclass
class Read:
    """A report and where it was read: the file, the line of a .jsonl file, the entry of a feed."""

    article: Article
    path: str  # printable (`shown_path`)
    line: int | None = None
    entry: str | None = None  # "entry 3 ('Title')" in an RSS/Atom feed

    def problem(self, reason: str) -> IngestProblem:
        """A problem with this report, found after it was read (while coding or storing it)."""
        return IngestProblem(path=self.path, line=self.line,
                             reason=f"{self.entry}: {reason}" if self.entry else reason)


def shown_path(path: str | Path) -> str:
    """A path as text that can always be printed and stored: bytes of a file name that are not UTF-8
    are written as backslash escapes (`caf\\xe9.txt`)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_articles(
    paths: Iterable[str | Path],
    *,
    published: dt.date | None = None,
    source: str | None = None,
) -> Iterator[Article | IngestProblem]:
    """Yield an Article for each report in `paths`, or an IngestProblem where one cannot be read.

    Folders are searched recursively in sorted order for supported files (hidden names and other
    file types are skipped). `published` is the date for reports that carry none of their own;
    `source`, when given, overrides any source named in the records.
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    for item in report_files(paths):
        if isinstance(item, IngestProblem):
            yield item
        else:
            yield from read_file(item, published=published, source=source)


def read_file(
    path: Path, *, published: dt.date | None = None, source: str | None = None
) -> Iterator[Article | IngestProblem]:
    """The reports of one supported file (see `read_articles`)."""
    for item in read_reports(path, published=published, source=source):
        yield item.article if isinstance(item, Read) else item


def report_files(paths: Iterable[str | Path] | str | Path) -> Iterator[Path | IngestProblem]:
    """The supported files that `paths` name (folders searched recursively, names sorted), or a
    problem for each path that cannot be used."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for given in paths:
        path = Path(given)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:  # e.g. a name too long for the file system
            yield IngestProblem(path=shown_path(path), reason=f"cannot read ({_os_reason(exc)})")
            continue
        if not exists:
            yield IngestProblem(path=shown_path(path), reason="no such file or folder")
        elif is_dir:
            yield from _walk(path, set())
        elif not path.is_file():
            yield IngestProblem(path=shown_path(path), reason="not a regular file")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            suffix = shown_path(path.suffix) or "(no suffix)"
            yield IngestProblem(path=shown_path(path), reason=f"unsupported file type {suffix!r}")
        else:
            yield path


_NUMERIC_DATE = re.compile(r"\s*[+-]?\d+-\d+-\d+")  # "2016-05-24", "0000-00-00", "9999-99-99"
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def parse_date(value: Any) -> dt.date:
    """Read a record's date: `YYYY-MM-DD`, an ISO datetime, or RFC 2822 (as in RSS).

    Datetimes give the calendar date as written (no time-zone conversion). A date that is not in the
    calendar ("0000-00-00", "2016-02-30") is no date. A four-digit year is read as written ("Mon, 01 Jan
    0001" is the year 1, not 2001). Raises ValueError.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    if _NUMERIC_DATE.match(text):
        raise ValueError(f"not a date in the calendar: {value!r}")
    try:
        parts = email.utils.parsedate_tz(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parts = None
    if not parts:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = parts[:3]
    if (written := _YEAR.findall(text)) and len(written) == 1:
        year = int(written[0])  # email.utils turns the years 0-99 into 1900s or 2000s
    return _calendar_date(year, month, day, value)


def _calendar_date(year: int, month: int, day: int, value: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise ValueError(f"not a date in the calendar: {value!r}") from None


# --- files and folders ---------------------------------------------------------------------------


def _walk(folder: Path, seen: set[str]) -> Iterator[Path | IngestProblem]:
    """Supported files under `folder`, depth first, names sorted; symlink loops are cut."""
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield IngestProblem(path=shown_path(folder), reason=f"cannot read folder ({_os_reason(exc)})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            if entry.is_dir():
                yield from _walk(path, seen)
            elif entry.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                yield path
        except OSError as exc:
            yield IngestProblem(path=shown_path(path), reason=f"cannot read ({_os_reason(exc)})")


def read_reports(
    path: Path, *, published: dt.date | None = None, source: str | None = None
) -> Iterator[Read | IngestProblem]:
    """The reports of one supported file, each with where it was read, or the problems met."""
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            yield _read_txt(path, published, source)
        elif suffix in HTML_SUFFIXES:
            yield _read_html(path, published, source)
        elif suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path, published, source)
        else:
            yield from _read_feed(path, published, source)
    except OSError as exc:
        yield IngestProblem(path=shown_path(path), reason=f"cannot read ({_os_reason(exc)})")


def _article(path: Path | str, text: str, *, line: int | None = None, entry: str | None = None,
             **fields: Any) -> Read | IngestProblem:
    """The Read of one report's fields, or the problem that keeps them from being stored."""
    try:
        article = Article.from_text(text, **fields)
    except ValueError as exc:
        reason = f"{entry}: {exc}" if entry else str(exc)
        return _line_problem(path, line, reason) if line else IngestProblem(path=shown_path(path), reason=reason)
    return Read(article, shown_path(path), line, entry)


def _read_capped(path: Path, limit: int) -> bytes | IngestProblem:
    """The file's bytes, or a problem if it is empty or larger than `limit` (checked before reading)."""
    size = path.stat().st_size
    if size <= limit:
        with path.open("rb") as f:
            data = f.read(limit + 1)
        size = len(data)  # the file may have grown since stat()
    if size > limit:
        if limit == MAX_REPORT_BYTES:
            reason = (f"file is {size:,} bytes; the limit for one report is {MAX_REPORT_CHARS:,} "
                      f"characters ({limit:,} bytes)")
        else:
            reason = f"file is {size:,} bytes; the limit for a feed file is {limit:,} bytes"
        return IngestProblem(path=shown_path(path), reason=reason)
    if not data.strip():
        return IngestProblem(path=shown_path(path), reason="empty file")
    return data


def _read_txt(path: Path, published: dt.date | None, source: str | None) -> Read | IngestProblem:
    data = _read_capped(path, MAX_REPORT_BYTES)
    if isinstance(data, IngestProblem):
        return data
    if not data.startswith(_UTF16_BOMS) and _looks_binary(data):
        return IngestProblem(path=shown_path(path), reason="binary file, not text")
    text = _decode_text(data)
    if text is None:
        return IngestProblem(path=shown_path(path), reason="not UTF-8 or Windows-1252 text")
    text = _normalise(text)
    if not text.strip():
        return IngestProblem(path=shown_path(path), reason="empty file")
    if len(text) > MAX_REPORT_CHARS:
        return IngestProblem(path=shown_path(path), reason=_too_long(len(text)))
    return _article(path, text, source=source, published=published)


def _read_html(path: Path, published: dt.date | None, source: str | None) -> Read | IngestProblem:
    data = _read_capped(path, MAX_REPORT_BYTES)
    if isinstance(data, IngestProblem):
        return data
    if _looks_binary(data):
        return IngestProblem(path=shown_path(path), reason="binary file, not text")
    page = _extract_html(data)
    if page is None:
        return IngestProblem(path=shown_path(path), reason="no article text found in HTML")
    text, title, page_date, url = page
    if len(text) > MAX_REPORT_CHARS:
        return IngestProblem(path=shown_path(path), reason=_too_long(len(text)))
    return _article(path, text, title=title, source=source, url=url, published=page_date or published)


# --- .jsonl feeds ----------------------------------------------------------------------------------


def _read_jsonl(
    path: Path, published: dt.date | None, source: str | None
) -> Iterator[Read | IngestProblem]:
    """One record per line, streamed; each bad line is a problem and reading goes on."""
    with path.open("rb") as f:
        lineno = 0
        while raw := f.readline(MAX_LINE_BYTES + 1):
            lineno += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                size = len(raw)
                while chunk := f.readline(1 << 20):  # skip the rest of the overlong line
                    size += len(chunk)
                    if chunk.endswith(b"\n"):
                        break
                yield _line_problem(
                    path, lineno,
                    f"record is {size:,} bytes; the limit for one record is {MAX_LINE_BYTES:,} bytes",
                )
                continue
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            yield _jsonl_record(path, lineno, raw, published, source)


def _jsonl_record(
    path: Path, lineno: int, raw: bytes, published: dt.date | None, source: str | None
) -> Read | IngestProblem:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _line_problem(path, lineno, f"not valid UTF-8 (byte {raw[exc.start]:#04x} at {exc.start})")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return _line_problem(path, lineno, f"not valid JSON ({exc.msg})")
    except RecursionError:
        return _line_problem(path, lineno, "not valid JSON (nested too deeply)")
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        return _line_problem(path, lineno, f"not valid JSON ({exc})")
    if not isinstance(record, dict):
        return _line_problem(path, lineno, f"expected a JSON object, got {_json_type(record)}")

    title = _opt_str(_first(record, TITLE_KEYS)[1])
    url = _opt_str(_first(record, URL_KEYS)[1])
    record_source = _opt_str(_first(record, SOURCE_KEYS)[1])
    date_key, date_value = _first(record, DATE_KEYS)
    record_date = None
    if date_value is not None and date_value != "":
        try:
            record_date = parse_date(date_value)
        except ValueError as exc:
            return _line_problem(path, lineno, f"unreadable date in {date_key!r} ({exc})")

    text_key, text = _first(record, TEXT_KEYS)
    html_key, html = _first(record, HTML_KEYS)
    if text is None and html is None:
        keys = ", ".join(TEXT_KEYS + HTML_KEYS)
        return _line_problem(path, lineno, f"no text (expected one of: {keys})")
    if text is not None:
        if not isinstance(text, str):
            return _line_problem(path, lineno, f"{text_key!r} is {_json_type(text)}, not a string")
        text = _normalise(text)
    else:
        if not isinstance(html, str):
            return _line_problem(path, lineno, f"{html_key!r} is {_json_type(html)}, not a string")
        page = _extract_html(html)
        if page is None:
            return _line_problem(path, lineno, "no article text found in HTML")
        text, page_title, page_date, page_url = page
        title = title or page_title
        url = url or page_url
        record_date = record_date or page_date
    if not text.strip():
        return _line_problem(path, lineno, f"{text_key or html_key!r} is empty")
    text = titled(title, text)
    if len(text) > MAX_REPORT_CHARS:
        return _line_problem(path, lineno, _too_long(len(text)))
    return _article(path, text, line=lineno, title=title, url=url, source=source or record_source,
                    published=record_date or published, feed_item_id=_opt_str(record.get("id")),
                    country=_opt_str(record.get("country")))


# --- RSS / Atom ------------------------------------------------------------------------------------


def _read_feed(
    path: Path, published: dt.date | None, source: str | None
) -> Iterator[Read | IngestProblem]:
    data = _read_capped(path, MAX_FEED_BYTES)
    if isinstance(data, IngestProblem):
        yield data
        return
    yield from read_feed_bytes(data, path, published=published, source=source)


def read_feed_bytes(
    data: bytes, path: Path | str, *, published: dt.date | None = None, source: str | None = None
) -> Iterator[Read | IngestProblem]:
    """The reports of an RSS/Atom document already in memory (a feed fetched over HTTP), read as a
    feed file is; `path` (a file, or the feed's URL) names it in the problems met."""
    import feedparser  # imported by the readers that need it: plain text and JSONL start faster

    try:
        feed = feedparser.parse(data)
    except Exception as exc:  # feedparser is lenient, but guard against the odd crash
        yield IngestProblem(path=shown_path(path), reason=f"not a readable RSS/Atom feed ({exc})")
        return
    if not feed.entries:
        if feed.get("bozo"):
            detail = feed.get("bozo_exception")
            reason = f"not a readable RSS/Atom feed ({detail})" if detail else "not a readable RSS/Atom feed"
        else:
            reason = "no entries in RSS/Atom feed"
        yield IngestProblem(path=shown_path(path), reason=reason)
        return
    feed_title = _opt_str(feed.feed.get("title"))
    for number, entry in enumerate(feed.entries, 1):
        try:
            yield _feed_entry(path, number, entry, feed_title, published, source)
        except Exception as exc:  # feedparser's entries are loosely typed: never lose the rest of the feed
            yield IngestProblem(path=shown_path(path), reason=f"entry {number}: unreadable ({exc!r})"[:300])


def _feed_entry(
    path: Path | str, number: int, entry: Any, feed_title: str | None,
    published: dt.date | None, source: str | None,
) -> Read | IngestProblem:
    title = _opt_str(entry.get("title"))
    label = f"entry {number}" + (f" ({_printable(title)!r})" if title else "")

    entry_date = None
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            entry_date = _feed_date(raw, entry.get(f"{key}_parsed"))
        except ValueError as exc:
            return IngestProblem(path=shown_path(path), reason=f"{label}: unreadable date ({exc})")
        break

    text = ""
    bodies = list(entry.get("content") or []) + [entry.get("summary_detail") or {}]
    for body in bodies:
        value = body.get("value") or ""
        if not value.strip():
            continue
        if body.get("type", "text/html") == "text/plain":
            text = _normalise(value)
        else:
            text = _html_fragment_text(value)
        if text:
            break
    if not text and entry.get("summary"):
        text = _html_fragment_text(entry["summary"])
    if not text:
        return IngestProblem(path=shown_path(path), reason=f"{label}: no content or summary")
    if len(text) > MAX_REPORT_CHARS:
        return IngestProblem(path=shown_path(path), reason=f"{label}: {_too_long(len(text))}")
    entry_source = _opt_str((entry.get("source") or {}).get("title")) or feed_title
    return _article(path, text, entry=label, feed_item_id=_opt_str(entry.get("id")), title=title,
                    url=_opt_str(entry.get("link")), source=source or entry_source, published=entry_date or published)


def _feed_date(raw: str, parsed: Any) -> dt.date:
    """An entry's date: read as `parse_date` reads it; else as feedparser read it (it knows more
    formats), when that reading is a calendar date whose year is written in the text. ValueError."""
    try:
        return parse_date(raw)
    except ValueError:
        if not parsed or _NUMERIC_DATE.match(raw) or str(parsed[0]) not in _YEAR.findall(raw):
            raise
        return _calendar_date(*parsed[:3], raw)


# --- text helpers ----------------------------------------------------------------------------------


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 5% control characters in the first 64 KiB."""
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.05 * len(sample)


def _decode_text(data: bytes) -> str | None:
    """UTF-8 (BOM dropped), UTF-16 with a BOM, else cp1252; None if none fits.

    Call only for bytes that passed `_looks_binary`: cp1252 accepts almost any byte string.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def titled(title: str | None, text: str) -> str:
    """The text a JSON-lines report is stored and coded as: its headline, a blank line, its body, unless the body
    already opens with the headline. A page whose body is boilerplate but whose headline reports a shooting
    yields the incident, and evidence offsets still index the stored text."""
    title = (title or "").strip()
    return f"{title}\n\n{text}" if title and not text.lstrip().startswith(title) else text


def _normalise(text: str) -> str:
    """CRLF to LF, no NUL characters and no trailing whitespace; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\x00", "").rstrip()


def page_text(html: str | bytes) -> tuple[str, str | None, dt.date | None, str | None] | None:
    """(main text, title, date, url) of a web page, as `.html` files are read, or None if it has none."""
    return _extract_html(html)


def _extract_html(
    html: str | bytes,
) -> tuple[str, str | None, dt.date | None, str | None] | None:
    """(text, title, date, url) of a page's main text via trafilatura, or None if there is none."""
    import trafilatura  # imported by the readers that need it: plain text and JSONL start faster

    try:
        doc = trafilatura.bare_extraction(
            html, include_comments=False, with_metadata=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura/lxml can fail on pathological markup
        return None
    text = _normalise(doc.text or "") if doc is not None else ""
    if not text.strip():
        return None
    title = _opt_str(doc.title) or _html_title(html)
    page_date = None
    if doc.date:
        try:
            page_date = parse_date(doc.date)
        except ValueError:
            page_date = None
    return text, title, page_date, _opt_str(doc.url)


def _html_title(html: str | bytes) -> str | None:
    try:
        titles = lxml.html.document_fromstring(html).findall(".//title")
    except (lxml.etree.ParserError, ValueError):
        return None
    return _opt_str(titles[0].text_content()) if titles else None


def _html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary): blocks become lines, scripts are dropped."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _normalise(fragment)
    for bad in list(root.iter("script", "style", "noscript")):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of `keys` present in `record` with a non-null value."""
    for key in keys:
        if record.get(key) is not None:
            return key, record[key]
    return None, None


def _printable(value: str) -> str:
    """`value` with any lone surrogate written as an escape (so that it can be printed)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _opt_str(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _line_problem(path: Path, lineno: int, reason: str) -> IngestProblem:
    return IngestProblem(path=shown_path(path), line=lineno, reason=f"line {lineno}: {reason}")


def _too_long(chars: int) -> str:
    return f"report is {chars:,} characters; the limit for one report is {MAX_REPORT_CHARS:,}"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
