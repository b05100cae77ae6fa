"""Reconciliation: an incident's killed/injured low, best and high from all its reported figures.

The rule (DESIGN.md), applied to the figures of one kind that count this incident (scope empty or the
incident's own place; subsets, perpetrators and wider tolls are kept as rows but never counted):
- low  = the smallest figure (the most conservative reading, as ACLED codes fatalities);
- high = the largest figure;
- best = a figure from the most recent report; among those, from the most authoritative reporter
  (tiers in codebook/lexicon.yaml `reporter_authority`: officials, police, hospitals and monitors
  above media, media above unattributed text, unattributed above witnesses and claims);
  among those, the largest (tolls rise as bodies are counted).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from sitrep.codebook import Codebook
from sitrep.records import Figure, FigureKind, Range

UNATTRIBUTED_TIER = 1


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
    return figure.scope is None or (place_name is not None and figure.scope == place_name)


def reconcile(
    figures: Iterable[Figure], kind: FigureKind, place_name: str | None, codebook: Codebook,
    published: Mapping[str, dt.date | None] | None = None, article_order: Mapping[str, int] | None = None,
) -> Range | None:
    """low/best/high for one kind, or None when no figure counts this incident."""
    usable = [f for f in figures if f.kind == kind and counts_for(f, place_name)]
    if not usable:
        return None
    published = published or {}
    article_order = article_order or {}

    def recency(f: Figure) -> tuple:
        day = published.get(f.article_id) or dt.date.min
        return (day, article_order.get(f.article_id, 0))

    latest = max(recency(f) for f in usable)
    recent = [f for f in usable if recency(f) == latest]
    top = max(authority(f.reported_by, codebook) for f in recent)
    best = max(f.value for f in recent if authority(f.reported_by, codebook) == top)
    return Range(low=min(f.value for f in usable), best=best, high=max(f.value for f in usable))
