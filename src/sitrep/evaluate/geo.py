"""`sitrep eval geo`: geocoding against ACLED events and Gun Violence Archive incidents.

Input: an ACLED CSV export (standard columns), e.g. `../shared/data/acled/acled-benin-dev.csv`. Each
row's `notes` (the analyst's description) is coded on its own, with `event_date` as the publication
date; the gold `latitude`, `longitude` and `country` columns are used only for scoring. Or US local news:
a Gun Violence Archive folder (`../shared/data/gva`) or GVC JSON lines, each article (title and text, as
`eval casualties` reads them) scored against its incident's town in its state (`gold_town`).
`--db` consults a ledger's own gazetteer beside GeoNames, `--country` sets texts that name no country
where `ingest --country` would.

The predicted location of a row is the location of its main incident (the incident with the most
evidence, as in `sitrep eval casualties`), or, when the main incident has no place, of the first
incident that has one. Notes that code to no located incident (ACLED also records non-violent
"strategic developments": troop movements, threats, looting; and a parse may attach "in X" to
another verb, making X a context place) are geocoded by the same place resolver from the places
their event mentions name (the most precise, first in the text), else from every place named in
the notes, else at the one country they speak of ("Benin authorities fired tear gas"). An incident placed only at region or country level is refined the same way when the
notes name a more precise event place inside that region (or country). A row still without a place is unresolved: it counts as a miss for
`acc_25km` and `acc_161km`, and as a wrong country.

Scores: `acc_25km`, `acc_161km` (share of events whose predicted point lies within 25 km / 161 km,
i.e. 100 miles, of ACLED's coordinates), `median_km` (over resolved events), `country_acc` (share
of events whose predicted country is ACLED's), `unresolved` (count), `events`.

ACLED codes an event in a village too small for its gazetteer "to" a nearby larger place and writes
so in the notes ("in Kofounou, coded to Karimama (Karimama, Alibori)"); the coordinates are those of
the coded place, and so is what the place resolver chooses (see `extract/places.py`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Optional

import typer

from sitrep.evaluate.cli import eval_app
from sitrep.evaluate.common import main_incident, reading, require_columns
from sitrep.nlp.gazetteer import GeoCandidate, distance_km
from sitrep.records import Article, Extraction, Place


@dataclass
class GoldEvent:
    event_id: str
    notes: str
    published: dt.date | None
    lat: float
    lon: float
    country: str | None  # ISO 3166 alpha-2
    location: str = ""
    admin1: str = ""


@dataclass
class GeoPrediction:
    event_id: str
    place: str | None
    lat: float | None
    lon: float | None
    country: str | None
    precision: str | None
    km: float | None
    gold_country: str | None
    gold_location: str = ""
    reason: str | None = None

    @property
    def resolved(self) -> bool:
        return self.lat is not None


@dataclass
class GeoScores:
    events: int = 0
    acc_25km: float = 0.0
    acc_161km: float = 0.0
    median_km: float | None = None
    country_acc: float = 0.0
    unresolved: int = 0
    predictions: list[GeoPrediction] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        out = asdict(self)
        out.pop("predictions")
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def _country_code(name: str) -> str | None:
    import pycountry

    if not name:
        return None
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None


def _date(text: str) -> dt.date | None:
    for fmt in ("%d %B %Y", "%Y-%m-%d", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read_acled(path: Path) -> Iterator[GoldEvent]:
    """ACLED rows with notes and coordinates."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh)
        require_columns(path, rows.fieldnames, ("notes", "latitude", "longitude"))
        for row in rows:
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except (KeyError, ValueError):
                continue
            yield GoldEvent(
                event_id=row.get("event_id_cnty") or str(row.get("data_id") or ""),
                notes=row.get("notes") or "", published=_date(row.get("event_date") or ""),
                lat=lat, lon=lon, country=_country_code(row.get("country") or row.get("iso") or ""),
                location=row.get("location") or "", admin1=row.get("admin1") or "",
            )


def gold_town(gazetteer, city_or_county: str, state: str) -> GeoCandidate | None:
    """The GeoNames place of a Gun Violence Archive location ("Pekin", "Chicago (Englewood)", "Bexar
    (county)") in its state: the town of that name (main names first, then the most populous); a county
    at its largest town; None when the gazetteer has neither."""
    name, part = re.match(r"^\s*(.*?)\s*(?:\(([^)]*)\))?\s*$", city_or_county).groups()
    if (part or "").lower() == "county" or name.lower().endswith(" county"):
        county = name if name.lower().endswith(" county") else f"{name} County"
        towns = [c for c in gazetteer.towns_in_admin2("US", county) if c.admin1 == state]
        return max(towns, key=lambda c: c.population, default=None)
    towns = [c for c in gazetteer.lookup(name) if c.feature == "city" and c.country_code == "US" and c.admin1 == state]
    return min(towns, key=lambda c: (c.alternate, -c.population), default=None)


def read_gun_violence(path: Path, gazetteer) -> tuple[list[GoldEvent], int]:
    """Gun Violence Archive articles (a folder with gva_articles.jsonl and gva_incidents.jsonl) or GVC
    JSON lines, each with its incident's town as the gold point (`gold_town`); crawl noise and incidents
    whose town the gazetteer lacks are left out. (events, left out)."""
    from sitrep.evaluate.merge import is_noise
    from sitrep.ingest.readers import titled

    rows: list[tuple[dict, dict]] = []
    if path.is_dir():
        with open(path / "gva_incidents.jsonl", encoding="utf-8") as fh:
            incidents = {str(r["incident_uri"]): r for r in map(json.loads, filter(str.strip, fh))}
        with open(path / "gva_articles.jsonl", encoding="utf-8") as fh:
            for r in map(json.loads, filter(str.strip, fh)):
                gold = incidents.get(str(r.get("incident_id")))
                if gold is not None:
                    rows.append(({**r, "text": r.get("content") or ""}, gold))
    else:
        with open(path, encoding="utf-8") as fh:
            rows = [(r, r["gva"]) for r in map(json.loads, filter(str.strip, fh))]
    events, left_out = [], 0
    for row, gold in rows:
        town = gold_town(gazetteer, gold.get("city_or_county") or "", gold.get("state") or "")
        body = row.get("text") or ""
        if town is None or is_noise(body):
            left_out += 1
            continue
        title = (row.get("title") or "").strip()
        dct = row.get("dct")
        events.append(GoldEvent(
            event_id=str(row.get("doc_id") or row.get("id")), lat=town.lat, lon=town.lon, country="US",
            notes=titled(title, body),
            published=dt.date.fromisoformat(dct[:10]) if dct else None,
            location=f"{gold.get('city_or_county')}, {gold.get('state')}", admin1=gold.get("state") or ""))
    return events, left_out


def read_gold(path: Path, gazetteer_loader) -> tuple[list[GoldEvent], int]:
    """ACLED CSV rows, or Gun Violence Archive articles (a GVA folder, GVC .jsonl); (events, left out)."""
    if path.is_dir() or path.suffix.lower() == ".jsonl":
        return read_gun_violence(path, gazetteer_loader())
    return list(read_acled(path)), 0


def located(extraction: Extraction) -> Place | None:
    """The main incident's place, else the first located incident's."""
    main = main_incident(extraction)
    if main is not None and main.location is not None and main.location.lat is not None:
        return main.location
    return next((i.location for i in extraction.incidents if i.location and i.location.lat is not None), None)


_PRECISION_ORDER = {"exact": 0, "town": 0, "near": 1, "admin2": 2, "admin1": 3, "country": 4}


def named_place(pipeline, article: Article) -> Place | None:
    """Where notes with no incident happened: the most precise event place of their mentions (first
    in the text), else the most precise place they name at all."""
    doc = pipeline.parse(article.text)
    found = [p.place for m in pipeline.mentions(doc, article.published, article.country) for p in m.places
             if p.role == "event" and p.place.lat is not None]
    ctx = pipeline.mentions.places.context(doc, article.country)
    if not found:
        resolver = pipeline.mentions.places
        found = [place for _, place in resolver.places(doc, ctx) if place.lat is not None]
    if not found:  # "Benin authorities fired tear gas": the one country the notes speak of
        if len(ctx.countries) == 1:
            cc = next(iter(ctx.countries))
            c = pipeline.gazetteer.country(cc)
            if c is not None:
                return Place(name=c.name, geonameid=c.geonameid, lat=c.lat, lon=c.lon, country_code=cc,
                             precision="country", reason=f"the only country the notes name ({cc})")
        return None
    return min(found, key=lambda p: _PRECISION_ORDER.get(p.precision or "country", 5))


def gazetteer_ceiling(gazetteer, gold: Iterable[GoldEvent]) -> tuple[int, int]:
    """(events whose gold location name the gazetteer places within 25 km of the gold point, taking the
    best candidate in the gold country; events): how far any geocoder on this gazetteer could get."""
    gold = list(gold)
    hits = sum(1 for g in gold if any(
        c.country_code == g.country and distance_km(c.lat, c.lon, g.lat, g.lon) <= 25
        for c in gazetteer.lookup(g.location)))
    return hits, len(gold)


def score(preds: Iterable[GeoPrediction]) -> GeoScores:
    preds = list(preds)
    n = len(preds)
    if not n:
        return GeoScores()
    kms = [p.km for p in preds if p.km is not None]
    return GeoScores(
        events=n,
        acc_25km=sum(1 for k in kms if k <= 25) / n,
        acc_161km=sum(1 for k in kms if k <= 161) / n,
        median_km=round(statistics.median(kms), 2) if kms else None,
        country_acc=sum(1 for p in preds if p.country and p.country == p.gold_country) / n,
        unresolved=sum(1 for p in preds if not p.resolved),
        predictions=preds,
    )


def evaluate(pipeline, gold: Iterable[GoldEvent], country: str | None = None) -> GeoScores:
    """Code each event's text (`country`: where texts that name no country are set) and score its place."""
    gold = list(gold)
    articles = [Article.from_text(g.notes, published=g.published, country=country) for g in gold]
    preds = []
    for g, (article, extraction) in zip(gold, pipeline.extract_many(articles), strict=True):
        place = located(extraction)
        if place is None or place.precision in ("admin1", "country"):
            named = named_place(pipeline, article)
            if named is not None and (place is None or (
                    _PRECISION_ORDER.get(named.precision or "country", 5) < _PRECISION_ORDER[place.precision]
                    and named.country_code == place.country_code
                    and (place.precision == "country" or named.admin1 == place.admin1))):
                place = named
        if place is None:
            reasons = [e.detail for e in extraction.excluded][:1]
            preds.append(GeoPrediction(g.event_id, None, None, None, None, None, None, g.country, g.location,
                                       reasons[0] if reasons else "no incident with a place"))
            continue
        km = distance_km(place.lat, place.lon, g.lat, g.lon)
        preds.append(GeoPrediction(g.event_id, place.name, place.lat, place.lon, place.country_code,
                                   place.precision, round(km, 2), g.country, g.location, place.reason))
    return score(preds)


@eval_app.command("geo")
def geo_command(
    file: Annotated[Path, typer.Argument(help="ACLED CSV (../shared/data/acled/acled-benin-dev.csv), a Gun Violence Archive folder (../shared/data/gva) or GVC JSON lines.")],
    limit: Annotated[Optional[int], typer.Option(help="Only the first N events.")] = None,
    misses: Annotated[int, typer.Option(help="Print up to N events placed more than 25 km off (or unresolved).")] = 0,
    ceiling: Annotated[bool, typer.Option(
        "--ceiling", help="Only print how many gold location names the gazetteer itself places within 25 km.")] = False,
    db: Annotated[Optional[str], typer.Option("--db", help="Consult this ledger's own gazetteer (`sitrep places import`) beside GeoNames.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Where texts that name no country are set (ISO 3166 alpha-2), as `ingest --country`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Last line: the scores as JSON.")] = False,
) -> None:
    """Geocode each event from its text (ACLED notes, news articles) and score the distance to the gold place."""
    from sitrep.nlp.gazetteer import Gazetteer
    from sitrep.pipeline import Pipeline
    from sitrep.records import country_code

    if country is not None:
        try:
            country = country_code(country)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--country") from None
    places = _ledger_places(db) if db else []
    with reading(file, "an ACLED CSV (as ../shared/data/acled/acled-benin-dev.csv), a GVA folder or GVC JSON lines"):
        gold, left_out = read_gold(file, lambda: Gazetteer.load().with_places(places))
    if limit:
        gold = gold[:limit]
    if ceiling:
        hits, n = gazetteer_ceiling(Gazetteer.load().with_places(places), gold)
        typer.echo(f"{hits} of {n} gold location names ({hits / max(n, 1):.1%}) are placed within 25 km by "
                   "the gazetteer (best candidate in the gold country)")
        return
    result = evaluate(Pipeline.load(places=places), gold, country)
    wrong = [p for p in result.predictions if p.km is None or p.km > 25]
    for p in wrong[:misses]:
        where = f"{p.place} ({p.precision}, {p.km} km)" if p.resolved else "unresolved"
        typer.echo(f"miss {p.event_id}: gold {p.gold_location!r}, got {where}: {p.reason or ''}")
    s = result.summary()
    if left_out:
        typer.echo(f"{left_out} articles left out (crawl noise, or a gold town the gazetteer lacks)", err=True)
    if as_json:
        typer.echo(json.dumps(s))
    else:
        typer.echo(f"{s['events']} events: {s['acc_25km']:.1%} within 25 km, {s['acc_161km']:.1%} within 161 km, "
                   f"median {s['median_km']} km, country {s['country_acc']:.1%}, {s['unresolved']} unresolved")


def _ledger_places(db: str) -> list:
    """The ledger's own gazetteer; a one-line error when there is no such ledger."""
    from sitrep.store.ledger import Ledger, normalize_db_url

    url = normalize_db_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        typer.echo(f"error: no ledger at {db!r} (import places with `sitrep places import FILE --db {db}`)", err=True)
        raise typer.Exit(2)
    with Ledger(url) as ledger:
        return ledger.places()
