"""Alerts: rules an incident may meet, when an incident alerts, what a webhook is sent.

Rules (`--alert`, repeatable; an incident alerts when it meets any of them):

    min_killed=10            best killed figure at least 10
    min_injured=50           best injured figure at least 50
    country=SY               ISO 3166 alpha-2 code; several: country=SY|IQ
    type='Suicide bomb'      ACLED sub-event type or event type ("Explosions/Remote violence"); several with |
    actor='Islamic State'    part of a perpetrator's or the claimant's name

A rule with several conditions joins them with commas, all to be met: `country=SY,min_killed=10`.

When: an incident alerts once when it first meets a rule, at the toll level of its best killed figure,
and once more each time a later report raises that figure to a higher level. The levels are
1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, ... (1, 2.5 and 5 times a power of ten from 10 on);
an incident with no toll (or none killed) is at level 0. So an incident first alerted at 12 killed
(level 10) alerts again at 25 and at 50, but not at 13 or 24.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sitrep.records import Incident
from sitrep.watch.fetch import Fetcher, FetchError
from sitrep.records import country_code
from sitrep.watch.state import WatchState

__all__ = ["Alerter", "DEFAULT_DASHBOARD_URL", "Rule", "alert_payload", "parse_rule", "toll_level"]

DEFAULT_DASHBOARD_URL = "http://127.0.0.1:8000"
MAX_RULE_COUNT = 10_000_000
log = logging.getLogger("sitrep.watch")


def toll_level(killed: int | None) -> int:
    """The highest level at or below `killed` (see the module docstring); 0 for none."""
    level = 0
    for step in _levels():
        if killed is None or step > killed:
            return level
        level = step
    raise AssertionError("unreachable")


def _levels() -> Iterator[int]:
    """1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, ..."""
    yield from (1, 2, 5)
    scale = 10
    while True:
        yield from (scale, scale * 5 // 2, scale * 5)
        scale *= 10


@dataclass(frozen=True)
class Rule:
    """One `--alert` rule: every condition given must hold."""

    text: str  # canonical: conditions sorted, as `parse_rule` reads them back
    min_killed: int | None = None
    min_injured: int | None = None
    countries: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()  # lower case
    actor: str | None = None  # lower case

    def matches(self, incident: Incident) -> bool:
        if self.min_killed is not None and (incident.killed is None or incident.killed.best < self.min_killed):
            return False
        if self.min_injured is not None and (incident.injured is None or incident.injured.best < self.min_injured):
            return False
        if self.countries and (incident.location is None or incident.location.country_code not in self.countries):
            return False
        if self.types and not {(incident.sub_event_type or "").lower(), (incident.event_type or "").lower()} & self.types:
            return False
        if self.actor is not None:
            names = [p.name for p in incident.perpetrators] + ([incident.claimed_by] if incident.claimed_by else [])
            if not any(self.actor in name.lower() for name in names):
                return False
        return True


_KEYS = ("min_killed", "min_injured", "country", "type", "actor")


def parse_rule(text: str) -> Rule:
    """Read an `--alert` rule (see the module docstring); ValueError saying what is wrong."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace, lexer.whitespace_split, lexer.commenters = ",", True, ""
    try:
        parts = [part.strip() for part in lexer if part.strip()]
    except ValueError as exc:  # an unclosed quote
        raise ValueError(f"{text!r}: {exc}") from None
    if not parts:
        raise ValueError("an empty rule; e.g. min_killed=10, country=SY or type='Suicide bomb'")
    found: dict[str, Any] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        key, value = key.strip().lower().replace("-", "_"), value.strip()
        if not sep or not value:
            raise ValueError(f"{part!r}: write KEY=VALUE, e.g. min_killed=10")
        if key not in _KEYS:
            raise ValueError(f"{key!r} is not a rule key; use {', '.join(_KEYS)}")
        if key in found:
            raise ValueError(f"{key} is given twice in {text!r}")
        found[key] = _value(key, value)
    shown = ",".join(f"{key}={_shown(found[key])}" for key in sorted(found))
    return Rule(text=shown, min_killed=found.get("min_killed"), min_injured=found.get("min_injured"),
                countries=frozenset(found.get("country", ())), types=frozenset(t.lower() for t in found.get("type", ())),
                actor=found["actor"].lower() if "actor" in found else None)


def _value(key: str, value: str) -> Any:
    if key.startswith("min_"):
        if not value.isdigit() or int(value) > MAX_RULE_COUNT:
            raise ValueError(f"{key}={value}: a whole number from 0 to {MAX_RULE_COUNT:,}")
        return int(value)
    if key == "country":
        return tuple(country_code(code) for code in value.split("|"))
    if key == "type":
        names = _type_names()
        chosen = []
        for name in value.split("|"):
            canonical = names.get(name.strip().lower())
            if canonical is None:
                raise ValueError(f"type={name.strip()!r} is not an ACLED event or sub-event type "
                                 f"(e.g. 'Suicide bomb', 'Air/drone strike', 'Battles')")
            chosen.append(canonical)
        return tuple(chosen)
    return value  # actor


def _type_names() -> dict[str, str]:
    from sitrep.codebook import load_codebook

    types = load_codebook().sub_event_types
    return {name.lower(): name for t in types for name in (t.name, t.event_type)}


def _shown(value: Any) -> str:
    text = "|".join(value) if isinstance(value, tuple) else str(value)
    return shlex.quote(text) if any(c in text for c in " ,'\"") else text


# ---------------------------------------------------------------- what is sent


def incident_url(incident_id: str, dashboard_url: str = DEFAULT_DASHBOARD_URL) -> str:
    """The incident's page on the dashboard."""
    return f"{dashboard_url.rstrip('/')}/#incident/{quote(incident_id, safe='')}"


def alert_payload(incident: Incident, rules: list[str], level: int, previous: int | None,
                  dashboard_url: str = DEFAULT_DASHBOARD_URL) -> dict[str, Any]:
    """The JSON a webhook is sent: `text` (one line, as Slack-style webhooks show it), `alert` (why),
    `incident` (the record without its evidence spans), and its toll range, place, sources and link."""
    record = incident.model_dump(mode="json", exclude={"evidence"})
    url = incident_url(incident.id, dashboard_url)
    return {
        "text": summary_line(incident, url, previous),
        "alert": {"reason": "new" if previous is None else "toll rose", "rules": rules, "level": level,
                  "previous_level": previous},
        "incident": record,
        "killed": record["killed"],
        "injured": record["injured"],
        "place": record["location"],
        "sources": record["sources"],
        "url": url,
    }


def summary_line(incident: Incident, url: str, previous: int | None = None) -> str:
    """One line for people: what, when, where, the toll, and the link."""
    what = incident.sub_event_type or incident.event_type or "incident"
    where = "place unknown"
    if incident.location is not None:
        where = incident.location.name + (f" ({incident.location.country_code})" if incident.location.country_code else "")
    toll = "toll unknown"
    if incident.killed is not None:
        k = incident.killed
        toll = f"{k.best} killed" + (f" ({k.low}-{k.high})" if k.low != k.high else "")
    if incident.injured is not None:
        toll += f", {incident.injured.best} injured"
    head = "toll rose" if previous is not None else "new"
    return f"sitrep alert ({head}): {what}, {where}, {incident.date or 'date unknown'}: {toll} - {url}"


# ---------------------------------------------------------------- deciding and delivering


class Alerter:
    """Decides which incidents alert, records each alert with a pending delivery per webhook (in the
    ledger, one transaction), hands it to `on_alert` (the command prints it), and delivers what is
    pending. A delivery that fails is retried on the next call to `deliver` (the next poll)."""

    def __init__(self, state: WatchState, rules: Iterable[Rule], webhooks: Iterable[str], fetcher: Fetcher, *,
                 dashboard_url: str = DEFAULT_DASHBOARD_URL,
                 on_alert: Callable[[dict[str, Any]], None] = lambda payload: None) -> None:
        self.state = state
        self.rules = list(rules)
        self.webhooks = list(dict.fromkeys(webhooks))
        self.fetcher = fetcher
        self.dashboard_url = dashboard_url
        self.on_alert = on_alert

    def consider(self, incidents: Iterable[Incident]) -> int:
        """Raise the alerts these incidents (as now stored) call for; returns how many were raised."""
        raised = 0
        if not self.rules:
            return 0
        for incident in {i.id: i for i in incidents}.values():
            met = [rule.text for rule in self.rules if rule.matches(incident)]
            if not met:
                continue
            level = toll_level(incident.killed.best if incident.killed else None)
            previous = self.state.alerted_level(incident.id)
            if previous is not None and level <= previous:
                continue
            payload = alert_payload(incident, met, level, previous, self.dashboard_url)
            killed = incident.killed.best if incident.killed else None
            if self.state.record_alert(incident.id, level, met, killed, payload, self.webhooks) is None:
                continue  # another watch on this ledger raised it first
            raised += 1
            self.on_alert(payload)
        return raised

    def deliver(self) -> tuple[int, int]:
        """Send what is pending to the webhooks, oldest first; after a failure, the rest for that webhook
        wait for the next call. Returns (delivered, still pending)."""
        delivered = waiting = 0
        down: set[str] = set()
        for delivery in self.state.pending(self.webhooks):
            if delivery.target in down or self.fetcher.stop.is_set():
                waiting += 1
                continue
            try:
                self.fetcher.post_json(delivery.target, delivery.payload)
            except FetchError as exc:
                status = self.state.delivered(delivery.id, str(exc))
                down.add(delivery.target)
                if status == "failed":
                    log.error("webhook %s: alert not delivered after %d attempts (%s); recorded as failed",
                              _host(delivery.target), delivery.attempts + 1, exc)
                else:
                    waiting += 1
                    log.warning("webhook %s: delivery failed (%s); retried at the next poll", _host(delivery.target), exc)
                continue
            self.state.delivered(delivery.id)
            delivered += 1
        return delivered, waiting


def _host(url: str) -> str:
    """A webhook named by its host only (its path may hold a secret)."""
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or "?"
