"""What every test folder shares: one real OPA server per test session, on the project's
bundle, on a free loopback port, with a random token required on every request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.server import LocalOpa


@pytest.fixture(scope="session")
def opa_server() -> Iterator[LocalOpa]:
    with LocalOpa() as server:
        yield server
