"""The dashboard's offline country outlines (Natural Earth 1:50m, npm `world-atlas`, TopoJSON) as polygons.

`make vendor` copies `countries-50m.json` into `sitrep/api/static/vendor/world-atlas/`; the brief reads it
from there. Without it (`make vendor` not run) `load_atlas` returns None and maps are drawn without
outlines. TopoJSON is decoded here (quantised, delta-encoded arcs shared between neighbours): no
JavaScript, nothing fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

Ring = list[tuple[float, float]]  # (lon, lat) points
BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

ATLAS_FILE = ("api", "static", "vendor", "world-atlas", "countries-50m.json")


@dataclass(frozen=True)
class Country:
    numeric: int | None  # ISO 3166 numeric code (None for areas without one)
    name: str
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then its holes
    bbox: BBox


def atlas_path() -> Path | None:
    """Where the vendored atlas is, or None when `make vendor` has not installed it."""
    try:
        path = Path(str(resources.files("sitrep").joinpath(*ATLAS_FILE)))
    except (ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


def _bbox(rings: list[Ring]) -> BBox:
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def decode(topology: dict) -> list[Country]:
    """The countries of a world-atlas TopoJSON topology (object `countries`)."""
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = (transform["scale"], transform["translate"]) if transform else ((1, 1), (0, 0))
    import numpy as np

    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        xy = np.array([point[:2] for point in arc], dtype=float).reshape(-1, 2)
        if transform:
            xy = np.cumsum(xy, axis=0)
        lons, lats = xy[:, 0] * sx + tx, xy[:, 1] * sy + ty
        arcs.append(list(zip(lons.tolist(), lats.tolist())))

    def ring(indexes: list[int]) -> Ring:
        out: Ring = []
        for index in indexes:
            points = arcs[index] if index >= 0 else arcs[~index][::-1]
            out.extend(points[1:] if out else points)  # arcs share their end points
        return out

    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind, arcs_of = geometry.get("type"), geometry.get("arcs") or []
        if kind == "Polygon":
            polygons = [arcs_of]
        elif kind == "MultiPolygon":
            polygons = arcs_of
        else:
            continue
        decoded = tuple(tuple(ring(r) for r in polygon) for polygon in polygons)
        rings = [r for polygon in decoded for r in polygon if r]
        if not rings:
            continue
        raw = geometry.get("id")
        numeric = int(raw) if isinstance(raw, str) and raw.isdigit() else raw if isinstance(raw, int) else None
        countries.append(Country(numeric=numeric, name=(geometry.get("properties") or {}).get("name", ""),
                                 polygons=decoded, bbox=_bbox(rings)))
    return countries


@cache
def load_atlas() -> tuple[Country, ...] | None:
    """The vendored world atlas, decoded once per process; None when it is not installed."""
    path = atlas_path()
    if path is None:
        return None
    return tuple(decode(json.loads(path.read_text(encoding="utf-8"))))


def country_outline(numeric: int | None) -> Country | None:
    """The atlas's country with this ISO 3166 numeric code, or None."""
    countries = load_atlas()
    if not countries or numeric is None:
        return None
    return next((c for c in countries if c.numeric == numeric), None)


def main_bbox(country: Country) -> BBox:
    """The extent of a country's largest polygon and those near it (not far islands or territories across
    the antimeridian, which would make a country's map mostly sea)."""
    by_size = sorted(country.polygons, key=lambda p: -_area(p[0]) if p and p[0] else 0)
    if not by_size or not by_size[0]:
        return country.bbox
    lon0, lat0, lon1, lat1 = _bbox([by_size[0][0]])
    reach = max(lon1 - lon0, lat1 - lat0, 2.0)
    near = [p[0] for p in by_size if p and p[0] and _near(_bbox([p[0]]), (lon0, lat0, lon1, lat1), reach)]
    return _bbox(near)


def _area(ring: Ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def _near(box: BBox, main: BBox, reach: float) -> bool:
    return (box[0] < main[2] + reach and box[2] > main[0] - reach
            and box[1] < main[3] + reach and box[3] > main[1] - reach)


__all__ = ["Country", "atlas_path", "country_outline", "decode", "load_atlas", "main_bbox"]
