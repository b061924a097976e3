"""Fixtures for the property tests: Hypothesis profiles and one real OPA per session.

Profiles (pick with HYPOTHESIS_PROFILE): `default` runs 200 examples per test so that
`make test` stays within minutes; `ci` is the same, derandomized, so that a CI run
checks the same examples every time (a new counterexample shows up locally or in
`make fuzz`, not as a red CI on an unrelated change); `fuzz` runs 5,000 per test.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bridge.server import LocalOpa

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,  # each example is a round trip to a real server: time says nothing
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", parent=settings.get_profile("default"), derandomize=True, database=None
)
settings.register_profile("fuzz", parent=settings.get_profile("default"), max_examples=5000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


class OpaConnection:
    """One keep-alive connection to OPA, as a service would hold (reopened if OPA drops it)."""

    def __init__(self, server: LocalOpa) -> None:
        self.server = server
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        self.requests = 0

    def post(self, path: str, body: object) -> tuple[int, Any]:
        payload = json.dumps(body)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.server.token}",
        }
        for attempt in range(2):
            try:
                self.conn.request("POST", path, body=payload, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection OPA closed while idle: one fresh try, no more.
                self.conn.close()
                if attempt:
                    raise
        self.requests += 1
        return resp.status, json.loads(data)

    def decide(self, activity: object) -> dict[str, Any]:
        status, body = self.post("/v1/data/apl/decision", {"input": activity})
        assert status == 200, body
        assert "result" in body, f"undefined decision for {activity!r}"
        result: dict[str, Any] = body["result"]
        return result

    def decide_batch(self, activities: list[object]) -> list[dict[str, Any]]:
        status, body = self.post("/v1/data/apl/batch", {"input": {"activities": activities}})
        assert status == 200, body
        assert "result" in body, "undefined batch"
        decisions: list[dict[str, Any]] = body["result"]["decisions"]
        return decisions

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="session")
def property_opa() -> Iterator[LocalOpa]:
    with LocalOpa() as server:
        yield server


@pytest.fixture(scope="session")
def opa(property_opa: LocalOpa) -> Iterator[OpaConnection]:
    connection = OpaConnection(property_opa)
    yield connection
    connection.close()
