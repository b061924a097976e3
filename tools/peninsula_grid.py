"""Precompute a grid over the peninsula's outlines, for the point-in-polygon test.

    python tools/peninsula_grid.py          # writes peninsula/grid/data.json
    python tools/peninsula_grid.py --check  # exit 1 if it is not what the outlines give

(both under rego/apl/definitions/)

A point is on the peninsula when it is inside one of the areas' outlines: a ray from it
eastwards crosses the outlines an odd number of times (the areas neither overlap nor nest,
so the crossings of all of them can be counted together). The policy answers most points
without an edge and with little arithmetic, which OPA does slowly on decimals:

- The plane is cut into square cells of 1 / PER_DEGREE degrees, the cell of a point being
  (floor(lat * PER_DEGREE), floor(lon * PER_DEGREE)). The cells that cover the areas'
  bounding boxes are written one row of cells a string, one character a cell, from the
  row `south_row` and the column `west_col`: "1" when the whole cell lies inside an
  outline, "0" when it lies wholly outside them all, "2" when an edge passes through it.
  A point in no row, or beyond its row's string, is outside.
- For a point in a "2" cell the policy casts the ray, over the edges (as
  [lon1, lat1, lon2, lat2], in outline order) that reach into the point's row.

A cell is whole only if no edge comes within MARGIN degrees of it, and whole cells are
classified by the ray cast from their centre with the policy's own arithmetic; every edge
within MARGIN of a row is listed for it. So a point whose cell the policy computes a
rounding error away from the true one still gets the answer the plain ray cast gives.
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
TARGET = ROOT / "rego" / "apl" / "definitions" / "peninsula" / "grid" / "data.json"
PER_DEGREE = 20  # cells per degree: 0.05 degrees, about 5 km
MARGIN = 1e-6  # degrees


def edges_of(areas: list[dict[str, Any]]) -> list[list[float]]:
    out = []
    for area in areas:
        polygon = area["polygon"]
        n = len(polygon)
        out += [[*polygon[i], *polygon[(i + 1) % n]] for i in range(n)]
    return out


def ray_cast_inside(edges: list[list[float]], lon: float, lat: float) -> bool:
    """The policy's test, as definitions.rego writes it."""
    crossings = 0
    for x1, y1, x2, y2 in edges:
        if (y1 <= lat) != (y2 <= lat) and lon < x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def touches(edge: list[float], west: float, south: float, east: float, north: float) -> bool:
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


def grid(areas: list[dict[str, Any]]) -> dict[str, Any]:
    edges = edges_of(areas)
    size = 1 / PER_DEGREE
    south_row = math.floor(min(a["bbox"][1] for a in areas) * PER_DEGREE)
    north_row = math.floor(max(a["bbox"][3] for a in areas) * PER_DEGREE)
    west_col = math.floor(min(a["bbox"][0] for a in areas) * PER_DEGREE)
    east_col = math.floor(max(a["bbox"][2] for a in areas) * PER_DEGREE)
    rows, row_edges = [], []
    for r in range(south_row, north_row + 1):
        south, north = r * size - MARGIN, (r + 1) * size + MARGIN
        row_edges.append([e for e in edges
                          if min(e[1], e[3]) <= north and max(e[1], e[3]) >= south])
        cells = []
        for c in range(west_col, east_col + 1):
            west, east = c * size - MARGIN, (c + 1) * size + MARGIN
            if any(touches(e, west, south, east, north) for e in row_edges[-1]):
                cells.append("2")
            else:
                centre = ray_cast_inside(edges, (c + 0.5) * size, (r + 0.5) * size)
                cells.append("1" if centre else "0")
        rows.append("".join(cells))
    return {"per_degree": PER_DEGREE, "south_row": south_row, "west_col": west_col,
            "rows": rows,
            "edges": row_edges}


def render() -> str:
    areas = yaml.safe_load(SOURCE.read_text())["areas"]
    note = f"by tools/{Path(__file__).name} from ../data.yaml: do not edit (make precomputed)"
    return json.dumps({"_generated": note} | grid(areas), separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(__doc__.split("\n\n")[0], TARGET, render(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
