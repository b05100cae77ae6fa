"""The model report (../shared/seeds) against the analyst's coding (../shared/eval/seed-gold.json).

Skips cleanly when ../shared is not beside the checkout.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sitrep.records import Article

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "eval" / "seed-gold.json"

pytestmark = pytest.mark.skipif(not GOLD.exists(), reason=f"no model report gold at {GOLD}")


@pytest.fixture(scope="module")
def coded(pipeline):
    gold = json.loads(GOLD.read_text())
    report = (GOLD.parent / gold["article"]).resolve()
    article = Article.from_text(report.read_text(encoding="utf-8"), published=dt.date.fromisoformat(gold["published"]))
    return gold, article, pipeline.extract(article)


def test_two_linked_incidents(coded):
    gold, _, result = coded
    got = {i.location.geonameid: i for i in result.incidents}
    assert set(got) == {g["location"]["geonameid"] for g in gold["incidents"]}
    for inc in got.values():
        assert set(inc.related) == {o.id for o in got.values() if o is not inc}


@pytest.mark.parametrize("key", ["tartus", "jableh"])
def test_incident_fields(coded, key):
    gold, article, result = coded
    want = next(g for g in gold["incidents"] if g["key"] == key)
    inc = next(i for i in result.incidents if i.location.geonameid == want["location"]["geonameid"])
    assert str(inc.date) == want["date"] and inc.date_precision == want["date_precision"]
    assert inc.location.country_code == want["location"]["country_code"]
    assert abs(inc.location.lat - want["location"]["lat"]) < 0.01 and abs(inc.location.lon - want["location"]["lon"]) < 0.01
    assert inc.sub_event_type in want["acled"]["sub_event_types"]
    assert inc.event_type == want["acled"]["event_type"]
    assert inc.killed.best == want["killed"]["value"]
    counted = [f for f in inc.figures if f.kind == "killed" and f.value == want["killed"]["value"]]
    assert counted and all(f.reported_by == want["killed"]["reported_by"] for f in counted)
    assert all(article.text[f.start:f.end] in f.quote for f in counted)
    perp = {p.name: p.basis for p in inc.perpetrators}
    assert perp.get(want["perpetrator"]["name"]) == want["perpetrator"]["basis"]


def test_not_incidents_are_excluded_with_reasons(coded):
    gold, _, result = coded
    incident_text = " ".join(e.text for i in result.incidents for e in i.evidence if e.field == "event")
    for snippet, reason in [("1986", "historical"), ("270,000", "aggregate"), ("Fallujah", None),
                            ("Daraya", None), ("more devastating", "threat")]:
        hits = [e for e in result.excluded if snippet in e.text]
        assert hits, f"{snippet!r} is not among the excluded mentions"
        if reason:
            assert any(e.reason == reason for e in hits), [(e.reason, e.detail) for e in hits]
        assert all(e.detail for e in hits)
    assert "144" not in {str(f.value) for i in result.incidents for f in i.figures}
    assert "270,000" not in incident_text
