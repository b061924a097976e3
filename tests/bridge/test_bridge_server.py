"""LocalOpa: the private OPA process the CLI and the tests rely on."""

from __future__ import annotations

import http.client
import json
import os
from pathlib import Path

import pytest

from bridge.errors import OpaUnavailable
from bridge.opa_runtime import OPA_GO_ENVIRONMENT, OPA_RUN_FLAGS
from bridge.server import LocalOpa, find_opa, project_bundle


def _request(server: LocalOpa, method: str, path: str, token: str | None, body: object = None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_project_bundle_is_the_rego_folder():
    assert project_bundle().name == "rego"
    assert (project_bundle() / ".manifest").is_file()


def test_find_opa_prefers_the_environment(monkeypatch, tmp_path):
    fake = tmp_path / "opa"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("APL_OPA_BIN", str(fake))
    assert find_opa() == fake


def test_find_opa_rejects_a_bad_environment_value(monkeypatch, tmp_path):
    monkeypatch.setenv("APL_OPA_BIN", str(tmp_path / "missing"))
    with pytest.raises(OpaUnavailable, match="APL_OPA_BIN"):
        find_opa()


def test_the_token_never_appears_on_the_command_line():
    server = LocalOpa(token="s3cret-token")  # noqa: S106 - a test token
    assert server.token == "s3cret-token"  # noqa: S105
    assert all("s3cret" not in arg for arg in server.command())
    assert "--authentication=token" in server.command()
    assert "--authorization=basic" in server.command()
    assert "--skip-version-check" in server.command()
    assert "server.decoding.max_length=8388608" in server.command()


def test_a_random_token_is_made_when_none_is_given():
    assert LocalOpa().token
    assert LocalOpa().token != LocalOpa().token
    assert LocalOpa(authz=False).token is None


def test_a_missing_bundle_is_reported(tmp_path):
    with pytest.raises(OpaUnavailable, match="does not exist"):
        LocalOpa(tmp_path / "nope").start()


def test_a_broken_bundle_is_reported_with_opas_words(tmp_path):
    (tmp_path / "x.rego").write_text("package x\nthis is not rego\n")
    with pytest.raises(OpaUnavailable, match="exited during startup"):
        LocalOpa(tmp_path, startup_timeout=20).start()


@pytest.mark.opa
def test_health_is_open_and_the_management_api_is_closed(opa_server):
    assert opa_server.url.startswith("http://127.0.0.1:")
    assert _request(opa_server, "GET", "/health", None)[0] == 200
    # OPA answers 401 both for a missing token and for a route the authz policy refuses.
    assert _request(opa_server, "GET", "/v1/policies", opa_server.token)[0] == 401
    assert _request(opa_server, "POST", "/v1/data/apl/decision", None, {"input": {}})[0] == 401


@pytest.mark.opa
def test_stop_ends_the_process_and_restart_keeps_the_port():
    server = LocalOpa()
    with server:
        port, token = server.port, server.token
        first = server.process
        assert first is not None
        server.restart()
        assert server.port == port
        assert server.token == token
        assert server.process is not first
        assert first.poll() is not None
        assert _request(server, "GET", "/health", None)[0] == 200
        proc = server.process
    assert server.process is None
    assert proc is not None
    assert proc.poll() is not None
    assert os.environ.get("APL_OPA_TOKEN") != token


def test_opa_is_started_with_the_shipped_go_settings_and_flags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every OPA the bridge starts gets the shipped GOGC and GOMEMLIMIT (bridge.opa_runtime),
    each unless the operator set it: the running process's own environment is read back
    from /proc."""
    for name in OPA_GO_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    with LocalOpa() as opa:
        assert opa.process is not None
        environ = Path(f"/proc/{opa.process.pid}/environ").read_bytes().split(b"\0")
        for name, value in OPA_GO_ENVIRONMENT.items():
            assert f"{name}={value}".encode() in environ
        cmdline = Path(f"/proc/{opa.process.pid}/cmdline").read_bytes().split(b"\0")
        assert {flag.encode() for flag in OPA_RUN_FLAGS} <= set(cmdline)
    monkeypatch.setenv("GOGC", "150")
    environment = LocalOpa().environment()
    assert environment["GOMEMLIMIT"] == OPA_GO_ENVIRONMENT["GOMEMLIMIT"]
    assert environment["GOGC"] == "150"
