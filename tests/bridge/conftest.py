"""Fixtures for the bridge's tests. The session's real OPA (`opa_server`) comes from
tests/conftest.py; tests that use it are marked `opa`. Unit tests of the client's error
handling use a fake transport instead and need no server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.server import LocalOpa


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def opa_args(opa_server: LocalOpa) -> list[str]:
    """The options that point the CLI at the session's OPA (no private server per test)."""
    return ["--opa-url", opa_server.url, "--token", opa_server.token or ""]


@pytest.fixture
def activities(tmp_path: Path) -> dict[str, Path]:
    """Small input files: permitted, denied, reviewed, invalid, and a mix in order."""
    files = {
        "permit.yaml": ("id: dmz\naction: use\nmunition: {model: M14}\nlocation: {region: DMZ}\n"),
        "deny.yaml": (
            "id: germany\naction: use\nmunition: {model: M14}\nlocation: {country: DE}\n"
        ),
        "review.json": (
            '{"id": "unknown-model", "action": "use", "munition": {"model": "X-99"},'
            ' "location": {"country": "DE"}}'
        ),
        "invalid.yaml": "id: typo\naction: use\nmunitoin: {model: M14}\n",
        "mixed.jsonl": "\n".join(
            [
                '{"id": "m1", "action": "use", "munition": {"model": "M14"},'
                ' "location": {"region": "DMZ"}}',
                '{"id": "m2", "action": "use", "munition": {"model": "M14"},'
                ' "location": {"country": "DE"}}',
                '{"id": "m3", "action": "fly", "munition": {"model": "M14"}}',
                '{"id": "m4", "action": "destroy", "munition": {"model": "M14"}}',
            ]
        )
        + "\n",
    }
    out = {}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        out[name] = path
    return out
