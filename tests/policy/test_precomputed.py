"""The policy's precomputed data (latitude bands of the peninsula's outlines, the
catalogue's normalised other names) is what its sources give (`make precomputed`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tool", ["peninsula_bands.py", "munition_aliases.py"])
def test_the_precomputed_data_is_not_stale(tool: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), "--check"],
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
