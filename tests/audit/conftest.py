"""Fixtures for the audit store's tests: every test that takes `store_url` runs twice,
against SQLite and against a real PostgreSQL cluster the session starts (and stops);
`collector` is the real `apl-policy audit serve` process on that store, with the test
fault switch on; `logging_opa` starts real OPA servers whose decision logs and status
reports go to it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bridge.audit.process import AuditServer
from bridge.server import LocalOpa
from tests.audit.postgres import PostgresCluster
from tests.audit.support import opa_config

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def new_store_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty store of the given kind."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'audit-{uuid.uuid4().hex[:8]}.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database(f"audit_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_store_url(request.param, tmp_path, request)


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A fresh store shared by the tests of one module (one per backend)."""
    return new_store_url(request.param, tmp_path_factory.mktemp("audit"), request)


@pytest.fixture
def collector(store_url: str) -> Iterator[AuditServer]:
    with AuditServer(store_url, faults=True) as server:
        yield server


OpaFactory = Callable[..., LocalOpa]


@pytest.fixture
def logging_opa(tmp_path: Path) -> Iterator[OpaFactory]:
    """Start an OPA on the project's bundle logging to a collector, as replica `name`."""
    started: list[LocalOpa] = []

    def start(collector: AuditServer, name: str, token: str | None = None) -> LocalOpa:
        config = tmp_path / f"opa-{name}.yaml"
        config.write_text(opa_config(collector.url, name, token))
        server = LocalOpa(extra_args=["--config-file", str(config)]).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
