"""`sitrep watch` on real ledgers (SQLite and PostgreSQL) against feed servers the tests start: each new
item coded once, restarts and a second watch code nothing twice, a kill between storing and marking
seen loses nothing, broken feeds are reported and retried without stopping the others, 304s, folders,
teasers, alerts at rising toll levels, webhook deliveries retried and recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from feedserver import FeedServer, rss
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from sitrep.ingest.batch import InProcessCoder
from sitrep.records import Incident, Place, Range
from sitrep.store.ledger import Ledger
from sitrep.store.schema import WatchItemRow
from sitrep.watch import loop, state as state_module
from sitrep.watch.alerts import Alerter, parse_rule
from sitrep.watch.fetch import Fetcher
from sitrep.watch.loop import Watcher
from sitrep.watch.sources import source_from_arg
from sitrep.watch.state import WatchState

REPORTS = {
    "dapchi": "Gunmen killed seven villagers and wounded four others in an attack on the village of Dapchi in "
              "Nigeria's Yobe state on Tuesday, police said. The attackers arrived on motorcycles and set fire to houses.",
    "kidal": "A roadside bomb killed three soldiers near Kidal in northern Mali on Monday, the army said. "
             "No group has claimed the attack.",
    "mogadishu": "A car bomb killed twelve people at a checkpoint in Mogadishu, Somalia on Sunday, police said. "
                 "Al-Shabaab claimed the attack.",
    "market": "Vegetable prices rose at the central market in Damascus on Monday as traders reported strong demand.",
}


def item(key: str, **fields: str) -> dict[str, str]:
    return {"title": key.title(), "guid": key, "description": REPORTS[key],
            "pubDate": "Wed, 07 Feb 2024 10:00:00 GMT", **fields}


class CountingCoder(InProcessCoder):
    """The in-process coder, counting the reports it codes."""

    def __init__(self, pipeline) -> None:
        super().__init__(pipeline)
        self.coded: list[str] = []

    def submit(self, batch):
        self.coded.extend(article.title or article.id for article in batch)
        return super().submit(batch)


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


class Desk:
    """A ledger, the session's pipeline behind a counting coder, and watchers on them."""

    def __init__(self, url: str, pipeline) -> None:
        self.ledger = Ledger(url)
        self.coder = CountingCoder(pipeline)
        self.state = WatchState(self.ledger)
        self.fetchers: list[Fetcher] = []

    def watcher(self, *urls: str, rules=(), webhooks=(), fetch_articles=False, every_s=900.0, **fetcher_options):
        options = dict(timeout=1.0, retries=0, backoff=0.01, host_interval=0.0)
        options.update(fetcher_options)
        fetcher = Fetcher(**options)
        self.fetchers.append(fetcher)
        alerter = Alerter(self.state, [parse_rule(r) for r in rules], webhooks, fetcher)
        sources = [source_from_arg(url, every_s=every_s) for url in urls]
        return Watcher(self.ledger, sources, self.coder, fetcher=fetcher, alerter=alerter, state=self.state,
                       fetch_articles=fetch_articles)

    def seen_rows(self) -> int:
        with self.ledger.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(WatchItemRow))

    def close(self) -> None:
        for fetcher in self.fetchers:
            fetcher.close()
        self.ledger.close()


@pytest.fixture
def desk(db_url, pipeline):
    opened = Desk(db_url, pipeline)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_desk(tmp_path, pipeline):
    opened = Desk(f"sqlite:///{tmp_path / 'ledger.db'}", pipeline)
    yield opened
    opened.close()


# ---------------------------------------------------------------- each item once


def test_each_new_item_is_coded_once_and_a_restarted_watch_codes_nothing(desk, server):
    server.route("/feed.xml", rss([item("dapchi"), item("kidal"), item("market")]))  # no validators: full each time
    (poll,) = desk.watcher(server.url("/feed.xml")).run(once=True)
    assert (poll.status, poll.items, poll.new, poll.stored, poll.incidents) == ("ok", 3, 3, 3, 2)
    assert desk.coder.coded == ["Dapchi", "Kidal", "Market"]
    stored = desk.ledger.article(desk.ledger.incidents(country="NG")[0].articles[0])
    assert stored.feed_item_id == "dapchi" and stored.source == "Test Wire"

    (again,) = desk.watcher(server.url("/feed.xml")).run(once=True)  # a restart, or a second watch
    assert (again.items, again.new, again.stored) == (3, 0, 0)
    assert desk.coder.coded == ["Dapchi", "Kidal", "Market"] and desk.ledger.counts()["articles"] == 3
    (source,) = desk.state.sources()
    assert (source.url, source.kind, source.items_seen, source.items_stored, source.error_count) == \
        (server.url("/feed.xml"), "feed", 3, 3, 0)
    assert source.last_success is not None and source.last_poll >= source.last_success
    assert source.next_poll > source.last_poll


def test_a_feed_whose_items_change(desk, server):
    server.route("/feed.xml", rss([item("dapchi"), item("kidal")]))
    watcher = desk.watcher(server.url("/feed.xml"))
    watcher.run(once=True)
    server.route("/feed.xml", rss([item("kidal"), item("mogadishu")]))  # one item gone, one new
    (poll,) = watcher.run(once=True)
    assert (poll.new, poll.stored) == (1, 1) and desk.coder.coded[-1] == "Mogadishu"
    revised = REPORTS["kidal"].replace("three soldiers", "four soldiers")
    server.route("/feed.xml", rss([item("kidal", description=revised), item("mogadishu", guid="mogadishu-v2")]))
    (poll,) = watcher.run(once=True)
    assert (poll.new, poll.revised, poll.stored) == (1, 1, 1)  # the edited item is coded; a new guid alone is not
    assert desk.coder.coded == ["Dapchi", "Kidal", "Mogadishu", "Kidal"]
    assert desk.ledger.counts()["articles"] == 4


def test_a_watch_killed_after_storing_an_item_but_before_marking_it_seen_codes_nothing_twice(desk, server, monkeypatch):
    class Killed(BaseException):
        pass

    server.route("/feed.xml", rss([item("dapchi"), item("kidal")]))
    real_mark_seen = WatchState.mark_seen

    def killed(self, *args, **kwargs):
        raise Killed  # the process dies here: the report is committed, the item not yet marked seen

    monkeypatch.setattr(WatchState, "mark_seen", killed)
    with pytest.raises(Killed):
        desk.watcher(server.url("/feed.xml"), rules=["min_killed=5"]).run(once=True)
    assert desk.ledger.counts()["articles"] == 1 and desk.seen_rows() == 0
    monkeypatch.setattr(WatchState, "mark_seen", real_mark_seen)

    alerted = []
    watcher = desk.watcher(server.url("/feed.xml"), rules=["min_killed=5"])
    watcher.alerter.on_alert = alerted.append
    (poll,) = watcher.run(once=True)
    assert (poll.new, poll.duplicates, poll.stored) == (2, 1, 1)
    assert desk.coder.coded == ["Dapchi", "Kidal"]  # Dapchi's report was found stored, not coded again
    assert desk.ledger.counts()["articles"] == 2 and desk.seen_rows() == 2
    assert [a["place"]["name"] for a in alerted] == ["Dapchi"]  # the alert the killed run never raised


# ---------------------------------------------------------------- failures


def test_broken_feeds_are_reported_and_retried_later_without_stopping_the_others(desk, server):
    server.route("/500.xml", b"oops", status=500, content_type="text/plain")
    server.route("/invalid.xml", b"<rss><channel><item><title>Broken</ti")
    server.route("/page.html", b"<!DOCTYPE html><html><head><title>Home</title></head><body>News</body></html>",
                 content_type="text/html")
    server.route("/slow.xml", rss([item("kidal")]), delay=1.0)
    server.route("/good.xml", rss([item("dapchi")]))
    broken = [server.url(p) for p in ("/500.xml", "/invalid.xml", "/page.html", "/slow.xml", "/missing.xml")]
    broken.append("http://no-such-host.invalid/rss.xml")
    watcher = desk.watcher(*broken, server.url("/good.xml"), timeout=0.3, every_s=600)
    polls = {p.source.url: p for p in watcher.run(once=True)}
    assert polls[server.url("/good.xml")].stored == 1
    reasons = {url: polls[url].error for url in broken}
    assert all(polls[url].failed for url in broken)
    assert "HTTP 500" in reasons[broken[0]] and "not well-formed XML" in reasons[broken[1]]
    assert "HTML page" in reasons[broken[2]] and "timed out" in reasons[broken[3]]
    assert "HTTP 404" in reasons[broken[4]] and "host not found" in reasons[broken[5]]

    watcher.run(once=True)  # still failing: counted, polled later and later
    state = {s.url: s for s in desk.state.sources()}
    for url in broken:
        assert (state[url].error_count, state[url].errors_total) == (2, 2) and state[url].last_success is None
        assert state[url].last_error == reasons[url]
        assert dt.timedelta(seconds=1190) < state[url].next_poll - state[url].last_poll <= dt.timedelta(seconds=1201)
    assert state[server.url("/good.xml")].error_count == 0

    server.route("/500.xml", rss([item("mogadishu")]))  # the feed comes back
    watcher.run(once=True)
    back = {s.url: s for s in desk.state.sources()}[broken[0]]
    assert (back.error_count, back.errors_total, back.items_stored) == (0, 2, 1)


def test_an_unchanged_feed_costs_a_304_and_items_left_unstored_are_read_again(sqlite_desk, server, monkeypatch):
    desk = sqlite_desk
    server.route("/feed.xml", rss([item("dapchi"), item("kidal")]), etag='"v1"')
    monkeypatch.setattr(loop, "STORE_WAIT_S", 0.001)
    real_add_many = Ledger.add_many

    def locked(self, *args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(Ledger, "add_many", locked)
    watcher = desk.watcher(server.url("/feed.xml"))
    (poll,) = watcher.run(once=True)
    assert (poll.unstored, poll.stored) == (2, 0) and desk.seen_rows() == 0
    monkeypatch.setattr(Ledger, "add_many", real_add_many)
    (poll,) = watcher.run(once=True)  # the ETag was not kept: the feed is read in full again
    assert poll.stored == 2 and "If-None-Match" not in server.hits("/feed.xml")[1].headers
    (poll,) = watcher.run(once=True)
    assert poll.status == "not modified" and server.hits("/feed.xml")[2].headers["If-None-Match"] == '"v1"'
    assert "not modified" in desk.state.sources()[0].last_status


# ---------------------------------------------------------------- folders and teasers


def test_a_folder_is_watched_file_by_file_and_line_by_line(desk, tmp_path):
    folder = tmp_path / "drops"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORTS["dapchi"], encoding="utf-8")
    watcher = desk.watcher(str(folder))
    (poll,) = watcher.run(once=True)
    assert poll.stored == 1
    (folder / "b.jsonl").write_text('{"id": "k1", "text": "%s", "published": "2024-02-07"}\n' % REPORTS["kidal"],
                                    encoding="utf-8")
    (poll,) = watcher.run(once=True)
    assert poll.stored == 1 and poll.items == 1  # a.txt, finished and unchanged, is not read again
    with (folder / "b.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "m1", "text": "%s", "published": "2024-02-07"}\n' % REPORTS["mogadishu"])
    (poll,) = watcher.run(once=True)
    assert (poll.items, poll.new, poll.stored) == (2, 1, 1)
    assert len(desk.coder.coded) == 3
    assert desk.state.sources()[0].kind == "folder"


def test_a_teaser_is_coded_from_its_article_unless_told_not_to(sqlite_desk, server):
    desk = sqlite_desk
    story = REPORTS["mogadishu"] + " " + " ".join(["Witnesses said the blast destroyed several vehicles."] * 6)
    server.route("/story", f"<html><head><title>Blast</title></head><body><article><p>{story}</p></article></body></html>",
                 content_type="text/html")
    server.route("/feed.xml", rss([{"title": "Blast", "guid": "b1", "link": server.url("/story"),
                                    "description": "A car bomb killed twelve people… Read more",
                                    "pubDate": "Mon, 05 Feb 2024 10:00:00 GMT"}]))
    (poll,) = desk.watcher(server.url("/feed.xml"), fetch_articles=True).run(once=True)
    (incident,) = desk.ledger.incidents()
    assert poll.stored == 1 and "Witnesses said" in desk.ledger.article(incident.articles[0]).text
    assert incident.killed.best == 12 and incident.location.name == "Mogadishu"

    server.route("/other.xml", rss([{"title": "Blast", "guid": "b2", "link": server.url("/story"),
                                     "description": "A car bomb went off in Baidoa… Read more"}]))
    desk.watcher(server.url("/other.xml"), fetch_articles=False).run(once=True)
    assert len(server.hits("/story")) == 1
    with desk.ledger.engine.connect() as conn:
        article_id = conn.scalar(select(WatchItemRow.article_id).where(WatchItemRow.guid == "b2"))
    assert desk.ledger.article(article_id).text == "A car bomb went off in Baidoa… Read more"


# ---------------------------------------------------------------- alerts


def _incident(killed: int | None, country: str = "SY") -> Incident:
    return Incident(id="inc-jableh", sub_event_type="Suicide bomb", event_type="Explosions/Remote violence",
                    location=Place(name="Jableh", country_code=country), sources=["Observatory"],
                    killed=Range(low=killed, best=killed, high=killed) if killed is not None else None)


def test_an_incident_alerts_once_then_again_at_each_higher_toll_level(desk, server):
    server.route("/hook", b"ok", content_type="text/plain")
    watcher = desk.watcher(rules=["min_killed=10", "country=SY,type='Suicide bomb'"], webhooks=[server.url("/hook")])
    alerter, printed = watcher.alerter, []
    alerter.on_alert = printed.append
    assert alerter.consider([_incident(12)]) == 1
    assert alerter.consider([_incident(12)]) == 0  # already alerted
    assert alerter.consider([_incident(24)]) == 0  # same level (10)
    assert alerter.consider([_incident(30)]) == 1  # level 25
    assert alerter.consider([_incident(9, country="IQ")]) == 0  # meets no rule
    other = Alerter(desk.state, alerter.rules, alerter.webhooks, alerter.fetcher)  # a second watch, same ledger
    assert other.consider([_incident(30)]) == 0
    assert [(p["alert"]["reason"], p["alert"]["level"], p["alert"]["previous_level"]) for p in printed] == \
        [("new", 10, None), ("toll rose", 25, 10)]
    assert printed[0]["alert"]["rules"] == ["min_killed=10", "country=SY,type='Suicide bomb'"]
    assert alerter.deliver() == (2, 0)
    sent = [r.json() for r in server.hits("/hook", "POST")]
    assert [s["killed"]["best"] for s in sent] == [12, 30] and sent[0]["url"].endswith("/#incident/inc-jableh")
    assert desk.state.deliveries() == {"delivered": 2, "pending": 0, "failed": 0}


def test_failed_webhook_deliveries_are_kept_and_retried_until_they_succeed_or_are_marked_failed(desk, server, monkeypatch):
    server.route("/hook", b"ok", content_type="text/plain", failures=1, failure_status=500)
    watcher = desk.watcher(rules=["min_killed=1"], webhooks=[server.url("/hook")])
    alerter = watcher.alerter
    alerter.consider([_incident(5)])
    assert alerter.deliver() == (0, 1)
    assert desk.state.deliveries() == {"delivered": 0, "pending": 1, "failed": 0}
    assert alerter.deliver() == (1, 0)  # the next poll
    assert len(server.hits("/hook", "POST")) == 2

    monkeypatch.setattr(state_module, "MAX_DELIVERY_ATTEMPTS", 2)
    closed = Fetcher(timeout=0.5, retries=0, host_interval=0)
    desk.fetchers.append(closed)
    down = Alerter(desk.state, alerter.rules, ["http://127.0.0.1:9/hook"], closed)  # nothing listens on port 9
    down.consider([_incident(60)])
    down.consider([Incident(id="inc-other", killed=Range(low=3, best=3, high=3))])
    assert down.deliver() == (0, 2)  # the first fails; the second waits without being tried
    assert down.deliver() == (0, 1)  # the first is now failed (2 attempts, kept); the second still waits
    assert desk.state.deliveries() == {"delivered": 1, "pending": 1, "failed": 1}
    assert down.deliver() == (0, 1)  # the second is tried at last
    assert desk.state.pending(["http://127.0.0.1:9/hook"])[0].attempts == 1


def test_an_unexpected_error_in_one_source_fails_that_source_only(sqlite_desk, server, monkeypatch):
    desk = sqlite_desk
    server.route("/a.xml", rss([item("dapchi")]))
    server.route("/b.xml", rss([item("kidal")]))
    real_take = Watcher._take

    def broken_for_a(self, source, *args):
        if source.url.endswith("/a.xml"):
            raise RuntimeError("a bug")
        return real_take(self, source, *args)

    monkeypatch.setattr(Watcher, "_take", broken_for_a)
    first, second = desk.watcher(server.url("/a.xml"), server.url("/b.xml")).run(once=True)
    assert first.failed and "internal error (RuntimeError: a bug)" in first.error
    assert second.stored == 1
