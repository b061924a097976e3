"""Issue 4, item 3: a batch run survives OPA killed and restarted mid-run on the same port.

`apl-policy eval` (a real process) streams 20,000 JSONL documents to an OPA this test
owns; once 5,000 decisions have come out, OPA is killed with SIGKILL and, after a pause,
started again on the same port. Every document must still get exactly one decision, in
input order, none duplicated, none missing, and each the decision its document calls for.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bridge.exit_codes import ExitCode
from bridge.server import LocalOpa

pytestmark = pytest.mark.opa

COUNT = 20_000
KILL_AFTER = 5_000
SCRIPT = Path(sys.executable).parent / "apl-policy"

# One kind of document per residue, and the decision each must get.
KINDS = [
    ({"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}, "deny"),
    ({"action": "use", "munition": {"model": "M14"}, "location": {"country": "KR"}}, "permit"),
    ({"action": "destroy", "munition": {"model": "M16", "quantity": 10}}, "permit"),
    ({"action": "use", "munition": {"model": "M14"}, "location": {"region": "DMZ"}}, "permit"),
    ({"action": "fly", "munition": {"model": "M14"}}, "invalid"),
]


def write_input(path: Path) -> None:
    with path.open("w") as out:
        for i in range(COUNT):
            out.write(json.dumps({"id": f"doc-{i:05d}", **KINDS[i % len(KINDS)][0]}) + "\n")


def test_kill_and_restart_mid_run_loses_and_repeats_nothing(tmp_path):
    source = tmp_path / "many.jsonl"
    write_input(source)
    outage: dict[str, float] = {}

    def kill_and_restart(server: LocalOpa) -> None:
        outage["killed"] = time.monotonic()
        server.kill()
        time.sleep(1.0)  # long enough that requests meet a closed port
        server.restart()
        outage["back"] = time.monotonic()

    # stderr goes to a file: a pipe nobody reads would fill with the invalid documents'
    # messages and stall the run.
    with LocalOpa() as server, (tmp_path / "stderr.txt").open("w+") as errors:
        port = server.port
        proc = subprocess.Popen(
            [
                str(SCRIPT),
                "eval",
                "--format",
                "jsonl",
                "--opa-url",
                server.url,
                "--token",
                server.token or "",
                "--retry-for",
                "60",
                str(source),
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert proc.stdout is not None
        # Whatever goes wrong, the test must end: a stuck run is killed, and fails below.
        watchdog = threading.Timer(300, proc.kill)
        watchdog.start()
        started = time.monotonic()
        lines: list[str] = []
        restarter: threading.Thread | None = None
        for line in proc.stdout:
            lines.append(line)
            if len(lines) == KILL_AFTER:
                restarter = threading.Thread(target=kill_and_restart, args=(server,))
                restarter.start()
        proc.wait(timeout=120)
        watchdog.cancel()
        proc.stdout.close()
        errors.seek(0)
        stderr = errors.read()
        elapsed = time.monotonic() - started
        assert restarter is not None
        restarter.join()
        assert server.port == port

    decisions = [json.loads(line) for line in lines]
    ids = [d["id"] for d in decisions]
    assert len(decisions) == COUNT
    assert len(set(ids)) == COUNT
    assert ids == [f"doc-{i:05d}" for i in range(COUNT)]
    wrong = [
        (i, d["decision"])
        for i, d in enumerate(decisions)
        if d["decision"] != KINDS[i % len(KINDS)][1]
    ]
    assert wrong == []
    # The invalid documents make it exit 2, not 3: the outage was ridden out.
    assert proc.returncode == ExitCode.USAGE_OR_INVALID, stderr[-2000:]
    assert "Traceback" not in stderr
    # The figures the report quotes (shown with pytest -s or on failure).
    print(
        f"\n{COUNT} documents in {elapsed:.1f}s ({COUNT / elapsed:.0f}/s); "
        f"OPA down {outage['back'] - outage['killed']:.1f}s after {KILL_AFTER} decisions"
    )
