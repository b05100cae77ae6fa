"""`sitrep eval casualties` and `sitrep eval geo`: readers and scorers on small inputs of our own, and
a smoke run of each command on the shared data (skipped when ../shared/data is absent)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.evaluate import casualties, geo
from sitrep.evaluate.common import main_incident
from sitrep.extract.figures import SUICIDE
from sitrep.records import Evidence, Extraction, Figure, Incident, Place, Range

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GVC = DATA / "gvc" / "gvc-train-dev.jsonl"
ACLED = DATA / "acled" / "acled-benin-dev.csv"


def _fig(kind, value, scope=None):
    return Figure(kind=kind, value=value, scope=scope, quote="q", article_id="a", start=0, end=1)


def _ev(start):
    return Evidence(field="event", article_id="a", start=start, end=start + 5, text="x")


def test_read_gvc(tmp_path):
    path = tmp_path / "gvc.jsonl"
    rows = [{"doc_id": "d1", "title": "Man shot", "dct": "2016-05-24", "text": "A man was shot.",
             "split_ukp_bugert2021": "dev", "gva": {"num_killed": 0, "num_injured": 1}},
            {"doc_id": "d2", "title": "", "dct": "2016-05-25", "text": "Two dead.",
             "split_ukp_bugert2021": "train", "gva": {"num_killed": 2, "num_injured": 0}}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    gold = list(casualties.read_gvc(path))
    assert [(g.doc_id, g.killed, g.injured, g.published) for g in gold] == [
        ("d1", 0, 1, dt.date(2016, 5, 24)), ("d2", 2, 0, dt.date(2016, 5, 25))]
    assert gold[0].text.startswith("Man shot\n\n")
    assert [g.doc_id for g in casualties.read_gvc(path, split="dev")] == ["d1"]


def test_read_gva_folder(tmp_path):
    """A GVA folder: each article against its incident's counts, crawl noise skipped, oldest first."""
    incidents = [{"incident_uri": "7", "num_killed": 1, "num_injured": 2}]
    long_text = "Police said a man was shot and killed on Main Street. " * 6
    articles = [{"incident_id": "7", "title": "Man killed", "dct": "2017-03-02", "content": long_text},
                {"incident_id": "7", "title": "Man killed", "dct": "2017-03-01", "content": "Subscribe now."},
                {"incident_id": "9", "title": "Other", "dct": "2017-03-01", "content": long_text}]
    (tmp_path / "gva_incidents.jsonl").write_text("\n".join(json.dumps(r) for r in incidents))
    (tmp_path / "gva_articles.jsonl").write_text("\n".join(json.dumps(r) for r in articles))
    gold = casualties.read_gva(tmp_path)
    assert [(g.doc_id, g.killed, g.injured, g.published) for g in gold] == [("7:1", 1, 2, dt.date(2017, 3, 2))]
    assert gold[0].text.startswith("Man killed\n")


def test_main_incident_has_the_most_evidence():
    small = Incident(id="a", evidence=[_ev(0)])
    big = Incident(id="b", evidence=[_ev(10), _ev(20)])
    assert main_incident(Extraction(incidents=[small, big])).id == "b"
    assert main_incident(Extraction()) is None


def test_counts_are_the_incidents_best_values():
    # the incident's killed counts attackers killed already (reconcile.attackers)
    inc = Incident(id="x", killed=Range(low=3, best=3, high=3), injured=None,
                   figures=[_fig("killed", 2), _fig("killed", 1, SUICIDE)])
    assert casualties.counts(inc) == (3, 0)
    assert casualties.counts(None) == (0, 0)


def test_casualty_scores():
    preds = [casualties.Prediction("a", 1, 0, 1, 0, 1), casualties.Prediction("b", 2, 1, 1, 1, 1)]
    s = casualties.score(preds).summary()
    assert (s["articles"], s["killed_acc"], s["injured_acc"], s["killed_mae"], s["injured_mae"]) == (
        2, 0.5, 1.0, 0.5, 0.0)


def test_read_acled_and_geo_scores(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,country,location,admin1,latitude,longitude,notes\n"
        'X1,3 May 2022,Benin,Kandi,Alibori,11.13,2.94,"Gunmen attacked Kandi (Kandi, Alibori)."\n')
    (g,) = geo.read_acled(path)
    assert (g.event_id, g.published, g.country, g.lat, g.lon) == ("X1", dt.date(2022, 5, 3), "BJ", 11.13, 2.94)
    preds = [geo.GeoPrediction("a", "A", 0.0, 0.0, "BJ", "town", 10.0, "BJ"),
             geo.GeoPrediction("b", "B", 0.0, 0.0, "NE", "town", 100.0, "BJ"),
             geo.GeoPrediction("c", None, None, None, None, None, None, "BJ")]
    s = geo.score(preds).summary()
    assert (s["events"], s["acc_25km"], s["acc_161km"], s["median_km"], s["country_acc"], s["unresolved"]) == (
        3, round(1 / 3, 4), round(2 / 3, 4), 55.0, round(1 / 3, 4), 1)


def test_located_prefers_the_main_incident():
    here = Place(name="Kandi", lat=11.1, lon=2.9, country_code="BJ", precision="town")
    inc = Incident(id="a", location=here, evidence=[_ev(0)])
    assert geo.located(Extraction(incidents=[inc])) == here
    assert geo.located(Extraction(incidents=[Incident(id="b")])) is None


@pytest.mark.skipif(not GVC.exists(), reason=f"no GVC data at {GVC}")
def test_eval_casualties_command():
    from sitrep.cli import app

    result = CliRunner().invoke(app, ["eval", "casualties", str(GVC), "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["articles"] == 3 and {"killed_acc", "injured_acc", "killed_mae", "injured_mae"} <= set(last)


@pytest.mark.skipif(not ACLED.exists(), reason=f"no ACLED data at {ACLED}")
def test_eval_geo_command():
    from sitrep.cli import app

    result = CliRunner().invoke(app, ["eval", "geo", str(ACLED), "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["events"] == 3
    assert {"acc_25km", "acc_161km", "median_km", "country_acc", "unresolved"} <= set(last)


def test_gazetteer_ceiling_counts_gold_names_the_gazetteer_places(gazetteer):
    gold = [geo.GoldEvent("a", "", None, 11.13, 2.94, "BJ", location="Kandi"),      # in the gazetteer
            geo.GoldEvent("b", "", None, 11.13, 2.94, "BJ", location="Zzyxville"),  # not in it
            geo.GoldEvent("c", "", None, 40.0, -3.0, "BJ", location="Kandi")]       # far from the point
    assert geo.gazetteer_ceiling(gazetteer, gold) == (1, 3)
