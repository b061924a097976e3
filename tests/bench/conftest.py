"""Fixtures for the bench's own tests: the bench's modules, loaded from bench/ by path.

bench/ is a folder of scripts, not a package the project installs, so its modules are
loaded from their files here rather than imported by name.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_bench_module(name: str) -> ModuleType:
    """bench/<name>.py as a module (cached in sys.modules under a bench_ prefix)."""
    key = f"bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    return BENCH


@pytest.fixture(scope="session")
def generate() -> ModuleType:
    return load_bench_module("generate")


@pytest.fixture(scope="session")
def targets() -> ModuleType:
    return load_bench_module("targets")


@pytest.fixture(scope="session")
def table() -> ModuleType:
    return load_bench_module("table")


@pytest.fixture(scope="session")
def instructions() -> ModuleType:
    return load_bench_module("instructions")
