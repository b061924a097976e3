"""The policy's precomputed data (latitude bands of the peninsula's outlines, the
catalogue's normalised other names) is what its sources give (`make precomputed`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("tool", ["peninsula_bands.py", "munition_aliases.py"])
def test_the_precomputed_data_is_not_stale(tool: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_edge_is_in_the_band_of_each_latitude_it_spans() -> None:
    pb = _tool("peninsula_bands")
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
