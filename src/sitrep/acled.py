"""ACLED's coding of a ledger incident: actor types (inter codes), the second actor, interaction, civilian
targeting, region, source scale, tags and notes.

Everything is derived from the incident's own record by the rules of `codebook/acled.yaml` (and
`codebook/regions.yaml`), with the codebook's actor classes: named groups by their `kind` in
`codebook/actors.yaml`, generic names ("gunmen", "soldiers", "villagers") by the typing lexicon's actor
classes in `codebook/events.yaml`. Nothing is guessed beyond those rules: an actor no rule types has no
inter code, and a column the record cannot fill stays empty (see `sitrep.exports`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from sitrep.codebook import read_codebook_file
from sitrep.formats import date_range
from sitrep.records import Figure, Incident

CIVILIANS, STATE, ARMED, RIOTERS, PROTESTERS = 7, 1, 3, 5, 6
SCALE_ORDER = ("Local", "National", "International", "Other")


@dataclass(frozen=True)
class Rules:
    """codebook/acled.yaml and regions.yaml, read once, with the codebook's actor classes as look-ups."""

    named: dict[str, int]  # a named group's name or alias (lower case) -> inter code
    words: dict[str, int]  # a word or phrase (lower case) that decides before the classes -> inter code
    classes: dict[str, str]  # a lexicon word (lower case) -> its actor class
    class_codes: dict[str, int]
    precedence: tuple[int, ...]
    qualifiers: frozenset[str]
    target_types: dict[str, int]
    names: dict[str, str]
    phrases: dict[str, str]
    scales: tuple[tuple[str, tuple[str, ...]], ...]
    tags: dict[str, str]
    countries: dict[str, tuple[str, str]]  # ISO alpha-2 -> (ACLED region, ACLED country name)


@cache
def rules() -> Rules:
    from sitrep.codebook import load_codebook

    book = load_codebook()
    data = read_codebook_file("acled.yaml")
    inter = data["inter"]
    named: dict[str, int] = {}
    for actor in book.actors:
        code = inter["kinds"].get(actor.kind)
        if code is not None:
            for alias in [actor.name, *actor.aliases]:
                named.setdefault(alias.lower(), code)
    classes: dict[str, str] = {}
    for name, words in book.frames.actors.items():
        if name in inter["classes"]:
            for word in words:
                classes.setdefault(word.lower(), name)
    countries = {str(code): (region, name) for region, members in read_codebook_file("regions.yaml").items()
                 for code, name in members.items()}
    return Rules(
        named=named, words={str(k).lower(): int(v) for k, v in inter["words"].items()}, classes=classes,
        class_codes={k: int(v) for k, v in inter["classes"].items()}, precedence=tuple(inter["precedence"]),
        qualifiers=frozenset(inter["qualifiers"]),
        target_types={t: int(code) for code, types in data["target_types"].items() for t in types},
        names={str(k): v for k, v in data["names"].items()}, phrases=data["phrases"],
        scales=tuple((scale, tuple(words)) for scale, words in data["source_scale"].items()),
        tags=data["tags"], countries=countries,
    )


# ---------------------------------------------------------------- countries


@lru_cache(maxsize=512)
def country(code: str | None) -> tuple[int | None, str | None, str | None]:
    """(ISO 3166 numeric code, country name as ACLED writes it, ACLED region) of an alpha-2 code;
    None for what is unknown."""
    if not code:
        return None, None, None
    import pycountry

    code = code.upper()
    found = pycountry.countries.get(alpha_2=code)
    region, name = rules().countries.get(code, (None, None))
    if found is not None and name is None:
        name = getattr(found, "common_name", None) or found.name
    return (int(found.numeric) if found is not None else None), name, region


# ---------------------------------------------------------------- actors


def _tokens(name: str) -> list[str]:
    return re.findall(r"[\w'-]+", name.lower())


def _singular(word: str) -> str:
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _typed_words(tokens: list[str], victim: bool) -> tuple[list[int], set[int]]:
    """The inter codes of the words and phrases of a name (longest phrases first, each token used once),
    and the positions of the tokens they used."""
    r = rules()
    codes: list[int] = []
    used: set[int] = set()
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            span = set(range(start, start + size))
            if span & used:
                continue
            words = tokens[start:start + size]
            for phrase in (" ".join(words), " ".join([*words[:-1], _singular(words[-1])])):
                code = r.words.get(phrase)
                if code is None and phrase in r.classes:
                    kind = r.classes[phrase]
                    code = CIVILIANS if victim and kind == "crowd" else r.class_codes[kind]
                if code is not None:
                    codes.append(code)
                    used |= span
                    break
    return codes, used


def actor_type(name: str, *, victim: bool = False) -> int | None:
    """ACLED's inter code of an actor named `name`, or None when no rule types it.

    A named group of the codebook has its kind's code (Islamic State, a jihadist group: 2, rebel group);
    a generic name has the code of its words ("gunmen" 3, "soldiers" 1, "protesters" 6); where several
    words are typed, `precedence` decides ("rebel forces": 2). `victim`: the name is of those an event was
    against, where a crowd ("villagers", "residents") is civilians (7), not rioters (5)."""
    r = rules()
    lowered = " ".join(_tokens(name))
    if lowered in r.named:
        return r.named[lowered]
    codes, _ = _typed_words(_tokens(name), victim)
    if not codes:
        return None
    return min(codes, key=lambda c: r.precedence.index(c) if c in r.precedence else len(r.precedence))


def _generic(name: str, victim: bool) -> bool:
    """Whether `name` is nothing but typed words, qualifiers and numbers ("unidentified gunmen", "10 civilians")."""
    tokens = _tokens(name)
    codes, used = _typed_words(tokens, victim)
    rest = [t for i, t in enumerate(tokens) if i not in used]
    return bool(codes) and all(t in rules().qualifiers or t.isdigit() for t in rest)


def acled_name(code: int, country_name: str | None, *, police: bool = False) -> str:
    """The name ACLED gives a generic actor of this type ("Civilians (Syria)")."""
    template = rules().names.get("police" if police and code == STATE else str(code))
    if template is None:
        return ""
    if country_name is None:
        return re.sub(r"\s*\(\{country\}\)|\s+of \{country\}", "", template)
    return template.format(country=country_name)


def _named(name: str, code: int | None, country_name: str | None, victim: bool) -> str:
    """The actor's name for ACLED: as written, or ACLED's name of its type when the name is only generic words."""
    if code is not None and code != 2 and _generic(name, victim):
        return acled_name(code, country_name, police="police" in name.lower()) or name
    return name


@dataclass
class Sides:
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: int | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: int | None = None

    @property
    def interaction(self) -> int | None:
        """ACLED's two-digit interaction code: the two inter codes, the lower first; an actor alone is
        its code and 0 (e.g. 20)."""
        if self.inter1 is None:
            return None
        if not self.inter2:
            return self.inter1 * 10
        low, high = sorted((self.inter1, self.inter2))
        return low * 10 + high


def _joined(names: Iterable[str]) -> str | None:
    return "; ".join(dict.fromkeys(n for n in names if n)) or None


def sides(incident: Incident) -> Sides:
    """Who acted (actor1, from the perpetrators) and against whom (actor2: the victims, else the targets,
    else what the event type implies), each with its inter code."""
    r = rules()
    _, country_name, _ = country(incident.location.country_code if incident.location else None)
    result = Sides()
    first = [(a.name, actor_type(a.name)) for a in incident.perpetrators]
    subtype, event_type = incident.sub_event_type or "", incident.event_type or ""
    if first:
        names = [_named(n, c, country_name, False) for n, c in first]
        result.actor1, result.assoc_actor_1, result.inter1 = names[0], _joined(names[1:]), first[0][1]
    elif event_type == "Riots":
        result.actor1, result.inter1 = acled_name(RIOTERS, country_name), RIOTERS
    elif subtype in ("Peaceful protest", "Protest with intervention"):
        result.actor1, result.inter1 = acled_name(PROTESTERS, country_name), PROTESTERS

    second: list[tuple[str, int]] = []
    for group in (incident.victims, incident.targets):  # the victims, else the targets
        for text in group:
            code = actor_type(text, victim=True)
            if code is not None:
                generic = code in (STATE, CIVILIANS) or _generic(text, True)
                second.append((acled_name(code, country_name, police="police" in text.lower())
                               if generic else text, code))
        if second:
            break
    if not second:
        codes = [r.target_types[t] for t in incident.target_types if t in r.target_types]
        if codes:
            code = min(codes, key=lambda c: r.precedence.index(c) if c in r.precedence else 99)
            police = code == STATE and "Police" in incident.target_types and "Military" not in incident.target_types
            second.append((acled_name(code, country_name, police=police), code))
    if not second:
        if event_type == "Violence against civilians":
            second.append((acled_name(CIVILIANS, country_name), CIVILIANS))
        elif subtype == "Excessive force against protesters" and result.inter1 != PROTESTERS:
            second.append((acled_name(PROTESTERS, country_name), PROTESTERS))
    if second and result.actor1 is not None and second[0][0] == result.actor1:
        second = second[1:]
    if second:
        names = list(dict.fromkeys(n for n, _ in second))
        result.actor2, result.assoc_actor_2, result.inter2 = names[0], _joined(names[1:]), second[0][1]
    return result


def civilian_targeting(incident: Incident, found: Sides) -> str | None:
    """ACLED's "Civilian targeting" where civilians were the target (actor2 civilians, or violence against
    civilians); else empty."""
    if found.inter2 == CIVILIANS or incident.event_type == "Violence against civilians":
        return "Civilian targeting"
    return None


# ---------------------------------------------------------------- sources, tags


@cache
def _scale_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One pattern per scale: any of its words or phrases, as whole words, any case."""
    return tuple((scale, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                                    + r")(?!\w)", re.IGNORECASE))
                 for scale, phrases in rules().scales)


@lru_cache(maxsize=4096)
def scale_of(source: str) -> str:
    """The scale of one source: the first list of `source_scale` naming a word of it, else National."""
    for scale, pattern in _scale_patterns():
        if pattern.search(source):
            return scale
    return "National"


def source_scale(sources: Iterable[str]) -> str | None:
    """The incident's sources' distinct scales, local to other, joined by '-' ("National-International")."""
    found = {scale_of(s) for s in sources if s and s.strip()}
    return "-".join(s for s in SCALE_ORDER if s in found) or None


def tags(incident: Incident) -> str | None:
    return rules().tags.get(incident.event_type or "")


# ---------------------------------------------------------------- notes


def _date_phrase(incident: Incident) -> str:
    day, precision = incident.date, incident.date_precision or "day"
    if day is None:
        return "On an unknown date"
    if precision == "week":
        monday, _ = date_range(day, "week")
        return f"In the week of {monday.day} {monday:%B} {monday.year}"
    if precision == "month":
        return f"In {day:%B} {day.year}"
    if precision == "year":
        return f"In {day.year}"
    return f"On {day.day} {day:%B} {day.year}"


def _listed(items: list[str]) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _distinct(items: list[str]) -> list[str]:
    """Items without repeats, a singular dropped where its plural is listed ("bus stations", "bus station")."""
    kept: dict[str, str] = {}
    for item in items:
        key = " ".join(_singular(w) for w in _tokens(item))
        if key not in kept or len(item) > len(kept[key]):
            kept[key] = item
    return list(kept.values())


def place_phrase(incident: Incident) -> str | None:
    """"Jableh (Latakia, Syria)": the place, then its region and country where they differ from it."""
    loc = incident.location
    if loc is None:
        return None
    _, country_name, _ = country(loc.country_code)
    context = [p for p in dict.fromkeys((loc.admin2, loc.admin1, country_name)) if p and p != loc.name]
    return loc.name + (f" ({', '.join(context)})" if context else "")


def counted_figures(incident: Incident, kind: str) -> list[Figure]:
    """The incident's figures of `kind` that count its own toll: those scoped to its place or to no place
    (a figure scoped to another town of a linked attack is the other incident's)."""
    loc = incident.location
    own = [f for f in incident.figures if f.kind == kind]
    if loc is not None:
        mine = [f for f in own if f.scope and f.scope.lower() == loc.name.lower()]
        if mine:
            return mine
    return [f for f in own if not f.scope]


def toll_phrase(incident: Incident) -> str:
    """"100 killed, according to the Syrian Observatory for Human Rights." or "Casualties unknown."."""
    parts = []
    for kind, label in (("killed", "killed"), ("injured", "injured")):
        value = getattr(incident, kind)
        if value is None:
            continue
        number = str(value.best) if value.low == value.high else f"{value.low} to {value.high} (best {value.best})"
        reporters = _listed([f.reported_by for f in counted_figures(incident, kind) if f.reported_by])
        parts.append(f"{number} {label}" + (f", according to {reporters}" if reporters else ""))
    return ("; ".join(parts) + ".") if parts else "Casualties unknown."


def notes(incident: Incident) -> str:
    """ACLED-style notes of one incident, from its own record: when, what, who, against what, where,
    with what, the toll and who gave it, the claim, and the link to coordinated incidents."""
    phrase = rules().phrases.get(incident.sub_event_type or "", "an event")
    actors = [a.name + (" (suspected)" if a.basis == "suspected" else "") for a in incident.perpetrators]
    sentence = f"{_date_phrase(incident)}, {phrase}"
    if actors:
        sentence += f" by {_listed(actors)}"
    where = place_phrase(incident)
    sentence += f" in {where}" if where else " at an unknown place"
    victims = _listed(_distinct(incident.victims))
    targets = _listed(_distinct(incident.targets))
    if targets or victims:
        sentence += " targeted " + _listed([t for t in (targets, victims) if t])
    else:
        sentence += " took place"
    if incident.weapons:
        sentence += f", with {_listed(incident.weapons)}"
    out = [sentence + ".", toll_phrase(incident)]
    if incident.claimed_by:
        out.append(f"{incident.claimed_by} claimed responsibility.")
    if incident.related:
        n = len(incident.related)
        out.append(f"Linked to {n} other incident{'s' if n > 1 else ''} (coordinated attacks).")
    return " ".join(out)


__all__ = ["Rules", "Sides", "acled_name", "actor_type", "civilian_targeting", "counted_figures", "country",
           "notes", "place_phrase", "rules", "scale_of", "sides", "source_scale", "tags", "toll_phrase"]
