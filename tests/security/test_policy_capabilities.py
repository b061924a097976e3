"""The decision policy can reach nothing outside its input and its own data: no network
(http.send, net.lookup_ip_addr: no request forgery from a crafted activity), no process
environment (opa.runtime: the server's token lives there), no clock or randomness (the
same input always gets the same decision). Checked with OPA's own capabilities gate, so
a future rule that calls one of them fails here, not in production.

Only rego/system/authz may read opa.runtime(), to find the token.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bridge.server import find_opa, project_bundle

FORBIDDEN = {
    "http.send",
    "net.lookup_ip_addr",
    "opa.runtime",
    "rand.intn",
    "time.now_ns",
    "uuid.rfc4122",
    "trace",
}


@pytest.fixture(scope="module")
def restricted_capabilities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    opa = find_opa()
    current = json.loads(
        subprocess.run(
            [str(opa), "capabilities", "--current"], check=True, capture_output=True, text=True
        ).stdout
    )
    names = {b["name"] for b in current["builtins"]}
    assert names >= FORBIDDEN  # the names are OPA's own, so removing them means something
    current["builtins"] = [b for b in current["builtins"] if b["name"] not in FORBIDDEN]
    path = tmp_path_factory.mktemp("caps") / "capabilities.json"
    path.write_text(json.dumps(current))
    return path


def opa_check(capabilities: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_opa()), "check", "--capabilities", str(capabilities), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_decision_policy_uses_no_network_environment_clock_or_randomness(
    restricted_capabilities,
):
    policy = [
        p for p in (project_bundle() / "apl").rglob("*.rego") if not p.name.endswith("_test.rego")
    ]
    assert policy
    done = opa_check(restricted_capabilities, *policy)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gate_would_catch_a_rule_that_calls_out(restricted_capabilities, tmp_path):
    # the control: the same check fails on a policy that does what the gate forbids
    leaky = tmp_path / "leak.rego"
    leaky.write_text(
        "package apl.leak\n\n"
        "token := opa.runtime().env.APL_OPA_TOKEN\n\n"
        'r := http.send({"method": "GET", "url": "http://127.0.0.1:1"})\n'
    )
    done = opa_check(restricted_capabilities, leaky)
    assert done.returncode != 0
    assert "opa.runtime" in done.stdout + done.stderr
