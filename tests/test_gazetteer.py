"""The offline GeoNames index: normalisation, look-ups, admin names, countries, the disk cache."""

from __future__ import annotations

import pickle
import time
from array import array

import pytest

from sitrep.nlp import gazetteer as gazetteer_module
from sitrep.nlp.gazetteer import CACHE_NAME, Gazetteer, GeoCandidate, KeyIndex, index_version, normalize

JABLEH = 169304
TARTUS = 163345


@pytest.mark.parametrize(
    "raw, key",
    [
        ("Ţarţūs", "tartus"),
        ("Deir ez-Zor", "deir ez zor"),
        ("Deir ez Zor", "deir ez zor"),
        ("Ma'arrat al-Nu'man", "maarrat al numan"),
        ("Ma`arrat an Nu`man", "maarrat an numan"),
        ("  ALEPPO ", "aleppo"),
        ("Côte d’Ivoire", "cote divoire"),
        ("Łódź", "lodz"),
    ],
)
def test_normalize(raw, key):
    assert normalize(raw) == key


def test_jableh_is_found_through_an_alternate_name(gazetteer):
    cands = gazetteer.lookup("Jableh")
    assert cands[0].geonameid == JABLEH
    top = cands[0]
    assert (top.name, top.country_code, top.admin1, top.feature) == ("Jablah", "SY", "Latakia", "city")
    assert top.alternate is True
    assert abs(top.lat - 35.362) < 0.01 and abs(top.lon - 35.928) < 0.01
    assert gazetteer.lookup("Jablah")[0].alternate is False


@pytest.mark.parametrize("name", ["Tartus", "Tartous", "Ţarţūs", "TARTUS", "tartus"])
def test_tartus_spellings(gazetteer, name):
    towns = [c for c in gazetteer.lookup(name) if c.feature == "city"]
    assert towns[0].geonameid == TARTUS
    assert towns[0].admin1 == "Tartus"


def test_hyphen_and_article_variants_agree(gazetteer):
    a = {c.geonameid for c in gazetteer.lookup("Deir ez-Zor")}
    b = {c.geonameid for c in gazetteer.lookup("Deir ez Zor")}
    assert a == b and 170794 in a
    # in Arabic-speaking countries the leading article is optional
    assert any(c.country_code == "SY" for c in gazetteer.lookup("al-Bab"))


def test_candidates_sorted_by_population(gazetteer):
    cands = gazetteer.lookup("Tripoli")
    pops = [c.population for c in cands]
    assert pops == sorted(pops, reverse=True)
    assert {"LY", "LB"} <= {c.country_code for c in cands}


def test_non_latin_alternates_are_not_indexed(gazetteer):
    assert gazetteer.lookup("طرطوس") == []
    assert gazetteer.lookup("Тартус") == []


def test_unknown_names(gazetteer):
    assert gazetteer.lookup("Zzyzxqville") == []
    assert not gazetteer.is_place_name("Zzyzxqville")
    assert gazetteer.is_place_name("Aleppo")
    assert gazetteer.lookup("") == []


def test_admin1_regions_are_candidates(gazetteer):
    latakia = gazetteer.lookup("Latakia")
    assert {"admin1", "city"} <= {c.feature for c in latakia}
    region = next(c for c in latakia if c.feature == "admin1")
    assert region.geonameid is None and region.country_code == "SY" and region.admin1 == "Latakia"
    # a generic region word after the name selects the region
    idlib = gazetteer.lookup("Idlib province")
    assert [c.feature for c in idlib] == ["admin1"] and idlib[0].admin1 == "Idlib"
    alibori = gazetteer.lookup("Alibori")
    assert alibori[0].feature == "admin1" and alibori[0].country_code == "BJ"
    assert gazetteer.admin1("BJ", "Alibori") == alibori[0]


def test_regions_by_main_name(gazetteer):
    assert "Alibori" in gazetteer.admin1_names()
    assert [(c.country_code, c.feature) for c in gazetteer.regions_named("alibori")] == [("BJ", "admin1")]
    assert gazetteer.regions_named("malanville") == []  # a town, not a region


@pytest.mark.parametrize(
    "town, country, admin1",
    [
        ("Malanville", "BJ", "Alibori"),
        ("Kalale", "BJ", "Borgou"),
        ("Natitingou", "BJ", "Atacora"),  # ISO 3166-2 spelling, GeoNames says "Atakora"
        ("Daraa", "SY", "Daraa"),         # a region named after its town keeps the town's spelling
        ("Hama", "SY", "Hama"),
        ("Mosul", "IQ", "Ninawa"),
        ("Atlanta", "US", "Georgia"),
    ],
)
def test_admin1_names(gazetteer, town, country, admin1):
    c = next(c for c in gazetteer.lookup(town) if c.country_code == country and c.feature == "city")
    assert c.admin1 == admin1


def test_admin2_names_where_known(gazetteer):
    atlanta = next(c for c in gazetteer.lookup("Atlanta") if c.country_code == "US")
    assert atlanta.admin2 == "Fulton County"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Syria", "SY"), ("Syrian", "SY"), ("SY", "SY"), ("SYR", "SY"), ("Syrian Arab Republic", "SY"),
        ("Iraqi", "IQ"), ("Nigerian", "NG"), ("Beninese", "BJ"), ("UK", "GB"), ("U.S.", "US"),
        ("Ivory Coast", "CI"), ("the Gambia", "GM"), ("South Sudanese", "SS"), ("Burma", "MM"),
    ],
)
def test_country(gazetteer, text, code):
    c = gazetteer.country(text)
    assert isinstance(c, GeoCandidate)
    assert c.country_code == code and c.feature == "country"


def test_country_unknown_and_record(gazetteer):
    assert gazetteer.country("Atlantis") is None
    assert gazetteer.country("sy") is None  # codes only in upper case
    syria = gazetteer.country("Syria")
    assert syria.geonameid == 163843 and 32 < syria.lat < 37 and 35 < syria.lon < 42


def test_countries_in_text(gazetteer):
    found = gazetteer.countries_in("Syrian and Russian jets struck northwestern Syria, near Turkey.")
    assert found == {"SY": 2, "RU": 1, "TR": 1}
    assert not gazetteer.countries_in("the US said", demonyms=True).get("US")  # "us" is a pronoun


def test_key_info(gazetteer):
    info = gazetteer.key_info("aleppo")
    assert info.admin1 and not info.country and info.main_town_population > 1_000_000
    assert gazetteer.key_info("jableh").main_town_population == 0  # alternate name only
    assert gazetteer.key_info("syria").country
    assert gazetteer.key_info("zzyzxqville") is None
    assert 3 <= gazetteer.max_name_tokens <= 6


def test_loading_from_the_cache_is_fast(gazetteer):
    t0 = time.perf_counter()
    again = Gazetteer.load()  # the session fixture has built or loaded the cache already
    assert time.perf_counter() - t0 < 5.0  # ~0.3 s measured; generous for slow CI machines
    assert again.version == index_version() and len(again) == len(gazetteer)


# ------------------------------------------------------------------------ the cache, on a tiny index


def _tiny_index() -> dict:
    return {
        "gid": array("q", [1, -1]),
        "name": ["Testville", "Testshire"],
        "lat": array("d", [1.0, 1.5]),
        "lon": array("d", [2.0, 2.5]),
        "cc": ["XX", "XX"],
        "a1": ["Testshire", "Testshire"],
        "a2": [None, None],
        "pop": array("q", [1000, 1000]),
        "feat": bytes([0, 1]),
        "index": KeyIndex({"testville": (0,), "testshire": (1,)}),
        "country_entry": {},
        "iso3": {},
        "country_names": {},
        "country_aliases": {},
        "demonyms": {},
        "admin1_entry": {("XX", "testshire"): 1},
        "max_name_tokens": 1,
    }


def test_cache_is_built_once_and_rebuilt_on_version_change(tmp_path, monkeypatch):
    calls = []

    def fake_build():
        calls.append(1)
        return _tiny_index()

    monkeypatch.setattr(gazetteer_module, "build_index", fake_build)
    g1 = Gazetteer.load(tmp_path)
    assert calls == [1] and (tmp_path / CACHE_NAME).exists()
    assert g1.lookup("Testville")[0].geonameid == 1
    g2 = Gazetteer.load(tmp_path)
    assert calls == [1] and g2.lookup("testville")[0].name == "Testville"

    # a cache written by another version of the index is rebuilt
    path = tmp_path / CACHE_NAME
    data = pickle.loads(path.read_bytes())
    data["version"] = "something older"
    path.write_bytes(pickle.dumps(data))
    Gazetteer.load(tmp_path)
    assert calls == [1, 1]
    assert pickle.loads(path.read_bytes())["version"] == index_version()

    # so is a corrupt one
    path.write_bytes(b"not a pickle")
    Gazetteer.load(tmp_path)
    assert calls == [1, 1, 1]


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(gazetteer_module, "build_index", _tiny_index)
    monkeypatch.setenv("SITREP_CACHE", str(tmp_path / "c"))
    Gazetteer.load()
    assert (tmp_path / "c" / CACHE_NAME).exists()


def test_key_index_finds_every_key_and_nothing_else():
    postings = {f"town {i}": (i, ~(i + 1)) if i % 3 == 0 else (i,) for i in range(2000)}
    index = KeyIndex(postings)
    assert len(index) == 2000
    assert all(index.get(key) == ids for key, ids in postings.items())
    assert index.get("town 2000") is None and "town 2000" not in index and "town 7" in index
    assert index.get("") is None
