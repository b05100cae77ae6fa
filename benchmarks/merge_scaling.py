"""Cross-report merging at scale: ingest throughput into an empty ledger and into one holding
100,000 incidents (and one holding 10,000), in one run, with the ratio.

    .venv/bin/python benchmarks/merge_scaling.py [--incidents 100000] [--reports 300] [--keep DIR]

The large ledger is filled directly in bulk (SQL inserts of synthetic incidents with their reports,
text signatures, blocking keys and term statistics: what `Ledger.add` would have stored), spread over
five years and 2,000 towns. Then the same synthetic reports (hand-built extractions, so the language
model is not timed: this measures `Ledger.add` with matching, folding and history) are ingested into
each ledger; about half of them are new reports of a stored incident (in the filled ledgers). Matching
goes through the (key, day) index, so the cost per report should not grow with the ledger: a filled
ledger costs more than an empty one only for the candidates it finds (scored, at most 20) and for the
folding it does, and 100,000 incidents cost the same as 10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from sitrep.merge import blocking
from sitrep.merge.fold import record_json
from sitrep.merge.signature import top_terms
from sitrep.records import Article, Evidence, Extraction, Figure, Incident, Place, Range
from sitrep.store.ledger import Ledger
from sitrep.store.schema import (
    ArticleRow,
    ArticleTermsRow,
    IncidentArticleRow,
    IncidentReportRow,
    IncidentRow,
    IncidentTermsRow,
    MatchKeyRow,
    TermStatRow,
)

START = dt.date(2015, 1, 1)
DAYS = 5 * 365
VOCABULARY = 200_000


class World:
    """Reproducible synthetic towns, names and incidents."""

    def __init__(self, seed: int = 7):
        self.seed = seed
        self.rng = random.Random(seed)
        self.towns = [
            Place(name=f"Town{n}", geonameid=1_000_000 + n, lat=self.rng.uniform(26, 48),
                  lon=self.rng.uniform(-122, -70), country_code="US", admin1="State", precision="town")
            for n in range(2000)
        ]

    def word(self, rng: random.Random | None = None) -> str:
        # Zipf-like: a few common names, a long tail of rare ones
        return f"name{int(VOCABULARY ** (rng or self.rng).random())}"

    def incident(self, n: int) -> tuple[Place, dt.date, dict[str, int], int]:
        """The n-th incident of this world (the same whenever asked): town, day, report terms, killed."""
        rng = random.Random(self.seed * 10_000_019 + n)
        town = self.towns[rng.randrange(len(self.towns))]
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        terms = {self.word(rng): rng.randint(1, 3) for _ in range(30)}
        terms[town.name.lower()] = 3
        return town, day, terms, rng.randint(0, 5)


def fill(ledger: Ledger, world: World, count: int) -> float:
    """Insert `count` synthetic incidents (one report each) in bulk; returns seconds.

    Each incident's term keys are its most distinctive terms by the final document frequencies, as
    `Ledger.add` chooses them (`sitrep.merge.rows.refresh_keys`).
    """
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc)
    df: dict[str, int] = {}
    for n in range(count):
        for t in world.incident(n)[2]:
            df[t] = df.get(t, 0) + 1
    batch = 5000
    with ledger._sessions.begin() as session:
        for start in range(0, count, batch):
            articles, incidents, reports, links, aterms, iterms, keys = [], [], [], [], [], [], []
            for n in range(start, min(count, start + batch)):
                town, day, terms, killed = world.incident(n)
                iid, aid = f"syn-{n:07d}", f"synart{n:010d}"
                text = " ".join(terms)
                articles.append(dict(id=aid, content_hash=f"h{n}", title=None, url=None, published=day, text=text,
                                     ingested_at=now, source_id=None))
                record = Incident(id=iid, event_type="Violence against civilians", sub_event_type="Attack",
                                  date=day, date_precision="day", location=town,
                                  killed=Range(low=killed, best=killed, high=killed))
                incidents.append(dict(
                    id=iid, event_type=record.event_type, sub_event_type=record.sub_event_type, date=day,
                    date_precision="day", location_name=town.name, geonameid=town.geonameid, lat=town.lat,
                    lon=town.lon, country_code="US", admin1=town.admin1, admin2=None, location_precision="town",
                    killed_low=killed, killed_best=killed, killed_high=killed, perpetrators=[], targets=[],
                    victims=[], weapons=[], related=[], created_at=now, updated_at=now,
                ))
                reports.append(dict(incident_id=iid, article_id=aid, extracted_id=iid, link="extracted",
                                    record=record_json(record), added_at=now))
                links.append(dict(incident_id=iid, article_id=aid))
                aterms.append(dict(article_id=aid, terms=terms))
                iterms.append(dict(incident_id=iid, terms=terms))
                top = top_terms(terms, df, count)
                for key in blocking.structured_keys(town, [], neighbours=False) | blocking.term_keys(top):
                    keys.append(dict(key=key, day=day, incident_id=iid, article_id=None))
            for model, rows in ((ArticleRow, articles), (IncidentRow, incidents), (IncidentReportRow, reports),
                                (IncidentArticleRow, links), (ArticleTermsRow, aterms),
                                (IncidentTermsRow, iterms), (MatchKeyRow, keys)):
                session.execute(insert(model), rows)
        stats = [dict(term=t, df=n) for t, n in df.items()] + [dict(term="", df=count)]
        for start in range(0, len(stats), 20000):
            session.execute(insert(TermStatRow), stats[start : start + 20000])
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t0


def reports(world: World, count: int, prefilled: int, prefix: str = "new") -> list[tuple[Article, Extraction]]:
    """New reports: every other one tells again of a stored synthetic incident (same town, day, names)."""
    out = []
    stored = World(seed=7)  # the world the big ledger was filled from
    for n in range(count):
        if n % 2 == 0 and prefilled:
            town, day, terms, _ = stored.incident(world.rng.randrange(prefilled))
            names = sorted(t for t in terms if t.startswith("name"))[:8]
        else:
            town, day, _, _ = world.incident(n)
            names = [world.word() for _ in range(8)]
        text = (f"A man was shot dead in {town.name} on {day:%B %d}, police said. Witnesses named "
                + ", ".join(w.capitalize() for w in names) + f" in report {n}.")
        article = Article.from_text(text, published=day + dt.timedelta(days=1), source="Synthetic")
        start = text.index("shot dead")
        figure = Figure(kind="killed", value=1, quote=text[:40], article_id=article.id, start=start,
                        end=start + 9)
        incident = Incident(
            id=f"{prefix}-{n}", event_type="Violence against civilians", sub_event_type="Attack", date=day,
            date_precision="day", location=town, killed=Range(low=1, best=1, high=1), figures=[figure],
            articles=[article.id],
            evidence=[Evidence(field="event", article_id=article.id, start=0, end=40, text=text[:40])],
        )
        out.append((article, Extraction(incidents=[incident])))
    return out


def ingest(ledger: Ledger, batch: list[tuple[Article, Extraction]]) -> tuple[float, int, list[float]]:
    """Store the reports one by one; (seconds, reports folded into a stored incident, seconds per report)."""
    t0 = time.perf_counter()
    merged = 0
    each = []
    for article, extraction in batch:
        start = time.perf_counter()
        result = ledger.add(article, extraction)
        each.append(time.perf_counter() - start)
        merged += any(i != extraction.incidents[0].id for i in result.incidents)
    return time.perf_counter() - t0, merged, each


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="Keep the two ledgers in this folder.")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="sitrep-merge-scaling-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {"empty": 0, "tenth": args.incidents // 10, "full": args.incidents}
    paths = {name: folder / f"{name}.db" for name in sizes}
    _remove(paths.values())

    timings: dict[str, tuple[float, int, list[float]]] = {}
    fills: dict[str, float] = {}
    batch = reports(World(seed=99), args.reports, args.incidents)
    for name, size in sizes.items():  # one ledger at a time: each is measured warm, alone in the page cache
        with Ledger(str(paths[name])) as ledger:
            fills[name] = fill(ledger, World(seed=7), size) if size else 0.0
            ingest(ledger, reports(World(seed=5), 10, 0, prefix="warm"))  # warm up (imports, codebook, statement caches, pages)
            timings[name] = ingest(ledger, batch)
            if name == "full":
                counts = ledger.counts()

    n = len(batch)

    def ms(name: str, part: slice = slice(None)) -> float:
        each = timings[name][2][part]
        return 1000 * sum(each) / len(each)

    # odd reports tell of new incidents in every ledger: the same work, only the ledger's size differs
    result = {
        "prefilled_incidents": args.incidents, "fill_seconds": round(fills["full"], 1), "reports": n,
        **{f"{name}_reports_per_s": round(n / timings[name][0], 1) for name in sizes},
        **{f"{name}_ms_per_report": round(ms(name), 2) for name in sizes},
        "ratio_full_over_empty_time": round(timings["full"][0] / timings["empty"][0], 2),
        "ratio_full_over_tenth_time": round(timings["full"][0] / timings["tenth"][0], 2),
        **{f"new_incident_ms_{name}": round(ms(name, slice(1, None, 2)), 2) for name in sizes},
        "merged_into_stored_in_full": timings["full"][1], "incidents_after": counts["incidents"],
    }
    print(f"prefilled ledger        {args.incidents:,} incidents, filled in {fills['full']:.1f} s")
    for name in sizes:
        print(f"ingest, {sizes[name]:>7,} stored  {result[f'{name}_reports_per_s']:>6} reports/s "
              f"({result[f'{name}_ms_per_report']} ms each; reports of new incidents "
              f"{result[f'new_incident_ms_{name}']} ms); {timings[name][1]} of {n} folded into a stored incident")
    print(f"ratio (time, {args.incidents:,} / empty) {result['ratio_full_over_empty_time']}; "
          f"({args.incidents:,} / {sizes['tenth']:,}) {result['ratio_full_over_tenth_time']}")
    print(json.dumps(result))
    if not args.keep:
        _remove(paths.values())
        folder.rmdir()
    return 0


def _remove(paths) -> None:
    for path in paths:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
