"""ACLED CSV as ACLED writes it, and GeoJSON that GIS reads: the coding rules (sitrep.acled), the model
report's rows, the policy for incomplete incidents, and the GeoJSON read back with GDAL (pyogrio)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from backends import BACKENDS, fresh_ledger_url
from fastapi.testclient import TestClient
from ledger_samples import LOCATED, TOTAL, build_sample_ledger
from model_report import model_report_ledger, needs_seed
from typer.testing import CliRunner

from sitrep import acled
from sitrep.api import create_app
from sitrep.cli import app
from sitrep.exports import ACLED_COLUMNS, acled_row
from sitrep.records import Actor, Incident, Place, Range
from sitrep.store.ledger import Ledger

runner = CliRunner()


# ------------------------------------------------------------------ the rules


@pytest.mark.parametrize(("name", "victim", "code"), [
    ("Islamic State", False, 2),  # a named jihadist group of the codebook: a rebel group
    ("Taliban", False, 2),
    ("Hezbollah", False, 3),  # kind militia: a political militia
    ("unidentified gunmen", False, 3),
    ("Russian forces", False, 1),
    ("police", False, 1),
    ("rebel forces", False, 2),  # precedence: the rebels, not the forces
    ("protesters", False, 6),
    ("rioters", False, 5),
    ("villagers", False, 5),  # a crowd that acts: rioters ...
    ("villagers", True, 7),  # ... a crowd attacked: civilians
    ("10 civilians", True, 7),
    ("UN peacekeepers", False, 8),
    ("the bakery", False, None),  # no rule types it: no code, never a guess
])
def test_actor_types(name, victim, code):
    assert acled.actor_type(name, victim=victim) == code


def test_countries_regions_and_interaction():
    assert acled.country("SY") == (760, "Syria", "Middle East")
    assert acled.country("no")[1:] == ("Norway", "Europe")  # 'NO' is not YAML's false
    assert acled.country("CD")[1:] == ("Democratic Republic of Congo", "Middle Africa")
    assert acled.country(None) == (None, None, None)
    assert acled.Sides(inter1=2, inter2=7).interaction == 27
    assert acled.Sides(inter1=7, inter2=1).interaction == 17  # the lower code first
    assert acled.Sides(inter1=3).interaction == 30  # alone
    assert acled.Sides(inter2=7).interaction is None


def test_source_scale_rule():
    assert acled.source_scale(["Reuters"]) == "International"
    assert acled.source_scale(["Syrian Observatory for Human Rights"]) == "Other"
    assert acled.source_scale(["police", "Kyiv Independent", "AFP"]) == "Local-National-International"
    assert acled.source_scale(["the regional governor", "SOHR monitor"]) == "Local-Other"
    assert acled.source_scale([]) is None


def incident(**fields) -> Incident:
    base = dict(id="X-1", event_type="Violence against civilians", sub_event_type="Attack", date=dt.date(2024, 3, 4),
                date_precision="day", location=Place(name="Djibo", lat=14.1, lon=-1.6, country_code="BF",
                                                     admin1="Sahel", admin2="Soum", precision="town"),
                killed=Range(low=4, best=5, high=7), updated_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.timezone.utc))
    return Incident(**{**base, **fields})


def test_acled_row_fills_what_the_record_knows():
    row = acled_row(incident(perpetrators=[Actor(name="Gunmen")], victims=["villagers"]))
    assert (row["actor1"], row["inter1"]) == ("Unidentified Armed Group (Burkina Faso)", 3)
    assert (row["actor2"], row["inter2"], row["interaction"]) == ("Civilians (Burkina Faso)", 7, 37)
    assert row["civilian_targeting"] == "Civilian targeting"
    assert (row["region"], row["country"], row["iso"]) == ("Western Africa", "Burkina Faso", 854)
    assert (row["admin1"], row["admin2"], row["admin3"]) == ("Sahel", "Soum", None)
    assert row["fatalities"] == 4  # the conservative figure, as ACLED codes
    assert row["timestamp"] == int(dt.datetime(2024, 3, 5, 12, tzinfo=dt.timezone.utc).timestamp())
    assert row["time_precision"] == 1
    assert row["notes"].startswith("On 4 March 2024, an attack by Gunmen in Djibo (Soum, Sahel, Burkina Faso)")
    assert "4 to 7 (best 5) killed" in row["notes"]


def test_acled_row_by_event_type_and_precision():
    protest = acled_row(incident(event_type="Protests", sub_event_type="Peaceful protest", killed=None,
                                 date_precision="month"))
    assert (protest["actor1"], protest["inter1"], protest["interaction"]) == ("Protesters (Burkina Faso)", 6, 60)
    assert protest["tags"] == "crowd size=no report"
    assert protest["time_precision"] == 3 and protest["fatalities"] == 0
    assert protest["notes"].startswith("In March 2024, a peaceful protest in Djibo")
    assert "Casualties unknown." in protest["notes"]
    force = acled_row(incident(event_type="Protests", sub_event_type="Excessive force against protesters",
                               perpetrators=[Actor(name="police")]))
    assert (force["actor1"], force["inter1"], force["actor2"], force["inter2"]) == (
        "Police Forces of Burkina Faso", 1, "Protesters (Burkina Faso)", 6)
    clash = acled_row(incident(event_type="Battles", sub_event_type="Armed clash",
                               perpetrators=[Actor(name="JNIM")], targets=["soldiers"], date_precision="week"))
    assert (clash["inter1"], clash["actor2"], clash["inter2"], clash["interaction"]) == (
        2, "Military Forces of Burkina Faso", 1, 12)
    assert clash["civilian_targeting"] is None and clash["time_precision"] == 2
    assert clash["notes"].startswith("In the week of 4 March 2024, an armed clash by JNIM")


# ------------------------------------------------------------------ incomplete incidents, a stated policy


@pytest.fixture(scope="module", params=BACKENDS)
def sample_url(request, tmp_path_factory):
    url = fresh_ledger_url(request, tmp_path_factory.mktemp("acled"))
    build_sample_ledger(url).close()
    return url


def test_acled_csv_skips_undated_and_says_how_many(sample_url):
    result = runner.invoke(app, ["export", "--db", sample_url, "--format", "acled-csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == TOTAL - 1 and "XX-unplaced" not in {r["event_id_cnty"] for r in rows}
    assert "1 undated incident left out" in result.stderr
    with Ledger(sample_url) as ledger:
        client = TestClient(create_app(ledger=ledger, write_token=None, read_token=None))
        r = client.get("/export.csv")
        assert r.headers["X-Sitrep-Undated-Left-Out"] == "1"
        assert len(list(csv.DictReader(io.StringIO(r.text)))) == TOTAL - 1
        assert client.get("/export.csv?country=SY").headers["X-Sitrep-Undated-Left-Out"] == "0"
        geo = client.get("/export.geojson")
        assert geo.headers["X-Sitrep-Unlocated-Left-Out"] == "1" and len(geo.json()["features"]) == LOCATED
        every = client.get("/export.geojson?include_unlocated=true")
        assert every.headers["X-Sitrep-Unlocated-Left-Out"] == "0"
        assert [f["geometry"] for f in every.json()["features"]].count(None) == TOTAL - LOCATED


def test_geojson_unlocated_only_when_asked(sample_url, tmp_path):
    out = tmp_path / "all.geojson"
    result = runner.invoke(app, ["export", "--db", sample_url, "--format", "geojson", "-o", str(out)])
    assert result.exit_code == 0
    assert f"{LOCATED} incidents written" in result.output and "1 incident without coordinates left out" in result.output
    assert len(json.loads(out.read_text())["features"]) == LOCATED
    result = runner.invoke(app, ["export", "--db", sample_url, "--format", "geojson", "--include-unlocated",
                                 "-o", str(out)])
    features = json.loads(out.read_text())["features"]
    assert len(features) == TOTAL and f"{TOTAL} incidents written" in result.output
    unplaced = next(f for f in features if f["id"] == "XX-unplaced")
    assert unplaced["geometry"] is None and unplaced["properties"]["fatalities"] == 1


# ------------------------------------------------------------------ GeoJSON read back by GDAL


def test_gdal_reads_typed_columns(sample_url, tmp_path):
    pyogrio = pytest.importorskip("pyogrio", reason="pyogrio (GDAL) is in the test extra")
    out = tmp_path / "incidents.geojson"
    assert runner.invoke(app, ["export", "--db", sample_url, "--format", "geojson", "-o", str(out)]).exit_code == 0
    info = pyogrio.read_info(out)
    types = dict(zip(info["fields"], info["dtypes"]))
    assert info["geometry_type"] == "Point" and info["features"] == LOCATED
    assert "4326" in str(info["crs"])  # RFC 7946: WGS 84
    for column in ("fatalities", "killed_low", "killed_best", "killed_high", "injured", "reports"):
        assert types[column].startswith("int"), (column, types[column])
    for column in ("location", "country_code", "admin1", "event_type", "sub_event_type", "perpetrators", "sources"):
        assert types[column] == "object", (column, types[column])
    assert types["date"].startswith("datetime64")
    assert types["suicide"] == "bool"
    _, _, geometry, fields = pyogrio.raw.read(out)
    names = list(info["fields"])
    by_id = {fields[names.index("id")][i]: {n: fields[j][i] for j, n in enumerate(names)} for i in range(len(geometry))}
    assert by_id["SYR-20160523-jableh"]["fatalities"] == 100
    assert by_id["SYR-20160523-jableh"]["location"] == "Jableh"
    assert by_id["SYR-20160523-jableh"]["perpetrators"] == "Islamic State"
    # and with the unlocated incident, as a feature with no geometry
    assert runner.invoke(app, ["export", "--db", sample_url, "--format", "geojson", "--include-unlocated",
                               "-o", str(out)]).exit_code == 0
    assert pyogrio.read_info(out)["features"] == TOTAL


def test_gdal_reads_a_change_time_a_hair_before_the_second(tmp_path):
    """GDAL keeps milliseconds and rounds .9997 s up to an invalid microsecond; the export writes seconds."""
    pyogrio = pytest.importorskip("pyogrio", reason="pyogrio (GDAL) is in the test extra")
    from sitrep.formats import incidents_geojson
    changed = dt.datetime(2024, 3, 5, 12, 0, 59, 999700, tzinfo=dt.timezone.utc)
    out = tmp_path / "one.geojson"
    out.write_text(incidents_geojson([incident(updated_at=changed)]))
    _, _, _, fields = pyogrio.raw.read(out)
    names = list(pyogrio.read_info(out)["fields"])
    assert str(fields[names.index("updated_at")][0]).startswith("2024-03-05T12:00:59")


# ------------------------------------------------------------------ the model report


@pytest.fixture(scope="module")
def model_ledger(pipeline, tmp_path_factory):
    ledger = model_report_ledger(pipeline, f"sqlite:///{tmp_path_factory.mktemp('model') / 'ledger.db'}")
    yield ledger
    ledger.close()


@needs_seed
def test_model_report_acled_rows(model_ledger):
    result = runner.invoke(app, ["export", "--db", model_ledger.url, "--format", "acled-csv"])
    assert result.exit_code == 0, result.output
    rows = {r["location"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"Jableh", "Tartus"}
    for town, row in rows.items():
        assert list(row) == ACLED_COLUMNS
        assert (row["actor1"], row["inter1"]) == ("Islamic State", "2")  # a rebel group
        assert (row["actor2"], row["inter2"], row["interaction"]) == ("Civilians (Syria)", "7", "27")
        assert row["civilian_targeting"] == "Civilian targeting"
        assert (row["region"], row["country"], row["iso"]) == ("Middle East", "Syria", "760")
        assert row["source_scale"] and row["timestamp"].isdigit()
        assert row["time_precision"] == "1" and row["event_date"] == "2016-05-23"
        other = ({"Jableh", "Tartus"} - {town}).pop()
        assert town in row["notes"] and other not in row["notes"], row["notes"]  # each row its own town
        assert row["notes"].startswith("On 23 May 2016, a suicide bombing by Islamic State")
    assert rows["Jableh"]["fatalities"] == "100" and rows["Tartus"]["fatalities"] == "48"
    assert "Syrian Observatory for Human Rights" in rows["Jableh"]["notes"]


@needs_seed
def test_model_report_geojson_is_flat(model_ledger):
    result = runner.invoke(app, ["export", "--db", model_ledger.url, "--format", "geojson"])
    features = {f["properties"]["location"]: f for f in json.loads(result.stdout)["features"]}
    assert set(features) == {"Jableh", "Tartus"}
    for feature in features.values():
        props = feature["properties"]
        assert not any(isinstance(v, (dict, list)) for v in props.values())
        assert isinstance(props["fatalities"], int) and isinstance(props["killed_high"], int)
        assert props["admin1"] and props["country_code"] == "SY"
    assert features["Jableh"]["properties"]["fatalities"] == 100
