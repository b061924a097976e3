"""What the real collector does with uploads no OPA would send: a 4xx, nothing stored,
and it goes on serving. Run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import random
import secrets
import socket
from collections.abc import Iterator

import pytest

from bridge.audit.process import AuditServer, request
from bridge.audit.query import Filters, list_records
from bridge.audit.store import open_store
from tests.audit.support import event, gzip_json, stored

MAX_BODY = 64 * 1024
MAX_INFLATED = 1024 * 1024


@pytest.fixture(scope="module")
def small_collector(module_store_url: str) -> Iterator[AuditServer]:
    """One collector per backend for this module, with small caps, so that oversized
    bodies are cheap to send."""
    with AuditServer(module_store_url, max_body=MAX_BODY, max_inflated=MAX_INFLATED) as server:
        yield server


def keys(server: AuditServer) -> set[tuple[str, int]]:
    return {(r["decision_id"], r["index"]) for r in stored(server.db)}


def post(server: AuditServer, path: str, body: bytes, **headers: str) -> tuple[int, object]:
    return request(
        server.host,
        server.port,
        "POST",
        path,
        body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip", **headers},
    )


def still_serving(server: AuditServer) -> None:
    assert server.process is not None
    assert server.process.poll() is None, server.log_tail()
    assert server.healthy()


BAD_UPLOADS = {
    "not gzip": json.dumps([event()]).encode(),
    "gzip of text that is not JSON": gzip.compress(b"decision_id=d-1"),
    "gzip of bytes that are not UTF-8": gzip.compress(b'[{"decision_id": "\xff"}]'),
    "truncated gzip": gzip_json([event()])[:-12],
    "gzip with trailing garbage": gzip_json([event()]) + b"garbage",
    "JSON that is not an array": gzip_json(event()),
    "an array holding a non-object": gzip_json([event(), 42]),
    "an event without decision_id": gzip_json([event("d-ok"), {**event(), "decision_id": None}]),
    "an event with an empty decision_id": gzip_json([event("  ")]),
    "an event whose decision_id is a number": gzip_json([event(), {**event(), "decision_id": 7}]),
    "an event without timestamp": gzip_json(
        [{k: v for k, v in event().items() if k != "timestamp"}]
    ),
    "an event with a bad timestamp": gzip_json([event(timestamp="yesterday")]),
    "labels that are not strings": gzip_json([event(labels={"replica": 3})]),
    "NaN in the JSON": gzip.compress(json.dumps([event(result={"x": float("nan")})]).encode()),
    "an empty body": b"",
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_a_bad_upload_gets_a_4xx_and_stores_nothing(
    small_collector: AuditServer, name: str
) -> None:
    before = keys(small_collector)
    status, answer = post(small_collector, "/logs", BAD_UPLOADS[name])
    assert 400 <= status < 500, (status, answer)
    assert isinstance(answer, dict)
    assert answer.get("error"), answer
    assert keys(small_collector) == before
    still_serving(small_collector)


def test_an_oversized_body_gets_413_and_stores_nothing(small_collector: AuditServer) -> None:
    big = [event(f"d-{n}", input={"padding": os.urandom(512).hex()}) for n in range(200)]
    body = gzip_json(big)
    assert len(body) > MAX_BODY
    before = keys(small_collector)
    status, _ = post(small_collector, "/logs", body)
    assert status == 413
    assert keys(small_collector) == before
    still_serving(small_collector)


def test_a_gzip_bomb_gets_413_and_stores_nothing(small_collector: AuditServer) -> None:
    padding = " " * (4 * MAX_INFLATED)
    body = gzip.compress(json.dumps([event(input={"padding": padding})]).encode())
    assert len(body) < MAX_BODY
    before = keys(small_collector)
    status, answer = post(small_collector, "/logs", body)
    assert status == 413, answer
    assert keys(small_collector) == before
    still_serving(small_collector)


def test_a_declared_length_over_the_cap_is_refused_before_it_is_sent(
    small_collector: AuditServer,
) -> None:
    with socket.create_connection((small_collector.host, small_collector.port), timeout=10) as s:
        s.sendall(
            b"POST /logs HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:80]
    still_serving(small_collector)


def test_wrong_methods_and_routes(small_collector: AuditServer) -> None:
    host, port = small_collector.host, small_collector.port
    assert request(host, port, "GET", "/logs")[0] == 405
    assert request(host, port, "POST", "/health")[0] == 405
    assert request(host, port, "GET", "/nothing")[0] == 404
    # the fault switch exists only when the collector was started for fault tests
    assert post(small_collector, "/_fault", b'{"status": 503, "seconds": 5}')[0] == 404
    still_serving(small_collector)


def test_random_bytes_never_take_it_down(small_collector: AuditServer) -> None:
    rng = random.Random(20261129)  # noqa: S311 - seeded, so a failure can be replayed
    before = keys(small_collector)
    good = gzip_json([event("d-fuzzed")])
    for n in range(150):
        kind = n % 3
        if kind == 0:
            body = rng.randbytes(rng.randint(1, 2048))
        elif kind == 1:  # valid gzip header, corrupted somewhere inside
            body = bytearray(good)
            body[rng.randrange(10, len(body))] ^= 1 << rng.randrange(8)
            body = bytes(body)
        else:  # a valid deflate stream of random JSON-ish text
            text = bytes(rng.choice(b'[]{}",:0123456789abcdefnulltrue ') for _ in range(200))
            body = gzip.compress(text)
        status, _ = post(small_collector, "/logs", body)
        assert status in (200, 400, 413), (n, status)
    still_serving(small_collector)
    # a corrupted byte may still leave valid gzip and JSON: anything stored is the event
    assert keys(small_collector) - before <= {("d-fuzzed", 0)}


def test_a_good_upload_sent_twice_is_stored_once(small_collector: AuditServer) -> None:
    before = keys(small_collector)
    body = gzip_json([event("d-twice-1"), event("d-twice-2"), event("d-twice-1")])
    first = post(small_collector, "/logs", body)
    second = post(small_collector, "/logs", body)
    assert first == (200, {"events": 3, "rows": 2, "new": 2})
    assert second == (200, {"events": 3, "rows": 2, "new": 0})
    assert keys(small_collector) - before == {("d-twice-1", 0), ("d-twice-2", 0)}
    rows = [r for r in stored(small_collector.db) if r["decision_id"] == "d-twice-1"]
    assert rows[0]["timestamp"] == "2026-11-29T12:00:00.123456Z"


def test_a_status_report_is_kept_per_replica(small_collector: AuditServer) -> None:
    plain = {"Content-Encoding": ""}
    for version in ("1.22.2", "1.22.3"):
        report = {"labels": {"id": "i-1", "replica": "opa-x", "version": version}, "bundles": {}}
        assert post(small_collector, "/status/", json.dumps(report).encode(), **plain)[0] == 200
    assert post(small_collector, "/status", json.dumps({"labels": "x"}).encode(), **plain)[0] == 400
    assert post(small_collector, "/status", b"[1]", **plain)[0] == 400
    with open_store(small_collector.db, create=False) as store:
        rows = store.select("SELECT replica, instance_id, report FROM audit_status")
    assert [(r["replica"], r["instance_id"]) for r in rows] == [("opa-x", "i-1")]
    assert rows[0]["report"]["labels"]["version"] == "1.22.3"
    still_serving(small_collector)


def test_a_chunked_upload_is_read_whole(small_collector: AuditServer) -> None:
    """Transfer-Encoding: chunked (no Content-Length), as some proxies forward."""
    body = gzip_json([event("d-chunked")])
    conn = http.client.HTTPConnection(small_collector.host, small_collector.port, timeout=10)
    try:
        pieces = iter([body[:10], body[10:]])
        conn.request(
            "POST",
            "/logs",
            body=pieces,
            encode_chunked=True,
            headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"},
        )
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert ("d-chunked", 0) in keys(small_collector)


def test_with_a_token_an_upload_without_it_gets_401(store_url: str) -> None:
    token = "t0ken-" + secrets.token_urlsafe(8)
    with AuditServer(store_url, token=token) as server:
        body = gzip_json([event("d-token")])
        assert post(server, "/logs", body)[0] == 401
        assert post(server, "/logs", body, Authorization="Bearer wrong")[0] == 401
        assert post(server, "/logs", body, Authorization=f"Basic {token}")[0] == 401
        assert stored(server.db) == []
        assert post(server, "/logs", body, Authorization=f"Bearer {token}")[0] == 200
        assert [r["decision_id"] for r in stored(server.db)] == ["d-token"]
        assert server.healthy()  # health stays open: supervisors need no secret
        # the token reaches the collector by its environment, never its command line
        assert "t0ken" not in " ".join(server.command())


def test_strings_a_database_cannot_hold_as_text_are_still_stored(
    small_collector: AuditServer,
) -> None:
    """A NUL (PostgreSQL's text refuses it) or a lone surrogate (no UTF-8 encoder takes
    it) in a request must not make an upload fail for ever: OPA would retry it, and every
    upload queued behind it, without end."""
    odd = event(
        "d-odd\u0000",
        input={"id": "act\u0000\ud800", "extensions": None, "note": "\u0000"},
        result={"id": "act\u0000\ud800", "decision": "invalid", "allowed": False},
    )
    raw = json.dumps([odd]).encode()  # ASCII escapes, as OPA's encoder writes them
    status, answer = post(small_collector, "/logs", gzip.compress(raw))
    assert status == 200, answer
    (row,) = [r for r in stored(small_collector.db) if r["decision_id"].startswith("d-odd")]
    assert row["decision_id"] == "d-odd\ufffd"
    assert row["id"] == "act\ufffd\ufffd"
    with open_store(small_collector.db, create=False) as store:
        full = list_records(store, Filters(decision_ids=["d-odd\ufffd"]), full=True)
    assert full[0]["input"]["note"] == "\u0000"  # the JSON keeps what was sent
