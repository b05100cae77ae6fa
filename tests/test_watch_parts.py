"""sitrep.watch without the ledger: sources and sources files, durations, alert rules and toll levels,
the fetcher against web servers the tests start (good, slow, failing, 304), and reading fetched feeds."""

from __future__ import annotations

import time

import pytest
from feedserver import FeedServer, http_date, rss

from sitrep import __version__
from sitrep.records import Incident, Place, Range
from sitrep.watch.alerts import alert_payload, parse_rule, toll_level
from sitrep.watch.fetch import Fetcher, FetchError
from sitrep.watch.items import FeedError, complete_teaser, feed_items, is_teaser
from sitrep.watch.sources import SourcesError, load_sources, parse_duration, source_from_arg


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def quick_fetcher(**options) -> Fetcher:
    settings = dict(timeout=1.0, retries=1, backoff=0.05, host_interval=0.0)
    settings.update(options)
    return Fetcher(**settings)


# ---------------------------------------------------------------- sources


def test_durations():
    assert parse_duration("15m") == 900
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90") == 90 and parse_duration("2d") == 172800 and parse_duration("500ms") == 0.5
    for bad in ("", "soon", "15x", "0s", "-5m", "2 years"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_a_source_on_the_command_line_is_a_feed_url_or_a_local_folder(tmp_path):
    feed = source_from_arg("https://news.example.org/rss", every_s=60, country="SY")
    assert (feed.kind, feed.every_s, feed.country, feed.label) == ("feed", 60, "SY", "news.example.org")
    folder = source_from_arg(str(tmp_path))
    assert folder.kind == "folder" and folder.url == str(tmp_path.resolve())
    with pytest.raises(SourcesError, match="no such folder"):
        source_from_arg(str(tmp_path / "missing"))
    with pytest.raises(SourcesError, match="not ftp://"):
        source_from_arg("ftp://example.org/feed")


def test_a_sources_file_in_yaml_or_toml_lists_url_name_country_language_and_interval(tmp_path):
    (tmp_path / "drops").mkdir()
    (tmp_path / "watch.yaml").write_text(
        "every: 30m\ncountry: NG\nsources:\n"
        "  - url: https://a.example.org/rss\n    name: Daily A\n    country: sy\n    language: ar\n    every: 5m\n"
        "  - path: drops\n", encoding="utf-8")
    (tmp_path / "watch.toml").write_text(
        'every = "30m"\ncountry = "NG"\n[[sources]]\nurl = "https://a.example.org/rss"\nname = "Daily A"\n'
        'country = "sy"\nlanguage = "ar"\nevery = "5m"\n[[sources]]\npath = "drops"\n', encoding="utf-8")
    for name in ("watch.yaml", "watch.toml"):
        first, second = load_sources(tmp_path / name, every_s=900)
        assert (first.url, first.name, first.country, first.language, first.every_s) == \
            ("https://a.example.org/rss", "Daily A", "SY", "ar", 300)
        assert (second.kind, second.url, second.country, second.every_s) == \
            ("folder", str((tmp_path / "drops").resolve()), "NG", 1800)


@pytest.mark.parametrize("text, message", [
    ("sources:\n  - url: https://a.example.org/rss\n    intervall: 5m\n", "source 1.intervall: unknown key"),
    ("sources:\n  - url: https://a.example.org/rss\n    country: Syria\n", "not an ISO 3166"),
    ("sources:\n  - name: nothing\n", "either url"),
    ("sources:\n  - url: https://a.example.org/rss\n    every: often\n", "not a duration"),
    ("sources: [\n", "not valid YAML"),
    ("sources: []\n", "lists no sources"),
])
def test_a_bad_sources_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "watch.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


# ---------------------------------------------------------------- rules and levels


def _incident(killed: int | None, **fields) -> Incident:
    return Incident(id="inc-1", event_type="Explosions/Remote violence", sub_event_type="Suicide bomb",
                    location=Place(name="Jableh", country_code="SY"), sources=["Observatory"],
                    killed=Range(low=killed, best=killed, high=killed) if killed is not None else None, **fields)


def test_toll_levels_are_1_2_5_then_10_25_50_times_powers_of_ten():
    assert [toll_level(k) for k in (None, 0, 1, 3, 9, 10, 24, 25, 49, 50, 100, 148, 250, 999, 1000, 2600)] == \
        [0, 0, 1, 2, 5, 10, 10, 25, 25, 50, 100, 100, 250, 500, 1000, 2500]


def test_rules_combine_with_commas_and_read_quoted_values():
    rule = parse_rule("country=SY,min_killed=10,type='Suicide bomb'")
    assert rule.text == "country=SY,min_killed=10,type='Suicide bomb'"
    assert rule.matches(_incident(100))
    assert not rule.matches(_incident(9))
    assert not rule.matches(_incident(None))
    assert not parse_rule("country=IQ").matches(_incident(100))
    assert parse_rule("country=iq|sy").matches(_incident(100))
    assert parse_rule("type=Explosions/Remote violence").matches(_incident(1))
    assert not parse_rule("type=Air/drone strike").matches(_incident(100))
    assert parse_rule("actor=islamic").matches(_incident(5, claimed_by="Islamic State"))
    assert not parse_rule("actor=islamic").matches(_incident(5))
    assert parse_rule("min_injured=3").matches(_incident(1, injured=Range(low=3, best=4, high=5)))


@pytest.mark.parametrize("text, message", [
    ("min_killed", "KEY=VALUE"), ("kill=3", "not a rule key"), ("min_killed=ten", "whole number"),
    ("country=Syria", "ISO 3166"), ("type=Bombing", "not an ACLED"), ("type='Suicide bomb", "closing quotation"),
    ("country=SY,country=IQ", "twice"), ("", "empty rule"),
])
def test_a_bad_rule_says_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_rule(text)


def test_the_webhook_payload_has_the_incident_its_toll_range_place_sources_and_link():
    payload = alert_payload(_incident(100), ["min_killed=10"], 100, None, "https://desk.example.org/")
    assert payload["url"] == "https://desk.example.org/#incident/inc-1"
    assert payload["killed"] == {"low": 100, "best": 100, "high": 100}
    assert payload["place"]["name"] == "Jableh" and payload["sources"] == ["Observatory"]
    assert payload["incident"]["id"] == "inc-1" and "evidence" not in payload["incident"]
    assert payload["alert"] == {"reason": "new", "rules": ["min_killed=10"], "level": 100, "previous_level": None}
    assert "Jableh (SY)" in payload["text"] and "100 killed" in payload["text"]


# ---------------------------------------------------------------- fetching


def test_requests_name_sitrep_and_are_conditional(server):
    server.route("/feed.xml", rss([]), etag='"v1"')
    server.route("/dated.xml", rss([]), last_modified=http_date(2016, 5, 24))
    with quick_fetcher() as fetcher:
        first = fetcher.get(server.url("/feed.xml"))
        assert first.status == 200 and first.etag == '"v1"' and not first.not_modified
        assert fetcher.get(server.url("/feed.xml"), etag=first.etag).not_modified
        dated = fetcher.get(server.url("/dated.xml"))
        assert fetcher.get(server.url("/dated.xml"), last_modified=dated.last_modified).not_modified
    asked = server.hits("/feed.xml")
    assert asked[0].headers["User-Agent"].startswith(f"sitrep/{__version__}")
    assert "If-None-Match" not in asked[0].headers and asked[1].headers["If-None-Match"] == '"v1"'
    assert server.hits("/dated.xml")[1].headers["If-Modified-Since"] == http_date(2016, 5, 24)


def test_a_slow_server_times_out_and_is_tried_again(server):
    server.route("/slow.xml", rss([]), delay=1.5)
    started = time.monotonic()
    with quick_fetcher(timeout=0.3, retries=1) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.get(server.url("/slow.xml"))
    assert time.monotonic() - started < 1.5
    assert len(server.hits("/slow.xml")) == 2  # the first try and one retry


def test_a_server_error_of_the_moment_is_retried_and_a_client_error_is_not(server):
    server.route("/flaky.xml", rss([]), failures=2, failure_status=503)
    server.route("/gone.xml", rss([]), status=404)
    with quick_fetcher(retries=2) as fetcher:
        assert fetcher.get(server.url("/flaky.xml")).status == 200
        with pytest.raises(FetchError, match="HTTP 404") as raised:
            fetcher.get(server.url("/gone.xml"))
    assert raised.value.status == 404
    assert len(server.hits("/flaky.xml")) == 3 and len(server.hits("/gone.xml")) == 1


def test_a_host_that_does_not_resolve_fails_at_once():
    with quick_fetcher(retries=3, backoff=5) as fetcher, pytest.raises(FetchError, match="host not found"):
        fetcher.get("http://no-such-host.invalid/feed.xml")


def test_requests_to_one_server_are_spaced(server):
    server.route("/feed.xml", rss([]))
    with quick_fetcher(host_interval=0.3) as fetcher:
        started = time.monotonic()
        for _ in range(3):
            fetcher.get(server.url("/feed.xml"))
    assert time.monotonic() - started >= 0.6


def test_a_body_over_the_limit_is_refused(server):
    server.route("/big.xml", b"x" * 5000)
    with quick_fetcher(max_bytes=1000) as fetcher, pytest.raises(FetchError, match="limit"):
        fetcher.get(server.url("/big.xml"))


# ---------------------------------------------------------------- reading what was fetched


def test_feed_items_carry_guid_link_and_a_hash_of_what_the_feed_says():
    data = rss([{"title": "Blast", "link": "https://x.example/1", "guid": "g1", "description": "A bomb killed 3."},
                {"title": "Blast", "link": "https://x.example/2", "description": "A bomb killed 3."}]).encode()
    first, second = feed_items(data, "https://x.example/rss").items
    assert (first.guid, first.link, first.article.source) == ("g1", "https://x.example/1", "Test Wire")
    assert first.item_hash == second.item_hash  # the same title and text
    assert feed_items(data, "u", source="Named").items[0].article.source == "Named"


@pytest.mark.parametrize("body, message", [
    (b"<!doctype html><html><head><title>Front page</title></head><body><p>News</p></body></html>", "HTML page"),
    (b"<rss><channel><item><title>Broken</ti", "not well-formed XML"),
    (b'{"items": []}', "not XML"),
    (b'<?xml version="1.0"?><sitemap><url/></sitemap>', "not an RSS or Atom feed"),
    (b"", "empty document"),
])
def test_what_is_no_feed_is_a_feed_error(body, message):
    with pytest.raises(FeedError, match=message):
        feed_items(body, "https://x.example/rss")


def test_a_feed_with_no_items_today_is_no_error():
    assert feed_items(rss([]).encode(), "https://x.example/rss").items == []


def test_a_teaser_is_completed_with_its_article_main_text(server):
    story = ("Gunmen attacked a police station in Maiduguri on Monday, killing four officers, police said. " * 6).strip()
    server.route("/story", f"<html><head><title>Attack</title></head><body><nav>Home | World</nav>"
                           f"<article><h1>Attack</h1><p>{story}</p></article></body></html>",
                 content_type="text/html; charset=utf-8")
    data = rss([{"title": "Attack", "link": server.url("/story"), "guid": "s1",
                 "description": "Gunmen attacked a police station… Read more"},
                {"title": "Full", "link": server.url("/story"), "guid": "s2", "description": story + " " + story}]).encode()
    teaser, full = feed_items(data, server.url("/rss")).items
    assert is_teaser(teaser.article) and not is_teaser(full.article)
    with quick_fetcher() as fetcher:
        done, note = complete_teaser(teaser, fetcher, allow_private=True)
        assert note is None and "killing four officers" in done.article.text
        assert done.article.feed_item_id == "s1" and done.item_hash == teaser.item_hash
        kept, note = complete_teaser(teaser, fetcher)  # a feed on a public address may not point inside
        assert kept is teaser and "private address" in note
    server.route("/story", b"", status=500)
    with quick_fetcher(retries=0) as fetcher:
        kept, note = complete_teaser(teaser, fetcher, allow_private=True)
    assert kept is teaser and "HTTP 500" in note
