"""`apl-policy` as a real process: the console script, `python -m bridge`, `serve` in the
foreground, and the private OPA of the embedded default stopped on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.exit_codes import ExitCode
from bridge.server import free_port, healthy

pytestmark = pytest.mark.opa

SCRIPT = Path(sys.executable).parent / "apl-policy"


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(p) for p in text.split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(0.05)


def test_the_console_script_evaluates_stdin_with_its_own_opa(activities):
    env = {k: v for k, v in os.environ.items() if k not in ("APL_OPA_URL", "APL_OPA_TOKEN")}
    done = subprocess.run(
        [str(SCRIPT), "eval", "--format", "jsonl", "-"],
        input=activities["mixed.jsonl"].read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == ExitCode.USAGE_OR_INVALID, done.stderr
    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert ids == ["m1", "m2", "m3", "m4"]
    assert b"Traceback" not in done.stderr


def test_python_dash_m_bridge_is_the_same_command(opa_server, activities):
    done = subprocess.run(
        [sys.executable, "-m", "bridge", "eval", "-f", "json", str(activities["permit.yaml"])],
        capture_output=True,
        timeout=120,
        check=False,
        env=os.environ | {"APL_OPA_URL": opa_server.url, "APL_OPA_TOKEN": opa_server.token},
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads(done.stdout)[0]["decision"] == "permit"


def test_unreachable_opa_in_a_real_process_is_one_line_and_exit_3(activities):
    done = subprocess.run(
        [
            str(SCRIPT),
            "eval",
            "--opa-url",
            "http://127.0.0.1:9",
            "--retry-for",
            "0.5",
            str(activities["permit.yaml"]),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == ExitCode.OPA_FAILURE
    assert len(done.stderr.decode().strip().splitlines()) == 1
    assert done.stdout == b""


def test_sigterm_stops_the_private_opa_too():
    env = {k: v for k, v in os.environ.items() if k not in ("APL_OPA_URL", "APL_OPA_TOKEN")}
    # stdin stays open, so the run waits inside the embedded OPA's lifetime.
    proc = subprocess.Popen(
        [str(SCRIPT), "eval", "-f", "jsonl", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_for(lambda: children(proc.pid))
        (opa_pid,) = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert not alive(opa_pid)
        assert proc.returncode == 128 + signal.SIGTERM
        assert proc.stderr is not None
        assert b"Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _post(port: int, token: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        body = json.dumps({"input": {"action": "use", "munition": {"model": "M14"}}})
        conn.request("POST", "/v1/data/apl/decision", body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_serve_runs_a_locked_down_opa_until_ctrl_c():
    port = free_port()
    proc = subprocess.Popen(
        [str(SCRIPT), "serve", "--addr", f"127.0.0.1:{port}", "--log-level", "error"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"APL_OPA_TOKEN": "serve-test-token"},
    )
    try:
        wait_for(lambda: healthy("127.0.0.1", port))
        assert _post(port, "serve-test-token") == 200
        assert _post(port, None) == 401
        assert _post(port, "wrong") == 401
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        assert proc.returncode == 0
        assert not healthy("127.0.0.1", port)
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_serve_refuses_a_bundle_that_does_not_load(tmp_path):
    (tmp_path / "broken.rego").write_text("package broken\nthis is not rego\n")
    done = subprocess.run(
        [str(SCRIPT), "serve", "--addr", f"127.0.0.1:{free_port()}", "--bundle", str(tmp_path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == ExitCode.OPA_FAILURE
    assert b"Traceback" not in done.stderr
