"""Exports analysts already use: ACLED-format CSV, GeoJSON, JSON Lines, Parquet.

`acled_rows` maps incident records onto ACLED's columns, in ACLED's order (one row per
incident; cells the ledger cannot fill are empty). Parquet needs the optional extra
`sitrep[parquet]` (pyarrow); without it `incidents_parquet` raises `ExportError` saying so.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitrep.formats import GEO_PRECISION, TIME_PRECISION, incidents_geojson
from sitrep.records import Incident

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]

# ACLED's disorder types (codebook 2023): by event type, with the sub-event exceptions.
_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DISORDER_SUB = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Violent demonstration": "Demonstrations",
}

FORMATS = ("acled-csv", "geojson", "jsonl", "parquet")


class ExportError(RuntimeError):
    """An export that cannot be made (e.g. Parquet without pyarrow); the message says why."""


@lru_cache(maxsize=512)
def _country(code: str) -> tuple[str, str]:
    """(ISO 3166 numeric code, English name) for an alpha-2 code; empty strings when unknown."""
    import pycountry

    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        return "", ""
    return str(int(found.numeric)), getattr(found, "common_name", None) or found.name


def acled_row(incident: Incident) -> dict[str, Any]:
    """One ACLED row. Unknown values are None (empty in CSV)."""
    loc = incident.location
    actors = [actor.name for actor in incident.perpetrators]
    iso, country = _country(loc.country_code) if loc and loc.country_code else ("", "")
    event = next((e for e in incident.evidence if e.field == "event"), None) or next(iter(incident.evidence), None)
    notes = " ".join(event.text.split()) if event is not None else None
    event_type = incident.event_type
    return {
        "event_id_cnty": incident.id,
        "event_date": incident.date,
        "year": incident.date.year if incident.date else None,
        "time_precision": TIME_PRECISION.get(incident.date_precision or "")
        if incident.date else None,
        "disorder_type": _DISORDER_SUB.get(incident.sub_event_type or "")
        or _DISORDER.get(event_type or ""),
        "event_type": event_type,
        "sub_event_type": incident.sub_event_type,
        "actor1": actors[0] if actors else None,
        "assoc_actor_1": "; ".join(actors[1:]) or None,
        "inter1": None,
        "actor2": None,
        "assoc_actor_2": None,
        "inter2": None,
        "interaction": None,
        "civilian_targeting": "Civilian targeting"
        if event_type == "Violence against civilians" else None,
        "iso": int(iso) if iso else None,
        "region": None,
        "country": country or None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None,
        "admin3": None,
        "location": loc.name if loc else None,
        "latitude": loc.lat if loc else None,
        "longitude": loc.lon if loc else None,
        "geo_precision": GEO_PRECISION.get(loc.precision or "") if loc else None,
        "source": "; ".join(incident.sources) or None,
        "source_scale": None,
        "notes": notes,
        "fatalities": incident.killed.best if incident.killed else 0,
        "tags": None,
        "timestamp": None,
    }


def acled_rows(incidents: Iterable[Incident]) -> list[dict[str, Any]]:
    return [acled_row(incident) for incident in incidents]


def incidents_acled_csv(incidents: Iterable[Incident]) -> str:
    """ACLED CSV: ACLED's header in ACLED's order, one row per incident, dates as YYYY-MM-DD."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in acled_rows(incidents):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def incidents_jsonl(incidents: Iterable[Incident]) -> str:
    """One full incident record (JSON) per line."""
    return "".join(
        json.dumps(incident.model_dump(mode="json"), ensure_ascii=False) + "\n"
        for incident in incidents
    )


def incidents_parquet(incidents: Iterable[Incident], path: str | Path) -> None:
    """Write ACLED columns (typed: dates, integers, floats) to a Parquet file; needs pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow, which is not installed. "
            "Install the optional extra: pip install 'sitrep[parquet]'"
        ) from None
    types = {
        "event_date": pa.date32(), "year": pa.int32(), "time_precision": pa.int8(),
        "inter1": pa.int8(), "inter2": pa.int8(), "interaction": pa.int16(), "iso": pa.int16(),
        "latitude": pa.float64(), "longitude": pa.float64(), "geo_precision": pa.int8(),
        "fatalities": pa.int32(), "timestamp": pa.int64(),
    }
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ACLED_COLUMNS])
    table = pa.Table.from_pylist(acled_rows(incidents), schema=schema)
    pq.write_table(table, str(path))


def render(fmt: str, incidents: list[Incident]) -> str:
    """A text export: `acled-csv`, `geojson` or `jsonl`."""
    if fmt == "acled-csv":
        return incidents_acled_csv(incidents)
    if fmt == "geojson":
        return incidents_geojson(incidents) + "\n"
    if fmt == "jsonl":
        return incidents_jsonl(incidents)
    raise ExportError(f"unknown text export format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = [
    "ACLED_COLUMNS", "ExportError", "FORMATS", "acled_row", "acled_rows", "incidents_acled_csv",
    "incidents_jsonl", "incidents_parquet", "render",
]
