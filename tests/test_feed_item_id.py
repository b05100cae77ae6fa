"""A report's own id in its feed (JSONL `id`, RSS guid, Atom id): read, stored, read back and shown;
never part of the report's identity (the same text from two feeds is one report)."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sitrep import cli
from sitrep.api import create_app
from sitrep.ingest import read_articles
from sitrep.records import Article, Evidence, Extraction, Incident, Place, Range
from sitrep.store.ledger import Ledger

TEXT = "Gunmen killed four people in Bobo-Dioulasso on Monday, police said."

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Bobo attack</title><link>http://example.org/bobo</link><guid isPermaLink="false">wire-7781</guid>
<pubDate>Tue, 06 Feb 2024 08:00:00 +0000</pubDate><description>{text}</description></item>
<item><title>No guid</title><description>Protesters were dispersed with tear gas in Ouagadougou.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Monitor</title><id>urn:feed</id><updated>2024-02-06T00:00:00Z</updated>
<entry><title>Bobo</title><id>urn:uuid:1f0e-bobo</id><updated>2024-02-06T00:00:00Z</updated>
<content type="text">{text}</content></entry></feed>
"""


def test_readers_keep_the_feed_item_id(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "item-42", "text": TEXT}) + "\n" + json.dumps({"id": 7, "text": TEXT + " More."}) + "\n"
        + json.dumps({"text": "No id here: a protest in Kaya."}) + "\n", encoding="utf-8")
    (tmp_path / "b.rss").write_text(RSS.format(text=TEXT), encoding="utf-8")
    (tmp_path / "c.xml").write_text(ATOM.format(text=TEXT), encoding="utf-8")
    items = list(read_articles([tmp_path]))
    assert all(isinstance(a, Article) for a in items), items
    by_id = [(a.feed_item_id, a.content_hash) for a in items]
    assert [i for i, _ in by_id] == ["item-42", "7", None, "wire-7781", None, "urn:uuid:1f0e-bobo"]
    # the same text from three feeds is one report: the item id is not content
    hashes = {h for i, h in by_id if i in ("item-42", "wire-7781", "urn:uuid:1f0e-bobo")}
    assert len(hashes) == 1
    assert Article.from_text(TEXT, feed_item_id="x").id == Article.from_text(TEXT).id


def test_ledger_api_and_show_give_it_back(db_url, tmp_path):
    article = Article.from_text(TEXT, title="Bobo attack", source="Wire", published=dt.date(2024, 2, 6),
                                url="http://example.org/bobo", feed_item_id="wire-7781")
    incident = Incident(
        id="BFA-bobo", event_type="Violence against civilians", sub_event_type="Attack",
        date=dt.date(2024, 2, 5), date_precision="day",
        location=Place(name="Bobo-Dioulasso", lat=11.18, lon=-4.3, country_code="BF", precision="town"),
        killed=Range(low=4, best=4, high=4), articles=[article.id],
        evidence=[Evidence(field="event", article_id=article.id, start=0, end=len(TEXT), text=TEXT)],
    )
    with Ledger(db_url) as ledger:
        ledger.add(article, Extraction(incidents=[incident]))
        assert ledger.article(article.id).feed_item_id == "wire-7781"
        client = TestClient(create_app(ledger=ledger, write_token=None, read_token=None))
        assert client.get("/incidents/BFA-bobo").json()["reports"][0]["feed_item_id"] == "wire-7781"
        assert client.get(f"/articles/{article.id}").json()["feed_item_id"] == "wire-7781"
    shown = CliRunner().invoke(cli.app, ["show", "BFA-bobo", "--db", db_url])
    assert shown.exit_code == 0, shown.output
    assert "feed item wire-7781" in shown.stdout
    as_json = json.loads(CliRunner().invoke(cli.app, ["show", "BFA-bobo", "--db", db_url, "--json"]).stdout)
    assert as_json["reports"][0]["feed_item_id"] == "wire-7781"
