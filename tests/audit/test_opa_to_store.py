"""Real OPA servers ship their decision logs to the real collector, on SQLite and on
PostgreSQL: every decision (a single one, and each activity of a batch) lands exactly
once, with the bundle revision, the activity's id and the replica that made it, the
mask's erasures recorded; and nothing is lost or doubled while the collector answers
503 for ten seconds, or after it is stopped, or killed, and started again."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bridge.audit.process import AuditServer
from bridge.audit.store import open_store
from tests.audit.conftest import OpaFactory
from tests.audit.postgres import PostgresCluster
from tests.audit.support import (
    KINDS,
    MAX_DELAY_SECONDS,
    Client,
    Made,
    activity,
    stored,
    wait_for_rows,
)

pytestmark = pytest.mark.opa

REVISION = "source-tree"  # rego/.manifest's revision, which the bundle's decisions carry


def make_decisions(client: Client, start: int, singles: int, batches: tuple[int, ...]) -> None:
    n = start
    for _ in range(singles):
        client.decide(activity(n, KINDS[n % len(KINDS)]))
        n += 1
    for size in batches:
        client.batch([activity(n + i, KINDS[(n + i) % len(KINDS)]) for i in range(size)])
        n += size


def assert_exactly_once(rows: list[dict[str, Any]], made: list[Made]) -> None:
    keys = Counter((r["decision_id"], r["index"]) for r in rows)
    doubled = [k for k, n in keys.items() if n > 1]
    assert not doubled, f"stored more than once: {doubled}"
    expected = {(m.decision_id, m.index): m for m in made}
    missing = sorted(set(expected) - set(keys))
    extra = sorted(set(keys) - set(expected))
    assert not missing, f"{len(missing)} decision(s) never stored: {missing[:5]}"
    assert not extra, f"stored decisions no client asked for: {extra[:5]}"
    for row in rows:
        m = expected[(row["decision_id"], row["index"])]
        assert row["id"] == m.activity_id
        assert row["decision"] == m.decision
        assert row["replica"] == m.replica
        assert row["revision"] == REVISION
        assert row["batch"] is m.batch
        assert row["path"] == ("apl/batch" if m.batch else "apl/decision")


def test_every_decision_of_two_replicas_lands_exactly_once(
    collector: AuditServer, logging_opa: OpaFactory
) -> None:
    a = Client(logging_opa(collector, "opa-a"), "opa-a")
    b = Client(logging_opa(collector, "opa-b"), "opa-b")
    make_decisions(a, 0, singles=6, batches=(1, 5))
    make_decisions(b, 100, singles=3, batches=(7,))
    made = a.made + b.made
    rows = wait_for_rows(collector.db, len(made))
    assert_exactly_once(rows, made)

    # Each replica's status plugin reported too; the last report of each is kept.
    deadline = time.monotonic() + 30
    reports: list[dict[str, Any]] = []
    while time.monotonic() < deadline and len(reports) < 2:
        reports = collector_status(collector)
        time.sleep(0.25)
    assert sorted(r["replica"] for r in reports) == ["opa-a", "opa-b"]
    for r in reports:
        assert r["report"]["labels"]["replica"] == r["replica"]
        assert r["instance_id"] == r["report"]["labels"]["id"]


def test_what_the_mask_erased_is_stored_and_the_rest_kept(
    collector: AuditServer, logging_opa: OpaFactory
) -> None:
    client = Client(logging_opa(collector, "opa-a"), "opa-a")
    plain = {k: v for k, v in activity(1, "deny").items() if k != "extensions"}
    client.decide(activity(0, "deny"))
    client.decide(plain)
    client.batch([activity(2, "permit"), plain | {"id": "plain-3"}, activity(4, "review")])
    rows = {r["id"]: r for r in wait_for_rows(collector.db, 5)}
    assert len(rows) == 5
    assert rows["deny-0"]["erased"] == ["/input/extensions"]
    assert rows["deny-1"]["erased"] == []
    assert rows["permit-2"]["erased"] == ["/input/activities/0/extensions"]
    assert rows["plain-3"]["erased"] == []
    assert rows["review-4"]["erased"] == ["/input/activities/2/extensions"]
    for row in rows.values():
        assert "extensions" not in row["input"], row["input"]
        # what the policy read is kept: the munition and the outcome's evidence
        assert row["input"]["munition"]["model"] in {"M14", "X-99"}
        assert row["result"]["id"] == row["id"]
    assert rows["deny-0"]["clauses"] == ["P3"]


def test_nothing_is_lost_or_doubled_while_the_collector_answers_503(
    collector: AuditServer, logging_opa: OpaFactory
) -> None:
    client = Client(logging_opa(collector, "opa-a"), "opa-a")
    make_decisions(client, 0, singles=2, batches=(3,))
    before = len(client.made)
    assert_exactly_once(wait_for_rows(collector.db, before), client.made)

    collector.set_fault(503, 10)
    fault_started = time.monotonic()
    make_decisions(client, 10, singles=4, batches=(4,))
    time.sleep(4)
    make_decisions(client, 30, singles=2, batches=(2, 3))
    # OPA has tried to upload several times by now (every 1 to 2 s) and been refused.
    time.sleep(max(0.0, 8 - (time.monotonic() - fault_started)))
    count = len(stored(collector.db))
    if time.monotonic() - fault_started < 9.5:  # the fault was on for the whole count
        assert count == before, "stored while answering 503"
    assert "fault switch: answered 503 to /logs" in collector.log_tail()

    rows = wait_for_rows(collector.db, len(client.made))
    assert_exactly_once(rows, client.made)


def test_nothing_is_lost_or_doubled_across_collector_restarts(
    collector: AuditServer, logging_opa: OpaFactory
) -> None:
    """Stopped (SIGTERM: in-flight writes finish) and then killed (SIGKILL: a write may be
    committed with no answer sent, so OPA sends it again): both times started again."""
    client = Client(logging_opa(collector, "opa-a"), "opa-a")
    make_decisions(client, 0, singles=3, batches=(2,))
    assert_exactly_once(wait_for_rows(collector.db, len(client.made)), client.made)

    for n, go_away in enumerate((collector.stop, collector.kill)):
        start = 100 * (n + 1)
        # Decisions made while uploads are on their way, then the collector goes away.
        make_decisions(client, start, singles=3, batches=(4,))
        go_away()
        make_decisions(client, start + 20, singles=3, batches=(3,))
        time.sleep(2)  # OPA's uploads fail with connection refused and are kept
        collector.start()
        make_decisions(client, start + 40, singles=2, batches=(2,))
        rows = wait_for_rows(collector.db, len(client.made))
        assert_exactly_once(rows, client.made)


def test_with_a_token_only_what_carries_it_is_stored(
    tmp_path: Path, logging_opa: OpaFactory
) -> None:
    """The token is checked before the store is touched, the same for both databases
    (test_collector_input checks the 401 on each), so one real-OPA run is enough."""
    store_url = f"sqlite:///{tmp_path / 'token.db'}"
    token = secrets.token_urlsafe(16)
    with AuditServer(store_url, token=token) as collector:
        good = Client(logging_opa(collector, "opa-a", token=token), "opa-a")
        wrong = Client(logging_opa(collector, "opa-b", token=token[::-1] + "x"), "opa-b")
        make_decisions(good, 0, singles=3, batches=(2,))
        make_decisions(wrong, 10, singles=3, batches=(2,))
        wait_for_rows(collector.db, len(good.made))
        time.sleep(2 * MAX_DELAY_SECONDS)  # the other replica's uploads have been refused
        rows = stored(collector.db)
        assert_exactly_once(rows, good.made)
        assert "refused a request without the token" in collector.log_tail()


def collector_status(collector: AuditServer) -> list[dict[str, Any]]:
    with open_store(collector.db, create=False) as store:
        return store.select("SELECT replica, instance_id, report FROM audit_status")


def test_nothing_is_lost_or_doubled_across_a_postgresql_restart(
    postgres: PostgresCluster, logging_opa: OpaFactory
) -> None:
    """While the database is down the collector answers 503 (so OPA keeps the chunk),
    and reconnects on its own once it is back."""
    url = postgres.create_database("audit_restart")
    with AuditServer(url) as collector:
        client = Client(logging_opa(collector, "opa-a"), "opa-a")
        make_decisions(client, 0, singles=3, batches=(2,))
        assert_exactly_once(wait_for_rows(url, len(client.made)), client.made)
        make_decisions(client, 10, singles=2, batches=(3,))
        postgres.stop_server()
        try:
            make_decisions(client, 20, singles=2, batches=(2,))
            time.sleep(3)  # uploads are refused with 503 meanwhile
            assert not collector.healthy()
        finally:
            postgres.start_server()
        make_decisions(client, 30, singles=2, batches=(2,))
        assert_exactly_once(wait_for_rows(url, len(client.made)), client.made)
        assert collector.healthy()
        assert "store unavailable" in collector.log_tail()
