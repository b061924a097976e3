"""The precomputed latitude bands of the peninsula's outlines are what the outlines give
(tools/peninsula_bands.py; `make peninsula-bands` rewrites them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bands_are_not_stale() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "peninsula_bands.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_edge_is_in_the_band_of_each_latitude_it_spans() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import peninsula_bands as pb
    import yaml

    areas = yaml.safe_load(pb.SOURCE.read_text())["areas"]
    table = pb.bands(areas)["edges"]
    for j, area in enumerate(areas):
        south = area["bbox"][1]
        poly = area["polygon"]
        for i, a in enumerate(poly):
            b = poly[(i + 1) % len(poly)]
            lo, hi = sorted((a[1], b[1]))
            for k in range(int((lo - south) / pb.BAND), int((hi - south) / pb.BAND) + 1):
                assert [*a, *b] in table[j][k], (area["name"], i, k)
