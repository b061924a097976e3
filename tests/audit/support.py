"""What the audit tests share: the OPA configuration that ships decision logs to the
collector, activities with known outcomes, a client that keeps OPA's decision ids, and
waiting for rows to arrive."""

from __future__ import annotations

import gzip
import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.audit.events import clauses_of
from bridge.audit.query import Filters, list_records
from bridge.audit.store import open_store
from bridge.server import LocalOpa

# How often OPA uploads in the tests: every second (OPA's default is 5 to 10
# minutes), and the same as its retry ceiling after a failed upload.
MIN_DELAY_SECONDS = 1
MAX_DELAY_SECONDS = 1


def opa_config(collector_url: str, replica: str, token: str | None = None) -> str:
    """An OPA configuration sending decision logs and status to the collector (with the
    collector's bearer token, if given)."""
    service: dict[str, Any] = {"url": collector_url}
    if token:
        service["credentials"] = {"bearer": {"token": token}}
    return json.dumps(
        {
            "services": {"audit": service},
            "labels": {"replica": replica},
            "decision_logs": {
                "service": "audit",
                "reporting": {
                    "min_delay_seconds": MIN_DELAY_SECONDS,
                    "max_delay_seconds": MAX_DELAY_SECONDS,
                    "upload_size_limit_bytes": 4 * 1024 * 1024,
                },
            },
            "status": {"service": "audit"},
        }
    )


def activity(n: int, kind: str) -> dict[str, Any]:
    """An activity with a known outcome; `kind` is the decision it gets."""
    base: dict[str, Any] = {
        "permit": {
            "action": "transfer",
            "recipient": "UA",
            "purpose": "destruction",
            "munition": {"model": "M14", "quantity": 10},
        },
        "deny": {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}},
        "review": {"action": "use", "munition": {"model": "X-99"}, "location": {"country": "DE"}},
        "invalid": {"action": "use", "munitoin": {"model": "M14"}},
    }[kind]
    return {"id": f"{kind}-{n}", **base, "extensions": {"ticket": f"T-{n}", "who": "an officer"}}


KINDS = ("permit", "deny", "review", "invalid")


@dataclass(frozen=True)
class Made:
    """A decision OPA made: its decision id, the index in a batch (0 for a single), the
    activity's id and the outcome the client got."""

    decision_id: str
    index: int
    activity_id: str
    decision: str
    replica: str
    batch: bool
    clauses: tuple[str, ...] = ()


class Client:
    """Posts to OPA as a service would and keeps what it was told (decision ids)."""

    def __init__(self, server: LocalOpa, replica: str) -> None:
        self.server = server
        self.replica = replica
        self.made: list[Made] = []

    def _post(self, path: str, body: object) -> dict[str, Any]:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        try:
            conn.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self.server.token}",
                },
            )
            response = conn.getresponse()
            answer: dict[str, Any] = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == 200, answer
        assert isinstance(answer.get("decision_id"), str), "OPA gave no decision_id"
        return answer

    def decide(self, doc: dict[str, Any]) -> None:
        answer = self._post("/v1/data/apl/decision", {"input": doc})
        result = answer["result"]
        self.made.append(
            Made(
                answer["decision_id"],
                0,
                doc["id"],
                result["decision"],
                self.replica,
                False,
                clauses_of(result),
            )
        )

    def batch(self, docs: list[dict[str, Any]]) -> None:
        answer = self._post("/v1/data/apl/batch", {"input": {"activities": docs}})
        decisions = answer["result"]["decisions"]
        assert len(decisions) == len(docs)
        for i, (doc, result) in enumerate(zip(docs, decisions, strict=True)):
            self.made.append(
                Made(
                    answer["decision_id"],
                    i,
                    doc["id"],
                    result["decision"],
                    self.replica,
                    True,
                    clauses_of(result),
                )
            )


def stored(url: str) -> list[dict[str, Any]]:
    with open_store(url, create=False) as store:
        return list_records(store, Filters(), full=True)


def wait_for_rows(
    url: str, expected: int, *, timeout: float = 60.0, alive: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Poll the store until it holds `expected` rows (or more), or the time is up; return
    what it holds then. The caller asserts on it."""
    deadline = time.monotonic() + timeout
    while True:
        rows = stored(url)
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        if alive is not None:
            alive()
        time.sleep(0.25)


def gzip_json(value: object) -> bytes:
    return gzip.compress(json.dumps(value).encode())


def event(decision_id: str = "d-1", **extra: Any) -> dict[str, Any]:
    """A decision-log event shaped as OPA writes one for a single decision."""
    base: dict[str, Any] = {
        "decision_id": decision_id,
        "labels": {"id": "5b1c7a1e-0000-4000-8000-000000000001", "replica": "opa-x"},
        "bundles": {"rego": {"revision": "r1"}},
        "path": "apl/decision",
        "input": {"id": "act-1", "action": "use", "munition": {"model": "M14"}},
        "result": {
            "id": "act-1",
            "decision": "deny",
            "allowed": False,
            "policy": {"id": "us-apl-2022", "effective": "2022-06-21", "revision": "r1"},
            "violations": [{"clause": "P3", "title": "t", "message": "m", "source": "s"}],
            "exceptions": [],
            "reviews": [],
            "obligations": [],
        },
        "requested_by": "127.0.0.1:40000",
        "timestamp": "2026-11-29T12:00:00.123456789Z",
    }
    base.update(extra)
    return base
