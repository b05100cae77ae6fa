"""The items a source offers, as reports ready to code: a fetched feed's entries, or the reports in a
watched folder's files, read by the same readers as `sitrep ingest` (sitrep.ingest.readers).

Each item carries what identifies it in its source: its guid (RSS guid, Atom id; in a folder, the file
and line), its link, and `item_hash`, the content hash of its title and text as the source gives them.

A feed item whose text is only a teaser (short, or ending in "…" / "Read more") and whose link points
to a web page is completed with the page's main text (trafilatura, as `.html` files are read), when
the page says more than the teaser.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from sitrep.ingest.readers import IngestProblem, Read, page_text, read_feed_bytes, read_reports, report_files
from sitrep.records import Article, content_hash
from sitrep.watch.fetch import PAGE_ACCEPT, Fetcher, FetchError, is_public_host

__all__ = ["FeedError", "FeedRead", "FileItems", "Item", "complete_teaser", "feed_items", "folder_items",
           "is_teaser"]

TEASER_CHARS = 600  # an item's text shorter than this, with a link, is taken for a teaser
MAX_PAGE_BYTES = 8_000_000
_MORE = re.compile(r"(\.\.\.|…|\[…\]|\[\.\.\.\]|\bread more|\bcontinue reading|\bmore\s*»|»)\W*$", re.IGNORECASE)
_FEED_ROOTS = {"rss", "feed", "RDF"}
_HTML = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.IGNORECASE | re.DOTALL)
_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_XML_RECOVER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)


class FeedError(Exception):
    """A fetched document from which no item can be read: not XML, an HTML page, not a feed."""


@dataclass
class Item:
    """One report a source offers, and what identifies it there."""

    read: Read  # the report as read, and where (for the problems met later)
    guid: str | None
    link: str | None
    item_hash: str

    @property
    def article(self) -> Article:
        return self.read.article

    @classmethod
    def of(cls, read: Read, guid: str | None = None) -> "Item":
        article = read.article
        return cls(read, guid or article.feed_item_id, article.url,
                   content_hash(f"{article.title or ''}\n{article.text}"))


@dataclass
class FeedRead:
    """A feed's items, the entries that gave no report, and a note when it was not well-formed XML
    (what could be read of it is used)."""

    items: list[Item]
    problems: list[IngestProblem]
    warning: str | None = None


def feed_items(data: bytes, url: str, *, source: str | None = None) -> FeedRead:
    """The items of a fetched RSS/Atom document; FeedError when it is no feed at all. `source` (the outlet's
    name) overrides the feed's own title as the reports' source."""
    if not data.strip():
        raise FeedError("empty document")
    if _HTML.match(data[:4096]):
        raise FeedError("not a feed: an HTML page" + _page_title(data))
    root, xml_error = _root(data)
    if root is None:
        raise FeedError(f"not XML ({xml_error})")
    name = lxml.etree.QName(root).localname if isinstance(root.tag, str) else ""
    if name.lower() == "html":
        raise FeedError("not a feed: an HTML page" + _page_title(data))
    if name not in _FEED_ROOTS:
        raise FeedError(f"not an RSS or Atom feed (its root element is <{name}>)")
    if not any(isinstance(el.tag, str) and lxml.etree.QName(el).localname in ("item", "entry") for el in root.iter()):
        if xml_error:
            raise FeedError(f"not well-formed XML ({xml_error})")
        return FeedRead([], [])  # a feed with no items today
    items: list[Item] = []
    problems: list[IngestProblem] = []
    for read in read_feed_bytes(data, url, source=source):
        if isinstance(read, IngestProblem):
            problems.append(read)
        else:
            items.append(Item.of(read))
    if xml_error and not items:
        raise FeedError(f"not well-formed XML ({xml_error})")
    return FeedRead(items, problems, f"not well-formed XML ({xml_error}); read leniently" if xml_error else None)


def _page_title(data: bytes) -> str:
    """ (its title) of an HTML page, or nothing."""
    try:
        title = lxml.html.document_fromstring(data).findtext(".//title") or ""
    except (lxml.etree.ParserError, ValueError):
        return ""
    title = " ".join(title.split())
    return f" ({title[:80]!r})" if title else ""


def _root(data: bytes) -> tuple[lxml.etree._Element | None, str | None]:
    """The document's root element (read leniently if it must be) and the XML error, if any."""
    try:
        return lxml.etree.fromstring(data, parser=_XML), None
    except lxml.etree.XMLSyntaxError as exc:
        error = str(exc).strip() or "XML syntax error"
    except ValueError as exc:
        return None, str(exc)
    try:
        return lxml.etree.fromstring(data, parser=_XML_RECOVER), error
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None, error


@dataclass
class FileItems:
    """The items of one file of a watched folder, with the file's size and mtime when it was read (to
    record it finished, as `sitrep ingest` does, once every item is dealt with)."""

    path: Path
    size: int
    mtime_ns: int
    items: list[Item]
    problems: list[IngestProblem]


def folder_items(folder: Path, *, source: str | None = None,
                 finished: Callable[[str, int, int], bool] = lambda path, size, mtime_ns: False) -> Iterator[FileItems | IngestProblem]:
    """The reports in a folder's supported files (or in one file), file by file; files `finished`
    (path, size, mtime_ns) says are done and unchanged are skipped unread."""
    for path in report_files([folder]):
        if isinstance(path, IngestProblem):
            yield path
            continue
        try:
            stat = path.stat()
        except OSError as exc:
            yield IngestProblem(path=str(path), reason=f"cannot read ({exc.strerror or exc})")
            continue
        if finished(str(path), stat.st_size, stat.st_mtime_ns):
            continue
        items: list[Item] = []
        problems: list[IngestProblem] = []
        for read in read_reports(path, source=source):
            if isinstance(read, IngestProblem):
                problems.append(read)
            else:
                where = read.path + (f":{read.line}" if read.line else "") + (f" {read.entry}" if read.entry else "")
                items.append(Item.of(read, guid=read.article.feed_item_id or where))
        yield FileItems(path, stat.st_size, stat.st_mtime_ns, items, problems)


def is_teaser(article: Article) -> bool:
    """Whether an item's text is only a teaser of the article its http(s) link points to."""
    if not article.url or urlsplit(article.url).scheme.lower() not in ("http", "https"):
        return False
    text = article.text.strip()
    return len(text) < TEASER_CHARS or bool(_MORE.search(text[-80:]))


def complete_teaser(item: Item, fetcher: Fetcher, *, allow_private: bool = False,
                    language: str | None = None) -> tuple[Item, str | None]:
    """The item with the main text of the page its link points to, when that says more than the teaser;
    else the item unchanged and why (a few words), or None. Links to loopback, private or link-local
    addresses are followed only when `allow_private` (the feed itself is on such an address)."""
    article = item.article
    if not allow_private and not is_public_host(article.url or ""):
        return item, "article not fetched: its link points to a private address"
    try:
        page = fetcher.get(article.url or "", accept=PAGE_ACCEPT, language=language, max_bytes=MAX_PAGE_BYTES)
    except FetchError as exc:
        return item, f"article not fetched ({exc})"
    if not allow_private and not is_public_host(page.url):
        return item, "article not read: its link redirects to a private address"
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind and "xml" not in kind and not kind.startswith("text/"):
        return item, f"article not read: its link gives {kind}, not a web page"
    found = page_text(page.body)
    if found is None:
        return item, "article not read: no main text found on its page"
    text, page_title, page_date, _ = found
    if len(text.strip()) <= len(article.text.strip()):
        return item, None  # the page says no more than the feed
    try:
        full = Article.from_text(text, title=article.title or page_title, source=article.source, url=article.url,
                                 published=article.published or page_date, feed_item_id=article.feed_item_id)
    except ValueError as exc:
        return item, f"article not read ({exc})"
    return dataclasses.replace(item, read=dataclasses.replace(item.read, article=full)), None
