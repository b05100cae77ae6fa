"""The merge engine: fold one report into the ledger (run inside `Ledger.add`'s transaction).

For each incident the report yields:
1. block: ask the (key, day) index for stored incidents sharing a grid cell, place name, named actor
   or distinctive term within the date window (`blocking`);
2. score each candidate (`scoring`); assign the report's incidents to stored ones one-to-one, best
   score first (a report's own incidents are distinct by construction and never fold into each other);
3. fold each matched incident into its stored one (the stored id stays: ids once published never
   change), or store it as new under the id the extractor gave it (a derived id if that one is taken
   or was deleted); re-fold fields from all contributions (`fold`); record history (`history`);
4. link: the report's own `related` ids are mapped to stored ids; a stored incident on the same day
   with the same named perpetrator at another place is a coordinated attack and is linked both ways;
5. a new incident picks up stored reports that yielded no incident of their own and read like it.

A report that yields no incident is attached to the stored incident its text matches best (if any
matches well enough), or kept as an "orphan" with blocking keys for later incidents to find.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitrep.codebook import Codebook, load_codebook
from sitrep.merge import blocking, history, rows
from sitrep.merge.fold import Contribution, fold, record_from_json, record_json
from sitrep.merge.scoring import LINK, NEAR_KM, Match, Side, is_coordinated, km, link_score, score
from sitrep.merge.signature import fold as fold_text, terms as signature_terms, weights
from sitrep.records import Article, Extraction, Figure, Incident
from sitrep.store.schema import (
    ArticleRow,
    ArticleTermsRow,
    EvidenceRow,
    FigureRow,
    IncidentArticleRow,
    IncidentReportRow,
    IncidentRow,
    IncidentTermsRow,
    insert_rows,
)


# Set to a callable to see every scored pair (debugging and threshold tuning): called with a dict
# {"kind": "match"|"link"|"pickup", "article_id", "extracted_id", "candidate", "score", "reasons", "veto"}.
trace: Callable[[dict[str, Any]], None] | None = None


def _trace(**event: Any) -> None:
    if trace is not None:
        trace(event)


@dataclass
class Decision:
    """What became of one of the report's incidents."""

    extracted_id: str
    incident_id: str
    created: bool
    match: Match | None = None
    note: str | None = None
    coordinated: list[str] = field(default_factory=list)


@dataclass
class ReportOutcome:
    decisions: list[Decision] = field(default_factory=list)
    linked_to: str | None = None  # a report without incidents attached to this one
    orphans_linked: dict[str, list[str]] = field(default_factory=dict)  # new incident -> reports picked up

    @property
    def written(self) -> list[str]:
        ids = [d.incident_id for d in self.decisions]
        if self.linked_to:
            ids.append(self.linked_to)
        return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class ReportText:
    """What matching reads from a report's text: its signature and its case-folded text. Pure functions
    of the article, so batch ingestion computes them on the workers, off the writer's path."""

    terms: dict[str, int]
    folded: str

    @classmethod
    def of(cls, article: Article) -> "ReportText":
        return cls(signature_terms(article.text, article.title), rows.folded_text(article.title, article.text))


class _Report:
    """The report being folded in, with its signature and statistics."""

    def __init__(self, session: Session, article: Article, now: dt.datetime, text: ReportText | None = None):
        text = text or ReportText.of(article)
        self.article = article
        self.now = now
        self.today = now.date()
        self.published = article.published
        self.terms = text.terms
        self.df, self.n_docs = rows.document_frequencies(session, self.terms)
        self.weights = weights(self.terms, self.df, self.n_docs)
        self.top = blocking.probe_terms(self.terms, self.df, self.n_docs)
        self.text = text.folded
        # stored signatures read for this report, held so that merging into one needs no second read
        # (the session keeps clean rows only while they are referenced)
        self.held: list[IncidentTermsRow] = []

    def df_for(self, session: Session, terms) -> tuple[dict[str, int], int]:
        missing = [t for t in terms if t not in self.df]
        if missing:
            extra, _ = rows.document_frequencies(session, missing)
            self.df.update({t: extra.get(t, 0) for t in missing})
        return self.df, self.n_docs


def add_report(session: Session, article: Article, extraction: Extraction, now: dt.datetime,
               codebook: Codebook | None = None, text: ReportText | None = None) -> ReportOutcome:
    """Fold a report (whose article row is already written) into the ledger (`text`: precomputed)."""
    codebook = codebook or load_codebook()
    report = _Report(session, article, now, text)
    insert_rows(session, ArticleTermsRow, [dict(article_id=article.id, terms=report.terms)])
    rows.count_terms(session, article.id, report.terms)
    if not extraction.incidents:
        return _orphan(session, report)

    incidents = extraction.incidents
    sides = [rows.incident_side(inc, report.weights, report.text, report.published) for inc in incidents]
    proposals: list[tuple[float, int, str, Match]] = []
    coordinated: dict[int, list[str]] = {}
    stored: dict[str, tuple[IncidentRow, Side]] = {}
    known: dict[str, bool] = {}  # incident id -> stored? (asked once per report)
    hosts = _absorb(incidents, sides)
    for i, inc in enumerate(incidents):
        if i in hosts:
            continue
        keys = blocking.structured_keys(inc.location, inc.perpetrators, neighbours=True)
        keys |= blocking.term_keys(report.top)
        lo, hi = blocking.probe_window(inc, report.published, report.today)
        near = blocking.plausible_date(inc.date, inc.date_precision, report.published) or report.published
        candidates = blocking.find(session, keys, lo, hi).top_incidents(near=near)
        _load_sides(session, report, [*candidates, inc.id], stored)
        known[inc.id] = inc.id in stored
        if inc.id not in candidates and known[inc.id]:
            candidates.append(inc.id)  # the same place, day and type coded before
        for cid in candidates:
            if cid not in stored:
                continue
            row, side = stored[cid]
            if is_coordinated(sides[i], side):
                coordinated.setdefault(i, []).append(cid)
                continue
            match = score(sides[i], side)
            _trace(kind="match", article_id=article.id, extracted_id=inc.id, candidate=cid, score=match.score,
                   reasons=match.reasons, veto=match.veto)
            if match.ok:
                proposals.append((match.score, i, cid, match))

    assigned = _assign(proposals, sides, _evidence_counts(session, {p[2] for p in proposals}))
    taken = {cid for cid, _ in assigned.values()}

    id_map: dict[str, str] = {}
    decided: dict[int, Decision] = {}
    for i, inc in enumerate(incidents):
        if i in hosts:
            continue
        if i in assigned:
            cid, match = assigned[i]
            decided[i] = Decision(inc.id, cid, created=False, match=match)
        else:
            new_id = _free_id(session, inc.id, article.id, taken, known)
            taken.add(new_id)
            decided[i] = Decision(inc.id, new_id, created=True)
    for i, host in hosts.items():
        decided[i] = Decision(incidents[i].id, decided[host].incident_id, created=False,
                              note=f"the same report's {incidents[host].id}: same place, its date more precise")
    order = [i for i in range(len(incidents)) if i not in hosts] + sorted(hosts)
    decisions = [decided[i] for i in order]
    for i in order:
        id_map.setdefault(incidents[i].id, decided[i].incident_id)

    outcome = ReportOutcome(decisions=decisions)
    written: dict[str, IncidentRow] = {}  # held here: the session keeps clean rows only while referenced
    for i in order:
        inc, decision = incidents[i], decided[i]
        related = [id_map.get(r, r) for r in inc.related]
        decision.coordinated = [c for c in coordinated.get(i, []) if c != decision.incident_id]
        written[decision.incident_id] = _contribute(session, report, inc, decision, related + decision.coordinated,
                                                    codebook)
        for other in decision.coordinated:
            _relate(session, other, decision.incident_id, report)
    for decision in decisions:
        if decision.created:
            picked = _pick_up_orphans(session, report, written[decision.incident_id])
            if picked:
                outcome.orphans_linked[decision.incident_id] = picked
    return outcome


IMPRECISE = {None, "month", "year"}


def _absorb(incidents: list[Incident], sides: list[Side]) -> dict[int, int]:
    """Incidents of one report the extractor split from another: an incident without a precise date
    folds into the report's one precisely dated incident at its place (or, placeless, into the report's
    only precisely dated incident) when its date, if any, covers that one's. Returns {index: host index}."""
    precise = [j for j, s in enumerate(sides) if s.day_dated or (s.date is not None and
               incidents[j].date_precision == "week")]
    hosts: dict[int, int] = {}
    for i, inc in enumerate(incidents):
        if i in precise or inc.date_precision not in IMPRECISE:
            continue
        if inc.location is not None:
            same = [j for j in precise if incidents[j].location is not None and not _elsewhere(sides[i], sides[j])]
        else:
            same = precise if len({_place_id(incidents[j]) for j in precise}) == 1 else []
        same = [j for j in same if _covers(inc, incidents[j])]
        if same:
            hosts[i] = same[0]
    return hosts


def _place_id(incident: Incident) -> object:
    place = incident.location
    return None if place is None else (place.geonameid or fold_text(place.name))


def _covers(vague: Incident, precise: Incident) -> bool:
    if vague.date is None or precise.date is None:
        return True
    if vague.date_precision == "year":
        return vague.date.year == precise.date.year
    return (vague.date.year, vague.date.month) == (precise.date.year, precise.date.month)


def _evidence_counts(session: Session, ids: set[str]) -> dict[str, int]:
    if not ids:
        return {}
    query = select(EvidenceRow.incident_id, func.count()).where(EvidenceRow.incident_id.in_(sorted(ids))) \
        .group_by(EvidenceRow.incident_id)
    return dict(session.execute(query).all())


def _assign(proposals: list[tuple[float, int, str, Match]], sides: list[Side],
            weight: dict[str, int]) -> dict[int, tuple[str, Match]]:
    """Best score first (ties: the better evidenced stored incident), each stored incident to one of
    the report's incidents; then a report incident whose best match is already taken joins it too
    when it is not at another place than the ones there (the extractor split one event, e.g. over two
    resolved dates)."""
    assigned: dict[int, tuple[str, Match]] = {}
    holders: dict[str, list[int]] = {}
    ordered = sorted(proposals, key=lambda p: (-p[0], -weight.get(p[2], 0), p[1], p[2]))
    for _, i, cid, match in ordered:
        if i not in assigned and cid not in holders:
            assigned[i] = (cid, match)
            holders[cid] = [i]
    for _, i, cid, match in ordered:
        if i in assigned or cid not in holders:
            continue
        if all(not _elsewhere(sides[i], sides[j]) for j in holders[cid]):
            assigned[i] = (cid, match)
            holders[cid].append(i)
    return assigned


def _elsewhere(a: Side, b: Side) -> bool:
    """Are two of a report's incidents at different places?"""
    if a.located and b.located:
        return km(a.lat, a.lon, b.lat, b.lon) > NEAR_KM  # type: ignore[arg-type]
    return bool(a.location_name and b.location_name and fold_text(a.location_name) != fold_text(b.location_name))


def _exists(session: Session, incident_id: str, known: dict[str, bool]) -> bool:
    """Is an incident stored under this id? (`known` remembers the answers within one report.)"""
    if incident_id not in known:
        known[incident_id] = session.get(IncidentRow, incident_id) is not None
    return known[incident_id]


def _free_id(session: Session, wanted: str, article_id: str, taken: set[str], known: dict[str, bool]) -> str:
    """The extractor's id when free; else one derived from it and the report (deterministic)."""
    candidate, n = wanted, 0
    while candidate in taken or _exists(session, candidate, known) or history.is_deleted(session, candidate):
        n += 1
        digest = hashlib.sha1(f"{wanted}|{article_id}|{n}".encode()).hexdigest()
        candidate = f"inc-{digest[:12]}"
    return candidate


def _load_sides(session: Session, report: _Report, ids: list[str], cache: dict[str, tuple[IncidentRow, Side]]) -> None:
    """Read the stored incidents of these ids (those that exist) into `cache`, with their scoring sides."""
    wanted = list(dict.fromkeys(i for i in ids if i not in cache))
    if not wanted:
        return
    query = select(IncidentRow, IncidentTermsRow).outerjoin(IncidentTermsRow).where(IncidentRow.id.in_(wanted))
    loaded = {row.id: (row, signature) for row, signature in session.execute(query)}
    report.held.extend(signature for _, signature in loaded.values() if signature is not None)
    terms = {iid: dict(signature.terms) if signature is not None else {} for iid, (_, signature) in loaded.items()}
    df, n = report.df_for(session, {t for ts in terms.values() for t in ts})
    for iid, (row, _) in loaded.items():
        cache[iid] = (row, rows.stored_side(row, terms[iid], df, n))


def _contribute(session: Session, report: _Report, inc: Incident, decision: Decision,
                related: list[str], codebook: Codebook) -> IncidentRow:
    """Fold one of the report's incidents into its stored incident (new or existing), which is returned."""
    article, now = report.article, report.now
    record = record_json(inc)
    reports = list(dict.fromkeys([*inc.articles, article.id]))
    mine = Contribution(article.id, record_from_json(record, inc.id), article.published, order=0)
    alone = decision.created and reports == [article.id]  # a new incident this report alone tells of
    earlier: list[Contribution] = []
    published: list[dt.date | None] = []
    if decision.created:
        row = IncidentRow(id=decision.incident_id, perpetrators=[], targets=[], victims=[], weapons=[],
                          related=[], created_at=now, updated_at=now)
        if alone:  # its one contribution is this report's: fold it first, insert the row once
            rows.apply(row, fold([mine], [], codebook))
            row.related = [r for r in dict.fromkeys(related) if r != row.id]
        session.add(row)
        session.flush()
        before, linked = None, []
    else:
        row = session.get(IncidentRow, decision.incident_id)
        earlier = rows.contributions_of(session, row.id)
        if not earlier:
            rows.ensure_contributions(session, row, now)
            earlier = rows.contributions_of(session, row.id)
        linked, published = rows.linked_articles(session, row.id)
        before = rows.snapshot(session, row, linked)

    insert_rows(session, IncidentReportRow, [dict(
        incident_id=row.id, article_id=article.id, extracted_id=inc.id, link="extracted",
        score=decision.match.score if decision.match else None, record=record, added_at=now,
    )])
    figures = _add_claims(session, row, inc, decision.created)
    new_links = [a for a in reports if a not in linked]
    insert_rows(session, IncidentArticleRow, [dict(incident_id=row.id, article_id=a) for a in new_links])
    if not decision.created:  # its contributions and figures as stored, this report's after them
        mine.order = max(c.order for c in earlier) + 1 if earlier else 0
        rows.refold(session, row, codebook, contributions=[*earlier, mine], figures=figures)
    elif not alone:
        rows.refold(session, row, codebook, new=True)
    if not alone:
        row.related = [r for r in dict.fromkeys([*(row.related or []), *related]) if r != row.id]
        row.updated_at = now
    terms = rows.add_incident_terms(session, row.id, report.terms, new=decision.created)
    df, n = report.df_for(session, terms)
    if alone:
        articles, first = reports, article.published
    elif new_links == [article.id]:
        articles = rows.article_ids(session, row.id)
        first = min((d for d in [*published, article.published] if d is not None), default=None)
    else:
        articles = rows.article_ids(session, row.id) if new_links else linked
        first = rows.first_published_of(session, row.id)
    rows.refresh_keys(session, row, terms, report.today, df, n, articles, first_published=first,
                      new=decision.created)
    after = rows.snapshot(session, row, articles)
    note = decision.note
    if decision.match is not None:
        note = f"matched (score {decision.match.score:.2f}: {', '.join(decision.match.reasons)})"
    history.record_changes(session, row.id, before, after, action="report", at=now,
                           article_id=article.id, note=note)
    return row


def _add_claims(session: Session, row: IncidentRow, inc: Incident, created: bool) -> list[Figure]:
    """Insert the incident's figures and evidence that the stored incident lacks (bulk inserts; the
    row's collections are expired, to be read again when needed). Returns the stored incident's figures
    after the insert, in the order they were stored (for a new incident: the report's own)."""
    incident_id = row.id
    stored: list[Figure] = []
    evidence_keys: set[tuple] = set()
    if not created:
        stored = rows.stored_figures(session, incident_id)
        evidence_keys = set(session.execute(
            select(EvidenceRow.article_id, EvidenceRow.field, EvidenceRow.start, EvidenceRow.end)
            .where(EvidenceRow.incident_id == incident_id)).all())
    figure_keys = {(f.article_id, f.kind, f.value, f.start, f.end) for f in stored}
    figures = []
    for figure in inc.figures:
        key = (figure.article_id, figure.kind, figure.value, figure.start, figure.end)
        if key not in figure_keys:
            figure_keys.add(key)
            figures.append({"incident_id": incident_id, **figure.model_dump()})
            stored.append(figure)
    evidence = []
    for item in inc.evidence:
        key = (item.article_id, item.field, item.start, item.end)
        if key not in evidence_keys:
            evidence_keys.add(key)
            evidence.append({"incident_id": incident_id, **item.model_dump()})
    insert_rows(session, FigureRow, figures)
    insert_rows(session, EvidenceRow, evidence)
    session.expire(row, ["figures", "evidence"])
    return stored


def _relate(session: Session, incident_id: str, other: str, report: _Report) -> None:
    row = session.get(IncidentRow, incident_id)
    if row is None or other in (row.related or []) or other == incident_id:
        return
    old = list(row.related or [])
    row.related = [*old, other]
    row.updated_at = report.now
    history.note_row(session, incident_id, action="report", field="related", old=old, new=row.related,
                     at=report.now, article_id=report.article.id,
                     note="coordinated attack: same perpetrator, same day, another place")


def _orphan(session: Session, report: _Report) -> ReportOutcome:
    """A report with no incident of its own: attach it to the incident it reads like, or keep it."""
    keys = blocking.term_keys(report.top)
    lo, hi = blocking.probe_window(None, report.published, report.today)
    candidates = blocking.find(session, keys, lo, hi).top_incidents(near=report.published)
    cache: dict[str, tuple[IncidentRow, Side]] = {}
    _load_sides(session, report, candidates, cache)
    side = Side(weights=report.weights, text=report.text)
    best: tuple[float, str, Match] | None = None
    for cid in candidates:
        if cid in cache:
            match = link_score(side, cache[cid][1])
            _trace(kind="link", article_id=report.article.id, extracted_id=None, candidate=cid, score=match.score,
                   reasons=match.reasons, veto=None)
            if match.score >= LINK and (best is None or (match.score, cid) > (best[0], best[1])):
                best = (match.score, cid, match)
    if best is None:
        day = report.published or report.today
        blocking.add_orphan_keys(session, report.article.id, keys, day)
        return ReportOutcome()
    _attach(session, report.article.id, report.terms, best[1], best[2], report.now, report.today, report)
    return ReportOutcome(linked_to=best[1])


def _attach(session: Session, article_id: str, terms: dict[str, int], incident_id: str, match: Match,
            now: dt.datetime, today: dt.date, report: _Report | None) -> None:
    """Attach a report without codable details to an incident (its reports list grows, nothing else)."""
    row = session.get(IncidentRow, incident_id)
    rows.ensure_contributions(session, row, now)
    before = rows.snapshot(session, row)
    session.add(IncidentReportRow(incident_id=incident_id, article_id=article_id, extracted_id=f"text:{article_id}",
                                  link="text", score=match.score, record={}, added_at=now))
    rows.link_article(session, incident_id, article_id)
    row.updated_at = now
    merged = rows.add_incident_terms(session, incident_id, terms)
    if report is not None:
        df, n = report.df_for(session, merged)
        rows.refresh_keys(session, row, merged, today, df, n)
    else:
        rows.refresh_keys(session, row, merged, today)
    after = rows.snapshot(session, row)
    history.record_changes(session, incident_id, before, after, action="link", at=now, article_id=article_id,
                           note=f"report with no codable incident of its own, attached by text "
                                f"(score {match.score:.2f}: {', '.join(match.reasons)})")


def _pick_up_orphans(session: Session, report: _Report, row: IncidentRow) -> list[str]:
    """Stored reports without an incident that read like this new one are attached to it."""
    incident_id = row.id
    keys = blocking.term_keys(report.top)
    if row.location_name:
        keys |= blocking.term_keys(w for w in fold_text(row.location_name).split() if len(w) >= 3)
    day = blocking.anchor_day(row.date, row.date_precision, report.published, report.today)
    lo, hi = blocking.orphan_window(day)
    orphans = blocking.find(session, keys, lo, hi, orphans=True).top_orphans()
    if not orphans:
        return []
    terms = rows.incident_terms(session, incident_id)
    articles = {a.id: a for a in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(orphans)))}
    signatures = dict(session.execute(
        select(ArticleTermsRow.article_id, ArticleTermsRow.terms).where(ArticleTermsRow.article_id.in_(orphans))
    ).all())
    df, n = report.df_for(session, set(terms) | {t for s in signatures.values() for t in s})
    stored = rows.stored_side(row, terms, df, n)
    picked = []
    for article_id in orphans:
        if article_id not in articles or article_id not in signatures:
            continue
        art = articles[article_id]
        side = Side(weights=weights(signatures[article_id], df, n), text=rows.folded_text(art.title, art.text))
        match = link_score(side, stored)
        _trace(kind="pickup", article_id=article_id, extracted_id=None, candidate=incident_id, score=match.score,
               reasons=match.reasons, veto=None)
        if match.score >= LINK:
            blocking.drop_orphan_keys(session, article_id)
            _attach(session, article_id, signatures[article_id], incident_id, match, report.now, report.today, report)
            picked.append(article_id)
    return picked
