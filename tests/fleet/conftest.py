"""One real local fleet for the fleet tests: `apl-policy fleet up` (nginx, three OPA
replicas, HAProxy, the audit collector with its test fault switch on), polling every
1-2 s, stopped with `apl-policy fleet down` at the end, which must leave no process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.fleet import FLEET_ENV, Fleet
from bridge.opa_runtime import OPA_GO_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 3


def cli(
    *args: str, timeout: float = 180, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`apl-policy ARGS` as a user runs it, in a child process."""
    done = subprocess.run(
        [sys.executable, "-m", "bridge", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
        env=env or dict(os.environ),
    )
    if check:
        assert done.returncode == 0, f"apl-policy {' '.join(args)}: {done.stderr[-3000:]}"
    return done


def fleet_status(directory: Path) -> dict[str, Any]:
    done = cli("fleet", "status", "--dir", str(directory), "--format", "json", check=False)
    assert done.returncode in (0, 1), done.stderr
    status: dict[str, Any] = json.loads(done.stdout)
    return status


def processes_of(directory: Path) -> list[int]:
    """Every live process started for the fleet in `directory`, found by the marker in its
    environment, not by the pids fleet.json keeps (so a process it lost is found too)."""
    where = str(Path(directory).resolve())
    marker = f"{FLEET_ENV}={where}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        # nginx overwrites its environment with its title: its command line names the dir.
        if (marker in environ or where in cmdline) and state != "Z":
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    directory = tmp_path_factory.mktemp("fleet")
    # APL_AUDIT_FAULTS lets the tests make the collector answer 503; the replicas get the
    # shipped Go settings, not the caller's (test_fleet checks them).
    env = {k: v for k, v in os.environ.items() if k not in OPA_GO_ENVIRONMENT}
    env["APL_AUDIT_FAULTS"] = "1"
    cli(
        "fleet",
        "up",
        "--replicas",
        str(REPLICAS),
        "--dir",
        str(directory),
        "--poll",
        "1-2",
        env=env,
    )
    loaded = Fleet.load(directory)
    try:
        yield loaded
    finally:
        current = Fleet.load(directory)
        cli("fleet", "down", "--dir", str(directory), check=False)
        left = current.running_processes()
        assert not left, f"fleet down left {left} running"
        assert processes_of(directory) == []
