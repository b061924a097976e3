"""The policy's precomputed data (the grid over the peninsula's outlines, the catalogue's
normalised other names, the classification of each model named alone) is what its sources
give (`make precomputed`)."""

from __future__ import annotations

import importlib.util
import math
import random
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


@pytest.mark.parametrize(
    "tool", ["peninsula_grid.py", "munition_aliases.py", "munition_classes.py"]
)
def test_the_precomputed_data_is_not_stale(tool: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_every_edge_is_listed_in_each_row_it_spans() -> None:
    pg = _tool("peninsula_grid")
    areas = yaml.safe_load(pg.SOURCE.read_text())["areas"]
    grid = pg.grid(areas)
    for edge in pg.edges_of(areas):
        lo, hi = sorted((edge[1], edge[3]))
        for r in range(math.floor(lo * pg.PER_DEGREE), math.floor(hi * pg.PER_DEGREE) + 1):
            assert edge in grid["edges"][r - grid["south_row"]], (edge, r)


def _grid_inside(pg: ModuleType, grid: dict, lat: float, lon: float) -> bool:
    """The policy's lookup (definitions.inside), in Python."""
    r = math.floor(lat * grid["per_degree"]) - grid["south_row"]
    c = math.floor(lon * grid["per_degree"]) - grid["west_col"]
    if not 0 <= r < len(grid["rows"]) or not 0 <= c < len(grid["rows"][r]):
        return False
    cell = grid["rows"][r][c]
    return cell == "1" or (cell == "2" and pg.ray_cast_inside(grid["edges"][r], lon, lat))


def test_the_grid_gives_the_plain_ray_cast_answer() -> None:
    """Random points over and around the outlines, and the corners of cells, where
    rounding would send a point to the neighbouring cell."""
    pg = _tool("peninsula_grid")
    areas = yaml.safe_load(pg.SOURCE.read_text())["areas"]
    grid = pg.grid(areas)
    edges = pg.edges_of(areas)
    rng = random.Random(20220621)  # noqa: S311 - sample points, not secrets
    points = [(rng.uniform(32.5, 43.5), rng.uniform(123.5, 131.5)) for _ in range(20_000)]
    points += [(r / 20 + d, c / 20 + d) for r in range(660, 880, 7) for c in range(2480, 2630, 7)
               for d in (0.0, -1e-9, 1e-9)]
    inside = [p for p in points if pg.ray_cast_inside(edges, p[1], p[0])]
    assert len(inside) > 1000, "the sample must reach into the outlines"
    for lat, lon in points:
        assert _grid_inside(pg, grid, lat, lon) == pg.ray_cast_inside(edges, lon, lat), (lat, lon)
