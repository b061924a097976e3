"""The locked-down OPA as a service or an attacker on the host meets it: decisions for the
token holder, health for anyone, and nothing else for anyone."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

import pytest

from bridge import limits
from bridge.server import LocalOpa

from .support import SAMPLE_ACTIVITY, http_request

pytestmark = pytest.mark.opa

DECISION = "/v1/data/apl/decision"
BATCH = "/v1/data/apl/batch"
NEW_POLICY = b"package x\n\nallow := true\n"

# Every management, read-back and ad-hoc route of OPA's REST API, with a body where the
# route takes one. None of them may answer anything but a refusal.
REFUSED = [
    ("PUT", "/v1/policies/x", NEW_POLICY),
    ("PUT", "/v1/policies/system/authz/authz.rego", b"package system.authz\n\nallow := true\n"),
    ("DELETE", "/v1/policies/system/authz/authz.rego", None),
    ("GET", "/v1/policies", None),
    ("GET", "/v1/policies/system/authz/authz.rego", None),
    ("PUT", "/v1/data/x", {"a": 1}),
    ("PUT", "/v1/data/apl/policy", {"id": "forged"}),
    ("PATCH", "/v1/data/apl", [{"op": "add", "path": "/x", "value": 1}]),
    ("DELETE", "/v1/data/apl", None),
    ("GET", "/v1/data", None),
    ("GET", "/v1/data/apl", None),
    ("GET", "/v1/data/apl/decision", None),
    ("GET", "/v1/data/system/bundles", None),
    ("POST", "/v1/data/system/bundles", {}),
    ("POST", "/v1/data/system/authz", {"input": {}}),
    ("POST", "/v1/data", {"input": {}}),
    ("POST", "/v1/data/apl", {"input": {}}),
    ("POST", "/v1/data/apl/decision/violations", {"input": SAMPLE_ACTIVITY}),
    ("POST", "/v1/data/apl%2Fdecision", {"input": SAMPLE_ACTIVITY}),
    ("POST", "/v0/data/apl/decision", SAMPLE_ACTIVITY),
    ("POST", "/", SAMPLE_ACTIVITY),
    ("POST", "/v1/query", {"query": "data.system.bundles"}),
    ("GET", "/v1/query?q=data", None),
    ("POST", "/v1/compile", {"query": "data.apl.decision", "input": {}}),
    ("POST", "/v1/compile/apl/decision", {"input": {}}),
    ("GET", "/v1/config", None),
    ("GET", "/v1/status", None),
    ("GET", "/metrics", None),
    ("GET", "/health/authz", None),
    ("POST", "/v1/batch/data", {"inputs": {"a": {}}}),
    ("POST", "/v1/batch/data/apl", {"inputs": {"a": {}}}),
    ("POST", "/v1/batch/data/system/authz/allow", {"inputs": {"a": {}}}),
    ("POST", "/v1/batch/data/apl/decision/violations", {"inputs": {"a": SAMPLE_ACTIVITY}}),
    ("GET", "/v1/batch/data/apl/decision", None),
    ("POST", "/v1/batch/data/apl/decision?explain=full", {"inputs": {"a": SAMPLE_ACTIVITY}}),
    ("POST", f"{DECISION}?explain=full", {"input": SAMPLE_ACTIVITY}),
    ("POST", f"{DECISION}?instrument=true", {"input": SAMPLE_ACTIVITY}),
    ("POST", f"{DECISION}?provenance=true", {"input": SAMPLE_ACTIVITY}),
]


def test_the_server_listens_on_loopback_only(opa_server):
    assert opa_server.host == "127.0.0.1"
    assert opa_server.url.startswith("http://127.0.0.1:")


def test_the_token_is_not_on_opas_command_line(opa_server):
    assert opa_server.process is not None
    cmdline = Path(f"/proc/{opa_server.process.pid}/cmdline").read_bytes()
    assert opa_server.token
    assert opa_server.token.encode() not in cmdline
    assert b"--authorization=basic" in cmdline


def test_a_decision_without_a_token_is_refused(opa_server):
    assert http_request(opa_server, "POST", DECISION, body={"input": SAMPLE_ACTIVITY}).status == 401


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer", "bearer  "]
)
def test_a_decision_with_a_wrong_credential_is_refused(opa_server, header):
    reply = http_request(
        opa_server,
        "POST",
        DECISION,
        body={"input": SAMPLE_ACTIVITY},
        headers={"Authorization": header},
    )
    assert reply.status == 401


def test_a_token_with_a_suffix_is_refused(opa_server):
    reply = http_request(
        opa_server, "POST", DECISION, token=f"{opa_server.token}x", body={"input": SAMPLE_ACTIVITY}
    )
    assert reply.status == 401


def test_the_token_holder_gets_a_decision(opa_server):
    reply = http_request(
        opa_server, "POST", DECISION, token=opa_server.token, body={"input": SAMPLE_ACTIVITY}
    )
    assert reply.status == 200
    result = reply.json()["result"]
    assert result["id"] == "sec-1"
    assert result["decision"] in {"permit", "deny", "review", "not_applicable", "invalid"}


def test_the_token_holder_gets_a_batch(opa_server):
    body = {"input": {"activities": [SAMPLE_ACTIVITY, {**SAMPLE_ACTIVITY, "id": "sec-2"}]}}
    reply = http_request(opa_server, "POST", BATCH, token=opa_server.token, body=body)
    assert reply.status == 200
    assert [d["id"] for d in reply.json()["result"]["decisions"]] == ["sec-1", "sec-2"]


@pytest.mark.parametrize("path", ["/health", "/health?bundles", "/health?plugins"])
def test_health_needs_no_token(opa_server, path):
    assert http_request(opa_server, "GET", path).status == 200


@pytest.mark.parametrize(
    ("method", "path", "body"), REFUSED, ids=[f"{m} {p}" for m, p, _ in REFUSED]
)
def test_management_and_read_back_routes_are_refused_to_the_token_holder(
    opa_server, method, path, body
):
    reply = http_request(opa_server, method, path, token=opa_server.token, body=body)
    assert reply.status in {401, 403}, reply.body[:300]
    # A refusal says so and leaks nothing of the policy or its data.
    assert b"us-apl-2022" not in reply.body
    assert b"package" not in reply.body


@pytest.mark.parametrize(
    ("method", "path", "body"), REFUSED[:8], ids=[f"{m} {p}" for m, p, _ in REFUSED[:8]]
)
def test_management_routes_are_refused_without_a_token_too(opa_server, method, path, body):
    assert http_request(opa_server, method, path, body=body).status in {401, 403}


def test_refused_writes_changed_nothing(opa_server):
    before = http_request(
        opa_server, "POST", DECISION, token=opa_server.token, body={"input": SAMPLE_ACTIVITY}
    )
    for method, path, body in REFUSED:
        if method in {"PUT", "PATCH", "DELETE"}:
            http_request(opa_server, method, path, token=opa_server.token, body=body)
    after = http_request(
        opa_server, "POST", DECISION, token=opa_server.token, body={"input": SAMPLE_ACTIVITY}
    )
    assert before.status == after.status == 200
    assert before.json() == after.json()


def test_a_body_over_opas_cap_is_refused_before_evaluation(opa_server):
    # OPA answers from the Content-Length alone, before reading the body: send the headers
    # and a first part of the body, then read its answer.
    conn = http.client.HTTPConnection(opa_server.host, opa_server.port, timeout=30)
    try:
        conn.putrequest("POST", DECISION)
        conn.putheader("Authorization", f"Bearer {opa_server.token}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(limits.OPA_MAX_REQUEST_BYTES + 1))
        conn.endheaders(b'{"input": {"action": "use", "extensions": {"padding": "')
        resp = conn.getresponse()
        status, text = resp.status, resp.read()
    finally:
        conn.close()
    assert status == 400
    assert b"request body too large" in text
    assert b"result" not in text


def test_a_gzip_bomb_is_refused_after_decompression(opa_server):
    # 20 MiB of JSON that compresses to a few KiB: the cap applies to what it inflates to.
    inflated = (
        b'{"input": {"action": "use", "extensions": {"p": "' + b" " * (20 * 1024 * 1024) + b'"}}}'
    )
    compressed = gzip.compress(inflated)
    assert len(compressed) < limits.OPA_MAX_REQUEST_BYTES // 100
    reply = http_request(
        opa_server,
        "POST",
        DECISION,
        token=opa_server.token,
        body=compressed,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert reply.status == 400
    assert b"too large" in reply.body
    assert b"result" not in reply.body


def test_a_body_just_under_opas_cap_is_served(opa_server):
    # the cap is for hostile bodies, not for the largest batch the client may send
    padding = "x" * (limits.MAX_BATCH_BYTES - 1024)
    body = {"input": {**SAMPLE_ACTIVITY, "extensions": {"padding": padding}}}
    reply = http_request(opa_server, "POST", DECISION, token=opa_server.token, body=body)
    assert reply.status == 200
    assert reply.json()["result"]["id"] == "sec-1"


def test_a_chunked_body_over_the_cap_is_cut_off(opa_server):

    conn = http.client.HTTPConnection(opa_server.host, opa_server.port, timeout=30)
    chunk = b" " * (1024 * 1024)

    def chunks():
        yield b'{"input": {"action": "use", "extensions": {"p": "'
        for _ in range(limits.OPA_MAX_REQUEST_BYTES // len(chunk) + 2):
            yield chunk
        yield b'"}}}'

    try:
        conn.request(
            "POST",
            DECISION,
            body=chunks(),
            headers={
                "Authorization": f"Bearer {opa_server.token}",
                "Content-Type": "application/json",
            },
            encode_chunked=True,
        )
        resp = conn.getresponse()
        status, text = resp.status, resp.read()
    except (BrokenPipeError, ConnectionResetError):
        # OPA may close the connection as soon as the cap is passed, before this side has
        # finished sending: refused just the same, and the server must have survived it.
        status, text = 400, b"connection closed by OPA"
    finally:
        conn.close()
    assert status == 400
    assert b"result" not in text
    assert http_request(opa_server, "GET", "/health").status == 200


def test_without_a_token_configured_only_decisions_are_open():
    with LocalOpa(authz=True, token="") as server:
        assert http_request(server, "POST", DECISION, body={"input": SAMPLE_ACTIVITY}).status == 200
        for method, path, body in REFUSED:
            assert http_request(server, method, path, body=body).status in {401, 403}, (
                method,
                path,
            )
