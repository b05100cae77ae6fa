"""The ledger's own gazetteer: GeoNames dumps and ACLED CSVs read, imported once, consulted beside GeoNames;
a default country for reports that name none; places an analyst sets join it."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.extract.places import PlaceResolver
from sitrep.nlp.gazetteer import LocalPlace
from sitrep.places.readers import read_acled, read_geonames
from sitrep.store.ledger import Ledger

runner = CliRunner()

# GeoNames' 19 tab-separated columns: geonameid, name, asciiname, alternatenames, latitude, longitude, feature
# class, feature code, country code, cc2, admin1..4 codes, population, elevation, dem, timezone, modification date
_ROWS = [
    ("900001", "Zorbléko", "Zorbleko", "Zorbleko,Zorblekou", "11.2051", "2.9402", "P", "PPL", "BJ", "", "10", "1002",
     "", "", "0", "", "290", "Africa/Porto-Novo", "2024-01-01"),
    ("900002", "Alibori Test Region", "Alibori Test Region", "", "11.3", "2.6", "A", "ADM1", "BJ", "", "10", "", "",
     "", "0", "", "280", "Africa/Porto-Novo", "2024-01-01"),
    ("900003", "Kandi Test District", "Kandi Test District", "", "11.1", "2.9", "A", "ADM2", "BJ", "", "10", "1002",
     "", "", "0", "", "280", "Africa/Porto-Novo", "2024-01-01"),
    ("900004", "Mont Zorbi", "Mont Zorbi", "", "11.0", "2.8", "T", "MT", "BJ", "", "10", "1002", "", "", "0", "",
     "400", "Africa/Porto-Novo", "2024-01-01"),
]


def _dump(folder: Path, rows=_ROWS) -> Path:
    path = folder / "BJ.txt"
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_geonames_dump_read_with_regions_and_classes(tmp_path: Path) -> None:
    places = list(read_geonames(_dump(tmp_path)))
    # ADM1 regions and countries are GeoNames' own index's; the mountain (class T) is not asked for by default
    assert [p.name for p in places] == ["Zorbléko", "Kandi Test District"]
    village = places[0]
    assert (village.lat, village.lon, village.country_code, village.geonameid) == (11.2051, 2.9402, "BJ", 900001)
    assert (village.admin1, village.admin2) == ("Alibori Test Region", "Kandi Test District")
    assert village.alternate_names == ("Zorbleko", "Zorblekou") and village.source == "geonames BJ.txt"
    assert [p.name for p in read_geonames(_dump(tmp_path), "T")] == ["Mont Zorbi"]


def test_geonames_zip_and_a_file_that_is_no_dump(tmp_path: Path) -> None:
    text = _dump(tmp_path)
    archive = tmp_path / "BJ.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(text, "readme.txt")
        z.write(text, "BJ.txt")
    assert [p.name for p in read_geonames(archive)] == ["Zorbléko", "Kandi Test District"]
    bad = tmp_path / "bad.txt"
    bad.write_text("name,lat,lon\nZorbleko,11.2,2.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not the 19 columns of a GeoNames dump"):
        list(read_geonames(bad))


def _acled(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_acled_csv_read(tmp_path: Path) -> None:
    path = _acled(tmp_path / "events.csv", [
        {"location": "Zorbleko", "admin1": "Alibori", "admin2": "Kandi", "latitude": "11.2051", "longitude": "2.9402",
         "country": "Benin", "iso": "204"},
        {"location": "Nowhere", "admin1": "", "admin2": "", "latitude": "not a number", "longitude": "2",
         "country": "Benin", "iso": "204"},
        {"location": "Kpédékpo", "admin1": "Zou", "admin2": "NA", "latitude": "7.1", "longitude": "2.1",
         "country": "", "iso": "204"},
    ])
    places = list(read_acled(path))
    assert [(p.name, p.country_code, p.admin1, p.admin2) for p in places] == [
        ("Zorbleko", "BJ", "Alibori", "Kandi"), ("Kpédékpo", "BJ", "Zou", None)]
    no_location = _acled(tmp_path / "other.csv", [{"place": "x", "latitude": "1", "longitude": "2", "iso": "204"}])
    with pytest.raises(ValueError, match="not an ACLED-style CSV"):
        list(read_acled(no_location))


def test_places_import_is_idempotent_and_listed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    dump = _dump(tmp_path)
    first = runner.invoke(app, ["places", "import", str(dump), "--format", "geonames", "--db", db])
    assert first.exit_code == 0, first.output
    assert "2 places added" in first.output
    again = runner.invoke(app, ["places", "import", str(dump), "--format", "geonames", "--db", db])
    assert "0 places added" in again.output and "2 already there" in again.output
    listed = runner.invoke(app, ["places", "list", "--db", db])
    assert listed.exit_code == 0 and "geonames BJ.txt" in listed.output and "2" in listed.output
    wrong = runner.invoke(app, ["places", "import", str(dump), "--format", "acled", "--db", db])
    assert wrong.exit_code == 2 and "is not an ACLED-style CSV" in " ".join(wrong.output.split())


def test_imported_village_is_resolved(gazetteer, nlp_base) -> None:
    """A village GeoNames' packaged index lacks is found once imported, at its own coordinates."""
    village = LocalPlace("Zorbléko", 11.2051, 2.9402, "BJ", alternate_names=("Zorbleko",), source="test")
    assert gazetteer.lookup("Zorbleko") == []
    local = gazetteer.with_places([village])
    from sitrep.nlp.ruler import build_nlp

    nlp = build_nlp(local)
    resolver = PlaceResolver(local)
    doc = nlp("Gunmen killed two farmers in Zorbleko, northern Benin, on Monday.")
    found = {span.text: place for span, place in resolver.places(doc)}
    assert set(found) == {"Zorbleko", "Benin"}
    village = found["Zorbleko"]
    assert (village.country_code, round(village.lat, 4), round(village.lon, 4)) == ("BJ", 11.2051, 2.9402)


def test_default_country_decides_a_name_shared_across_countries(pipeline) -> None:
    """'Kandi' is a town in Benin and a larger namesake elsewhere: a Benin feed's report means Benin's."""
    resolver = pipeline.mentions.places
    doc = pipeline.nlp("Gunmen killed two farmers in Kandi on Monday, police said.")
    default = {span.text: p.country_code for span, p in resolver.places(doc, resolver.context(doc, "BJ"))}
    assert default == {"Kandi": "BJ"}
    # a report that names its country is not overruled by the default
    doc = pipeline.nlp("Gunmen killed two farmers in Kandy, Sri Lanka, on Monday, police said.")
    named = {span.text: p.country_code for span, p in resolver.places(doc, resolver.context(doc, "BJ"))}
    assert named["Kandy"] == "LK"


def test_ingest_country_option_checked(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("Gunmen killed two farmers in Kandi on Monday, police said.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(report), "--country", "XX", "--db", f"sqlite:///{tmp_path / 'l.db'}"])
    assert result.exit_code == 2 and "ISO 3166" in result.output


def test_place_set_by_an_analyst_joins_the_gazetteer(tmp_path: Path) -> None:
    from sitrep.records import Article, Extraction, Incident, Place

    with Ledger(f"sqlite:///{tmp_path / 'l.db'}") as ledger:
        article = Article.from_text("Gunmen attacked a village on Monday.", source="test")
        incident = Incident(id="inc-village", sub_event_type="Attack", location=Place(name="a village"),
                            articles=[article.id])
        ledger.add(article, Extraction(incidents=[incident]))
        incident_id = ledger.incidents()[0].id
        ledger.edit_incident(incident_id, {"location": {"name": "Zorbléko", "lat": 11.2051, "lon": 2.9402,
                                               "country_code": "BJ", "precision": "town"}}, by="analyst")
        places = ledger.places("BJ")
    assert [(p.name, p.lat, p.lon, p.country_code) for p in places] == [("Zorbléko", 11.2051, 2.9402, "BJ")]
    assert places[0].source == f"analyst {incident_id}"
