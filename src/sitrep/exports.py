"""Exports analysts already use: ACLED-format CSV, GeoJSON, JSON Lines, Parquet.

`acled_rows` maps incident records onto ACLED's columns, in ACLED's order (one row per
incident; cells the ledger cannot fill are empty). Parquet needs the optional extra
`sitrep[parquet]` (pyarrow); without it `incidents_parquet` raises `ExportError` saying so.

Every export is written incident by incident (`stream` yields the text a piece at a time; Parquet
is written in row groups), so fed from `Ledger.iter_incidents` it takes the same memory whatever
the ledger's size. CSV cells go through `sitrep.formats.csv_cell` (no spreadsheet formulas).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitrep.formats import GEO_PRECISION, TIME_PRECISION, csv_lines, incidents_geojson
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
PARQUET_BATCH = 10_000  # rows per Parquet row group


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


def iter_acled_csv(incidents: Iterable[Incident]) -> Iterator[str]:
    """ACLED CSV a line at a time: the header, then one line per incident."""
    return csv_lines(ACLED_COLUMNS, (acled_row(incident) for incident in incidents))


def incidents_acled_csv(incidents: Iterable[Incident]) -> str:
    """ACLED CSV: ACLED's header in ACLED's order, one row per incident, dates as YYYY-MM-DD."""
    return "".join(iter_acled_csv(incidents))


def iter_jsonl(incidents: Iterable[Incident]) -> Iterator[str]:
    """One full incident record (JSON) per line, a line at a time."""
    for incident in incidents:
        yield json.dumps(incident.model_dump(mode="json"), ensure_ascii=False) + "\n"


def incidents_jsonl(incidents: Iterable[Incident]) -> str:
    """One full incident record (JSON) per line."""
    return "".join(iter_jsonl(incidents))


# `sitrep.formats.incidents_geojson` is the one definition of a feature; streamed, the collection is
# written around features cut out of one-incident collections, the same text byte for byte.
_GEOJSON_HEAD = '{"type": "FeatureCollection", "features": ['
_GEOJSON_TAIL = "]}"


def _geojson_feature(incident: Incident) -> str | None:
    """The incident's GeoJSON Feature as `incidents_geojson` writes it; None when it has no point."""
    text = incidents_geojson([incident])
    if not (text.startswith(_GEOJSON_HEAD) and text.endswith(_GEOJSON_TAIL)):
        raise RuntimeError(f"incidents_geojson changed its layout; update exports: {text[:80]!r}")
    return text[len(_GEOJSON_HEAD):-len(_GEOJSON_TAIL)] or None


def iter_geojson(incidents: Iterable[Incident]) -> Iterator[str]:
    """`incidents_geojson(incidents)` a feature at a time (the same text, joined)."""
    yield _GEOJSON_HEAD
    separator = ""
    for incident in incidents:
        feature = _geojson_feature(incident)
        if feature is not None:
            yield separator + feature
            separator = ", "
    yield _GEOJSON_TAIL


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
    rows = (acled_row(incident) for incident in incidents)
    with pq.ParquetWriter(str(path), schema) as writer:  # one row group per batch: flat memory
        wrote = False
        while batch := list(itertools.islice(rows, PARQUET_BATCH)):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            wrote = True
        if not wrote:
            writer.write_table(pa.Table.from_pylist([], schema=schema))


def stream(fmt: str, incidents: Iterable[Incident]) -> Iterator[str]:
    """A text export a piece at a time: `acled-csv`, `geojson` or `jsonl` (`render`, joined)."""
    if fmt == "acled-csv":
        return iter_acled_csv(incidents)
    if fmt == "geojson":
        return itertools.chain(iter_geojson(incidents), ["\n"])
    if fmt == "jsonl":
        return iter_jsonl(incidents)
    raise ExportError(f"unknown text export format {fmt!r}; use one of {', '.join(FORMATS)}")


def render(fmt: str, incidents: Iterable[Incident]) -> str:
    """A text export: `acled-csv`, `geojson` or `jsonl`."""
    return "".join(stream(fmt, incidents))


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """A new temporary file in `path`'s folder, to write the export to; renamed onto `path` when the
    block ends, removed when it raises: `path` is the whole export or untouched, never half-written.

    OSError (no such folder, no permission, ...) comes from here as from `open`.
    """
    path = Path(path)
    if not path.name:  # ".", "/": a folder
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


__all__ = [
    "ACLED_COLUMNS", "ExportError", "FORMATS", "acled_row", "acled_rows", "atomic_file",
    "incidents_acled_csv", "incidents_jsonl", "incidents_parquet", "iter_acled_csv", "iter_geojson",
    "iter_jsonl", "render", "stream",
]
