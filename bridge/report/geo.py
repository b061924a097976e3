"""The map of the report: the Korean Peninsula as the policy's bundle draws it, and where
the activities are.

The outline, the islands and the DMZ are read from the bundle's own data
(`data.apl.definitions.peninsula`, asked of OPA with `opa eval` on the bundle), never
copied here, so the map shows exactly the areas the policy tests coordinates against.
The projection is equirectangular, scaled by the cosine of the frame's middle latitude:
at these latitudes and sizes it keeps shapes recognisable, and a point's position on the
page is a plain linear function of its degrees (which is what the browser tests check).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.errors import EvaluationError
from bridge.server import bundle_value

PENINSULA_QUERY = "data.apl.definitions.peninsula"

# Interpretation: the map is a regional one. It covers the peninsula with a margin and
# grows to take in every plotted activity up to this far beyond the peninsula's box
# (degrees: Tokyo, Vladivostok, Shanghai and Beijing fit); an activity farther away is
# pinned to the frame's edge in its direction, drawn hollow, and listed with its
# coordinates, so that one activity in Europe does not shrink the peninsula to a dot.
MARGIN_DEG = 1.0
REACH_DEG = 14.0

Point = tuple[float, float]  # (lon, lat), as the bundle's data writes them


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    polygon: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Peninsula:
    """What the bundle says the peninsula is."""

    codes: tuple[str, ...]
    regions: tuple[str, ...]
    areas: tuple[Area, ...]
    dmz_name: str
    dmz_line: tuple[Point, ...]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        lons = [p[0] for a in self.areas for p in a.polygon]
        lats = [p[1] for a in self.areas for p in a.polygon]
        return min(lons), min(lats), max(lons), max(lats)


def _points(value: object, where: str) -> tuple[Point, ...]:
    if not isinstance(value, list) or not value:
        raise EvaluationError(f"{PENINSULA_QUERY}: {where} is not a list of [lon, lat] points")
    out: list[Point] = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
        ):
            raise EvaluationError(f"{PENINSULA_QUERY}: {where} holds {item!r}, not [lon, lat]")
        out.append((float(item[0]), float(item[1])))
    return tuple(out)


def parse_peninsula(data: object) -> Peninsula:
    """Type the bundle's peninsula data; `EvaluationError` if it is not the expected shape."""
    if not isinstance(data, dict) or not isinstance(data.get("areas"), list) or not data["areas"]:
        raise EvaluationError(f"{PENINSULA_QUERY} has no areas: is this the APL policy bundle?")
    areas = tuple(
        Area(str(a.get("name", f"area {i + 1}")), _points(a.get("polygon"), f"areas[{i}].polygon"))
        for i, a in enumerate(data["areas"])
        if isinstance(a, dict)
    )
    dmz = data.get("dmz")
    dmz_line: tuple[Point, ...] = ()
    dmz_name = ""
    if isinstance(dmz, dict):
        dmz_line = _points(dmz.get("line"), "dmz.line")
        dmz_name = str(dmz.get("name") or "DMZ")
    return Peninsula(
        codes=tuple(str(c) for c in data.get("codes") or []),
        regions=tuple(str(r) for r in data.get("regions") or []),
        areas=areas,
        dmz_name=dmz_name,
        dmz_line=dmz_line,
    )


def load_peninsula(bundle: Path | str | None = None, *, timeout: float = 60.0) -> Peninsula:
    """The peninsula as the bundle's data states it, read by OPA (`opa eval --bundle`)."""
    value: Any = bundle_value(PENINSULA_QUERY, bundle, timeout=timeout)
    return parse_peninsula(value)


def coordinates_of(location: object) -> Point | None:
    """(lon, lat) of a location's coordinates when they are numbers in range, else None."""
    if not isinstance(location, dict):
        return None
    coords = location.get("coordinates")
    if not isinstance(coords, dict):
        return None
    lat, lon = _number(coords.get("lat")), _number(coords.get("lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _nice_step(span: float) -> float:
    for step in (1.0, 2.0, 5.0, 10.0, 20.0):
        if span / step <= 10:
            return step
    return 30.0


@dataclass(frozen=True, slots=True)
class Frame:
    """Degrees to page units: the box of lon/lat shown, and the SVG's size."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: float = 640.0

    @property
    def _cos(self) -> float:
        return math.cos(math.radians((self.min_lat + self.max_lat) / 2))

    @property
    def scale(self) -> float:
        """Page units per degree of latitude (a degree of longitude is `scale * cos`)."""
        return self.width / ((self.max_lon - self.min_lon) * self._cos)

    @property
    def height(self) -> float:
        return round((self.max_lat - self.min_lat) * self.scale, 1)

    def xy(self, point: Point) -> tuple[float, float]:
        lon, lat = point
        x = (lon - self.min_lon) * self._cos * self.scale
        y = (self.max_lat - lat) * self.scale
        return round(x, 2), round(y, 2)

    def contains(self, point: Point) -> bool:
        lon, lat = point
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat

    def pin(self, point: Point) -> Point:
        """A point outside the frame moved onto its edge, along the line from the centre."""
        if self.contains(point):
            return point
        clon = (self.min_lon + self.max_lon) / 2
        clat = (self.min_lat + self.max_lat) / 2
        dlon, dlat = point[0] - clon, point[1] - clat
        scale = 1.0
        if dlon:
            scale = min(scale, ((self.max_lon if dlon > 0 else self.min_lon) - clon) / dlon)
        if dlat:
            scale = min(scale, ((self.max_lat if dlat > 0 else self.min_lat) - clat) / dlat)
        return clon + dlon * scale, clat + dlat * scale

    def path(self, points: Sequence[Point], *, closed: bool) -> str:
        coords = [self.xy(p) for p in points]
        head = " ".join(f"{x:g},{y:g}" for x, y in coords)
        return f"M{head}{' Z' if closed else ''}"

    def graticule(self) -> tuple[list[tuple[float, float, str]], list[tuple[float, float, str]]]:
        """Meridians (x, label) and parallels (y, label) at a round step."""
        step = _nice_step(max(self.max_lon - self.min_lon, self.max_lat - self.min_lat))
        meridians = []
        lon = math.ceil(self.min_lon / step) * step
        while lon <= self.max_lon:
            meridians.append((self.xy((lon, self.max_lat))[0], 0.0, f"{lon:g}°E"))
            lon += step
        parallels = []
        lat = math.ceil(self.min_lat / step) * step
        while lat <= self.max_lat:
            parallels.append((0.0, self.xy((self.min_lon, lat))[1], f"{lat:g}°N"))
            lat += step
        return meridians, parallels


def frame_for(peninsula: Peninsula, points: Iterable[Point], *, width: float = 640.0) -> Frame:
    """The peninsula with a margin, grown to take in the points within REACH_DEG of it."""
    lo_lon, lo_lat, hi_lon, hi_lat = peninsula.bbox
    min_lon, min_lat = lo_lon - MARGIN_DEG, lo_lat - MARGIN_DEG
    max_lon, max_lat = hi_lon + MARGIN_DEG, hi_lat + MARGIN_DEG
    for lon, lat in points:
        if lo_lon - REACH_DEG <= lon <= hi_lon + REACH_DEG and (
            lo_lat - REACH_DEG <= lat <= hi_lat + REACH_DEG
        ):
            min_lon, max_lon = min(min_lon, lon - 0.8), max(max_lon, lon + 0.8)
            min_lat, max_lat = min(min_lat, lat - 0.8), max(max_lat, lat + 0.8)
    return Frame(min_lon, min_lat, max_lon, max_lat, width)
