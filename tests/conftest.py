"""What every test folder shares: one real OPA server per test session, on the project's
bundle, on a free loopback port, with a random token required on every request, and a
kept-alive connection to it that speaks as a service would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.server import LocalOpa
from tests.opa_http import OpaConnection


@pytest.fixture(scope="session")
def opa_server() -> Iterator[LocalOpa]:
    with LocalOpa() as server:
        yield server


@pytest.fixture(scope="session")
def opa(opa_server: LocalOpa) -> Iterator[OpaConnection]:
    connection = OpaConnection(opa_server)
    yield connection
    connection.close()
