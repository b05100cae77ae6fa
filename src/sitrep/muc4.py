"""How sitrep incidents read as MUC-4 templates (the MUC-4 benchmark's only adapter).

sitrep codes a MUC-4 document like any report; this module only renames what it found:

| MUC-4 role | sitrep field                                                                          |
|------------|---------------------------------------------------------------------------------------|
| PerpInd    | perpetrator spans naming people ("guerrillas", "urban commandos", "members of the X")  |
| PerpOrg    | perpetrator spans naming organisations ("FMLN", "the Medellin cartel", "the army")    |
| Target     | `targets`: physical targets                                                           |
| Victim     | `victims`: people harmed                                                              |
| Weapon     | `weapons`                                                                             |

Perpetrators are read from the incident's `perpetrators` evidence, which keeps each span as written
(the `perpetrators` list holds codebook names). The incident type is the `muc4` type the codebook gives
the incident's ACLED sub-event type (e.g. Remote explosive/landmine/IED -> bombing,
Abduction/forced disappearance -> kidnapping, Looting/property destruction -> arson; a type of bombs is
a bombing only when something exploded, else an attack, and an attack with explosives is a bombing); types
that MUC-4 does not count as terrorist incidents give no template, nor does combat: a clash, shelling or air
strike in which only state forces act, or which names no target, no victim and no property destroyed
(fighting between armed forces).
Each incident is one template, and MUC-4 keys give each act of an incident a template of its own, so the
acts its sentences tell beside its type are templates too, with the incident's perpetrators and the fillers
named where the act is told (taken out of the incident's own template): people kidnapped (a strong cue of a
sub-event type that MUC-4 calls kidnapping, or a count of people kidnapped; also in combat), targets set on
fire (arson) or robbed (robbery), and people shot or murdered, and named nowhere else, in a bombing,
kidnapping or arson (attack, without the perpetrators, which are often those of the other act). Likewise
the victims a report first names in a later sentence than a template's first victims are a template of
that type of their own.
An incident that names nobody and nothing (no perpetrator, target, victim or weapon:
only a count, "many have been killed") fills no role, and MUC-4 keys hold no template for such a mention;
it gives only the kidnapping template, if any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sitrep.codebook import Codebook, load_codebook
from sitrep.records import Extraction, Incident

INCIDENT_TYPES = ("attack", "bombing", "kidnapping", "arson", "robbery", "forced work stoppage")
ROLES = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
# span labels of the trained role tagger (sitrep.extract.roles) for each MUC-4 role
ROLE_LABELS = {"PerpInd": "PERP_IND", "PerpOrg": "PERP_ORG", "Target": "TARGET", "Victim": "VICTIM", "Weapon": "WEAPON"}
# MUC-4 keys count guerrilla attacks on troops and posts, and riots and mobs that burn, beat or shoot, as
# terrorist attacks; the codebook, written for ACLED, gives these types no MUC-4 type.
MUC4_TYPE = {"Armed clash": "attack", "Violent demonstration": "attack", "Mob violence": "attack"}
# Types that are also how armed forces fight each other. MUC-4 keys leave out such combat: one in which only
# state forces are named as acting (troops killing rebels, an air force strafing rebel positions), or one that
# names nobody and nothing attacked ("clashes were reported in two towns"). ACLED codes both; only the
# MUC-4 reading drops them.
COMBAT_TYPES = {"Armed clash", "Shelling/artillery/missile attack", "Air/drone strike"}

# how a report says its dead were fighters killed in combat, not people attacked
_IN_COMBAT = re.compile(r"\b(killed|died|fell) (\w+ ){0,4}(while|when) fighting\b|\b(killed|died|fell) in (action|combat|battle)\b",
                        re.I)
# what makes an incident a MUC-4 bombing: an explosive weapon, or a word of one explosion that happened (plural
# "explosions" are mostly the noise of fighting)
_EXPLOSIVE = re.compile(r"bomb|dynamite|explosive|grenade|\bmines?\b|landmine|\bied", re.I)
_EXPLOSION = re.compile(r"\b(exploded|explosion|blast|detonated|dynamited|blew up|blown up|bombed)\b", re.I)
# acts told beside an incident's own (see `_side_acts`)
_FIRE = re.compile(r"\b(burn(ed|t|ing|s)?|set fire|on fire|fire to|torch(ed|es|ing)?|set ablaze|ablaze|arson|in flames)\b", re.I)
_THEFT = re.compile(r"\b(rob(bed|bery|beries|bing|s)?|stole|stolen|steal(s|ing)?|loot(ed|ing|s)?|ransack(ed|ing)?|"
                    r"hold-?up|held up|took .{0,30}(money|cash))\b", re.I)
_KILLING = re.compile(r"\b(shot|shooting|gunned|machine-?gunned|murder(ed)?|assassinat(ed|ion)|killed|killing|kill|"
                      r"stabbed)\b", re.I)
_NOT_SHOOTING = re.compile(r"bomb|explo|blast|detonat|dynamite|grenade|\bmines?\b|kidnap|abduct|hostage", re.I)
# head nouns of perpetrator phrases that name an organisation rather than the people who acted
_ORG_HEADS = {
    "army", "armies", "front", "forces", "force", "movement", "cartel", "cartels", "military", "mafia", "mafias",
    "union", "command", "party", "government", "organization", "organisation", "organizations", "police",
    "corps", "alliance", "regime", "detachment", "brigade", "federation", "confederation", "faction",
    "factions", "wing", "navy", "guard", "battalion", "services", "service", "intelligence", "staff",
    "liberation", "directorate", "junta", "coordinator", "council", "committee", "state", "extraditables",
    "path", "luminoso", "left", "self-defense",
}
_PEOPLE_HEADS = {
    "guerrillas", "guerrilla", "guerillas", "members", "member", "terrorists", "terrorist", "men", "man", "rebels",
    "rebel", "individuals", "individual", "commandos", "commando", "commandoes", "soldiers", "soldier", "persons",
    "person", "people", "traffickers", "assassins", "assassin", "gunmen", "gunman", "troops", "officers", "officer",
    "criminals", "narcoterrorists", "attackers", "attacker", "extremists", "fighters", "students", "suspects",
    "murderers", "assailants", "killers", "perpetrators", "sappers", "commander", "militants", "subversives",
    "youths", "mercenaries", "sniper", "insurgents", "kidnappers", "agents", "uniform", "uniforms", "women",
    "woman", "policemen", "policeman", "guards", "someone", "unknown", "unidentified", "bandits", "thugs",
    "paramilitaries", "hitmen", "gang", "column", "columns", "unit", "units", "squads", "squad", "group", "groups",
    "cell", "patrol", "patrols", "dealers", "lieutenants", "lieutenant", "colonel", "captain", "sergeant",
}


def perpetrator_role(text: str) -> str:
    """PerpInd or PerpOrg for a perpetrator span, from its head noun (before any 'of ...' complement):
    people and armed units are individuals; armies, fronts, cartels, one-word names are organisations."""
    words = re.sub(r"[^\w\s'-]", " ", text.lower()).split()
    if "of" in words[1:]:
        words = words[: words.index("of", 1)]
    if not words:
        return "PerpInd"
    head = words[-1]
    if head in _PEOPLE_HEADS:
        return "PerpInd"
    if head in _ORG_HEADS or len(words) == 1:
        return "PerpOrg"
    return "PerpInd"  # a person's name


def muc4_type(incident: Incident, codebook: Codebook) -> str | None:
    """The MUC-4 incident type of a sitrep incident (None: not a MUC-4 incident)."""
    if incident.sub_event_type is None:
        return "attack"
    if incident.sub_event_type in COMBAT_TYPES and _combat(incident, codebook):
        return None
    kind = MUC4_TYPE.get(incident.sub_event_type) or codebook.sub_event(incident.sub_event_type).muc4
    if kind == "attack" and incident.sub_event_type == "Attack" and _explosive_weapon(incident):
        return "bombing"  # an attack with dynamite
    if kind == "bombing" and not _exploded(incident):
        return "attack"  # typed by a word of bombs ("the bombs the army was given"), but nothing went off
    return kind


def _exploded(incident: Incident) -> bool:
    """Did something explode: an explosive among the incident's weapons, or a sentence saying so?"""
    return _explosive_weapon(incident) or any(ev.field == "event" and _EXPLOSION.search(ev.text) for ev in incident.evidence)


def _explosive_weapon(incident: Incident) -> bool:
    return any(_EXPLOSIVE.search(w) for w in incident.weapons)


def _combat(incident: Incident, codebook: Codebook) -> bool:
    """Fighting between armed forces: only state forces act, or nobody and nothing is named as attacked (and
    nothing is said to be destroyed: "power lines have been sabotaged" is an attack on them)."""
    victims = incident.victims and not any(ev.field == "event" and _IN_COMBAT.search(ev.text) for ev in incident.evidence)
    attacked = incident.targets or victims or _destruction(incident, codebook)
    return not _non_state_actor(incident, codebook) or not attacked


def _destruction(incident: Incident, codebook: Codebook) -> bool:
    """Does one of the incident's sentences tell of property (not military) destroyed, burnt or sabotaged?"""
    p = _patterns(codebook)
    return any(ev.field == "event" and p.destroying.search(ev.text) and p.property.search(ev.text)
               for ev in incident.evidence)


@dataclass(frozen=True)
class _Patterns:
    """The codebook's words this module searches event sentences for, compiled once per codebook."""

    kidnapping: re.Pattern  # strong cues of the sub-event types MUC-4 calls kidnapping
    destroying: re.Pattern  # acts of destruction ("burned", "sabotaged")
    property: re.Pattern  # civilian property ("power lines"), not military ("armored vehicles")


_COMPILED: dict[int, tuple[Codebook, _Patterns]] = {}


def _patterns(codebook: Codebook) -> _Patterns:
    cached = _COMPILED.get(id(codebook))
    if cached is None or cached[0] is not codebook:
        kidnap_cues = [cue for sub in codebook.sub_event_types if sub.muc4 == "kidnapping" for cue in sub.strong]
        cached = codebook, _Patterns(
            kidnapping=re.compile(r"\b(" + "|".join(re.escape(cue) for cue in kidnap_cues) + r")\b", re.I),
            destroying=_words(w.removesuffix("e") for w in codebook.frames.acts["destroy"] if " " not in w),
            property=_words(codebook.frames.actors["property"], before=r"(?<!armored )(?<!armoured )(?<!military )"),
        )
        _COMPILED[id(codebook)] = cached
    return cached[1]


def _words(words: Iterable[str], before: str = "") -> re.Pattern:
    """Any of `words` with an inflection ("destroy", "destroyed"; "power line", "power lines")."""
    return re.compile(before + r"\b(" + "|".join(re.escape(w) for w in words) + r")(e|ed|es|s|ing)?\b", re.I)


def _non_state_actor(incident: Incident, codebook: Codebook) -> bool:
    """Is some perpetrator of the incident named by words other than the codebook's state-force words?"""
    state = set(codebook.frames.actors["state"])
    for ev in incident.evidence:
        if ev.field == "perpetrators":
            words = re.sub(r"[^\w\s-]", " ", ev.text.lower()).split()
            forms: set[str] = set()
            for seq in (words, [w.removesuffix("s") for w in words]):  # "troops" and "troop", "armed force(s)"
                forms.update(seq)
                forms.update(f"{a} {b}" for a, b in zip(seq, seq[1:]))
            if not forms & state:
                return True
    return False


def templates(extraction: Extraction, codebook: Codebook | None = None) -> list[dict]:
    """MUC-4 templates (prediction format) for one coded report: one per incident of a MUC-4 type, and one
    per other act its sentences tell (`_side_acts`)."""
    codebook = codebook or load_codebook()
    out = []
    for incident in extraction.incidents:
        kind = muc4_type(incident, codebook)
        filled = _roles(incident)
        own = {role: list(entities) for role, entities in filled.items()}
        sentences = [ev.text.lower() for ev in sorted(incident.evidence, key=lambda ev: ev.start) if ev.field == "event"]
        side = _side_acts(incident, kind, sentences, filled, own, codebook)
        main = [{"incident_type": kind, **own}] if kind is not None and any(own.values()) else []
        for template in main + side:
            out.extend(_victims_told_apart(template, sentences))
    return out


def _victims_told_apart(template: dict, sentences: list[str]) -> list[dict]:
    """The template, and one more of its type for the victims first named in each later sentence (each person
    harmed that a report tells of in a sentence of their own is a template of their own in MUC-4 keys)."""
    first: dict[int, list[list[str]]] = {}
    for entity in template["Victim"]:
        where = next((i for i, text in enumerate(sentences) if entity[0].lower() in text), None)
        if where is not None:
            first.setdefault(where, []).append(entity)
    later = [first[i] for i in sorted(first)[1:]]
    apart = [e for group in later for e in group]
    kept = {**template, "Victim": [e for e in template["Victim"] if e not in apart]}
    return [kept] + [{**{r: [] for r in ROLES}, "incident_type": template["incident_type"], "Victim": g} for g in later]


def _side_acts(incident: Incident, kind: str | None, sentences: list[str], fillers: dict[str, list[list[str]]],
               own: dict[str, list[list[str]]], codebook: Codebook) -> list[dict]:
    """Templates of the acts an incident's sentences tell beside its type, each with the incident's
    perpetrators and those of its `fillers` named where that act is told, which are taken out of `own`, the
    incident's own template: people kidnapped (also in combat, and also when only a count of people
    kidnapped says so), targets set on fire or robbed (a target may be both), and people shot or murdered
    in a bombing, kidnapping or arson (when named nowhere else). `sentences`: the incident's event sentences,
    lower-cased."""
    kidnapping = [s for s in sentences if _patterns(codebook).kidnapping.search(s)]
    shootings = [s for s in sentences if _KILLING.search(s) and not _NOT_SHOOTING.search(s)]
    acts = []  # (act, role, told in, not named in)
    if kind != "kidnapping" and (kidnapping or any(f.kind == "kidnapped" for f in incident.figures)):
        acts.append(("kidnapping", "Victim", kidnapping, []))
    if kind is not None:
        acts.extend([("arson", "Target", [s for s in sentences if _FIRE.search(s)], []),
                     ("robbery", "Target", [s for s in sentences if _THEFT.search(s)], [])])
    if kind in {"bombing", "kidnapping", "arson"}:
        acts.append(("attack", "Victim", shootings, [s for s in sentences if s not in shootings]))
    out = []
    for act, role, told, not_in in acts:
        named = [e for e in fillers[role] if _named_in(e[0], told) and not _named_in(e[0], not_in)]
        if act != kind and (named or act == "kidnapping"):
            own[role] = [e for e in own[role] if e not in named]
            perpetrators = {r: fillers[r] for r in ("PerpInd", "PerpOrg")} if act != "attack" else {}
            out.append({"incident_type": act, **{r: [] for r in ROLES}, **perpetrators, role: named})
    return out


def _named_in(mention: str, sentences: list[str]) -> bool:
    """Is the mention in one of the (lower-cased) sentences?"""
    return any(mention.lower() in s for s in sentences)


def _roles(incident: Incident) -> dict[str, list[list[str]]]:
    """The incident's role fillers, one entity (of one mention) per distinct span."""
    roles: dict[str, dict[str, str]] = {role: {} for role in ROLES}
    for ev in incident.evidence:
        if ev.field == "perpetrators":
            _add(roles[perpetrator_role(ev.text)], ev.text)
    for role, values in (("Target", incident.targets), ("Victim", incident.victims), ("Weapon", incident.weapons)):
        for value in values:
            _add(roles[role], value)
    return {role: [[m] for m in roles[role].values()] for role in ROLES}


def _add(entities: dict[str, str], mention: str) -> None:
    """Keep one mention per normalised string (the first seen)."""
    key = " ".join(re.sub(r"[^\w\s]", " ", mention.lower()).split())
    if key:
        entities.setdefault(key, mention)
