"""Similarity of a new report's incident (or of a report with no incident) to a stored incident.

A score is the text similarity of the reports (tf-idf cosine of their signatures) plus evidence from
the coded fields, with vetoes for what cannot be one incident:

| evidence                                              | effect          |
|-------------------------------------------------------|-----------------|
| text cosine                                           | + cosine        |
| text cosine under 0.15, both signatures of 5+ terms    | veto            |
| same named perpetrator, same day, another town        | veto (related)  |
| both located to a town, more than 40 km apart         | veto; - 0.15 when the text cosine is 0.3 or more (a geocoding error: a town of the same name, the outlet's town) |
| in different countries                                | veto; - 0.25 when the text cosine is 0.6 or more and the dates a day apart at most |
| different countries                                   | veto            |
| same place name, or within 10 km                      | + 0.25          |
| within 10-40 km                                       | + 0.10          |
| the stored incident's town is named in the new report | + 0.15          |
| same day / one day apart / 4+ days apart              | + 0.15 / + 0.10 / - 0.05 a day, at most - 0.25 (0 when the text cosine is 0.3 or more: a follow-up) |
| same sub-event type / different event type            | + 0.05 / - 0.05 |
| both name ages ("7-year-old"), none in common         | - 0.10          |
| a named perpetrator in common / only different ones  | + 0.20 / - 0.30 |
| else a suspect named as a person in common            | + 0.20          |
| killed tolls both known and far apart (x3 and >3)     | - 0.10          |

A pair is one incident when the score reaches `MATCH` (0.25); a report with no incident of its own is
attached to the stored incident it is most similar to when the score reaches `LINK` (0.25: text and the
incident's town named in it are then all there is). Coordinated attacks (same named group, same day,
places far apart) are vetoed by distance and linked through `related` instead (`is_coordinated`). A
suspect named as a person ("Yvonne Hiller") is no sign of a coordinated attack, and reports naming
different people are not told apart by it: one report may name the suspect another calls a victim.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sitrep.merge.signature import cosine, fold

MATCH = 0.25
MIN_TEXT = 0.15  # below this text cosine two reports that both have signatures are not one incident ...
MIN_TERMS = 5  # ... (a signature this small says too little either way)
MISPLACED_TEXT = 0.3  # reports this alike (the same victims, streets, names) may be one incident geocoded twice
MISPLACED_PENALTY = 0.15
ABROAD_TEXT = 0.6  # ... in two countries only when this alike and dated a day apart at most
ABROAD_PENALTY = 0.25
FAR_DATE_PENALTY = 0.25  # dates far apart: often a follow-up (arrest, funeral, hearing) dated to its own day
FOLLOW_UP_TEXT = 0.3  # ... which costs nothing when the reports name the same people this much
LINK = 0.25
TYPE_PENALTY = 0.05  # reports of one incident often type it apart ("clash" / "attack"): a weak signal
AGE_PENALTY = 0.10  # reports of one incident give the same victims' ages
FAR_KM = 40.0
NEAR_KM = 10.0
TOWN_PRECISION = {"exact", "town", "near"}
DAY_PRECISION = {"day"}


@dataclass
class Side:
    """One side of a comparison: a stored incident, or a new report's incident (or a bare report)."""

    date: dt.date | None = None
    date_precision: str | None = None
    location_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    country_code: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actors: set[str] = field(default_factory=set)  # named groups
    suspects: set[str] = field(default_factory=set)  # suspects named as people
    killed_best: int | None = None
    weights: dict[str, float] = field(default_factory=dict)
    text: str = ""  # folded report text (new reports only), to look for the other side's town

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None and self.location_precision in TOWN_PRECISION

    @property
    def day_dated(self) -> bool:
        return self.date is not None and self.date_precision in DAY_PRECISION


@dataclass
class Match:
    score: float
    reasons: list[str]
    veto: str | None = None

    @property
    def ok(self) -> bool:
        return self.veto is None and self.score >= MATCH


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _named_in(name: str | None, text: str) -> bool:
    if not name or not text:
        return False
    needle = fold(name)
    if len(needle) < 3:
        return False
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = text.find(needle, start + 1)
    return False


def _same_days(a: Side, b: Side) -> bool:
    return a.day_dated and b.day_dated and abs((a.date - b.date).days) <= 1  # type: ignore[operator]


def score(new: Side, stored: Side) -> Match:
    """How likely `new` and `stored` are one incident (see the module table)."""
    reasons: list[str] = []
    text = cosine(new.weights, stored.weights)
    total = text
    reasons.append(f"text {text:.2f}")

    if is_coordinated(new, stored):
        return Match(total, reasons, veto="same perpetrator, same day, another place: a coordinated attack")
    if text < MIN_TEXT and len(new.weights) >= MIN_TERMS and len(stored.weights) >= MIN_TERMS:
        # both reports name enough people and places to tell: they name different ones
        return Match(total, reasons, veto="the reports name different people and places")
    # one of two places this far apart can only be a geocoding error when the reports read alike
    # (and, for two countries, are dated alike): then it costs, else it rules the pair out
    if new.country_code and stored.country_code and new.country_code.upper() != stored.country_code.upper():
        if not (text >= ABROAD_TEXT and _same_days(new, stored)):
            return Match(total, reasons, veto=f"countries differ ({new.country_code} / {stored.country_code})")
        total -= ABROAD_PENALTY
        reasons.append(f"countries differ ({new.country_code} / {stored.country_code})")
    elif new.located and stored.located:
        distance = km(new.lat, new.lon, stored.lat, stored.lon)  # type: ignore[arg-type]
        if distance > FAR_KM:
            if text < MISPLACED_TEXT:
                return Match(total, reasons, veto=f"{distance:.0f} km apart")
            total -= MISPLACED_PENALTY
            reasons.append(f"{distance:.0f} km apart")
        elif distance <= NEAR_KM:
            total += 0.25
            reasons.append(f"{distance:.0f} km apart")
        else:
            total += 0.10
            reasons.append(f"{distance:.0f} km apart")
    elif new.location_name and stored.location_name and fold(new.location_name) == fold(stored.location_name):
        total += 0.25
        reasons.append("same place name")
    elif stored.location_precision in TOWN_PRECISION and _named_in(stored.location_name, new.text):
        total += 0.15
        reasons.append(f"{stored.location_name} named in the report")

    if new.day_dated and stored.day_dated:
        gap = abs((new.date - stored.date).days)  # type: ignore[operator]
        far = 0.0 if text >= FOLLOW_UP_TEXT else min(FAR_DATE_PENALTY, 0.05 * (gap - 3))
        total += {0: 0.15, 1: 0.10, 2: 0.0, 3: 0.0}.get(gap, -far)
        reasons.append(f"dates {gap} days apart")

    if new.sub_event_type and stored.sub_event_type:
        if new.sub_event_type == stored.sub_event_type:
            total += 0.05
        elif new.event_type and stored.event_type and new.event_type != stored.event_type:
            total -= TYPE_PENALTY
            reasons.append("event types differ")

    if new.actors and stored.actors:
        if new.actors & stored.actors:
            total += 0.20
            reasons.append("same perpetrator")
        else:
            total -= 0.30
            reasons.append("different perpetrators")
    elif new.suspects & stored.suspects:
        total += 0.20
        reasons.append("same suspect")

    ages_new, ages_stored = _ages(new.weights), _ages(stored.weights)
    if ages_new and ages_stored and not ages_new & ages_stored:
        total -= AGE_PENALTY
        reasons.append(f"no age in common ({', '.join(sorted(ages_new))} / {', '.join(sorted(ages_stored))})")

    a, b = new.killed_best, stored.killed_best
    if a is not None and b is not None and min(a, b) > 0 and max(a, b) > 3 * min(a, b) and max(a, b) - min(a, b) > 3:
        total -= 0.10
        reasons.append(f"killed {a} vs {b}")
    return Match(round(total, 4), reasons)


def _ages(weights: dict[str, float]) -> set[str]:
    """The "<N>-year-old" terms of a signature: the ages of the people a report names."""
    return {t for t in weights if t.endswith("-year-old")}


def link_score(report: Side, stored: Side) -> Match:
    """How likely a report with no incident of its own is about `stored` (text, and its town named)."""
    text = cosine(report.weights, stored.weights)
    total, reasons = text, [f"text {text:.2f}"]
    if stored.location_precision in TOWN_PRECISION and _named_in(stored.location_name, report.text):
        total += 0.15
        reasons.append(f"{stored.location_name} named in the report")
    return Match(round(total, 4), reasons)


def is_coordinated(new: Side, stored: Side) -> bool:
    """Same named perpetrator, same day, different places: linked, never merged."""
    if not (new.actors & stored.actors) or not (new.day_dated and stored.day_dated) or new.date != stored.date:
        return False
    if new.located and stored.located:
        return km(new.lat, new.lon, stored.lat, stored.lon) > NEAR_KM  # type: ignore[arg-type]
    return bool(new.location_name and stored.location_name
                and fold(new.location_name) != fold(stored.location_name))
