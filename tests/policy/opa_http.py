"""Posting documents to the real OPA server exactly as a service would: plain HTTP, the
REST paths of the contract, the bearer token. No bridge code in the way, so these tests
show what services get."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from bridge.server import LocalOpa


def post(server: LocalOpa, path: str, body: object) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the URL is the test's own loopback server
        f"{server.url}/v1/data/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {server.token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer = json.load(response)
    assert "result" in answer, f"OPA gave no result for {path}: {answer}"
    return answer["result"]


def decide(server: LocalOpa, activity: object) -> dict[str, Any]:
    result: dict[str, Any] = post(server, "apl/decision", {"input": activity})
    return result


def decide_batch(server: LocalOpa, activities: list[Any]) -> list[dict[str, Any]]:
    result = post(server, "apl/batch", {"input": {"activities": activities}})
    decisions: list[dict[str, Any]] = result["decisions"]
    return decisions
