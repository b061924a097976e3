"""Precompute the peninsula outlines' edges by latitude band, for the point-in-polygon test.

    python tools/peninsula_bands.py          # writes peninsula/bands/data.json
    python tools/peninsula_bands.py --check  # exit 1 if it is not what the outlines give

(both under rego/apl/definitions/)

A point is inside an area when a ray from it eastwards crosses the outline an odd number
of times. Only edges whose latitudes straddle the point's can be crossed, so each area's
latitude span is cut into bands of BAND degrees from its bounding box's southern edge,
and each band lists the edges (as [lon1, lat1, lon2, lat2], in outline order) that reach
into it. The policy walks one band's few edges instead of the whole outline, with the same
arithmetic on the same numbers, so its answers do not change.

Each band is widened by MARGIN degrees on both sides, so that the band index the policy
computes with floating point, floor((lat - south) / BAND), finds every edge that straddles
the point even when the point lies within rounding distance of a band's boundary.

Most points need no edge at all: each area's bounding box is also cut into square cells of
CELL degrees, from its south-west corner, and each row of cells is written as a string, one
character a cell: "1" when the whole cell lies inside the outline, "0" when it lies wholly
outside, "2" when an edge passes through it (then the policy walks the band's edges). A
cell is whole only if no edge comes within MARGIN of it, and it is inside when the ray cast
from its centre, with the policy's own arithmetic, says so: no point of a whole cell can
lie on the other side of an edge, so the cells change no answer either.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precomputed import write_or_check  # the tools' shared tail

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "rego" / "apl" / "definitions" / "peninsula" / "data.yaml"
TARGET = ROOT / "rego" / "apl" / "definitions" / "peninsula" / "bands" / "data.json"
BAND = 0.25  # degrees
CELL = 0.05  # degrees
MARGIN = 1e-6  # degrees


def bands(areas: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for area in areas:
        south, north = area["bbox"][1], area["bbox"][3]
        polygon = area["polygon"]
        n = len(polygon)
        edges = [[*polygon[i], *polygon[(i + 1) % n]] for i in range(n)]
        count = math.floor((north - south) / BAND) + 2  # one beyond: the northern edge itself
        rows = []
        for k in range(count):
            low, high = south + k * BAND - MARGIN, south + (k + 1) * BAND + MARGIN
            rows.append([e for e in edges if min(e[1], e[3]) <= high and max(e[1], e[3]) >= low])
        out.append(rows)
    return {"band_degrees": BAND, "edges": out, "cell_degrees": CELL, "cells": [cells(a) for a in areas]}


def _ray_cast_inside(polygon: list[list[float]], lon: float, lat: float) -> bool:
    """The policy's test, as definitions.rego writes it."""
    n, crossings = len(polygon), 0
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 <= lat) != (y2 <= lat) and lon < x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def _touches(edge: list[float], west: float, south: float, east: float, north: float) -> bool:
    """Whether the segment meets the rectangle (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = edge
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - west), (dx, east - x1), (-dy, y1 - south), (dy, north - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            low = max(low, r)
        else:
            high = min(high, r)
        if low > high:
            return False
    return True


def cells(area: dict[str, Any]) -> list[str]:
    west, south, east, north = area["bbox"]
    polygon = area["polygon"]
    n = len(polygon)
    edges = [[*polygon[i], *polygon[(i + 1) % n]] for i in range(n)]
    rows = []
    for r in range(math.floor((north - south) / CELL) + 2):
        row = []
        for c in range(math.floor((east - west) / CELL) + 2):
            w, s = west + c * CELL, south + r * CELL
            box = (w - MARGIN, s - MARGIN, w + CELL + MARGIN, s + CELL + MARGIN)
            if any(_touches(e, *box) for e in edges):
                row.append("2")
            else:
                row.append("1" if _ray_cast_inside(polygon, w + CELL / 2, s + CELL / 2) else "0")
        rows.append("".join(row))
    return rows


def render() -> str:
    areas = yaml.safe_load(SOURCE.read_text())["areas"]
    note = f"by tools/{Path(__file__).name} from ../data.yaml: do not edit (make precomputed)"
    head = {"_generated": note}
    return json.dumps(head | bands(areas), separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(__doc__.split("\n\n")[0], TARGET, render(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
