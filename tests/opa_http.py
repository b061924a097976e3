"""Talking to the real OPA server exactly as a service would: plain HTTP on one kept-alive
connection, the REST paths of the contract, the bearer token. No bridge code in the way,
so the tests that use it show what services get."""

from __future__ import annotations

import http.client
import json
from typing import Any

from bridge.server import LocalOpa


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
