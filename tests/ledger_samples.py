"""A small hand-built ledger for the API, export and dashboard tests (no NLP needed).

Six reports: two linked bombings in Syria, shelling in Kharkiv, a protest in Kano with no
known toll, an attack with neither date nor place, a strike in Fiji (east of the antimeridian
cut), and a report whose text and fields are full of markup that must never run.
"""

from __future__ import annotations

import datetime as dt

from sitrep.records import Actor, Article, Evidence, Extraction, Figure, Incident, Place, Range
from sitrep.store.ledger import Ledger

XSS_ID = "XSS-20240101-markup"
XSS_SCRIPT = "<script>window.__pwned = 'script'</script>"
XSS_IMG = "<img src=x onerror=\"window.__pwned = 'img'\">"
XSS_TEXT = (
    f"Gunmen attacked a market in Kidal on Monday, killing 3 people, officials said. {XSS_SCRIPT} "
    f"Witnesses described the scene. {XSS_IMG} The attackers fled."
)


def _span(article: Article, phrase: str) -> tuple[int, int]:
    start = article.text.index(phrase)
    return start, start + len(phrase)


def _figure(article: Article, phrase: str, kind: str, value: int, **kw) -> Figure:
    start, end = _span(article, phrase)
    return Figure(kind=kind, value=value, quote=phrase, article_id=article.id, start=start, end=end, **kw)


def _evidence(article: Article, field: str, phrase: str) -> Evidence:
    start, end = _span(article, phrase)
    return Evidence(field=field, article_id=article.id, start=start, end=end, text=phrase)


def _place(name, lat, lon, cc, admin1=None, admin2=None, precision="town") -> Place:
    return Place(name=name, lat=lat, lon=lon, country_code=cc, admin1=admin1, admin2=admin2,
                 precision=precision)


def sample_reports() -> list[tuple[Article, Extraction]]:
    out: list[tuple[Article, Extraction]] = []

    jableh = Article.from_text(
        "Bombs killed at least 100 people in Jableh on Monday, the Syrian Observatory said. "
        "Islamic State claimed the attacks in Jableh and Tartus.",
        title="Blasts in Jableh", source="Reuters", published=dt.date(2016, 5, 23),
        url="https://example.org/jableh",
    )
    out.append((jableh, Extraction(incidents=[Incident(
        id="SYR-20160523-jableh", event_type="Explosions/Remote violence", sub_event_type="Suicide bomb",
        date=dt.date(2016, 5, 23), date_precision="day",
        location=_place("Jableh", 35.3615, 35.9256, "SY", "Latakia", "Jableh District"),
        perpetrators=[Actor(name="Islamic State", basis="claimed")], claimed_by="Islamic State",
        killed=Range(low=100, best=100, high=100),
        figures=[_figure(jableh, "at least 100 people", "killed", 100, qualifier="at least",
                         reported_by="Syrian Observatory")],
        related=["SYR-20160523-tartus"], articles=[jableh.id],
        evidence=[
            _evidence(jableh, "event", "Bombs killed at least 100 people in Jableh on Monday, the Syrian Observatory said."),
            _evidence(jableh, "claimed_by", "Islamic State claimed the attacks"),
        ],
    )])))

    tartus = Article.from_text(
        "In Tartus 48 people died and 20 were wounded in the bombings, the Observatory said.",
        title="Tartus toll", source="AFP", published=dt.date(2016, 5, 24),
    )
    out.append((tartus, Extraction(incidents=[Incident(
        id="SYR-20160523-tartus", event_type="Explosions/Remote violence", sub_event_type="Suicide bomb",
        date=dt.date(2016, 5, 23), date_precision="day",
        location=_place("Tartus", 34.8890, 35.8866, "SY", "Tartus"),
        perpetrators=[Actor(name="Islamic State", basis="attributed")],
        killed=Range(low=48, best=48, high=48), injured=Range(low=20, best=20, high=20),
        figures=[
            _figure(tartus, "48 people died", "killed", 48, reported_by="the Observatory"),
            _figure(tartus, "20 were wounded", "injured", 20, reported_by="the Observatory"),
        ],
        related=["SYR-20160523-jableh", "SYR-gone"], articles=[tartus.id],
        evidence=[_evidence(tartus, "event", "In Tartus 48 people died and 20 were wounded in the bombings")],
    )])))

    kharkiv = Article.from_text(
        "Russian shelling killed 10 civilians in Kharkiv on Tuesday, the regional governor said.",
        title="Kharkiv shelled", source="Kyiv Independent", published=dt.date(2022, 3, 1),
    )
    out.append((kharkiv, Extraction(incidents=[Incident(
        id="UKR-20220301-kharkiv", event_type="Explosions/Remote violence",
        sub_event_type="Shelling/artillery/missile attack", date=dt.date(2022, 3, 1), date_precision="day",
        location=_place("Kharkiv", 49.9808, 36.2527, "UA", "Kharkiv"),
        perpetrators=[Actor(name="Russian forces", basis="reported")],
        killed=Range(low=10, best=10, high=10),
        figures=[_figure(kharkiv, "killed 10 civilians", "killed", 10, reported_by="the regional governor")],
        articles=[kharkiv.id],
        evidence=[_evidence(kharkiv, "event", "Russian shelling killed 10 civilians in Kharkiv on Tuesday")],
    )])))

    kano = Article.from_text(
        "Police fired tear gas at protesters in Kano on Wednesday; six people were injured.",
        title="Kano protest", source="West Africa Daily", published=dt.date(2026, 3, 5),
    )
    out.append((kano, Extraction(incidents=[Incident(
        id="NGA-20260304-kano", event_type="Protests", sub_event_type="Excessive force against protesters",
        date=dt.date(2026, 3, 4), date_precision="day",
        location=_place("Kano", 12.0001, 8.5167, "NG", "Kano"),
        injured=Range(low=6, best=6, high=6),
        figures=[_figure(kano, "six people were injured", "injured", 6)],
        articles=[kano.id],
        evidence=[_evidence(kano, "event", "Police fired tear gas at protesters in Kano")],
    )])))

    unplaced = Article.from_text(
        "Gunmen killed a guard somewhere in the north, a resident said.", source="Radio",
    )
    out.append((unplaced, Extraction(incidents=[Incident(
        id="XX-unplaced", event_type="Violence against civilians", sub_event_type="Attack",
        killed=Range(low=1, best=1, high=1),
        figures=[_figure(unplaced, "killed a guard", "killed", 1, reported_by="a resident")],
        articles=[unplaced.id],
    )])))

    fiji = Article.from_text(
        "An air strike near Suva on Friday killed 2 people, police said.",
        title="Strike near Suva", source="Pacific Wire", published=dt.date(2023, 7, 14),
    )
    out.append((fiji, Extraction(incidents=[Incident(
        id="FJI-20230714-suva", event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
        date=dt.date(2023, 7, 14), date_precision="day",
        location=_place("Suva", -18.1416, 178.4415, "FJ", "Central"),
        killed=Range(low=2, best=2, high=2),
        figures=[_figure(fiji, "killed 2 people", "killed", 2, reported_by="police")],
        articles=[fiji.id],
        evidence=[_evidence(fiji, "event", "An air strike near Suva on Friday killed 2 people")],
    )])))

    xss = Article.from_text(
        XSS_TEXT, title="<b onmouseover=\"window.__pwned='title'\">Kidal</b> market attack",
        source="<i>Sahel</i> Wire", published=dt.date(2024, 1, 2),
        url="javascript:window.__pwned='url'",
    )
    out.append((xss, Extraction(incidents=[Incident(
        id=XSS_ID, event_type="Violence against civilians", sub_event_type="Attack",
        date=dt.date(2024, 1, 1), date_precision="day",
        location=_place("<img src=x onerror=\"window.__pwned='place'\">Kidal", 18.4411, 1.4078, "ML", "Kidal"),
        perpetrators=[Actor(name="<script>window.__pwned='actor'</script>gunmen", basis="reported")],
        killed=Range(low=3, best=3, high=3),
        figures=[_figure(xss, "killing 3 people", "killed", 3, reported_by="officials")],
        articles=[xss.id],
        evidence=[
            _evidence(xss, "event", "Gunmen attacked a market in Kidal on Monday, killing 3 people, officials said."),
            _evidence(xss, "detail", XSS_SCRIPT),
            _evidence(xss, "detail", XSS_IMG),
        ],
    )])))
    return out


def build_sample_ledger(url: str) -> Ledger:
    ledger = Ledger(url)
    for article, extraction in sample_reports():
        ledger.add(article, extraction)
    return ledger


LOCATED = 6  # incidents with coordinates
TOTAL = 7
