"""Readers of the place files a team adds to its ledger's gazetteer (`sitrep places import`).

- GeoNames country dumps (`XX.txt`, or `XX.zip` holding it; `allCountries` too): the standard 19
  tab-separated columns (geonameid, name, asciiname, alternatenames, latitude, longitude, feature class,
  feature code, country code, cc2, admin1..4 codes, population, elevation, dem, timezone, modification
  date). Places of the chosen feature classes are read (default P populated places, A administrative
  areas below the first level, L parks and areas); each takes its first- and second-level region names
  from the dump's own ADM1 and ADM2 records.
- ACLED-style CSVs of coded events (`location`, `admin1`, `admin2`, `latitude`, `longitude`, and
  `country` or `iso`, as ACLED exports them): each distinct location with its coordinates, a team's past
  coding.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sitrep.nlp.gazetteer import LocalPlace

GEONAMES_COLUMNS = 19
DEFAULT_CLASSES = "PAL"
_SKIPPED_CODES = {"ADM1", "ADM1H", "PCL", "PCLD", "PCLF", "PCLI", "PCLIX", "PCLS", "PCLH"}  # regions and countries: GeoNames' own index has them


@contextmanager
def _text(path: Path) -> Iterator[IO[str]]:
    """The dump's text: the file itself, or the `.txt` inside a `.zip` named after it (else its largest)."""
    if path.suffix.lower() != ".zip":
        with open(path, encoding="utf-8", newline="") as fh:
            yield fh
        return
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".txt") and "readme" not in n.lower()]
        if not names:
            raise ValueError(f"{path.name} holds no .txt dump")
        wanted = f"{path.stem}.txt".lower()
        name = next((n for n in names if n.lower() == wanted), max(names, key=lambda n: archive.getinfo(n).file_size))
        with archive.open(name) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _rows(path: Path) -> Iterator[list[str]]:
    with _text(path) as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != GEONAMES_COLUMNS:
                raise ValueError(f"line {n} has {len(cols)} tab-separated column(s), not the {GEONAMES_COLUMNS} columns of a "
                                 "GeoNames dump")
            yield cols


def read_geonames(path: Path, classes: str = DEFAULT_CLASSES) -> Iterator[LocalPlace]:
    """The places of a GeoNames dump whose feature class is one of `classes` (letters: A, H, L, P, R, S, T, U, V)."""
    regions: dict[tuple[str, ...], str] = {}
    for cols in _rows(path):  # first pass: region names by their admin codes
        if cols[6] == "A" and cols[7] in ("ADM1", "ADM2"):
            key = (cols[8], cols[10]) if cols[7] == "ADM1" else (cols[8], cols[10], cols[11])
            regions[key] = cols[1]
    wanted = set(classes.upper())
    source = f"geonames {path.name}"
    for cols in _rows(path):
        if cols[6] not in wanted or cols[7] in _SKIPPED_CODES:
            continue
        try:
            lat, lon = float(cols[4]), float(cols[5])
        except ValueError:
            continue
        cc = cols[8].upper()
        alternates = tuple(dict.fromkeys(a.strip() for a in [cols[2], *cols[3].split(",")] if a.strip() and a.strip() != cols[1]))
        yield LocalPlace(name=cols[1], lat=lat, lon=lon, country_code=cc,
                         admin1=regions.get((cc, cols[10])), admin2=regions.get((cc, cols[10], cols[11])),
                         alternate_names=alternates, population=int(cols[14] or 0) if cols[14].isdigit() else 0,
                         geonameid=int(cols[0]), source=source)


def _country(row: dict[str, str]) -> str | None:
    """ISO alpha-2 of an ACLED row: its `country` name, else its numeric or alphabetic `iso` code."""
    import pycountry

    for value in (row.get("country"), row.get("iso"), row.get("iso3")):
        value = (value or "").strip()
        if not value:
            continue
        try:
            found = pycountry.countries.get(numeric=value.zfill(3)) if value.isdigit() else pycountry.countries.lookup(value)
        except LookupError:
            found = None
        if found is not None:
            return found.alpha_2
    return None


ACLED_COLUMNS = ("location", "latitude", "longitude")


def read_acled(path: Path) -> Iterator[LocalPlace]:
    """Each distinct (location, coordinates) of an ACLED-style CSV."""
    source = f"acled {path.name}"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.DictReader(fh)
        missing = [c for c in ACLED_COLUMNS if c not in (rows.fieldnames or ())]
        if missing or not {"country", "iso"} & set(rows.fieldnames or ()):
            raise ValueError(f"no column {', '.join(missing or ['country or iso'])}: not an ACLED-style CSV")
        for row in rows:
            name = (row.get("location") or "").strip()
            cc = _country(row)
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except ValueError:
                continue
            if not name or cc is None:
                continue
            yield LocalPlace(name=name, lat=lat, lon=lon, country_code=cc,
                             admin1=_value(row.get("admin1")), admin2=_value(row.get("admin2")), source=source)


def _value(text: str | None) -> str | None:
    text = (text or "").strip()
    return text if text and text.upper() != "NA" else None
