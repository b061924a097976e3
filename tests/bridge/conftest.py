"""Fixtures for the bridge's tests: one real OPA server per test session.

Tests that claim a decision use `opa_server` (marked `opa`); unit tests of the client's
error handling use a fake transport instead and need no server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.server import LocalOpa


@pytest.fixture(scope="session")
def opa_server() -> Iterator[LocalOpa]:
    """The project's bundle on a free loopback port, token authentication on."""
    with LocalOpa() as server:
        yield server
