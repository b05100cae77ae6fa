"""End-to-end: hand-written reports (tests/reports) coded by the full pipeline against expected incidents.

The reports are this project's own prose; nothing in the extractor knows them. Each case checks only the
keys its entry in expected.yaml gives.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from sitrep.records import Article

REPORTS = Path(__file__).parent / "reports"
CASES = yaml.safe_load((REPORTS / "expected.yaml").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def _same_actor(expected: str, actual: str) -> bool:
    e, a = set(_norm(expected).split()), set(_norm(actual).split())
    return bool(e & a - {"the", "of", "forces", "group", "state", "al"}) or _norm(expected) in _norm(actual)


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _matches(incident, want) -> bool:
    loc = incident.location
    return loc is not None and _norm(loc.name) == _norm(str(want["place"]))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_report(case, pipeline):
    text = (REPORTS / case["file"]).read_text(encoding="utf-8")
    result = pipeline.extract(Article.from_text(text, published=_day(case["published"])))
    got = result.incidents
    expected = case.get("incidents") or []
    summary = [(i.location.name if i.location else None, str(i.date), i.sub_event_type) for i in got]
    assert len(got) == len(expected), f"expected {len(expected)} incidents, got {summary}"
    for want in expected:
        match = [i for i in got if _matches(i, want)]
        assert match, f"no incident at {want['place']!r}; got {summary}"
        inc = match[0]
        if "country" in want:
            assert inc.location.country_code == want["country"]
        if "date" in want:
            assert inc.date == _day(want["date"])
        if "date_precision" in want:
            assert inc.date_precision == want["date_precision"]
        if "sub_event_type" in want:
            assert inc.sub_event_type in want["sub_event_type"]
        if "killed" in want:
            assert (inc.killed.best if inc.killed else 0) == want["killed"], inc.figures
        if "killed_range" in want:
            low, high = want["killed_range"]
            assert inc.killed and (inc.killed.low, inc.killed.high) == (low, high), inc.killed
        if "injured" in want:
            assert (inc.injured.best if inc.injured else 0) == want["injured"], inc.figures
        if "perpetrator" in want:
            names = [p.name for p in inc.perpetrators]
            assert any(_same_actor(want["perpetrator"], n) for n in names), names
            if "basis" in want:
                basis = [p.basis for p in inc.perpetrators if _same_actor(want["perpetrator"], p.name)]
                assert want["basis"] in basis, inc.perpetrators
    reasons = {e.reason for e in result.excluded}
    for reason in case.get("excluded", []):
        assert reason in reasons, f"no excluded mention with reason {reason!r}: {[(e.reason, e.text[:60]) for e in result.excluded]}"


def test_an_earlier_incident_told_in_passing_is_kept_apart(pipeline):
    text = ("A man was shot dead outside a grocery store in Springdale on Tuesday night, police said.\n\n"
            "Officers found him on the pavement with a wound to the chest. No arrest has been made.\n\n"
            "In January, two brothers were found dead in a parked car a few streets away.")
    result = pipeline.extract(Article.from_text(text, published=dt.date(2024, 5, 16)))
    by_precision = {i.date_precision: i for i in result.incidents}
    assert set(by_precision) == {"day", "month"}
    assert (by_precision["day"].date, by_precision["day"].killed.best) == (dt.date(2024, 5, 14), 1)
    assert (by_precision["month"].date, by_precision["month"].killed.best) == (dt.date(2024, 1, 1), 2)
