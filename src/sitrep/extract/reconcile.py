"""Reconciliation: an incident's killed/injured low, best and high from all its reported figures.

The rule (DESIGN.md), applied to the figures of one kind that count this incident (scope empty or the
incident's own place; subsets, perpetrators and wider tolls are kept as rows but never counted):
- low  = the smallest figure (the most conservative reading, as ACLED codes fatalities);
- high = the largest figure;
- best = a figure from the most recent report; among those, from the most authoritative reporter
  (tiers in codebook/lexicon.yaml `reporter_authority`: officials, police, hospitals and monitors
  above media, media above unattributed text, unattributed above witnesses and claims);
  among those, the largest (tolls rise as bodies are counted).

A body count (scope "all the dead": "three found dead", "the bodies of four people") counts the
incident too, less one when the report tells of the perpetrator's suicide (scope "perpetrator's
suicide", or a death by one's own hand beside counted victims: `perpetrator_suicide`), whom it
includes: `victims` are the victims alone, the perpetrator is his own row.
The incident's killed (`reconcile`) is the victims' range plus the attackers killed (`attackers`: "the
gunman was shot dead by police", "then turned the gun on himself"), as the Gun Violence Archive,
ACLED and analysts count a toll; nothing is added when a toll says it counts him already.
A 0 said of the people not counted already ("no one else was hurt", "his wife escaped unharmed": scope
"nobody else") is the toll only when no other figure counts anyone; a word that names no number
("several": scope "no number given") is never a toll.
Another person told with an ordinal ("two guards were killed outright; the third person died in hospital")
makes best and high at least that number.

Figures that count only part of the toll fill in when no figure counts it whole:
- one person (scope "one person: ..."): "a man was killed", "Erica Robinson was shot dead". A report
  telling of a single victim gives 1; several such rows are usually the same person told again, so
  they are never added up (coordinated victims in one sentence are summed by `figures.py`);
- people shot (scope `SHOT`, kind injured): "four people were shot" counts the wounded and the dead
  together; with no figure of the injured alone, injured = people shot - killed (best), at least 0;
  the larger of that and 1 when a single wounded person is also reported. A single wounded person
  in a report that counts deaths is taken to be one of the dead (shot, then died) unless the text
  says it is another ("her father was also shot", "another child": scope "one more person: ...";
  "a fifth man was wounded" is another only when fewer than five are dead).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from sitrep.codebook import Codebook
from sitrep.extract import tolls
from sitrep.extract.figures import (
    ALL_DEAD, ANOTHER_PERSON, DIED_OF_WOUNDS, NOBODY_ELSE, ONE_PERSON, OWN_HAND, PERP_IN_TOLL, SHOT, SUICIDE, is_shot,
)
from sitrep.records import Figure, FigureKind, Range

UNATTRIBUTED_TIER = 1
PERPETRATORS = "perpetrators"  # scope of a count of the attackers ("the gunman was killed by police")


def authority(reporter: str | None, codebook: Codebook) -> int:
    """The reporter's tier (higher is more authoritative)."""
    if not reporter:
        return UNATTRIBUTED_TIER
    words = set(re.findall(r"[a-z]+", reporter.lower()))
    lowered = reporter.lower()
    for tier in sorted(codebook.reporter_authority, reverse=True):
        for cue in codebook.reporter_authority[tier]:
            if (" " in cue and cue in lowered) or cue in words:
                return tier
    return 2 if reporter[:1].isupper() else UNATTRIBUTED_TIER  # a named person or outlet


def counts_for(figure: Figure, place_name: str | None) -> bool:
    """Does this figure count the incident itself (not a subset, the attackers or a wider toll)?"""
    return figure.scope in (None, ALL_DEAD, DIED_OF_WOUNDS) or (place_name is not None and figure.scope == place_name)


def is_one_person(figure: Figure) -> bool:
    return bool(figure.scope) and figure.scope.startswith((ONE_PERSON, ANOTHER_PERSON))


def is_another_person(figure: Figure) -> bool:
    return bool(figure.scope) and figure.scope.startswith(ANOTHER_PERSON)


_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6}


def _ordinal(scope: str | None) -> float:
    """ "a fifth man": 5; no ordinal: infinite (another person whatever the count)."""
    words = re.findall(r"[a-z0-9]+", (scope or "").lower())
    return next((_ORDINALS[w] for w in words if w in _ORDINALS), float("inf"))


def ordinal_victim(figures: Iterable[Figure], kind: FigureKind) -> int:
    """The largest ordinal of another person told ("two guards were killed outright; the third person died in
    hospital": 3, so at least three), 0 when none."""
    return int(max((_ordinal(f.scope) for f in figures if f.kind == kind and is_another_person(f)
                    and _ordinal(f.scope) != float("inf")), default=0))


def perpetrator_suicide(figures: Iterable[Figure]) -> bool:
    """Does the report tell of the perpetrator's death by his own hand? Said so ("then turned the gun
    on himself"), or a death by one's own hand in a report whose other figures count the dead."""
    killed = [f for f in figures if f.kind == "killed"]
    own_hand = any(f.scope == OWN_HAND for f in killed)
    # a single victim may be that same person ("boy shoots himself"; "the boy died"): a count must say others
    victims = any(f.value > 0 and counts_for(f, None) for f in killed)
    return any(f.scope == SUICIDE for f in killed) or (own_hand and victims)


def attackers(figures: Iterable[Figure], kind: FigureKind) -> int:
    """The attackers killed (or wounded) that the victims' toll leaves out: the largest count of them
    (figures scoped "perpetrators", the perpetrator's suicide), 0 when a toll already counts them
    ("three are dead in a murder-suicide": `PERP_IN_TOLL`). A wounded attacker who died counts once."""
    figures = list(figures)
    if any(f.scope == PERP_IN_TOLL for f in figures):
        return 0
    own = (SUICIDE, OWN_HAND) if perpetrator_suicide(figures) else (SUICIDE,)
    dead = max((f.value for f in figures if f.kind == "killed" and (f.scope == PERPETRATORS or f.scope in own)),
               default=0)
    if kind == "killed":
        return dead
    return 0 if dead else max((f.value for f in figures if f.kind == kind and f.scope == PERPETRATORS), default=0)


def reconcile(
    figures: Iterable[Figure], kind: FigureKind, place_name: str | None, codebook: Codebook,
    published: Mapping[str, dt.date | None] | None = None, article_order: Mapping[str, int] | None = None,
) -> Range | None:
    """low/best/high for one kind, attackers included, or None when no figure counts this incident. Within
    one report, best is the fitted toll's choice (`tolls`) and low/high widen to hold it; across reports,
    the rule's best (the most recent report's figure) stands."""
    figures = list(figures)
    rule, alone = by_rule(figures, kind, place_name, codebook, published, article_order)
    model = tolls.shipped()
    if model is None or kind not in ("killed", "injured") or len({f.article_id for f in figures}) > 1:
        return rule
    best = model.choose(toll_candidates(figures, kind, place_name, codebook, alone), kind)
    nth = ordinal_victim(figures, kind) if kind == "killed" else 0
    if alone is not None and alone.best >= nth > best:  # "the third person died": at least three, as the rule says
        best = nth
    best += attackers(figures, kind) if kind == "killed" else 0
    if rule is None:
        return Range(low=best, best=best, high=best) if best else None
    return Range(low=min(rule.low, best), best=best, high=max(rule.high, best))


def by_rule(
    figures: list[Figure], kind: FigureKind, place_name: str | None, codebook: Codebook,
    published: Mapping[str, dt.date | None] | None = None, article_order: Mapping[str, int] | None = None,
) -> tuple[Range | None, Range | None]:
    """(the rule's range, attackers included; the victims' range alone: `victims`)."""
    alone = victims(figures, kind, place_name, codebook, published, article_order)
    extra = attackers(figures, kind) if kind == "killed" else 0
    if not extra:
        return alone, alone
    if alone is None:
        return Range(low=extra, best=extra, high=extra), alone
    return Range(low=alone.low + extra, best=alone.best + extra, high=alone.high + extra), alone


def toll_candidates(figures: list[Figure], kind: FigureKind, place_name: str | None, codebook: Codebook,
                    alone: Range | None) -> list[tolls.Candidate]:
    """The fitted toll's candidates for the victims of one report (`alone`: the rule's range of them)."""
    dead = victims(figures, "killed", place_name, codebook)
    wounded = [f for f in figures if f.kind == "injured" and counts_for(f, place_name)]
    return tolls.candidates(figures, kind, place_name, alone, dead.best if dead else 0,
                            died_of_wounds(wounded, figures, place_name, codebook) if kind == "injured" else 0,
                            people_shot(figures), ordinal_victim(figures, kind) if kind == "killed" else 0)


def victims(
    figures: list[Figure], kind: FigureKind, place_name: str | None, codebook: Codebook,
    published: Mapping[str, dt.date | None] | None = None, article_order: Mapping[str, int] | None = None,
) -> Range | None:
    """low/best/high of the victims alone (the rule of the module docstring)."""
    usable = [f for f in figures if f.kind == kind and counts_for(f, place_name)]
    if kind == "killed" and perpetrator_suicide(figures):
        # a body count counts the perpetrator who killed himself: the incident's killed does not
        usable = [f.model_copy(update={"value": max(0, f.value - 1)}) if f.scope == ALL_DEAD else f
                  for f in usable]
    if usable:
        found = _rule(usable, codebook, published or {}, article_order or {})
        dead = died_of_wounds(usable, figures, place_name, codebook, published, article_order) \
            if kind == "injured" else 0
        if dead:
            found = Range(low=max(0, found.low - dead), best=max(0, found.best - dead), high=max(0, found.high - dead))
        nth = ordinal_victim(figures, kind)
        if nth > found.best:
            found = Range(low=found.low, best=nth, high=max(found.high, nth))
        return found
    singles = [f for f in figures if f.kind == kind and is_one_person(f)]
    shot = [f for f in figures if f.kind == kind == "injured" and is_shot(f.scope)]
    nobody = Range(low=0, best=0, high=0) if any(
        f.kind == kind and f.scope == NOBODY_ELSE for f in figures) else None
    if kind == "killed":
        return Range(low=1, best=1, high=1) if singles else nobody
    killed = victims(figures, "killed", place_name, codebook, published, article_order)
    dead = killed.best if killed else 0
    # people told one by one ("a 23-year-old man was wounded ... a 19-year-old woman was grazed"): a wounded
    # person who cannot be one of the dead (told as another, or unlike each of them) is another victim
    the_dead = [_person(f) for f in figures if f.kind == "killed" and is_one_person(f)]
    if dead:  # else a single wounded person in a report of deaths is most often the one who died
        singles = [f for f in singles if (is_another_person(f) and _ordinal(f.scope) > dead)
                   or (the_dead and not any(_same_person(_person(f), d) for d in the_dead))]
    n = distinct_people(singles)
    if not shot:
        return Range(low=1, best=n, high=n) if singles else nobody
    wounded = _rule(shot, codebook, published or {}, article_order or {})
    low, best, high = (max(0, v - dead) for v in (wounded.low, wounded.best, wounded.high))
    if singles:
        low = max(low, 1)
    return Range(low=low, best=max(best, n), high=max(high, n))


_AGE = re.compile(r"\b(\d{1,3})(?:-|\s)(?:years?|yr)(?:-|\s)old\b|,\s*(\d{1,3})\b")
_SEX = {**dict.fromkeys("man men boy boys male father son husband brother uncle grandfather he him".split(), "m"),
        **dict.fromkeys("woman women girl girls female mother daughter wife sister aunt grandmother she".split(),
                        "f")}  # not "his", "her": whose ("her son")


def _person(figure: Figure) -> tuple[int | None, str | None]:
    """(age, sex) of the one person a figure of one person tells of, where the phrase of its scope says ("one
    person: a 19-year-old woman", "one person: he")."""
    phrase = figure.scope.partition(":")[2] if figure.scope else ""
    age = _AGE.search(phrase)
    sexes = {_SEX[w] for w in re.findall(r"[a-z]+", phrase.lower()) if w in _SEX}
    return (int(age.group(1) or age.group(2)) if age else None), (sexes.pop() if len(sexes) == 1 else None)


def _same_person(a: tuple[int | None, str | None], b: tuple[int | None, str | None]) -> bool:
    """Whether two descriptions may be of one person: no age and no sex that differ."""
    return all(x is None or y is None or x == y for x, y in zip(a, b))


def distinct_people(figures: list[Figure]) -> int:
    """How many people figures of one person each tell of at least: those whose descriptions differ
    ("a 23-year-old man", "a 19-year-old woman": two; "a man", "the 23-year-old", "he": one)."""
    groups: list[list[tuple[int | None, str | None]]] = []
    for person in (_person(f) for f in sorted(figures, key=lambda f: (f.article_id, f.start))):
        group = next((g for g in groups if all(_same_person(person, other) for other in g)), None)
        if group is None:
            groups.append([person])
        else:
            group.append(person)
    return len(groups)


def people_shot(figures: list[Figure]) -> int:
    """How many people the figures of one person shot tell of ("Ann Cole, 25, was shot", "a 34-year-old man
    was shot": two), as `distinct_people` tells them apart."""
    return distinct_people([f for f in figures if f.kind == "injured" and is_shot(f.scope) and f.scope != SHOT])


_OTHERS = re.compile(r"\bothers?\b", re.I)


def died_of_wounds(wounded: list[Figure], figures: list[Figure], place_name: str | None, codebook: Codebook,
                   published: Mapping[str, dt.date | None] | None = None,
                   article_order: Mapping[str, int] | None = None) -> int:
    """How many of the wounded counted in `wounded` died later: the deaths told as a part of people hurt
    (scope `DIED_OF_WOUNDS`) after every count of the wounded ("Three men were wounded ... One of them
    later died"; a later report: "one of the three has died"), when they are all the dead; else 0."""
    later = [f for f in figures if f.kind == "killed" and f.scope == DIED_OF_WOUNDS]
    if not later or not wounded or any(_OTHERS.search(f.quote) for f in wounded):
        return 0  # "one man dead and three others injured": the wounded counted leave the dead out already
    published, article_order = published or {}, article_order or {}

    def when(f: Figure, offset: int | None) -> tuple:
        return (published.get(f.article_id) or dt.date.min, article_order.get(f.article_id, 0), offset or 0)

    first_death = min(when(f, f.end) for f in later)  # "Two of the three people wounded have died"
    # the group a death is told out of ("one of the five people hospitalized has died"): told again later in
    # the report ("Five people were hospitalized"), it is still the count before the death
    groups = {(f.article_id, f.value) for f in wounded for d in later
              if f.article_id == d.article_id and f.quote == d.quote}
    if any(when(f, f.start) >= first_death and (f.article_id, f.value) not in groups for f in wounded):
        return 0
    dead = max(f.value for f in later)
    killed = victims(figures, "killed", place_name, codebook, published, article_order)
    return dead if killed is not None and killed.best <= dead else 0


def _rule(usable: list[Figure], codebook: Codebook, published: Mapping[str, dt.date | None],
          article_order: Mapping[str, int]) -> Range:
    def recency(f: Figure) -> tuple:
        day = published.get(f.article_id) or dt.date.min
        return (day, article_order.get(f.article_id, 0))

    latest = max(recency(f) for f in usable)
    recent = [f for f in usable if recency(f) == latest]
    top = max(authority(f.reported_by, codebook) for f in recent)
    best = max(f.value for f in recent if authority(f.reported_by, codebook) == top)
    return Range(low=min(f.value for f in usable), best=best, high=max(f.high or f.value for f in usable))
