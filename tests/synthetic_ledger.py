"""A ledger of hundreds of synthetic incidents, built from records (no NLP), for the brief and export tests.

Reproducible (seeded): Syrian and Iraqi towns over 2023-2024, every event type, perpetrators named and
generic, tolls known and unknown, reports that disagree on a toll, week- and month-precise dates, and a
few incidents with no date or no place.
"""

from __future__ import annotations

import datetime as dt
import random

from sitrep.records import Actor, Article, Evidence, Extraction, Figure, Incident, Place, Range

TOWNS = [  # name, lat, lon, country, admin1
    ("Jableh", 35.3621, 35.9276, "SY", "Latakia"), ("Tartus", 34.8890, 35.8866, "SY", "Tartus"),
    ("Aleppo", 36.2021, 37.1343, "SY", "Aleppo"), ("Idlib", 35.9306, 36.6339, "SY", "Idlib"),
    ("Homs", 34.7268, 36.7234, "SY", "Homs"), ("Deir ez-Zor", 35.3359, 40.1408, "SY", "Deir ez-Zor"),
    ("Daraa", 32.6189, 36.1021, "SY", "Daraa"), ("Raqqa", 35.9528, 39.0079, "SY", "Raqqa"),
    ("Mosul", 36.3350, 43.1189, "IQ", "Nineveh"), ("Kirkuk", 35.4681, 44.3922, "IQ", "Kirkuk"),
]
TYPES = [  # event type, sub-event type, cue
    ("Explosions/Remote violence", "Air/drone strike", "An air strike hit"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Shelling struck"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "A roadside bomb exploded in"),
    ("Battles", "Armed clash", "Fighters clashed with troops in"),
    ("Violence against civilians", "Attack", "Gunmen attacked villagers in"),
    ("Violence against civilians", "Abduction/forced disappearance", "Gunmen abducted farmers near"),
    ("Protests", "Peaceful protest", "Hundreds protested in"),
    ("Riots", "Mob violence", "A mob attacked a shop in"),
]
ACTORS = [("Islamic State", "claimed"), ("Syrian government forces", "reported"), ("Gunmen", "reported"),
          ("Hayat Tahrir al-Sham", "attributed"), ("Russian forces", "reported")]
OUTLETS = [("Reuters", "https://example.org/reuters/"), ("SANA", "https://example.org/sana/"),
           ("Enab Baladi", "https://example.org/enab/"), ("Local Radio", None)]
REPORTERS = ["the Syrian Observatory for Human Rights", "a local official", "medics", "police"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def synthetic_reports(count: int = 400, seed: int = 21) -> list[tuple[Article, Extraction]]:
    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    out = []
    for n in range(count):
        town, lat, lon, cc, admin1 = TOWNS[n % len(TOWNS)]
        event_type, sub_type, cue = TYPES[rng.randrange(len(TYPES))]
        day = start + dt.timedelta(days=(n // len(TOWNS)) * 18 + rng.randrange(4))  # a town's incidents weeks apart
        precision = rng.choices(["day", "week", "month"], weights=[90, 6, 4])[0]
        killed = rng.choice([None, 0, 1, 2, 3, 5, 8, 12, 20, 35, 60])
        other = killed + rng.randrange(1, 9) if killed and rng.random() < 0.2 else None  # a second report disagrees
        outlet, base = OUTLETS[n % len(OUTLETS)]
        reporter = REPORTERS[rng.randrange(len(REPORTERS))]
        toll = f", killing {killed} people, {reporter} said" if killed is not None else ""
        names = " and ".join(_word(rng).capitalize() for _ in range(3))  # the names only this report gives
        text = f"{cue} {town} on day {n}{toll}. Witnesses named {names} among those there."
        article = Article.from_text(text, title=f"{sub_type} in {town}", source=outlet,
                                    url=f"{base}{n}" if base else None, published=day + dt.timedelta(days=1))
        figures, evidence = [], [Evidence(field="event", article_id=article.id, start=0, end=text.index("."),
                                          text=text[:text.index(".")])]
        if killed is not None:
            quote = f"killing {killed} people"
            at = text.index(quote)
            figures.append(Figure(kind="killed", value=killed, reported_by=reporter, quote=quote, article_id=article.id,
                                  start=at, end=at + len(quote)))
            if other is not None:
                figures.append(Figure(kind="killed", value=other, qualifier="at least", reported_by="state media",
                                      quote=quote, article_id=article.id, start=at, end=at + len(quote)))
        values = [f.value for f in figures]
        actor, basis = ACTORS[rng.randrange(len(ACTORS))]
        located = n % 97 != 5
        dated = n % 89 != 7
        incident = Incident(
            id=f"SYN-{n:04d}", event_type=event_type, sub_event_type=sub_type,
            date=day if dated else None, date_precision=precision if dated else None,
            location=Place(name=town, lat=lat, lon=lon, country_code=cc, admin1=admin1, precision="town")
            if located else None,
            perpetrators=[Actor(name=actor, basis=basis)] if event_type not in ("Protests",) else [],
            victims=["villagers"] if event_type == "Violence against civilians" else [],
            killed=Range(low=min(values), best=values[-1], high=max(values)) if values else None,
            injured=Range(low=n % 5, best=n % 5, high=n % 5) if n % 3 == 0 else None,
            figures=figures, claimed_by=actor if basis == "claimed" else None, articles=[article.id],
            evidence=evidence,
        )
        out.append((article, Extraction(incidents=[incident])))
    return out


def build_synthetic_ledger(url: str, count: int = 400, seed: int = 21):
    from sitrep.store.ledger import Ledger

    ledger = Ledger(url)
    results = ledger.add_many(synthetic_reports(count, seed))
    assert not [r.error for r in results if r.error]
    return ledger
