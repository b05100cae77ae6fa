"""Places: choose among a name's GeoNames candidates with the report's context.

`PlaceResolver.context(doc)` gathers what the report says about geography: the countries it names
(names and demonyms: "Syria", "Syrian", "northwestern Syria"; two US institutions or legal terms,
such as a sheriff's office and a felony charge, stand for the US), the admin1 regions it names
("Latakia province"; a region name far more populous than any town of that name, "Ohio", with its
country), and every place name it mentions with its candidates. `resolve(name, ctx, hint)` scores
each candidate of `name`:

- its country named in the report (strong) or in the hint (strong; a region of it: medium),
- its admin1 region named in the hint ("(Malanville, Alibori)", strong) or elsewhere in the report,
- the countries of the other places the report mentions (medium: "Jableh and Tartus ... Aleppo"),
- its population, log-scaled (weak), and a small malus when only an alternate name matched,

against a "none of the above" option: an unknown name, a name whose best candidate has no support
beyond its size, a name whose two best readings are far apart and score alike, or a name whose
best reading lies outside the country its hint points to ("Monsey (Karimama, Alibori)" is not
Monsey, New York), comes back unresolved (`precision=None`) with a `reason`. A town gives precision "town" (with admin1/admin2
names), a region "admin1", a country "country" (at a representative point, never at some town).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from sitrep.extract.selection import skipped_text, source_text
from sitrep.models import read_shipped
from sitrep.nlp.gazetteer import ADMIN_WORDS, GeoCandidate, Gazetteer, admin2_key, distance_km, normalize
from sitrep.nlp.ruler import is_common_word
from sitrep.records import Place

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

PLACE_LABELS = ("GPE", "LOC")

# The ranking: a linear score per candidate over these features (rules written by people), weights fitted
# by `make train-places` (training/train_places.py) and shipped in sitrep/models/places.npz, against the
# score of "none of the above". HAND_WEIGHTS are the hand-set weights the fitted ones replaced: the
# training command's baseline, and the ranking used when no fitted weights are installed.
FEATURES = (
    "population",            # log10 of the population (+10)
    "alternate",             # only an alternate name matched
    "country_in_doc",        # its country is named in the report
    "country_mentions",      # log of how often
    "country_in_hint",       # its country is named next to the name
    "region_country_in_hint",  # a region of its country is named next to it
    "admin1_in_hint",        # its region is named next to it (a region: one of its towns is)
    "admin1_in_doc",         # its region is named elsewhere in the report
    "co_mentions",           # share of the report's other place names that may lie in its country
    "is_country",            # the name is a country's
    "admin1_wanted",         # a region, named as a region ("Idlib province")
    "admin1_bare",           # a region whose chief town has its name, named bare ("Tartus")
    "town_region_wanted",    # a town, where a region is asked for
    "local",                 # from the ledger's own gazetteer (a team's import, an analyst's edit)
    "default_country",       # in the country a report naming none is set in (ingest --country)
    "dominance",             # log10 of its population over its largest far-away rival's
    "near_others",           # within NEAR_KM of the likeliest reading of another name the report gives
    "far_from_others",       # log10 of the distance (km) to the nearest such reading, when there is one
    "us_institution",        # a US town in a report naming one US institution or legal term
)
HAND_WEIGHTS = {
    "population": 0.3, "alternate": -0.3, "country_in_doc": 3.0, "country_mentions": 0.2, "country_in_hint": 3.0,
    "region_country_in_hint": 2.0, "admin1_in_hint": 4.0, "admin1_in_doc": 2.0, "co_mentions": 1.5,
    "is_country": 2.5, "admin1_wanted": 3.0, "admin1_bare": -1.0, "town_region_wanted": -2.0,
}
HAND_NONE = 1.2             # about a town of 10,000 with no context
HAND_MARGIN = 0.35          # closer than this, two far-apart readings are too ambiguous
MODEL_FILE = "places.npz"
REGION_DOMINANCE = 10      # a region name this much more populous than its towns denotes the region
FAR_KM = 50.0
NEAR_KM = 50.0
ANCHOR_DOMINANCE = 10  # a town this much larger than its namesakes is where its name points, unqualified
CITY_OF_REGION_SHARE = 0.1  # a city known by its region's name ("New York") holds at least this share of its people


@dataclass(frozen=True)
class PlaceRanker:
    """Feature weights, the score of "none of the above", and the score margin under which two far-apart
    readings are too close to tell apart."""

    weights: tuple[float, ...]
    none: float
    margin: float

    @classmethod
    def hand(cls) -> "PlaceRanker":
        return cls(tuple(HAND_WEIGHTS.get(f, 0.0) for f in FEATURES), HAND_NONE, HAND_MARGIN)

    @classmethod
    def load(cls) -> "PlaceRanker":
        """The shipped fitted weights (sitrep/models/places.npz), else the hand-set ones."""
        return read_shipped(MODEL_FILE, cls.read) or cls.hand()

    @classmethod
    def read(cls, f: BinaryIO) -> "PlaceRanker":
        with np.load(f) as z:
            names = bytes(z["features"]).decode("utf-8").split("\n")
            weights = dict(zip(names, z["weights"].tolist()))
            return cls(tuple(weights.get(name, 0.0) for name in FEATURES), float(z["none"]), float(z["margin"]))

    def write(self, path: Path) -> None:
        """Save as plain arrays (feature names, weights, none, margin) in one .npz file."""
        np.savez(path, features=np.frombuffer("\n".join(FEATURES).encode("utf-8"), dtype=np.uint8),
                 weights=np.array(self.weights), none=np.array(self.none), margin=np.array(self.margin))

    def score(self, features: Sequence[float]) -> float:
        return float(sum(w * x for w, x in zip(self.weights, features)))


# US states as datelines and local news write them after a town: AP style ("Athens, Ga.",
# "Madison, Tenn.") and postal codes in capitals ("Austin, TX"). Only read right after "<place>,"
# (they are common words otherwise: "Ind.", "Miss.", "OR", "IN").
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "Washington, D.C.",
}
US_AP_STATES = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Cal.": "CA", "Colo.": "CO",
    "Conn.": "CT", "Del.": "DE", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS",
    "Kans.": "KS", "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN",
    "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE", "Nebr.": "NE", "Nev.": "NV", "N.H.": "NH",
    "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND", "Okla.": "OK", "Ore.": "OR",
    "Pa.": "PA", "Penn.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN", "Tex.": "TX",
    "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "W. Va.": "WV", "Wis.": "WI",
    "Wisc.": "WI", "Wyo.": "WY", "D.C.": "DC",
}
_US_STATE_AFTER = re.compile(
    r"[A-Za-z.'’)]\s*,\s*(?P<ap>" + "|".join(re.escape(a) for a in sorted(US_AP_STATES, key=len, reverse=True))
    + r")(?=[\s,;:)\-—–]|$)|[A-Za-z.'’)]\s*,\s*(?P<usps>" + "|".join(US_STATES) + r")\b(?![.'’-]?[A-Za-z])")
_COUNTY_WORDS = frozenset(["county", "parish", "borough"])
# institutions and legal terms of the US: a report naming two of them is US news, whatever towns it names
_US_INSTITUTIONS = re.compile(
    r"\b(?:sheriff'?s? (?:office|department|deputy|deputies)|sheriff|county (?:prosecutor|attorney|coroner|"
    r"jail)|district attorney|state'?s attorney|medical examiner|state troopers?|highway patrol|"
    r"first-degree|second-degree|felony|misdemeanor|grand jury)\b", re.IGNORECASE)
US_INSTITUTIONS_MIN = 2


def _same_county(admin2: str | None, name: str) -> bool:
    """Whether a gazetteer admin2 name ("Saint Johns County") is the county named ("St. Johns county")."""
    return bool(admin2) and admin2_key(admin2) == admin2_key(name)


# a dateline opening a paragraph of the lead: "SPRINGFIELD, Ill. (WXYZ) —", "DES MOINES, Iowa (AP) —"
def us_states_in(text: str | None) -> list[str]:
    """US states written the short way right after a place ("Athens, Ga.", "Austin, TX")."""
    if not text:
        return []
    out = []
    for m in _US_STATE_AFTER.finditer(text):
        code = US_AP_STATES[m["ap"]] if m["ap"] else m["usps"]
        out.append(US_STATES[code])
    return out


_REGION_BEFORE = frozenset("upstate downstate northern southern eastern western central".split())
_DIRECTION = re.compile(
    r"^(?:(?:north|south|east|west|central|rural|greater|upper|lower|northern|southern|eastern|western|"
    r"north ?eastern|north ?western|south ?eastern|south ?western|northeast|northwest|southeast|"
    r"southwest)\s+)+"
)


@dataclass
class PlaceContext:
    """What a report says about geography, for `PlaceResolver.resolve`.

    Every mention is kept with the (normalised) name it came from, so that resolving a name can
    leave out the evidence that name itself supplies ("Georgia" does not vouch for Georgia).
    """

    countries: Counter[str] = field(default_factory=Counter)              # cc -> mentions
    admin1s: Counter[tuple[str, str]] = field(default_factory=Counter)    # (cc, admin1) -> mentions
    places: dict[str, list[GeoCandidate]] = field(default_factory=dict)   # place key -> candidates
    text: str | None = None
    country_mentions: Counter[tuple[str, str]] = field(default_factory=Counter)        # (key, cc)
    admin1_mentions: Counter[tuple[str, str, str]] = field(default_factory=Counter)    # (key, cc, a1)
    default_country: str | None = None  # the feed's country, standing for a country the report does not name
    us_institutions: int = 0  # distinct US institutions and legal terms the report names ("sheriff", "felony")
    _support_cache: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    _readings: dict[str, GeoCandidate | None] = field(default_factory=dict, repr=False)
    _spans: dict[tuple[int, int, int], Place] = field(default_factory=dict, repr=False)  # resolve_span's answers

    def country_count(self, cc: str, excluding: str = "") -> int:
        return self.countries.get(cc, 0) - self.country_mentions.get((excluding, cc), 0)

    def admin1_count(self, cc: str, admin1: str, excluding: str = "") -> int:
        return self.admin1s.get((cc, admin1), 0) - self.admin1_mentions.get((excluding, cc, admin1), 0)

    def anchors(self, excluding: str) -> list[tuple[float, float]]:
        """Where the report's other place names most likely are, for the distance features of a ranking: for
        each, its likeliest town in a country the report names, by a plain prior (its region named, its size),
        else a town far larger than every namesake ("Chicago"). A name with neither (a word misread as a place,
        a name of many like towns) is no anchor."""
        out = []
        for key in self.places:
            if key == excluding:
                continue
            if key not in self._readings:
                towns = [c for c in self.places[key] if c.feature == "city"]
                named = [c for c in towns if self.country_count(c.country_code, key) > 0]
                self._readings[key] = max(named, key=lambda c: self._prior(c, key), default=None) or _dominant(towns)
            town = self._readings[key]
            if town is not None:
                out.append((town.lat, town.lon))
        return out

    def _prior(self, c: GeoCandidate, key: str) -> float:
        """The hand-set weights of the features that need no ranking of their own."""
        cc, w = c.country_code, HAND_WEIGHTS
        return (w["country_in_doc"] * (self.country_count(cc, key) > 0) + w["co_mentions"] * self.country_support(cc, key)
                + w["admin1_in_doc"] * (c.admin1 is not None and self.admin1_count(cc, c.admin1, key) > 0)
                + w["population"] * math.log10(c.population + 10) + w["alternate"] * c.alternate)

    def country_support(self, cc: str, excluding: str = "") -> float:
        """Share of the other place names that may lie in `cc` (each name votes 1/#countries)."""
        table = self._support_cache.get(excluding)
        if table is None:
            support: Counter[str] = Counter()
            for key, cands in self.places.items():
                if key == excluding:
                    continue
                ccs = {c.country_code for c in cands if not c.alternate or c.population >= 1000}
                if not ccs or len(ccs) > 10:
                    continue
                for c in ccs:
                    support[c] += 1.0 / len(ccs)
            top = max(support.values(), default=0.0)
            table = {c: v / top for c, v in support.items()} if top else {}
            self._support_cache[excluding] = table
        return table.get(cc, 0.0)


def _dominant(towns: list[GeoCandidate]) -> GeoCandidate | None:
    """The town far larger (`ANCHOR_DOMINANCE` times) than every other far-apart town of its name, if any."""
    if not towns:
        return None
    top = max(towns, key=lambda c: c.population)
    rival = max((c.population for c in towns if not _compatible(top, c)), default=0)
    return top if top.population >= ANCHOR_DOMINANCE * max(rival, 1) else None


@dataclass
class _Hint:
    countries: set[str] = field(default_factory=set)
    admin1s: set[tuple[str, str]] = field(default_factory=set)   # regions named near the name
    towns_in: set[tuple[str, str]] = field(default_factory=set)  # regions of towns named near it
    region_countries: set[str] = field(default_factory=set)      # countries of pure region names
    wants_admin1: bool = False
    after_town: bool = False  # written right after a town and a comma ("Rochester, New York"): the town's region

    @property
    def strong_countries(self) -> set[str]:
        """Countries the hint pins down: named, or owning a region named there ("Alibori")."""
        return self.countries | self.region_countries


class PlaceResolver:
    """Resolves place names against the gazetteer with the report's context."""

    def __init__(self, gazetteer: Gazetteer, ranker: PlaceRanker | None = None) -> None:
        self.gazetteer = gazetteer
        self.ranker = ranker if ranker is not None else PlaceRanker.load()
        # training (training/train_places.py) listens here: (candidates, their feature rows) of every ranking
        self.recorder: Callable[[list[GeoCandidate], list[list[float]]], None] | None = None
        self._regions: dict[str, GeoCandidate] | None = None
        self._prefixes: frozenset[str] | None = None

    # ------------------------------------------------------------------ context

    def context(self, doc: "Doc | str", country: str | None = None) -> PlaceContext:
        """Countries, admin1 regions and place names a parsed report (or plain text) mentions; `country`
        counts as named when the report names none (a feed's default country)."""
        ctx = self._context(doc)
        if country is not None and not ctx.countries:
            ctx.countries[country] += 1
            ctx.country_mentions[("", country)] += 1
            ctx.default_country = country
        return ctx

    def _context(self, doc: "Doc | str") -> PlaceContext:
        gaz = self.gazetteer
        ctx = PlaceContext()
        if isinstance(doc, str):
            ctx.text = doc
            for cc, n in gaz.countries_in(doc).items():
                ctx.countries[cc] += n
            return ctx
        ctx.text = text = source_text(doc)
        ctx.us_institutions = len({m.group(0).lower() for m in _US_INSTITUTIONS.finditer(text)})
        if ctx.us_institutions >= US_INSTITUTIONS_MIN:
            ctx.countries["US"] += 1  # "the sheriff's office ... charged with a felony": US news
            ctx.country_mentions[("", "US")] += 1
        for cc, n in gaz.countries_in(skipped_text(doc)).items():  # the sentences not parsed, as plain text
            ctx.countries[cc] += n
            ctx.country_mentions[("", cc)] += n
        for state in us_states_in(text):  # "Athens, Ga.": Georgia, in the US
            ctx.countries["US"] += 1
            ctx.country_mentions[("", "US")] += 1
            ctx.admin1s[("US", state)] += 1
            ctx.admin1_mentions[("", "US", state)] += 1
        # countries: names, demonyms and aliases ("US") anywhere but inside a person's name; and regions named
        # in an organisation's name ("the Arkansas State Police"), as named places are counted below
        person = bytearray(len(doc))
        for e in doc.ents:
            if e.label_ in ("PERSON", *PLACE_LABELS):
                person[e.start:e.end] = (b"\x01" if e.label_ == "PERSON" else b"\x02") * (e.end - e.start)
        toks = [t for t in doc if person[t.i] != 1 and not t.is_punct and not t.is_space]
        words = [normalize(t.text) for t in toks]
        regions = self._sole_regions()
        prefixes = self._name_prefixes()
        k = 0
        while k < len(words):
            keys = [" ".join(w for w in words[k:k + n] if w) for n in range(1, min(5, len(words) - k) + 1)]
            # no name of a country or region is longer than `longest` words from k
            longest = next((n for n, key in enumerate(keys) if key and key not in prefixes), len(keys))
            for n in range(len(keys), 0, -1):
                alias = n <= 2 and not toks[k].is_lower
                if n > longest and not alias:
                    continue
                key = keys[n - 1]
                cc = gaz.country_code_for_key(key) if key and n <= longest else None
                if cc is None and alias:
                    cc = gaz.country_code_for_alias(doc[toks[k].i:toks[k + n - 1].i + 1].text)
                if cc:
                    ctx.countries[cc] += 1
                    ctx.country_mentions[(key, cc)] += 1
                    k += n
                    break
                region = regions.get(key) if n <= longest and toks[k].is_title and not person[toks[k].i] else None
                if region is not None:  # its country too, as for a region named on its own ("Ohio")
                    ctx.admin1s[(region.country_code, region.admin1)] += 1
                    ctx.admin1_mentions[(key, region.country_code, region.admin1)] += 1
                    ctx.countries[region.country_code] += 1
                    ctx.country_mentions[(key, region.country_code)] += 1
                    k += n
                    break
            else:
                k += 1
        # places named in the report, and the regions among them
        homonyms = []  # region names that are also a country's ("Georgia")
        for ent in doc.ents:
            if ent.label_ not in PLACE_LABELS:
                continue
            key = self._place_key(ent.text)
            if not key:
                continue
            if gaz.country_code_for_key(key, demonyms=False):
                homonyms.append(key)
                continue
            cands = ctx.places.get(key)
            if cands is None:
                cands = gaz.candidates_for_key(key)
                ctx.places[key] = cands
            nxt = doc[ent.end].lower_ if ent.end < len(doc) else ""
            region_word = nxt in ADMIN_WORDS
            sole = self._sole_region(key, cands)
            for c in cands:
                if c.feature == "admin1" and (c.country_code in ctx.countries or region_word or c is sole):
                    ctx.admin1s[(c.country_code, c.admin1)] += 1
                    ctx.admin1_mentions[(key, c.country_code, c.admin1)] += 1
            if sole is not None and not region_word:  # "Ohio": in the US, wherever the report is from
                ctx.countries[sole.country_code] += 1
                ctx.country_mentions[(key, sole.country_code)] += 1
        for key in homonyms:  # "Georgia" next to "Atlanta, Ga." or "Ohio": the US state
            for c in gaz.candidates_for_key(key):
                if c.feature == "admin1" and not c.alternate and ctx.country_count(c.country_code, key) > 0:
                    ctx.admin1s[(c.country_code, c.admin1)] += 1
                    ctx.admin1_mentions[(key, c.country_code, c.admin1)] += 1
        return ctx

    def _name_prefixes(self) -> frozenset[str]:
        """The first words (one, two, ...) of every country name, demonym and sole region's name: a run of
        words that is none of these starts no such name."""
        if self._prefixes is None:
            names = self.gazetteer.country_keys() | set(self._sole_regions())
            self._prefixes = frozenset(" ".join(words[:n]) for words in map(str.split, names)
                                       for n in range(1, len(words) + 1))
        return self._prefixes

    def _sole_regions(self) -> dict[str, GeoCandidate]:
        """Every name that denotes one first-level region wherever it is written (`_sole_region`), by key."""
        if self._regions is None:
            gaz, out = self.gazetteer, {}
            for key in dict.fromkeys(map(normalize, gaz.admin1_names())):
                if len(key) < 4 or is_common_word(key) or gaz.country_code_for_key(key) is not None:
                    continue
                if sole := self._sole_region(key, gaz.regions_named(key)):
                    out[key] = sole
            self._regions = out
        return self._regions

    def _sole_region(self, key: str, cands: list[GeoCandidate]) -> GeoCandidate | None:
        """The region a name denotes wherever it is written: the only first-level region of that name,
        at least `REGION_DOMINANCE` times as populous as any town so called ("Ohio", "Connecticut",
        "Texas"; not "Tartus", "Washington" or "Plateau", a region in two countries)."""
        regions = [c for c in cands if c.feature == "admin1" and not c.alternate]
        if len(regions) != 1:
            return None
        info = self.gazetteer.key_info(key)
        town = info.town_population if info else 0
        return regions[0] if regions[0].population >= REGION_DOMINANCE * max(town, 1) else None

    def _place_key(self, text: str) -> str:
        """The look-up key of a place name: "the" and compass words ("northern Aleppo", "west Charlotte")
        dropped unless they belong to the name ("North Kivu", "South Sudan")."""
        key = normalize(text)
        if key.startswith("the "):
            key = key[4:]
        bare = _DIRECTION.sub("", key)
        shown = text.strip()
        shown = shown[4:].lstrip() if shown[:4].lower() == "the " else shown  # "the South Side" is capitalised
        lower = shown[:1].islower()  # "west Charlotte": a part of Charlotte, never a West Charlotte
        if bare != key and bare and (lower or not self.gazetteer.candidates_for_key(key)):
            return bare
        return key

    # ------------------------------------------------------------------ hints

    def _hint(self, name_key: str, hint: str | None) -> _Hint:
        out = _Hint()
        if not hint:
            return out
        gaz = self.gazetteer
        for state in us_states_in(hint):
            out.countries.add("US")
            out.admin1s.add(("US", state))
        words = normalize(hint).split()
        name_words = name_key.split()
        # "<name> province", "the state of <name>", "upstate <name>", "western <name>" in the hint ask for the
        # region (of a name that is a region's and its city's); the name itself is no evidence
        i = 0
        while name_words and i <= len(words) - len(name_words):
            if words[i:i + len(name_words)] == name_words:
                j = i + len(name_words)
                before = words[max(0, i - 2):i]
                if (j < len(words) and words[j] in ADMIN_WORDS) or (before and before[-1] in _REGION_BEFORE) or (
                        len(before) == 2 and before[1] == "of" and before[0] in ADMIN_WORDS):
                    out.wants_admin1 = True
                words[i:j] = ["\x00"]
            i += 1
        k = 0
        while k < len(words):
            for n in range(min(gaz.max_name_tokens, len(words) - k), 0, -1):
                key = " ".join(words[k:k + n])
                if key == name_key:
                    continue
                cc = gaz.country_code_for_key(key)
                if cc:
                    out.countries.add(cc)
                if all(is_common_word(w) for w in key.split()) or (n == 1 and len(key) < 3):
                    if cc:
                        k += n
                        break
                    continue
                info = gaz.key_info(key)
                if info is not None:
                    for c in gaz.candidates_for_key(key):
                        if c.feature == "admin1":
                            out.admin1s.add((c.country_code, c.admin1))
                            if info.town_population == 0 and not c.alternate:
                                out.region_countries.add(c.country_code)
                        elif c.feature == "city" and c.admin1 and not c.alternate:
                            out.towns_in.add((c.country_code, c.admin1))  # "Atlanta, Georgia"
                if cc or info is not None:
                    k += n
                    break
            else:
                k += 1
        return out

    # ------------------------------------------------------------------ resolving

    def resolve(self, name: str, ctx: PlaceContext, hint: str | None = None) -> Place:
        """The place `name` most likely denotes in this report, or an unresolved Place."""
        gaz = self.gazetteer
        shown = name.strip()
        key = self._place_key(shown)
        hint_info = self._hint(key, hint)
        words = key.split()
        if len(words) > 1 and words[-1] in ADMIN_WORDS:
            hint_info.wants_admin1 = True
        cands = gaz.candidates_for_key(key) if key else []
        alias_cc = gaz.country_code_for_alias(shown)  # "US", "UK", "DRC": the country
        if alias_cc is not None:
            cands = [gaz.country(alias_cc)] + [c for c in cands if c.feature != "city"]
        hint_info.after_town = bool(hint and re.search(r"[A-Z][\w.'’-]*\s*,\s*" + re.escape(shown) + r"\b", hint))
        bracket = self._bracket_regions(shown, hint)
        if not bracket and hint:  # "Madison, Tenn.": the state written right after the town
            m = re.search(re.escape(shown) + r"\s*,", hint)
            after = us_states_in(hint[m.start():m.end() + 12]) if m else []
            if after:
                bracket = {("US", after[0])}
                regions = [c for c in gaz.candidates_for_key(self._place_key(after[0]))
                           if c.feature == "admin1" and c.country_code == "US"]
                if not any(c.feature == "city" and c.country_code == "US" and c.admin1 == after[0]
                           for c in cands) and regions:
                    r = regions[0]
                    return Place(name=shown, lat=r.lat, lon=r.lon, country_code="US", admin1=r.admin1,
                                 precision="admin1", reason=(
                                     f"{shown!r}, {after[0]}: no town of that name in {after[0]} is in the "
                                     f"gazetteer; placed in the state"))
        if bracket and cands:
            # "Kabo (Tchaourou, Borgou)": the region written right after the name decides the country
            inside = [c for c in cands if c.country_code in {cc for cc, _ in bracket}]
            if not inside:
                return self._fallback(shown, hint, Place(name=shown, reason=(
                    f"{shown!r}: the region named right after it lies in "
                    f"{', '.join(sorted({cc for cc, _ in bracket}))}, where the gazetteer has no place "
                    f"of that name (elsewhere: {_describe(cands[0])})")))
            hint_info.admin1s |= bracket
            cands = inside
        if words and words[-1] in _COUNTY_WORDS and len(words) > 1:
            county = self._county(shown, " ".join(words[:-1]), ctx, hint_info)
            if county is not None:
                return county
            # "Mesa County" is no town: never the town "Mesa" in another county (Mesa, Arizona)
            cands = [c for c in cands if c.feature != "city" or _same_county(c.admin2, shown)]
        if not cands:
            return self._fallback(shown, hint, Place(name=shown, reason=(
                f"{shown!r} is not in the gazetteer (GeoNames places of 500+ people, "
                "first-level regions, countries)")))
        return self._fallback(shown, hint, self._choose(shown, key, cands, ctx, hint_info))

    def _county(self, shown: str, core: str, ctx: PlaceContext, hint: _Hint) -> Place | None:
        """ "Bastrop County": counties are not in the gazetteer; when the report places it in a US
        state (named in the report or next to it), it stands at the town of the same name in that
        state, with the precision of a county ("admin2"). A county of that name in one state only
        needs no state named: it stands at its largest town."""
        states = {a1 for cc, a1 in hint.admin1s if cc == "US"} or {
            a1 for (cc, a1), n in ctx.admin1s.items() if cc == "US" and n > 0}
        # towns the report names that lie in a county of that name ("Palisade" in Mesa County)
        own = self._place_key(shown)
        inside = [c for key, cs in ctx.places.items() if key != own for c in cs
                  if c.feature == "city" and c.country_code == "US" and not c.alternate
                  and _same_county(c.admin2, shown)]
        if inside and not states & {c.admin1 for c in inside}:
            states = {c.admin1 for c in inside}
        if not states:
            members = self.gazetteer.towns_in_admin2("US", shown)
            if len({c.admin1 for c in members}) != 1:
                return None
            town = max(members, key=lambda c: c.population)
            return Place(name=shown, lat=town.lat, lon=town.lon, country_code="US", admin1=town.admin1,
                         admin2=shown, precision="admin2", reason=(
                             f"{shown!r}: counties are not in the gazetteer; the only county of that name "
                             f"in the gazetteer's US towns is in {town.admin1}: placed at its largest town, "
                             f"{_describe(town)}"))
        towns = [c for c in self.gazetteer.candidates_for_key(core)
                 if c.feature == "city" and c.country_code == "US" and c.admin1 in states]
        if not towns:
            towns = [c for c in inside if c.admin1 in states]
            if not towns:
                return None
            town = max(towns, key=lambda c: c.population)
            return Place(name=shown, lat=town.lat, lon=town.lon, country_code="US", admin1=town.admin1,
                         admin2=shown, precision="admin2", reason=(
                             f"{shown!r}: counties are not in the gazetteer; placed at {_describe(town)}, a "
                             f"town the report names that lies in it"))
        town = max(towns, key=lambda c: (not c.alternate, c.population))
        return Place(name=shown, lat=town.lat, lon=town.lon, country_code="US", admin1=town.admin1,
                     admin2=shown, precision="admin2", reason=(
                         f"{shown!r}: counties are not in the gazetteer; placed at {_describe(town)}, the town "
                         f"of that name in {town.admin1}, the state the report names"))

    def _choose(self, shown: str, key: str, cands: list[GeoCandidate], ctx: PlaceContext,
                hint_info: _Hint) -> Place:
        rows = self.features(key, cands, ctx, hint_info)
        if self.recorder is not None:
            self.recorder(cands, rows)
        ranker = self.ranker
        scored = sorted(((ranker.score(x), c) for x, c in zip(rows, cands)), key=lambda sc: -sc[0])
        best_score, best = scored[0]
        if best.feature == "admin1" and not hint_info.wants_admin1:  # "Tartus" alone: the town, not its governorate
            town = next(((s, c) for s, c in scored if c.feature == "city"
                         and (not c.alternate or (c.population >= CITY_OF_REGION_SHARE * best.population
                                                  and not hint_info.after_town))
                         and (c.country_code, c.admin1) == (best.country_code, best.admin1)), None)
            if town is not None:
                best_score, best = town
                scored = [town] + [sc for sc in scored if sc is not town]
        if best_score < ranker.none:
            return Place(name=shown, reason=(
                f"{shown!r}: no candidate is supported by the report "
                f"(best: {_describe(best)}, score {best_score:.2f} < {ranker.none:.2f}, none of them)"))
        strong = hint_info.strong_countries
        if strong and best.country_code not in strong and best.feature != "country":
            where = ", ".join(sorted(strong))
            return Place(name=shown, reason=(
                f"{shown!r}: the text next to it points to {where}, but no place of that name "
                f"there is in the gazetteer (best elsewhere: {_describe(best)})"))
        if best.feature == "city" and not self._evidence(best, key, ctx, hint_info):
            supported = {c.country_code for cs in ctx.places.values() for c in cs
                         if ctx.country_support(c.country_code, key) >= 0.5}
            others = sorted({cc for cc in ctx.countries if ctx.country_count(cc, key) > 0}
                            | {cc for cc, _ in ctx.admin1s if cc != best.country_code}
                            | {cc for cc, _ in hint_info.admin1s} | supported)
            others = [cc for cc in others if cc != best.country_code]
            if others:  # "Monsey near Park W (Karimama, Alibori)": not Monsey, New York
                return Place(name=shown, reason=(
                    f"{shown!r}: its only reading, {_describe(best)}, has no support in the report, "
                    f"which points to {', '.join(others)}"))
        rival = next(((s, c) for s, c in scored[1:] if not _compatible(best, c)), None)
        if rival is not None and best_score - rival[0] < ranker.margin:
            return Place(name=shown, reason=(
                f"{shown!r} is ambiguous: {_describe(best)} ({best_score:.2f}) or "
                f"{_describe(rival[1])} ({rival[0]:.2f}); the report does not tell them apart"))
        why = self._why(best, key, ctx, hint_info, len(cands))
        return _to_place(shown, best, why)

    def features(self, key: str, cands: list[GeoCandidate], ctx: PlaceContext, hint: _Hint) -> list[list[float]]:
        """Each candidate's values of `FEATURES` in this report, next to this hint."""
        towns_named_so = {(c.country_code, c.admin1) for c in cands if c.feature == "city"}
        sizes = [math.log10(c.population + 10) for c in cands]
        anchors = ctx.anchors(key)
        us_terms = ctx.us_institutions
        rows = []
        for i, c in enumerate(cands):
            cc = c.country_code
            n_country = ctx.country_count(cc, key)
            region = c.feature == "admin1"
            in_hint = (cc, c.admin1) in (hint.towns_in if region else hint.admin1s) and c.admin1 is not None
            rivals = [sizes[j] for j, o in enumerate(cands) if j != i and not _compatible(c, o)]
            km = min((distance_km(c.lat, c.lon, lat, lon) for lat, lon in anchors), default=None)
            rows.append([
                sizes[i],
                float(c.alternate),
                float(n_country > 0),
                math.log(n_country) if n_country > 0 else 0.0,
                float(cc in hint.countries),
                float(cc not in hint.countries and cc in hint.region_countries),
                float(in_hint),
                float(not region and not in_hint and c.admin1 is not None and ctx.admin1_count(cc, c.admin1, key) > 0),
                ctx.country_support(cc, key),
                float(c.feature == "country"),
                float(region and hint.wants_admin1),
                float(region and not hint.wants_admin1 and (cc, c.admin1) in towns_named_so),
                float(c.feature == "city" and hint.wants_admin1),
                float(c.local),
                float(cc == ctx.default_country),
                max(-3.0, min(3.0, sizes[i] - max(rivals))) if rivals else 3.0,
                float(km is not None and km <= NEAR_KM),
                math.log10(1 + km) if km is not None else 0.0,
                float(cc == "US" and us_terms > 0 and c.feature == "city"),
            ])
        return rows

    @staticmethod
    def _evidence(c: GeoCandidate, key: str, ctx: PlaceContext, hint: _Hint) -> bool:
        """Whether anything in the report beyond the name supports this candidate."""
        cc = c.country_code
        return bool(ctx.country_count(cc, key) > 0 or cc in hint.countries or cc in hint.region_countries
                    or (c.admin1 and (cc, c.admin1) in hint.admin1s)
                    or (c.admin1 and ctx.admin1_count(cc, c.admin1, key) > 0)
                    or ctx.country_support(cc, key) > 0)

    @staticmethod
    def _why(c: GeoCandidate, key: str, ctx: PlaceContext, hint: _Hint, n: int) -> str:
        bits = []
        cc = c.country_code
        if ctx.country_count(cc, key) > 0:
            bits.append(f"country {cc} named in the report")
        if cc in hint.countries:
            bits.append(f"country {cc} named next to it")
        if c.feature == "admin1" and (cc, c.admin1) in hint.towns_in:
            bits.append("a town of this region is named next to it")
        elif c.feature != "admin1" and c.admin1 and (cc, c.admin1) in hint.admin1s:
            bits.append(f"region {c.admin1} named next to it")
        elif c.feature != "admin1" and c.admin1 and ctx.admin1_count(cc, c.admin1, key) > 0:
            bits.append(f"region {c.admin1} named in the report")
        if ctx.country_support(cc, key) > 0:
            bits.append("other places in the report may lie in the same country")
        if hint.wants_admin1 and c.feature == "admin1":
            bits.append("named as a region")
        if not bits:
            bits.append("largest place of that name, no other evidence")
        others = f" over {n - 1} other candidate(s)" if n > 1 else ""
        return f"{_describe(c)} chosen{others}: " + "; ".join(bits)

    def _bracket(self, shown: str, hint: str | None) -> re.Match[str] | None:
        """ "Kofounou (Karimama, Alibori)": the district and region written in brackets after a name."""
        if not hint:
            return None
        return re.search(re.escape(shown) + r"\s*\(\s*(?:([^(),;]{2,40}?)\s*,\s*)?([^(),;]{2,40}?)\s*\)", hint)

    def _bracket_regions(self, shown: str, hint: str | None) -> set[tuple[str, str]]:
        """(country, admin1) of the region named in brackets after a name; empty when none."""
        m = self._bracket(shown, hint)
        if m is None:
            return set()
        return {(c.country_code, c.admin1) for c in self.gazetteer.candidates_for_key(self._place_key(m.group(2)))
                if c.feature == "admin1" and not c.alternate}

    def _fallback(self, shown: str, hint: str | None, place: Place) -> Place:
        """A name the gazetteer cannot place ("Kofounou (Karimama, Alibori)", or "Monsey (Karimama,
        Alibori)" that is only known elsewhere) falls back to the district and region written after
        it in brackets: the district's seat when the gazetteer has a town of that name in that
        region (precision "admin2", at the seat), else the region (precision "admin1")."""
        if place.precision is not None or not hint:
            return place
        m = self._bracket(shown, hint)
        if m is None:
            return place
        gaz = self.gazetteer
        district, region = m.group(1), m.group(2)
        regions = [c for c in gaz.candidates_for_key(self._place_key(region)) if c.feature == "admin1"]
        if not regions:
            return place
        where = {(c.country_code, c.admin1) for c in regions}
        seats = [c for c in gaz.candidates_for_key(self._place_key(district))
                 if c.feature == "city" and (c.country_code, c.admin1) in where] if district else []
        if seats:
            seat = max(seats, key=lambda c: (not c.alternate, c.population))
            return Place(name=shown, geonameid=None, lat=seat.lat, lon=seat.lon,
                         country_code=seat.country_code, admin1=seat.admin1, admin2=district,
                         precision="admin2", reason=(
                             f"{place.reason}; placed at {_describe(seat)}, the seat of the district "
                             f"{district!r} named next to it"))
        r = max(regions, key=lambda c: (not c.alternate, c.population))
        return Place(name=shown, lat=r.lat, lon=r.lon, country_code=r.country_code, admin1=r.admin1,
                     precision="admin1", reason=(
                         f"{place.reason}; " + (f"neither it nor the district {district!r} named next to it "
                                                f"is in the gazetteer" if district else "the region is named next to it")
                         + f": placed in the region {r.admin1} ({r.country_code})"))

    # ------------------------------------------------------------------ conveniences

    def resolve_span(self, span: "Span", ctx: PlaceContext, window: int = 8) -> Place:
        """Resolve an entity with the words around it (within its sentence) as the hint.

        "in Kofounou, coded to Karimama (Karimama, Alibori)": a source (ACLED) that codes an event in
        a small place "to" a larger one gives the coordinates of the latter; the span is resolved as
        the place it is coded to. A span is resolved once per report (the setting counts the places the
        sentences resolved); not while training listens (`recorder`), which must see every ranking."""
        key = (span.start, span.end, window)
        if self.recorder is None and key in ctx._spans:
            return ctx._spans[key].model_copy()
        place = self._resolve_span(span, ctx, window)
        if self.recorder is None:
            ctx._spans[key] = place.model_copy()
        return place

    def _resolve_span(self, span: "Span", ctx: PlaceContext, window: int) -> Place:
        doc = span.doc
        sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
        k = span.end + (span.end < sent.end and doc[span.end].text == ",")
        if k + 2 < sent.end and doc[k].lower_ == "coded" and doc[k + 1].lower_ == "to":
            target = next((e for e in doc.ents if e.start == k + 2), None)
            if target is None:
                end = k + 2
                while end < sent.end and doc[end].is_title and not doc[end].is_punct:
                    end += 1
                target = doc[k + 2:end] if end > k + 2 else None
            if target is not None:
                coded = self.resolve_span(target, ctx, window)
                if coded.reason:
                    coded.reason = f"{span.text!r} is coded to {target.text!r} by the source; {coded.reason}"
                return coded
        lo = max(sent.start, span.start - window)
        hi = min(sent.end, span.end + window)
        name = span.text
        if span.end < sent.end and doc[span.end].lower_ in _COUNTY_WORDS:
            name = f"{name} {doc[span.end].text}"  # "Navarro County Man Shot": the entity ended early
        place = self.resolve(name, ctx, hint=doc[lo:hi].text)
        return self._district(span, place, ctx, window) or place

    def _district(self, span: "Span", place: Place, ctx: PlaceContext, window: int) -> Place | None:
        """A neighbourhood of a city, named as the city's ("Chicago's Englewood"), lies in that city, not at a
        namesake elsewhere: placed at the city (its town key, so that its incidents are the city's), unless
        its own reading is a town next to the city."""
        doc = span.doc
        if span.start < 2 or doc[span.start - 1].lower_ not in ("'s", "’s"):
            return None
        owner = next((e for e in doc.ents if e.end == span.start - 1 and e.label_ in PLACE_LABELS), None)
        city = self.resolve_span(owner, ctx, window) if owner is not None else None
        if city is None or city.precision != "town":
            return None
        if place.precision in ("town", "exact") and distance_km(place.lat, place.lon, city.lat, city.lon) <= FAR_KM:
            return None
        return Place(name=span.text, geonameid=city.geonameid, lat=city.lat, lon=city.lon,
                     country_code=city.country_code, admin1=city.admin1, admin2=city.admin2, precision="town",
                     reason=f"{span.text!r}: a neighbourhood of {city.name}, named as such in the report")

    def places(self, doc: "Doc", ctx: PlaceContext | None = None) -> list[tuple["Span", Place]]:
        """Every GPE/LOC entity of a parsed report with its resolution."""
        ctx = ctx if ctx is not None else self.context(doc)
        return [(e, self.resolve_span(e, ctx)) for e in doc.ents if e.label_ in PLACE_LABELS]


def _describe(c: GeoCandidate) -> str:
    where = ", ".join(x for x in (c.admin1 if c.feature == "city" else None, c.country_code) if x)
    gid = f" #{c.geonameid}" if c.geonameid else ""
    return f"{c.name} ({c.feature}, {where}{gid}, pop. {c.population:,})"


def _compatible(a: GeoCandidate, b: GeoCandidate) -> bool:
    """Two readings that point to the same area (a town and its homonymous region, duplicates)."""
    if a.country_code != b.country_code:
        return False
    if "country" in (a.feature, b.feature):
        return True
    if a.admin1 is not None and a.admin1 == b.admin1 and "admin1" in (a.feature, b.feature):
        return True
    return distance_km(a.lat, a.lon, b.lat, b.lon) <= FAR_KM


def _to_place(name: str, c: GeoCandidate, why: str) -> Place:
    if c.feature == "country":
        return Place(name=name, geonameid=c.geonameid, lat=c.lat, lon=c.lon,
                     country_code=c.country_code, precision="country", reason=why)
    if c.feature == "admin1":
        return Place(name=name, geonameid=None, lat=c.lat, lon=c.lon, country_code=c.country_code,
                     admin1=c.admin1, precision="admin1", reason=why)
    return Place(name=name, geonameid=c.geonameid, lat=c.lat, lon=c.lon,
                 country_code=c.country_code, admin1=c.admin1, admin2=c.admin2,
                 precision="town", reason=why)
