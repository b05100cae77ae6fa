"""Within-report grouping: a report's mentions become incidents (one place, one day) and exclusions.

Input: an Article and its Mentions (with modality). Output: an `Extraction`.
- Mentions kept out by modality become `Excluded` rows with their reason.
- Each town named by a concrete mention (one with figures, a date, roles or a strong cue) anchors an
  incident for that town and day; a report-wide lead ("148 killed yesterday in bombings in Syria")
  gives its date, claims and perpetrators to every incident of the report (a wave); when the report has one
  incident, the wave's targets, victims and weapons are that incident's too.
- A mention without a place continues the incident of the sentence before it (a report's narration).
- Incidents of one report on one day are linked through `related` (coordinated attacks).
- Mentions that fit no incident and carry no details of their own are excluded as "no details".
- A drafted incident without a violent act by an agent (only a toll or damage: a disaster, an accident, a
  natural death) is excluded as "not violence".
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sitrep.codebook import Codebook
from sitrep.extract.actors import actors_of_type
from sitrep.extract.modality import HarmCauses
from sitrep.extract.typing import IncidentTyper
from sitrep.extract.reconcile import reconcile
from sitrep.extract.reporters import canonical_reporter
from sitrep.nlp.gazetteer import distance_km
from sitrep.records import (
    Actor, Article, Cue, DateExpr, Evidence, Excluded, ExclusionReason, Extraction, Figure, Incident, Mention, Place,
)

TOWN = {"exact", "town", "near"}
NESTED_KM = 12.0  # a town this close to another named for the same day is part of it (a neighbourhood)
CONTINUE_SENTENCES = 2  # a placeless mention continues an incident named at most this many sentences back
_CROWD_EVENTS = frozenset({"Protests", "Riots"})
_BASIS_RANK = {"claimed": 0, "attributed": 1, "reported": 2, "suspected": 3}


@dataclass
class _Draft:
    place: Place | None
    date: DateExpr | None
    mentions: list[Mention] = field(default_factory=list)

    def key(self) -> str:
        where = str(self.place.geonameid or self.place.name) if self.place else "unknown place"
        return f"{where}|{self.date.date.isoformat() if self.date else 'undated'}"


def group(article: Article, mentions: list[Mention], codebook: Codebook, setting: Place | None = None) -> Extraction:
    """Turn one report's mentions into incidents and excluded mentions; an incident no mention places,
    or places only in a region or country, is placed where the report is set when that lies there
    (`setting`: the town it names most, see MentionFinder.setting)."""
    excluded = [_excluded(article, m, m.modality, m.modality_detail or "") for m in mentions if m.modality]
    realis = [m for m in mentions if not m.modality]
    acts = [m for m in realis if not _follow_up(m)]
    lead_date = next((_best_date(m.dates) for m in [*acts, *realis] if any(not d.reporting for d in m.dates)),
                     next((_best_date(m.dates) for m in [*acts, *realis] if m.dates), None))

    drafts: dict[str, _Draft] = {}
    by_town: dict[str, list[_Draft]] = defaultdict(list)
    act_towns: set[str] = set()
    for m in sorted(realis, key=_follow_up):  # pass 1: towns named by concrete mentions anchor incidents
        if _concrete(m):
            for place in _towns(m):
                # an arrest is part of its act's incident, on the act's day, unless the act was in another town
                elsewhere = bool(act_towns) and _town_key(place) not in act_towns
                if not _follow_up(m):
                    act_towns.add(_town_key(place))
                own = lead_date if _follow_up(m) and lead_date and not elsewhere else _date_for(m, place, lead_date)
                _draft_for(place, own, drafts, by_town)
    _fold_nested(drafts, by_town)
    if not drafts:  # no town: a concrete mention at admin1/country level, or with no place at all
        for m in realis:
            if _concrete(m):
                broad = _broad(m)
                _draft_for(broad[0] if broad else None, _date_for(m, None, lead_date), drafts, by_town)
                break

    wave: list[Mention] = []
    last: tuple[int, list[_Draft]] | None = None
    for m in realis:  # pass 2: attach every realis mention
        towns = [t for t in _towns(m) if _town_key(t) in by_town]
        if towns:
            targets = [_pick(by_town[_town_key(t)], _date_for(m, t, None)) for t in towns]
        elif _broad(m) and not _towns(m) and len(drafts) > 0:
            targets = []
            wave.append(m)
        elif not _towns(m) and _dated_apart(m, list(drafts.values())):
            # "In March, two guards were found dead": another incident, at no place the report names
            targets = [_draft_for(None, _best_date(m.dates), drafts, by_town)]
        elif not _towns(m) and last and m.sentence_index - last[0] <= CONTINUE_SENTENCES:
            targets = last[1]
        elif not _towns(m) and len(drafts) == 1:
            targets = list(drafts.values())
        else:
            targets = []
            if not _towns(m) and drafts:
                wave.append(m)
            else:
                excluded.append(_excluded(article, m, "no details", _no_details(m)))
        for draft in targets:
            if m not in draft.mentions:
                draft.mentions.append(m)
        if targets:
            last = (m.sentence_index, targets)

    own_event = _own_event(list(drafts.values()), lead_date)
    if wave and own_event is not None:  # what names no town tells of the report's own event, not of a wave
        own_event.mentions.extend(m for m in wave if m not in own_event.mentions)
        wave = []
    incidents = []
    places = len({d.key().split("|")[0] for d in drafts.values()})  # one town on two days: one place
    retold = _retold(article, codebook)
    # a report's only incident may take its act from any sentence that tells of one in its area ("the sheriff
    # is investigating the shooting ... the child is in serious condition")
    told = [m for m in mentions if m.modality in _TELLS_OF_AN_ACT] if len(drafts) == 1 else []
    kept: list[tuple[_Draft, Incident]] = []
    for draft in drafts.values():
        incident = _incident(article, draft, wave, places, codebook, alone=len(drafts) == 1)
        lent = [m for m in told if _same_area(m, draft.place)]
        verdict = _not_an_incident(article, incident, draft.mentions, [*wave, *lent], codebook, retold)
        if verdict:
            excluded.extend(_excluded(article, m, *verdict) for m in draft.mentions)
        else:
            kept.append((draft, incident))
    remaining = len({d.key().split("|")[0] for d, _ in kept})
    for draft, incident in kept:
        if remaining < places:  # a place that is no incident (an arrest elsewhere, a retold attack) takes no
            # share of the report's figures that name no place: told again for the places that remain
            incident = _incident(article, draft, wave, remaining, codebook, alone=len(kept) == 1)
        if incident.location is None or _within(setting, incident.location):
            incident.location = setting
        incidents.append(incident)
    _link_related(incidents)
    excluded.sort(key=lambda e: e.start)
    return Extraction(incidents=incidents, excluded=excluded)


OFF_TOPIC_MIN = 4  # distinct sports/economy words that mark a report as using violent words figuratively


def _not_an_incident(article: Article, incident: Incident, mentions: list[Mention], others: list[Mention],
                     codebook: Codebook, retold: str | None = None) -> tuple[ExclusionReason, str] | None:
    """Why a drafted incident is not one (`mentions`: its own; `others`: the report's wave and the mentions
    that may give it its act): retold in a report about a trial or an anniversary (`retold`: the lead's
    word, see `_retold`) and not dated within the news window; no violent act by an agent (only a toll or
    damage, see `_violent_act`); no place, no count, no one harmed by a named act, no perpetrator acting on
    a target, victim or with a weapon and no target struck by a named weapon; or figurative use in an
    off-topic report."""
    if retold and not _news(incident, article.published):
        return "historical", (f"retold in a report about a trial or an anniversary ({retold!r} in its lead), "
                              f"not dated within {NEWS_WINDOW_DAYS} days of publication")
    if not _violent_act([*mentions, *others], codebook, article.text):
        return "not violence", _no_act(mentions, article.text, codebook)
    counted = bool((incident.killed and incident.killed.high) or (incident.injured and incident.injured.high)
                   or any(f.kind in {"kidnapped", "missing", "arrested"} and f.value for f in incident.figures))
    # who did what to whom, what struck which target ("a bomb destroyed the bank's offices"), or who was
    # harmed by an act named by a strong cue ("the senator was assassinated") or a word of violence against
    # people ("the murder of the judge"), read off the text, is enough to code an incident whose place is unknown
    acted = bool((incident.perpetrators and (incident.targets or incident.victims or incident.weapons))
                 or (incident.targets and incident.weapons))
    harmed = bool(incident.victims) and any(c.strong or _against_people(c, codebook) for m in mentions for c in m.cues)
    if incident.location is None and not counted and not acted and not harmed:
        return "no details", "no place, no casualty figures and no roles: not enough to code an incident"
    text = article.text.lower()
    off_topic = {w for w in codebook.off_topic if w in text and re.search(rf"\b{re.escape(w)}\b", text)}
    if len(off_topic) >= OFF_TOPIC_MIN and not counted:
        return "no details", f"violent words used figuratively in a report about {', '.join(sorted(off_topic)[:4])}"
    return None


_REFLEXIVE = {"himself", "herself", "themselves", "itself", "oneself"}
_TELLS_OF_AN_ACT = {None, "no details", "reaction", "historical"}  # mentions whose act is the report's event
NEWS_WINDOW_DAYS = 30  # an incident is news when it happened at most this long before publication (analysts' rule)
_UNITS = re.compile(r"\n+|(?<=[.!?])[\"'”’)]?\s+")  # headline lines and sentences (of lower-cased text too)
LEAD_WORDS = 8  # the lead ends with the first unit of at least this many words: the first sentence after headlines


def _lead(article: Article) -> str:
    """The report's lead: its headline (title) and its text up to the end of its first sentence, datelines
    and headline lines before it included."""
    units: list[str] = [article.title] if article.title else []
    for unit in _UNITS.split(article.text[:2000]):
        if unit.strip():
            units.append(unit)
            if len(unit.split()) >= LEAD_WORDS:
                break
    return " ".join(units)


def _retold(article: Article, codebook: Codebook) -> str | None:
    """The word that makes the report the story of a past incident told again (a trial, a sentencing, an
    anniversary: the codebook's `retold` words) when its lead has one."""
    words = sorted(codebook.modality["retold"], key=len, reverse=True)
    found = re.search(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", _lead(article), re.I)
    return found.group(1).lower() if found else None


def _news(incident: Incident, published: dt.date | None) -> bool:
    """Whether the incident is dated within the news window before publication (known dates only)."""
    return bool(incident.date and published and -1 <= (published - incident.date).days <= NEWS_WINDOW_DAYS)


def _violent_act(mentions: list[Mention], codebook: Codebook, text: str) -> bool:
    """Whether the mentions report a violent act by an agent, not only what befell people or things (a
    toll, damage): a strong cue or one that names a deed ("the murder", "were killed"; `Cue.deed`), an act
    of its own (an attack, a shooting, an arrest, a protest ...), an act that needs an agent done by one of
    the codebook's classes for it ("gunmen killed", "troops were seen"), a gun or bomb named or a weapon
    found, or a perpetrator claimed, blamed or suspected (harm by a gun or a bomb is an incident even when
    called an accident). A cue or act inside a cause of harm that no one inflicts ("a heart attack",
    "killed himself") does not count, nor an act done only to its doer ("shot himself")."""
    frames = codebook.frames
    causes = HarmCauses.of(codebook)
    for m in mentions:
        sentence = text[m.sentence_start : m.sentence_end]
        spans = causes.spans(sentence, m.sentence_start)

        def free(start: int, end: int) -> bool:
            return not any(c.start <= start and end <= c.end for c in spans)

        if m.weapons or causes.armed(sentence) or any(a.role == "perpetrator" and a.basis != "reported"
                                                       for a in m.actors):
            return True
        if any((c.strong or c.deed) and free(c.start, c.end) for c in m.cues):
            return True
        for p in m.predications:
            if not free(p.start, p.end) or (p.patient_words and set(p.patient_words) <= _REFLEXIVE):
                continue
            if p.act not in frames.needs_agent or set(p.agents) & set(frames.needs_agent[p.act]):
                return True
    return False


def _no_act(mentions: list[Mention], text: str, codebook: Codebook) -> str:
    """The detail of an incident without a violent act: the cause of harm it names, if any."""
    causes = HarmCauses.of(codebook)
    for m in mentions:
        for cause in causes.spans(text[m.sentence_start : m.sentence_end]):
            return f"a toll or damage with no violent act and no one who did it (the report names {cause.what})"
    return "a toll or damage with no violent act and no one who did it"


def _against_people(cue: Cue, codebook: Codebook) -> bool:
    """A cue of violence done to people themselves ("murder", "killed"), not of a weapon or explosion."""
    return codebook.sub_event(cue.sub_event_type).event_type == "Violence against civilians"


def _same_area(m: Mention, place: Place | None) -> bool:
    """Whether every place the mention names for its event lies in the first-level region of `place`."""
    return place is None or all(
        p.place.country_code == place.country_code and (p.place.admin1 == place.admin1 or p.place.precision == "country")
        for p in m.places if p.role == "event" and p.place.precision)


def _within(town: Place | None, region: Place) -> bool:
    """Whether the report's setting is a town or county of the region or country an incident is placed in
    ("a shooting in Arkansas" in a report set in Little Rock)."""
    return bool(town and region.precision in ("admin1", "country") and town.country_code == region.country_code
                and (region.precision == "country" or town.admin1 == region.admin1))


def _follow_up(m: Mention) -> bool:
    """An arrest told with the act ("arrested Monday in Saturday's shooting"): its date is the arrest's,
    so the incident takes the date of the act when the report gives one."""
    return any(c.sub_event_type == "Arrests" for c in m.cues)


def _concrete(m: Mention) -> bool:
    own_figures = any(not f.aggregate for f in m.figures)
    return bool(own_figures or m.dates or m.victims or m.targets or m.weapons or any(c.strong for c in m.cues)
                or any(a.role != "denier" for a in m.actors))


def _towns(m: Mention) -> list[Place]:
    """The towns where the mention's event happened (not containing regions or places of other acts)."""
    seen: dict[str, Place] = {}
    for p in m.places:
        if p.place.precision in TOWN and p.role == "event":
            seen.setdefault(_town_key(p.place), p.place)
    return list(seen.values())


def _own_event(drafts: list[_Draft], lead: DateExpr | None) -> _Draft | None:
    """The report's own event when the others are told beside it: the one incident on the lead's day, every
    other one more than APART_DAYS away ("Toddler killed in Dayton on Thursday ... A 2-year-old boy was
    wounded in Dayton on Dec. 24"). None for a wave of attacks or a weekend's shootings, or when an incident
    is undated."""
    if lead is None or lead.precision != "day" or len(drafts) < 2:
        return None
    if any(d.date is None for d in drafts):
        return None
    on_lead = [d for d in drafts if d.date.date == lead.date]
    if len(on_lead) != 1 or any(_days_apart(d.date, lead) <= APART_DAYS for d in drafts if d is not on_lead[0]):
        return None
    return on_lead[0]


def _date_for(m: Mention, place: Place | None, lead: DateExpr | None) -> DateExpr | None:
    """The mention's date for this place: one scoped to it, else its own best date, else the report's lead."""
    if place is not None:
        scoped = [d for d in m.dates if d.scope == place.name]
        if scoped:
            return _best_date(scoped)
    own = _best_date([d for d in m.dates if d.scope is None] or m.dates)
    if own is not None and own.reporting and lead is not None and not lead.reporting:
        return lead  # "..., police said Friday": the act's date told elsewhere in the report
    return own or lead


APART_DAYS = 7  # a mention dated this far from every incident of its report tells of another one


def _dated_apart(m: Mention, drafts: list[_Draft]) -> bool:
    """A mention with a toll whose own date lies far from the dates of the report's incidents, each of
    which has a toll already (a follow-up's only toll, "who was shot on 3 March", is its incident's)."""
    own = _best_date(m.dates)
    if own is None or not drafts or not any(not f.aggregate for f in m.figures):
        return False
    return all(d.date is not None and _days_apart(own, d.date) > APART_DAYS
               and any(not f.aggregate for x in d.mentions for f in x.figures) for d in drafts)


def _days_apart(a: DateExpr, b: DateExpr) -> int:
    """Days between the periods two dates stand for (0 when they overlap)."""
    def period(d: DateExpr) -> tuple[dt.date, dt.date]:
        if d.precision == "year":
            return d.date.replace(month=1, day=1), d.date.replace(month=12, day=31)
        if d.precision == "month":  # (no date arithmetic: December 9999 has no next month)
            return d.date.replace(day=1), d.date.replace(day=calendar.monthrange(d.date.year, d.date.month)[1])
        week = 6 if d.precision == "week" else 0
        return d.date, d.date + dt.timedelta(days=min(week, (dt.date.max - d.date).days))
    (a0, a1), (b0, b1) = period(a), period(b)
    return max(0, (b0 - a1).days, (a0 - b1).days)


def _broad(m: Mention) -> list[Place]:
    order = {"admin2": 0, "admin1": 1, "country": 2}
    # a region that only qualifies another place or act ("the Cook County medical examiner") places nothing
    found = [p.place for p in m.places if p.place.precision in order and p.role == "event"]
    return sorted(found, key=lambda p: order[p.precision])


def _town_key(place: Place) -> str:
    return str(place.geonameid or place.name)


def _best_date(dates: list[DateExpr]) -> DateExpr | None:
    """The date of an act before that of a statement or of the report, then the most precise."""
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    return min(dates, key=lambda d: (d.reporting, order[d.precision])) if dates else None


def _draft_for(place, date, drafts, by_town) -> _Draft:
    draft = _Draft(place=place, date=date)
    key = draft.key()
    if key not in drafts:
        drafts[key] = draft
        by_town["unknown place" if place is None else _town_key(place)].append(draft)
    return drafts[key]


def _fold_nested(drafts: dict[str, _Draft], by_town: dict[str, list[_Draft]]) -> None:
    """A neighbourhood and its city ("Englewood", "Chicago"), named for one day, are one place: a town
    within NESTED_KM of a town named before it, on the same day or undated, joins that one's incident."""
    kept: list[_Draft] = []
    for key, draft in list(drafts.items()):
        host = next((k for k in kept if _nested(k, draft)), None)
        if host is None:
            kept.append(draft)
            continue
        del drafts[key]
        town = by_town[_town_key(draft.place)]
        town.remove(draft)
        if host not in town:
            town.append(host)


def _nested(a: _Draft, b: _Draft) -> bool:
    if a.place is None or b.place is None or a.place.lat is None or b.place.lat is None:
        return False
    if a.date is not None and b.date is not None and a.date.date != b.date.date:
        return False
    return distance_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) <= NESTED_KM


def _pick(candidates: list[_Draft], own: DateExpr | None) -> _Draft:
    """The incident in this town on the mention's own date, else the town's first incident."""
    if own:
        for d in candidates:
            if d.date and d.date.date == own.date:
                return d
    return candidates[0]


def _incident(article: Article, draft: _Draft, wave: list[Mention], n_drafts: int, codebook: Codebook,
              alone: bool = False) -> Incident:
    own = draft.mentions
    known_reporters: list[str] = []
    figures: list[Figure] = []
    evidence: list[Evidence] = []
    place_name = draft.place.name if draft.place else None

    def reporter_of(m: Mention) -> str | None:
        if not m.reporter:
            return None
        name = canonical_reporter(m.reporter.name, known_reporters)
        if name not in known_reporters:
            known_reporters.append(name)
        return name

    anchors = [m for m in own if _towns(m)]
    if n_drafts > 1 and anchors and all(_follow_up(m) for m in anchors):
        # an arrest elsewhere ("police arrested a man on Sunday in Springfield in connection with the shooting")
        # is told by its own sentences, not by those about the act (the report's lead, "the shooting")
        members = [m for m in own if _follow_up(m)]
    else:
        members = [*own, *wave]
    for m in sorted({id(x): x for x in members}.values(), key=lambda x: x.sentence_start):
        in_wave = m not in own
        reporter = reporter_of(m)
        for f in m.figures:
            if f.aggregate:
                continue
            scope = f.scope
            if f.subset:
                scope = f"subset: {f.text}"
            elif f.perpetrators:
                scope = "perpetrators"
            elif in_wave and n_drafts > 1:
                scope = f"all {n_drafts} places of the attacks"
            elif scope is None and n_drafts > 1 and place_name:
                scope = place_name
            figures.append(Figure(
                kind=f.kind, value=f.value, qualifier=f.qualifier, scope=scope, reported_by=reporter,
                high=f.high if f.qualifier == "range" and f.high > f.value else None,
                quote=_sentence(article, m), article_id=article.id, start=f.start, end=f.end,
            ))
            evidence.append(_evidence(article, f.kind, f.start, f.end))
        evidence.append(_evidence(article, "event", *_sentence_span(article, m)))
        for p in m.places:
            if draft.place and p.place.name == draft.place.name:
                evidence.append(_evidence(article, "location", p.start, p.end))
        if draft.date:
            for d in m.dates:
                if d.date == draft.date.date:
                    evidence.append(_evidence(article, "date", d.start, d.end))
        for a in m.actors:
            if a.role != "denier":
                evidence.append(_evidence(article, "perpetrators", a.start, a.end))

    # a wave's roles belong to the incident when it is the report's only one ("condemned the murder of <name>")
    holders = members if alone else own
    cues = [c for m in members for c in m.cues]
    killed = reconcile(figures, "killed", place_name, codebook)
    injured = reconcile(figures, "injured", place_name, codebook)
    typer = _typer(codebook)
    typed = typer(
        sorted((p for m in members for p in m.predications), key=lambda p: p.start), cues,
        has_casualties=bool(killed or injured),
        text=" ".join([*(_sentence(article, m) for m in members), *(w for m in own for w in m.weapons)]),
        targets=[*(t for m in holders for t in m.targets), *(v for m in holders for v in m.victims)],
    )
    if not alone and typed.event_type in _CROWD_EVENTS:
        # protests in many towns: how each town's crowd acted is told by its own sentences ("In Corfu, protesters
        # occupied the County Headquarters"), not by the report's lead about the capital's riot
        told = sorted((p for m in own for p in m.predications), key=lambda p: p.start)
        own_cues = [c for m in own for c in m.cues]
        own_type = typer.sub_event_type(told, own_cues, has_casualties=False)
        if own_type != typed.sub_event_type and codebook.sub_event(own_type).event_type in _CROWD_EVENTS:
            typed = typer(told, own_cues, has_casualties=bool(killed or injured),
                          text=" ".join(_sentence(article, m) for m in own))
    perpetrators, claimed_by = _perpetrators(members)
    persons = {a.name for a in perpetrators if a.person}
    by_type = actors_of_type(typed.event_type, typed.sub_event_type, [a.name for a in perpetrators],
                             [_sentence(article, m) for m in members], codebook)
    if by_type is not None:
        basis = {a.name: a.basis for a in perpetrators}
        perpetrators = [Actor(name=n, basis=basis.get(n, "reported"), person=n in persons) for n in by_type]
    sources = sorted({f.reported_by for f in figures if f.reported_by} | ({article.source} if article.source else set()))
    return Incident(
        id=_incident_id(draft, typed.sub_event_type, codebook),
        event_type=typed.event_type,
        sub_event_type=typed.sub_event_type,
        attack_type=typed.attack_type,
        weapon_type=typed.weapon_type,
        target_types=typed.target_types,
        suicide=typed.suicide,
        date=draft.date.date if draft.date else None,
        date_precision=draft.date.precision if draft.date else None,
        location=draft.place,
        perpetrators=perpetrators,
        targets=_union(m.targets for m in holders),
        victims=_union(m.victims for m in holders),
        weapons=_union(m.weapons for m in holders),
        killed=killed,
        injured=injured,
        figures=figures,
        claimed_by=claimed_by,
        sources=sources,
        articles=[article.id],
        evidence=_dedupe_evidence(evidence),
    )


_TYPERS: dict[int, IncidentTyper] = {}


def _typer(codebook: Codebook) -> IncidentTyper:
    """One typer per codebook (it compiles the codebook's word patterns), not one per incident."""
    typer = _TYPERS.get(id(codebook))
    if typer is None or typer.codebook is not codebook:
        typer = _TYPERS[id(codebook)] = IncidentTyper(codebook)
    return typer


def _perpetrators(mentions: list[Mention]) -> tuple[list[Actor], str | None]:
    deniers = {a.name for m in mentions for a in m.actors if a.role == "denier"}
    best: dict[str, str] = {}
    claimed_by = None
    for m in mentions:
        for a in m.actors:
            # a group that denies involvement stays a perpetrator only as suspected or attributed by others
            if a.role == "denier" or (a.name in deniers and a.basis in {"claimed", "reported"}):
                continue
            if a.basis == "claimed" and claimed_by is None:
                claimed_by = a.name
            if a.name not in best or _BASIS_RANK[a.basis] < _BASIS_RANK[best[a.name]]:
                best[a.name] = a.basis
    named = {n: b for n, b in best.items() if not n.islower()}
    chosen = named or best  # a named group makes "gunmen" redundant
    persons = {a.name for m in mentions for a in m.actors if a.person}
    return [Actor(name=n, basis=b, person=n in persons) for n, b in chosen.items()], claimed_by


def _link_related(incidents: list[Incident]) -> None:
    by_day: dict[object, list[Incident]] = defaultdict(list)
    for inc in incidents:
        if inc.date:
            by_day[inc.date].append(inc)
    for group_ in by_day.values():
        for inc in group_:
            inc.related = sorted(o.id for o in group_ if o is not inc)


def _incident_id(draft: _Draft, sub_event_type: str | None, codebook: Codebook) -> str:
    event_type = codebook.sub_event(sub_event_type).event_type if sub_event_type else "unknown"
    digest = hashlib.sha1(f"{draft.key()}|{event_type}".encode()).hexdigest()
    return f"inc-{digest[:12]}"


def _excluded(article: Article, m: Mention, reason, detail: str) -> Excluded:
    start, end = _sentence_span(article, m)
    return Excluded(reason=reason, text=article.text[start:end], detail=detail, article_id=article.id,
                    start=start, end=end)


def _no_details(m: Mention) -> str:
    where = ", ".join(p.text for p in m.places)
    return f"mentions {where} without a date, figures or details of an incident" if where else \
        "a reference to violence without a place, date or figures"


def _sentence(article: Article, m: Mention) -> str:
    return article.text[m.sentence_start : m.sentence_end].strip()


def _sentence_span(article: Article, m: Mention) -> tuple[int, int]:
    """The mention's sentence without the whitespace around it (spaCy's sentences keep a paragraph break
    that follows them): the offsets of `_sentence`, so that evidence text is always text[start:end]."""
    raw = article.text[m.sentence_start : m.sentence_end]
    start = m.sentence_start + len(raw) - len(raw.lstrip())
    return start, max(start, m.sentence_end - (len(raw) - len(raw.rstrip())))


def _evidence(article: Article, field_name: str, start: int, end: int) -> Evidence:
    return Evidence(field=field_name, article_id=article.id, start=start, end=end, text=article.text[start:end])


def _dedupe_evidence(items: list[Evidence]) -> list[Evidence]:
    return list({(e.field, e.start, e.end): e for e in items}.values())


def _union(lists) -> list[str]:
    out: list[str] = []
    for items in lists:
        out.extend(x for x in items if x not in out)
    return out
