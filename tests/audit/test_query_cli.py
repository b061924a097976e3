"""`apl-policy audit query` on a store that real OPA replicas filled through the real
collector, on SQLite and PostgreSQL: filters by time, decision, clause, revision, activity
id and replica, counts grouped by each, the three formats, and `--dir` of a fleet."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bridge.audit.process import AuditServer, request
from bridge.audit.store import open_store
from bridge.cli import cli
from bridge.server import LocalOpa
from tests.audit.support import (
    KINDS,
    Client,
    Made,
    activity,
    event,
    gzip_json,
    opa_config,
    wait_for_rows,
)

pytestmark = pytest.mark.opa


@dataclass
class Filled:
    url: str
    made: list[Made]
    folder: Path


@pytest.fixture(scope="module")
def filled(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Filled:
    """A store holding the decisions of two replicas: singles and batches of every kind."""
    folder = tmp_path_factory.mktemp("filled")
    with AuditServer(module_store_url) as collector:
        clients = []
        for name in ("opa-a", "opa-b"):
            config = folder / f"{name}.yaml"
            config.write_text(opa_config(collector.url, name))
            clients.append(
                Client(LocalOpa(extra_args=["--config-file", str(config)]).start(), name)
            )
        try:
            a, b = clients
            for n in range(8):
                a.decide(activity(n, KINDS[n % 4]))
            a.batch([activity(n, KINDS[n % 4]) for n in range(10, 16)])
            b.batch([activity(n, KINDS[n % 4]) for n in range(20, 23)])
            b.decide(activity(30, "deny"))
            made = a.made + b.made
            rows = wait_for_rows(module_store_url, len(made))
            assert len(rows) == len(made)
        finally:
            for client in clients:
                client.server.stop()
    return Filled(module_store_url, made, folder)


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, ["audit", "query", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def records(filled: Filled, *args: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(run("--db", filled.url, "-f", "json", *args))
    return out


def test_every_record_carries_the_activity_id_and_its_provenance(filled: Filled) -> None:
    listed = records(filled)
    assert len(listed) == len(filled.made)
    assert {(r["decision_id"], r["index"]): r["id"] for r in listed} == {
        (m.decision_id, m.index): m.activity_id for m in filled.made
    }
    for record in listed:
        assert record["revision"] == "source-tree"
        assert record["replica"] in {"opa-a", "opa-b"}
        assert record["erased"], "every test activity had extensions to erase"
        assert "input" not in record
    times = [r["timestamp"] for r in listed]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (("--decision", "deny"), lambda m: m.decision == "deny"),
        (
            ("--decision", "permit", "--decision", "review"),
            lambda m: m.decision in {"permit", "review"},
        ),
        (("--clause", "P3"), lambda m: "P3" in m.clauses),
        (
            ("--clause", "P2", "--replica", "opa-a"),
            lambda m: "P2" in m.clauses and m.replica == "opa-a",
        ),
        (("--replica", "opa-b"), lambda m: m.replica == "opa-b"),
        (
            ("--id", "deny-1", "--id", "review-22"),
            lambda m: m.activity_id in {"deny-1", "review-22"},
        ),
        (("--revision", "source-tree"), lambda m: True),
        (("--revision", "another"), lambda m: False),
        (("--since", "1h"), lambda m: True),
        (("--since", "2999-01-01"), lambda m: False),
        (("--until", "2000-01-01T00:00Z"), lambda m: False),
    ],
)
def test_filters(filled: Filled, args: tuple[str, ...], keep: Any) -> None:
    expected = sorted((m.decision_id, m.index) for m in filled.made if keep(m))
    assert sorted((r["decision_id"], r["index"]) for r in records(filled, *args)) == expected


def test_filter_by_decision_id_lists_a_batch_in_order(filled: Filled) -> None:
    batch = next(m for m in filled.made if m.batch and m.replica == "opa-a")
    listed = records(filled, "--decision-id", batch.decision_id, "--full")
    assert [r["index"] for r in listed] == list(range(6))
    assert [r["id"] for r in listed] == [f"{KINDS[n % 4]}-{n}" for n in range(10, 16)]
    assert all("extensions" not in r["input"] and r["result"]["id"] == r["id"] for r in listed)


def counts(filled: Filled, *by: str) -> dict[tuple[Any, ...], int]:
    args = [a for g in by for a in ("--by", g)]
    out = json.loads(run("--db", filled.url, "--count", "-f", "json", *args))
    return {tuple(c[g] for g in by): c["count"] for c in out}


def test_counts_by_decision_replica_and_clause(filled: Filled) -> None:
    assert counts(filled) == {(): len(filled.made)}
    assert counts(filled, "decision") == Counter((m.decision,) for m in filled.made)
    assert counts(filled, "replica", "decision") == Counter(
        (m.replica, m.decision) for m in filled.made
    )
    by_clause = Counter((c,) for m in filled.made for c in m.clauses) + Counter(
        (None,) for m in filled.made if not m.clauses
    )
    assert counts(filled, "clause") == by_clause
    assert counts(filled, "revision") == {("source-tree",): len(filled.made)}
    (day,) = counts(filled, "day")
    assert len(day[0]) == 10
    assert day[0].startswith("20")


def test_table_and_jsonl(filled: Filled) -> None:
    table = run("--db", filled.url, "--replica", "opa-b").splitlines()
    assert table[0].split() == [
        "TIME",
        "REPLICA",
        "REVISION",
        "ID",
        "DECISION",
        "CLAUSES",
        "ERASED",
        "DECISION_ID",
    ]
    assert len(table) == 1 + sum(m.replica == "opa-b" for m in filled.made)
    assert "deny-30" in "\n".join(table)
    lines = run("--db", filled.url, "-f", "jsonl", "--limit", "3").splitlines()
    assert len(lines) == 3
    assert all("id" in json.loads(line) for line in lines)
    count_table = run("--db", filled.url, "--count", "--by", "decision").splitlines()
    assert count_table[0].split() == ["DECISION", "COUNT"]


def test_the_store_of_a_local_fleet(filled: Filled, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    db = filled.url
    if db.startswith("sqlite:///"):
        # a fleet may name its store relative to its folder
        (fleet / "audit.db").symlink_to(db.removeprefix("sqlite:///"))
        db = "audit.db"
    (fleet / "fleet.json").write_text(json.dumps({"audit": {"url": "http://x", "db": db}}))
    out = json.loads(run("--dir", str(fleet), "--count", "-f", "json"))
    assert out == [{"count": len(filled.made)}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of --db"),
        (("--db", "x.db", "--dir", "."), "exactly one of --db"),
        (("--db", "x.db", "--by", "decision"), "add --count"),
        (("--db", "/nonexistent/audit.db"), "no audit store there"),
        (("--dir", "/nonexistent"), "fleet.json: no such file"),
        (("--db", "mysql://h/db"), "unknown database URL scheme"),
        (("--db", "x.db", "--since", "last week"), "not a time"),
    ],
)
def test_usage_errors_say_what_to_do(args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(cli, ["audit", "query", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_prune_deletes_only_what_is_older(collector: AuditServer) -> None:
    """Events dated across three days, through the real collector: prune keeps the rest."""
    events = [
        event(
            f"d-{day}",
            timestamp=f"2026-11-{day:02d}T12:00:00Z",
            result={"decision": "deny", "violations": [{"clause": "P3"}]},
        )
        for day in (1, 2, 3)
    ]
    status, _ = request(
        collector.host,
        collector.port,
        "POST",
        "/logs",
        gzip_json(events),
        headers={"Content-Encoding": "gzip"},
    )
    assert status == 200
    base = ["audit", "prune", "--db", collector.db, "--before", "2026-11-03"]
    dry = CliRunner().invoke(cli, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete 2 decision(s) made before 2026-11-03T00:00:00Z" in dry.output
    assert len(json.loads(run("--db", collector.db, "-f", "json"))) == 3
    done = CliRunner().invoke(cli, base)
    assert done.exit_code == 0, done.output
    assert "deleted 2 decision(s)" in done.output
    assert [r["decision_id"] for r in json.loads(run("--db", collector.db, "-f", "json"))] == [
        "d-3"
    ]
    # the clause rows of the deleted decisions went with them
    assert json.loads(run("--db", collector.db, "--count", "--by", "clause", "-f", "json")) == [
        {"clause": "P3", "count": 1}
    ]
    with open_store(collector.db, create=False) as store:
        assert store.select("SELECT COUNT(*) AS n FROM audit_clauses")[0]["n"] == 1
