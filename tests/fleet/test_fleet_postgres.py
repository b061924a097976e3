"""The fleet's audit trail on PostgreSQL (Debian's server, a throwaway cluster): the same
exactly-once check as on SQLite, with a smaller fleet."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bridge.fleet import Fleet
from tests.audit.postgres import PostgresCluster
from tests.fleet.conftest import cli, processes_of
from tests.fleet.test_fleet import check_audit_exactly_once

pytestmark = pytest.mark.opa


@pytest.fixture(scope="module")
def pg_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    cluster = PostgresCluster().start()
    directory = tmp_path_factory.mktemp("pg-fleet")
    try:
        url = cluster.create_database("fleet_audit")
        env = dict(os.environ, APL_AUDIT_FAULTS="1")
        cli("fleet", "up", "--replicas", "2", "--dir", str(directory), "--audit-db", url, env=env)
        fleet = Fleet.load(directory)
        try:
            yield fleet
        finally:
            current = Fleet.load(directory)
            cli("fleet", "down", "--dir", str(directory), check=False)
            assert not current.running_processes()
            assert processes_of(directory) == []
    finally:
        cluster.stop()


def test_every_decision_is_in_the_postgresql_store_exactly_once(pg_fleet, tmp_path):
    assert (pg_fleet.audit_db or "").startswith("postgresql://")
    check_audit_exactly_once(pg_fleet, tmp_path, 200)
