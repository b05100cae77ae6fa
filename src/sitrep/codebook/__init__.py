"""The codebook as data: event types, actors and weapons live in YAML files an analyst can edit."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel


class FrameRule(BaseModel):
    """One typing rule of a sub-event type (semantics in events.yaml and sitrep/extract/typing.py)."""

    acts: list[str] = []
    agents: list[str] = []
    patients: list[str] = []
    not_agents: list[str] = []
    not_patients: list[str] = []
    not_after: list[str] = []
    context: list[str] = []
    without: list[str] = []
    cue: bool = False


class SubEventType(BaseModel):
    """One ACLED sub-event type with its cue phrases and typing rules (see events.yaml)."""

    name: str
    event_type: str
    definition: str
    muc4: str | None
    gtd_attack: str | None
    strong: list[str] = []
    weak: list[str] = []
    requires: str | None = None
    family: str | None = None
    label: list[str] = []
    frames: list[FrameRule] = []


class FrameLexicon(BaseModel):
    """The vocabulary of the typing rules: act classes, actor classes and the words that qualify them."""

    acts: dict[str, list[str]]
    needs_agent: dict[str, list[str]]
    implied_agent: list[str]
    holding: list[str]
    verbs_only: list[str]
    participant_acts: list[str]
    actors: dict[str, list[str]]
    collective: list[str]
    armed_markers: list[str]
    unidentified_markers: list[str]
    blade_markers: list[str]
    suspect_markers: list[str]
    background: list[str]
    unrealised: list[str]


class GtdLexicon(BaseModel):
    """GTD weapon and target types by the words that signal them; who is assassinated."""

    weapon_types: dict[str, list[str]]
    target_types: dict[str, list[str]]
    assassination_targets: list[str]


class ActorEntry(BaseModel):
    """A named armed group or force with the aliases reports use for it."""

    name: str
    kind: str
    aliases: list[str] = []


class Codebook(BaseModel):
    sub_event_types: list[SubEventType]
    frames: FrameLexicon
    gtd: GtdLexicon
    actors: list[ActorEntry]
    weapons: dict[str, list[str]]
    modality: dict[str, list[str]]
    reporter_authority: dict[int, list[str]]
    off_topic: list[str]

    def sub_event(self, name: str) -> SubEventType:
        return next(t for t in self.sub_event_types if t.name == name)

    def precedence(self, name: str) -> int:
        return next(i for i, t in enumerate(self.sub_event_types) if t.name == name)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: ten times faster at start-up


def read_codebook_file(name: str) -> dict:
    """One of the codebook's YAML files, parsed."""
    return yaml.load(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)


@cache
def load_codebook() -> Codebook:
    """Read the YAML codebook shipped with the package (once per process)."""
    events = read_codebook_file("events.yaml")
    actors = read_codebook_file("actors.yaml")
    lexicon = read_codebook_file("lexicon.yaml")
    return Codebook(
        sub_event_types=events["sub_event_types"],
        frames=events["frames"],
        gtd=events["gtd"],
        actors=actors["actors"],
        weapons=lexicon["weapons"],
        modality=lexicon["modality"],
        reporter_authority=lexicon["reporter_authority"],
        off_topic=lexicon["off_topic"],
    )
