"""What the benchmark commands share: which incident of a report is scored."""

from __future__ import annotations

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
