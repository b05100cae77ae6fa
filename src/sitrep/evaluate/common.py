"""What the benchmark commands share: which incident of a report is scored."""

from __future__ import annotations

from sitrep.extract.figures import OWN_HAND, PERP_IN_TOLL, SUICIDE
from sitrep.extract.reconcile import perpetrator_suicide
from sitrep.records import Extraction, Incident


def main_incident(extraction: Extraction) -> Incident | None:
    """The incident of a report with the most evidence: the most distinct sentences behind it, then
    the most casualty figure rows, then the earliest in the text. None when there is no incident."""
    if not extraction.incidents:
        return None

    def weight(inc: Incident) -> tuple:
        sentences = {(e.start, e.end) for e in inc.evidence if e.field == "event"}
        first = min((e.start for e in inc.evidence), default=0)
        return (len(sentences), len(inc.figures), -first)

    return max(extraction.incidents, key=weight)


def counts(incident: Incident | None) -> tuple[int, int]:
    """(killed, injured) as scored against the Gun Violence Archive: the reconciled best values, plus
    attackers killed (see `sitrep eval casualties`)."""
    if incident is None:
        return 0, 0
    killed = incident.killed.best if incident.killed else 0
    injured = incident.injured.best if incident.injured else 0
    suicide_scopes = (SUICIDE, OWN_HAND) if perpetrator_suicide(incident.figures) else (SUICIDE,)
    attackers = [f.value for f in incident.figures
                 if f.kind == "killed" and (f.scope == "perpetrators" or f.scope in suicide_scopes)]
    counted = any(f.scope == PERP_IN_TOLL for f in incident.figures)  # "three dead in a murder-suicide"
    if attackers and not counted:
        killed += max(attackers)
    return killed, injured
