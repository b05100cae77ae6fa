"""The codebook as data: event types, actors and weapons live in YAML files an analyst can edit."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel


class SubEventType(BaseModel):
    """One ACLED sub-event type with its cue phrases (see events.yaml)."""

    name: str
    event_type: str
    definition: str
    muc4: str
    strong: list[str] = []
    weak: list[str] = []
    requires: str | None = None
    family: str | None = None


class ActorEntry(BaseModel):
    """A named armed group or force with the aliases reports use for it."""

    name: str
    kind: str
    aliases: list[str] = []


class Codebook(BaseModel):
    sub_event_types: list[SubEventType]
    actors: list[ActorEntry]
    weapons: dict[str, list[str]]
    modality: dict[str, list[str]]
    reporter_authority: dict[int, list[str]]
    off_topic: list[str]

    def sub_event(self, name: str) -> SubEventType:
        return next(t for t in self.sub_event_types if t.name == name)

    def precedence(self, name: str) -> int:
        return next(i for i, t in enumerate(self.sub_event_types) if t.name == name)


def _read(name: str) -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def load_codebook() -> Codebook:
    """Read the YAML codebook shipped with the package (once per process)."""
    events = _read("events.yaml")
    actors = _read("actors.yaml")
    lexicon = _read("lexicon.yaml")
    return Codebook(
        sub_event_types=events["sub_event_types"],
        actors=actors["actors"],
        weapons=lexicon["weapons"],
        modality=lexicon["modality"],
        reporter_authority=lexicon["reporter_authority"],
        off_topic=lexicon["off_topic"],
    )
