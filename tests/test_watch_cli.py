"""`sitrep watch` and `sitrep sources` as a user runs them: the model report in a feed (the issue's bar),
SIGTERM mid-item, kill -9 mid-poll, sources files, GET /sources."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from feedserver import FeedServer, rss
from typer.testing import CliRunner

from sitrep import cli
from sitrep.api import create_app
from sitrep.store.ledger import Ledger
from sitrep.watch.state import WatchState

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_f2e83a11a1caa2f0.txt"
DAPCHI = ("Gunmen killed seven villagers and wounded four others in an attack on the village of Dapchi in "
          "Nigeria's Yobe state on Tuesday, police said. The attackers arrived on motorcycles and set fire to houses.")
KIDAL = ("A roadside bomb killed three soldiers near Kidal in northern Mali on Monday, the army said. "
         "No group has claimed the attack.")
MARKET = "Vegetable prices rose at the central market in Damascus on Monday as traders reported strong demand."


@pytest.fixture
def runner(pipeline, monkeypatch):
    monkeypatch.setattr(cli, "_pipeline", lambda places=(): pipeline)  # the session's model, not a new one
    return CliRunner()


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


def entry(guid: str, text: str, title: str | None = None, **fields: str) -> dict[str, str]:
    return {"title": title or guid, "guid": guid, "description": text, "pubDate": "Wed, 07 Feb 2024 10:00:00 GMT",
            **fields}


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds (the model report) is not here")
def test_the_model_report_in_a_feed_is_stored_once_and_alerts_jableh_once(runner, server, db_url):
    seed = SEED.read_text(encoding="utf-8")
    server.route("/feed.xml", rss([
        {"title": "Bombings kill more than 148 in Jableh and Tartus", "guid": "seed", "link": server.url("/a/seed"),
         "description": seed, "pubDate": "Tue, 24 May 2016 09:00:00 GMT"},
        {"title": "Market prices", "guid": "market", "link": server.url("/a/market"), "description": MARKET,
         "pubDate": "Tue, 24 May 2016 10:00:00 GMT"},
    ]))
    server.route("/hook", b"ok", content_type="text/plain")
    args = ["watch", server.url("/feed.xml"), "--db", db_url, "--once", "--alert", "min_killed=10",
            "--webhook", server.url("/hook")]
    first = runner.invoke(cli.app, args)
    assert first.exit_code == 0, first.output
    with Ledger(db_url) as ledger:
        (article_id,) = [a for a in {x for i in ledger.incidents() for x in i.articles}]
        mine = ledger.incidents(article_id=article_id)
        assert sorted((i.location.name, i.killed.best) for i in mine) == [("Jableh", 100), ("Tartus", 48)]
        counts = ledger.counts()
    sent = [r.json() for r in server.hits("/hook", "POST")]
    jableh = [s for s in sent if s["place"]["name"] == "Jableh"]
    assert len(jableh) == 1 and jableh[0]["killed"]["best"] == 100
    assert jableh[0]["url"] == f"http://127.0.0.1:8000/#incident/{jableh[0]['incident']['id']}"
    assert "Jableh (SY)" in first.stdout

    second = runner.invoke(cli.app, args)
    assert second.exit_code == 0, second.output
    with Ledger(db_url) as ledger:
        assert ledger.counts() == counts
    assert len(server.hits("/hook", "POST")) == len(sent) and "sitrep alert" not in second.stdout
    assert "0 new" in second.output


class StopsWhileCoding:
    """The session's pipeline; the first report it codes, SIGTERM arrives (as from systemd)."""

    def __init__(self, pipeline) -> None:
        self.pipeline, self.calls = pipeline, 0

    def extract_many(self, articles):
        self.calls += 1
        if self.calls == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        return self.pipeline.extract_many(articles)

    def __getattr__(self, name):
        return getattr(self.pipeline, name)


def test_sigterm_stops_the_watch_once_the_item_in_hand_is_stored(pipeline, server, tmp_path, monkeypatch):
    server.route("/feed.xml", rss([entry("dapchi", DAPCHI), entry("kidal", KIDAL)]))
    db = str(tmp_path / "ledger.db")
    monkeypatch.setattr(cli, "_pipeline", lambda places=(): StopsWhileCoding(pipeline))
    before = signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(cli.app, ["watch", server.url("/feed.xml"), "--db", db, "--every", "1h"])
    assert result.exit_code == 0, result.output
    assert "SIGTERM: stopping once the item in hand is stored" in result.output and "stopped" in result.output
    assert signal.getsignal(signal.SIGTERM) == before
    with Ledger(db) as ledger:
        assert ledger.counts()["articles"] == 1  # the item in hand, complete; the next one left
        (source,) = WatchState(ledger).sources()
        assert (source.items_seen, source.items_stored) == (1, 1)
    monkeypatch.setattr(cli, "_pipeline", lambda places=(): pipeline)
    again = CliRunner().invoke(cli.app, ["watch", server.url("/feed.xml"), "--db", db, "--once"])
    assert again.exit_code == 0 and "2 items, 1 new, 1 stored" in again.output
    with Ledger(db) as ledger:
        assert ledger.counts()["articles"] == 2


def test_kill_9_mid_poll_loses_nothing_and_codes_nothing_twice(runner, server, tmp_path):
    """A real process, killed with SIGKILL while it waits for the second item's article."""
    server.route("/feed.xml", rss([entry("dapchi", DAPCHI),
                                   entry("kidal", "A roadside bomb killed three soldiers… Read more",
                                         link=server.url("/kidal"))]))
    server.route("/kidal", f"<html><body><article><p>{KIDAL} {KIDAL}</p></article></body></html>",
                 content_type="text/html", delay=60)
    db = str(tmp_path / "ledger.db")
    process = subprocess.Popen([sys.executable, "-m", "sitrep", "watch", server.url("/feed.xml"), "--db", db,
                                "--every", "1h"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not server.hits("/kidal") and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert server.hits("/kidal"), process.stderr.read().decode() if process.poll() is not None else "no request"
        process.kill()
    finally:
        process.kill()
        process.wait()
    with Ledger(db) as ledger:
        assert ledger.counts()["articles"] == 1  # the first item was stored before the kill
    server.route("/kidal", f"<html><body><article><p>{KIDAL} {KIDAL}</p></article></body></html>",
                 content_type="text/html")
    result = runner.invoke(cli.app, ["watch", server.url("/feed.xml"), "--db", db, "--once"])
    assert result.exit_code == 0, result.output
    assert "2 items, 1 new, 1 stored" in result.output  # dapchi was marked seen before the kill
    with Ledger(db) as ledger:
        assert ledger.counts()["articles"] == 2
        (source,) = WatchState(ledger).sources()
        assert (source.items_seen, source.items_stored) == (2, 2)


def test_a_sources_file_replaces_the_command_line_list_and_sources_shows_the_state(runner, server, tmp_path):
    server.route("/a.xml", rss([entry("dapchi", DAPCHI)]))
    server.route("/b.xml", b"oops", status=500, content_type="text/plain")
    sources = tmp_path / "watch.toml"
    sources.write_text(f'every = "10m"\n[[sources]]\nurl = "{server.url("/a.xml")}"\nname = "Wire A"\ncountry = "NG"\n'
                       f'language = "en"\n[[sources]]\nurl = "{server.url("/b.xml")}"\nname = "Wire B"\n', encoding="utf-8")
    db = str(tmp_path / "ledger.db")
    both = runner.invoke(cli.app, ["watch", server.url("/a.xml"), "--sources", str(sources), "--db", db, "--once"])
    assert both.exit_code == 2 and "not both" in both.output
    result = runner.invoke(cli.app, ["watch", "--sources", str(sources), "--db", db, "--once", "--no-fetch-articles",
                                     "--retries", "0"])
    assert result.exit_code == 1, result.output  # a source failed: --once says so
    assert "poll Wire A: 1 items, 1 new, 1 stored" in result.output and "poll Wire B: failed (HTTP 500" in result.output
    assert server.hits("/a.xml")[0].headers["Accept-Language"].startswith("en")

    shown = runner.invoke(cli.app, ["sources", "--db", db, "--json"])
    assert shown.exit_code == 0
    state = {s["name"]: s for s in json.loads(shown.stdout)["sources"]}
    assert (state["Wire A"]["country"], state["Wire A"]["every_s"], state["Wire A"]["items_stored"]) == ("NG", 600, 1)
    assert state["Wire B"]["error_count"] == 1 and "HTTP 500" in state["Wire B"]["last_error"]
    table = runner.invoke(cli.app, ["sources", "--db", db])
    assert table.exit_code == 0 and "Wire A" in table.stdout and "HTTP 500" in table.stdout

    with Ledger(db) as ledger, TestClient(create_app(ledger=ledger, write_token=None, read_token=None)) as client:
        answer = client.get("/sources").json()
    assert {s["name"] for s in answer["sources"]} == {"Wire A", "Wire B"}
    assert answer["deliveries"] == {"delivered": 0, "pending": 0, "failed": 0}


def test_country_on_the_command_line_is_kept_with_each_source(runner, server, tmp_path):
    server.route("/a.xml", rss([]))
    db = str(tmp_path / "ledger.db")
    result = runner.invoke(cli.app, ["watch", server.url("/a.xml"), "--db", db, "--once", "--country", "ng"])
    assert result.exit_code == 0, result.output
    with Ledger(db) as ledger:
        assert [s.country for s in WatchState(ledger).sources()] == ["NG"]


@pytest.mark.parametrize("args, message", [
    (["--every", "often"], "not a duration"),
    (["--alert", "kill=3"], "not a rule key"),
    (["--webhook", "ftp://x"], "not an http(s) URL"),
    (["--webhook", "http://x/hook"], "need at least one --alert"),
    (["--country", "Syria"], "ISO 3166"),
])
def test_bad_options_are_one_line_errors(runner, tmp_path, args, message):
    result = runner.invoke(cli.app, ["watch", str(tmp_path), "--db", str(tmp_path / "l.db"), "--once", *args])
    assert result.exit_code == 2 and message in result.output


def test_sources_on_a_ledger_never_watched(runner, tmp_path):
    db = str(tmp_path / "ledger.db")
    Ledger(db).close()
    result = runner.invoke(cli.app, ["sources", "--db", db])
    assert result.exit_code == 0 and "No source has been watched" in result.output
