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
BAND = 0.25  # degrees; the policy multiplies by 1 / BAND = 4
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
    return {"band_degrees": BAND, "edges": out}


def render() -> str:
    areas = yaml.safe_load(SOURCE.read_text())["areas"]
    note = f"by tools/{Path(__file__).name} from ../data.yaml: do not edit (make precomputed)"
    head = {"_generated": note}
    return json.dumps(head | bands(areas), separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(__doc__.split("\n\n")[0], TARGET, render(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
