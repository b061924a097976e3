"""Load: 8 concurrent clients, each on its own keep-alive connection,
against one OPA. Zero errors, and identical decisions for identical inputs, however the
requests interleave.

`make test` runs a bounded count of requests (a few seconds); `make soak`
(APL_LOAD_PROFILE=soak) runs for APL_SOAK_SECONDS (default 120). The clock only stops the
loop; nothing here asserts on time.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from bridge.server import LocalOpa

pytestmark = pytest.mark.opa

CLIENTS = 8
SOAK = os.environ.get("APL_LOAD_PROFILE") == "soak"
# test: 250 requests per client (2,000 in all); soak: as many as fit in the time given.
REQUESTS_PER_CLIENT = 10**9 if SOAK else 250
# A stop, never an assertion: the test profile finishes its count long before it.
STOP_AFTER_SECONDS = float(os.environ.get("APL_SOAK_SECONDS", "120")) if SOAK else 120.0

# One activity for each kind of answer, and some that take the longer paths.
INPUTS: list[dict[str, Any]] = [
    {"id": "deny-p3", "action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}},
    {
        "id": "korea",
        "action": "use",
        "munition": {"model": "M16"},
        "location": {"country": "KR", "region": "DMZ"},
    },
    {
        "id": "review",
        "action": "use",
        "munition": {"model": "M18A1"},
        # In Korea the Claymore's mode would not matter (permitted either way): in Germany it
        # decides, so the decision is review.
        "location": {"country": "DE"},
    },
    {
        "id": "not-apl",
        "action": "produce",
        "munition": {"model": "M15", "anti_handling_device": True},
    },
    {
        "id": "p1",
        "action": "develop",
        "munition": {"category": "anti_personnel", "activation": "victim"},
    },
    {
        "id": "p2-ok",
        "action": "transfer",
        "munition": {"model": "ADAM"},
        "purpose": "destruction",
        "recipient": "UA",
    },
    {
        "id": "p2-no",
        "action": "transfer",
        "munition": {"model": "GATOR"},
        "purpose": "defense_of_rok",
    },
    {
        "id": "p4",
        "action": "assist",
        "mode": "encourage",
        "assisted_activity": {"action": "use", "actor": "UA", "munition": {"model": "M14"}},
    },
    {
        "id": "p5",
        "action": "stockpile",
        "munition": {"model": "Volcano", "quantity": 1200},
        "purpose": "other",
    },
    {"id": "outside", "action": "use", "actor": "FR", "munition": {"model": "M14"}},
    {"id": "invalid", "action": "launch", "munition": {"model": 14}, "colour": "red"},
    {
        "id": "coords",
        "action": "use",
        "munition": {"model": "M14"},
        "location": {"coordinates": {"lat": 38.0, "lon": 127.0}},
    },
]
DECISION = "/v1/data/apl/decision"
BATCH = "/v1/data/apl/batch"


@dataclass
class Tally:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)


def post(conn: http.client.HTTPConnection, token: str, path: str, body: object) -> Any:
    conn.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {data[:200]!r}")
    return json.loads(data)["result"]


def request_for(index: int) -> tuple[str, str, object]:
    """(label, path, body): each input alone, and every few requests the whole set as a batch."""
    slot = index % (len(INPUTS) + 1)
    if slot == len(INPUTS):
        return "batch", BATCH, {"input": {"activities": INPUTS}}
    return INPUTS[slot]["id"], DECISION, {"input": INPUTS[slot]}


def client(
    server: LocalOpa, number: int, expected: dict[str, str], start: threading.Barrier, tally: Tally
) -> None:
    assert server.token is not None
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    start.wait()
    deadline = time.monotonic() + STOP_AFTER_SECONDS
    try:
        for i in range(REQUESTS_PER_CLIENT):
            if time.monotonic() > deadline:
                break
            label, path, body = request_for(number * 5 + i)
            try:
                answer = json.dumps(post(conn, server.token, path, body), sort_keys=True)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none may occur
                tally.errors.append(f"client {number}, request {i} ({label}): {exc!r}")
                conn.close()
                continue
            tally.requests += 1
            tally.answers[label] += 1
            if answer != expected[label]:
                tally.errors.append(f"client {number}, request {i} ({label}): a different decision")
    finally:
        conn.close()


def test_eight_clients_get_identical_decisions_and_no_errors(opa_server):
    assert opa_server.token is not None
    # The reference answers, asked one at a time before the load starts.
    conn = http.client.HTTPConnection(opa_server.host, opa_server.port, timeout=30)
    try:
        expected = {
            label: json.dumps(post(conn, opa_server.token, path, body), sort_keys=True)
            for label, path, body in (request_for(i) for i in range(len(INPUTS) + 1))
        }
    finally:
        conn.close()
    outcomes = {json.loads(expected[a["id"]])["decision"] for a in INPUTS}
    assert outcomes == {"permit", "deny", "review", "not_applicable", "invalid"}
    assert [d["id"] for d in json.loads(expected["batch"])["decisions"]] == [
        a["id"] for a in INPUTS
    ]

    start = threading.Barrier(CLIENTS)
    tallies = [Tally() for _ in range(CLIENTS)]
    threads = [
        threading.Thread(
            target=client, args=(opa_server, n, expected, start, tallies[n]), daemon=True
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=STOP_AFTER_SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"

    errors = [e for t in tallies for e in t.errors]
    assert errors == [], errors[:10]
    # Every client went through every input and the batch at least once.
    for tally in tallies:
        assert set(tally.answers) == set(expected)
    if not SOAK:
        assert sum(t.requests for t in tallies) == CLIENTS * REQUESTS_PER_CLIENT
    assert opa_server.process is not None
    assert opa_server.process.poll() is None, "OPA died under load"
    total = sum(t.requests for t in tallies)
    print(f"\nload: {CLIENTS} clients, {total} requests, 0 errors, 1 answer per input")
