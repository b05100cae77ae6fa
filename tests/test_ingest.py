"""Tests for the ingest stage: files and feeds become Articles or IngestProblems."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from sitrep.ingest import MAX_REPORT_CHARS, IngestProblem, read_articles
from sitrep.ingest.readers import parse_date
from sitrep.records import Article, content_hash

REPORT = (
    "Twin blasts hit Jableh\n\n"
    "A series of explosions struck the coastal town of Jableh on Monday, killing at least "
    "48 people, the Syrian Observatory for Human Rights said."
)


def read(*paths, **kwargs) -> list[Article | IngestProblem]:
    return list(read_articles(list(paths), **kwargs))


def articles(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def problems(items) -> list[IngestProblem]:
    return [item for item in items if isinstance(item, IngestProblem)]


def only_problem(items) -> IngestProblem:
    assert len(items) == 1 and isinstance(items[0], IngestProblem), items
    return items[0]


# --- .txt ------------------------------------------------------------------------------------------


def test_txt_is_one_report_kept_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("  " + REPORT + "\n\n  \n", encoding="utf-8")
    [article] = read(path)
    assert isinstance(article, Article)
    assert article.text == "  " + REPORT  # leading text kept, trailing whitespace stripped
    assert article.title is None  # first line is not taken as a title
    assert article.published is None and article.source is None and article.url is None
    assert article.content_hash == content_hash(REPORT)
    assert article.id == article.content_hash[:16]


def test_txt_crlf_becomes_lf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(REPORT.replace("\n", "\r\n").encode("utf-8") + b"\r\n")
    [article] = read(path)
    assert article.text == REPORT
    assert "\r" not in article.text


def test_txt_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Ataque en Bogotá".encode("utf-8"))
    [article] = read(path)
    assert article.text == "Ataque en Bogotá"


def test_txt_cp1252_fallback(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Explosión en Medellín \u2013 “12 muertos”".encode("cp1252"))
    [article] = read(path)
    assert article.text == "Explosión en Medellín \u2013 “12 muertos”"


def test_txt_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(REPORT.encode("utf-16"))
    [article] = read(path)
    assert article.text == REPORT


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t  \n"])
def test_txt_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    problem = only_problem(read(path))
    assert problem.reason == "empty file"
    assert problem.path == str(path)


def test_txt_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(os.urandom(4096) + b"\x00\x00\x00" + os.urandom(4096))
    assert only_problem(read(path)).reason == "binary file, not text"


def test_txt_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 32)) * 50 + b"some text")
    assert only_problem(read(path)).reason == "binary file, not text"


def test_huge_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: instant, and would be binary if it were read
    problem = only_problem(read(path))
    assert "52,428,800 bytes" in problem.reason
    assert f"{MAX_REPORT_CHARS:,}" in problem.reason


def test_report_over_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("a" * (MAX_REPORT_CHARS + 5), encoding="utf-8")  # under the byte cap
    problem = only_problem(read(path))
    assert problem.reason == "report is 1,000,005 characters; the limit for one report is 1,000,000"


def test_huge_html_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as f:
        f.truncate(5 * MAX_REPORT_CHARS)
    assert "5,000,000 bytes" in only_problem(read(path)).reason


# --- paths and folders -----------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    problem = only_problem(read(tmp_path / "nope.txt"))
    assert problem.reason == "no such file or folder"
    assert problem.path == str(tmp_path / "nope.txt")


def test_unsupported_file_named_directly(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "unsupported file type" in only_problem(read(path)).reason


def test_folder_recursion_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "c.txt").write_text("third")
    (tmp_path / "b" / "x.TXT").write_text("second")
    (tmp_path / "a" / "deep" / "z.txt").write_text("first")
    (tmp_path / "a" / "notes.pdf").write_bytes(b"%PDF")  # skipped silently in folders
    (tmp_path / "a" / "data.csv").write_text("x,y")
    (tmp_path / ".hidden" / "secret.txt").write_text("hidden")
    items = read(tmp_path)
    assert [a.text for a in items] == ["first", "second", "third"]


def test_accepts_a_single_path_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(REPORT)
    assert [a.text for a in read_articles(str(path))] == [REPORT]
    assert [a.text for a in read_articles([str(path)])] == [REPORT]


def test_bad_inputs_do_not_stop_good_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(REPORT)
    items = read(tmp_path / "missing", good, tmp_path / "x.doc")
    assert [type(i).__name__ for i in items] == ["IngestProblem", "Article", "IngestProblem"]


# --- .jsonl ----------------------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "url": "http://x/1", "title": "One", "published": "2016-05-23",
                    "source": "SANA", "text": "First report."}),
        '{"id": "a2", "text": "broken",',  # 2: bad JSON
        json.dumps(["not", "an", "object"]),  # 3
        "",  # 4: blank, skipped silently
        json.dumps({"id": "a5", "title": "no text here"}),  # 5
        json.dumps({"id": "a6", "text": "Bad date.", "published": "sometime last week"}),  # 6
        json.dumps({"id": "a7", "text": ["not", "a", "string"]}),  # 7
        json.dumps({"uri": "http://x/8", "dct": "2015-01-02", "content": "Eighth report."}),  # 8
        json.dumps({"url": "http://x/9", "dct": "2015-01-03T08:00:00Z", "text": "Ninth."}),  # 9
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)

    good = articles(items)
    assert [a.text for a in good] == ["One\n\nFirst report.", "Eighth report.", "Ninth."]  # the headline is coded too
    first, eighth, ninth = good
    assert (first.title, first.url, first.source, first.published) == (
        "One", "http://x/1", "SANA", dt.date(2016, 5, 23))
    assert (eighth.url, eighth.published) == ("http://x/8", dt.date(2015, 1, 2))
    assert (ninth.url, ninth.published) == ("http://x/9", dt.date(2015, 1, 3))

    bad = problems(items)
    assert [p.line for p in bad] == [2, 3, 5, 6, 7]
    assert all(p.path == str(path) for p in bad)
    reasons = {p.line: p.reason for p in bad}
    assert reasons[2].startswith("line 2: not valid JSON")
    assert "array" in reasons[3]
    assert "no text" in reasons[5]
    assert "sometime last week" in reasons[6]
    assert "not a string" in reasons[7]
    # order is kept: problems appear where their lines are
    assert [i.line if isinstance(i, IngestProblem) else i.text for i in items] == [
        "One\n\nFirst report.", 2, 3, 5, 6, 7, "Eighth report.", "Ninth."]


def test_jsonl_html_field(tmp_path: Path) -> None:
    html = ("<html><head><title>Attack on market</title></head><body><nav>Home | World</nav>"
            "<article><p>Gunmen attacked a crowded market in the town on Friday, killing "
            "seven people and wounding twenty, police said.</p></article></body></html>")
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"url": "http://x/p", "html": html}) + "\n")
    [article] = read(path)
    assert "Gunmen attacked a crowded market" in article.text
    assert "<p>" not in article.text
    assert article.title == "Attack on market"


def test_jsonl_bom_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "win.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"text": "one"}\r\n{"text": "two"}\r\n')
    assert [a.text for a in read(path)] == ["one", "two"]


def test_jsonl_large_file_streams(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = (json.dumps({"text": "x" * 5000}) + "\n").encode()
    with path.open("wb") as f:
        f.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 50 * 1024 * 1024
    count = 0
    for item in read_articles([path]):
        assert isinstance(item, Article)
        count += 1
    assert count > 10_000


def test_jsonl_record_over_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": "a" * (MAX_REPORT_CHARS + 1)}) + "\n" +
                    json.dumps({"text": "fine"}) + "\n")
    items = read(path)
    assert items[0].line == 1 and "1,000,001 characters" in items[0].reason
    assert items[1].text == "fine"


# --- .html -----------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Blasts kill dozens in Jableh | Example News</title>
<meta property="article:published_time" content="2016-05-23T10:00:00+03:00">
<script>var tracking = "SCRIPTNOISE";</script><style>body { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> NAVNOISE</nav>
<article><h1>Blasts kill dozens in Jableh</h1>
<p>A series of explosions struck the coastal town of Jableh on Monday, killing at least 48 people,
a monitoring group said.</p>
<p>The Syrian Observatory for Human Rights said the blasts hit a bus station and a hospital.</p>
</article><footer>Copyright FOOTERNOISE</footer></body></html>
"""


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    [article] = read(path, published=dt.date(2020, 1, 1))
    assert isinstance(article, Article)
    assert "explosions struck the coastal town of Jableh" in article.text
    assert "bus station and a hospital" in article.text
    for noise in ("SCRIPTNOISE", "NAVNOISE", "color: red", "<p>"):
        assert noise not in article.text
    assert article.title == "Blasts kill dozens in Jableh"
    assert article.published == dt.date(2016, 5, 23)  # the page's own date wins


def test_html_without_date_uses_argument(tmp_path: Path) -> None:
    path = tmp_path / "nodate.htm"
    path.write_text("<html><head><title>Clash</title></head><body><p>Armed men clashed with "
                    "soldiers near the border crossing, officials said.</p></body></html>")
    [article] = read(path, published=dt.date(2021, 6, 1))
    assert "Armed men clashed" in article.text
    assert article.published == dt.date(2021, 6, 1)
    assert article.title == "Clash"


@pytest.mark.parametrize("html", ["<<<>>> <p unclosed <div", "<html><body></body></html>",
                                  "<html><script>only()</script></html>"])
def test_malformed_html(tmp_path: Path, html: str) -> None:
    path = tmp_path / "bad.html"
    path.write_text(html)
    assert only_problem(read(path)).reason == "no article text found in HTML"


# --- RSS / Atom ------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>http://example.org</link>
<item><title>Car bomb in Kabul</title><link>http://example.org/1</link>
<pubDate>Mon, 23 May 2016 23:30:00 -0500</pubDate>
<description>&lt;p&gt;A car bomb exploded near a police station in Kabul, killing &lt;b&gt;five&lt;/b&gt; people.&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt;</description></item>
<item><title>No date</title><link>http://example.org/2</link>
<description>Protesters were dispersed with tear gas.</description></item>
<item><title>Bad date</title><pubDate>the day before yesterday</pubDate><description>Text.</description></item>
<item><title>Empty</title><link>http://example.org/4</link></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Monitor</title><id>urn:x</id>
<updated>2016-05-24T00:00:00Z</updated>
<entry><title>Air strike on Idlib</title><id>urn:1</id>
<link href="http://example.org/atom/1"/>
<published>2016-05-22T21:00:00+03:00</published><updated>2016-05-24T00:00:00Z</updated>
<content type="html">&lt;p&gt;An air strike hit a market in Idlib.&lt;/p&gt;&lt;p&gt;At least 12 civilians died.&lt;/p&gt;</content>
</entry></feed>
"""


def test_rss(tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_text(RSS, encoding="utf-8")
    items = read(path, published=dt.date(2016, 1, 1))
    first, second, bad_date, empty = items
    assert first.text == "A car bomb exploded near a police station in Kabul, killing five people."
    assert (first.title, first.url, first.source) == (
        "Car bomb in Kabul", "http://example.org/1", "Example Wire")
    assert first.published == dt.date(2016, 5, 23)  # the date as written, not shifted to UTC
    assert second.text == "Protesters were dispersed with tear gas."
    assert second.published == dt.date(2016, 1, 1)  # falls back to the argument
    assert isinstance(bad_date, IngestProblem) and "the day before yesterday" in bad_date.reason
    assert isinstance(empty, IngestProblem) and "no content" in empty.reason


def test_atom(tmp_path: Path) -> None:
    path = tmp_path / "monitor.xml"
    path.write_text(ATOM, encoding="utf-8")
    [article] = read(path, source="Override")
    assert article.text == "An air strike hit a market in Idlib.\nAt least 12 civilians died."
    assert article.url == "http://example.org/atom/1"
    assert article.title == "Air strike on Idlib"
    assert article.published == dt.date(2016, 5, 22)  # published, not updated
    assert article.source == "Override"


@pytest.mark.parametrize("content", ["this is not xml at all <<<", "<root><a>1</a></root>"])
def test_unreadable_feed(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(content)
    problem = only_problem(read(path))
    assert "feed" in problem.reason


# --- precedence and identity -----------------------------------------------------------------------


def test_published_and_source_precedence(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps({"text": "own", "published": "2016-05-23", "source": "Own Source"}) + "\n"
        + json.dumps({"text": "bare"}) + "\n"
    )
    arg_date = dt.date(2020, 2, 2)
    own, bare = read(path, published=arg_date)
    assert own.published == dt.date(2016, 5, 23) and own.source == "Own Source"
    assert bare.published == arg_date and bare.source is None
    own, bare = read(path, published=arg_date, source="Cli")
    assert own.source == "Cli" and bare.source == "Cli"
    assert own.published == dt.date(2016, 5, 23)

    txt = tmp_path / "r.txt"
    txt.write_text(REPORT)
    [article] = read(txt, published=arg_date, source="Cli")
    assert (article.published, article.source) == (arg_date, "Cli")


def test_same_content_same_hash(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(REPORT.encode())
    (tmp_path / "b.txt").write_bytes(REPORT.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": REPORT, "source": "X"}) + "\n")
    (tmp_path / "d.txt").write_text(REPORT + " More.")
    a, b, c, d = read(tmp_path)
    assert a.content_hash == b.content_hash == c.content_hash
    assert a.id == b.id == c.id
    assert d.content_hash != a.content_hash


@pytest.mark.parametrize(("value", "expected"), [
    ("2016-05-23", dt.date(2016, 5, 23)),
    ("2016-05-23T23:30:00-05:00", dt.date(2016, 5, 23)),
    ("2016-05-23T10:00:00Z", dt.date(2016, 5, 23)),
    ("Mon, 23 May 2016 23:30:00 -0500", dt.date(2016, 5, 23)),
])
def test_parse_date(value: str, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2016-13-45", 20160523, ""])
def test_parse_date_rejects(value) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


def test_jsonl_undecodable_and_deeply_nested_lines(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n' + b"[" * 100_000 + b'\n{"text": "ok"}\n')
    first, second, third = read(path)
    assert first.line == 1 and "not valid UTF-8" in first.reason
    assert second.line == 2 and "not valid JSON" in second.reason
    assert third.text == "ok"
