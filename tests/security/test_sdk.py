"""OPA's official TypeScript SDK (@open-policy-agent/opa, from npm, pinned in
tests/sdk/package-lock.json) against the server `apl-policy serve` runs: its batch call
asks POST /v1/batch/data/apl/decision, which a stock OPA answers 404, and then falls back
to one call per input. The token stays required on every route, the batch one included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from bridge.server import project_root
from tests.opa_http import OpaConnection

from .support import SAMPLE_ACTIVITY, http_request

pytestmark = pytest.mark.opa

SDK = project_root() / "tests" / "sdk"
INPUTS = {
    "de": SAMPLE_ACTIVITY,
    "kr": {
        "id": "kr",
        "action": "use",
        "munition": {"model": "M14"},
        "location": {"country": "KR"},
    },
    "typo": {"id": "typo", "action": "use", "munitoin": {"model": "M14"}},
}


def node_batch(url: str, token: str | None) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is needed (make test installs it with Debian's nodejs when missing)"
    assert (SDK / "node_modules" / "@open-policy-agent" / "opa").is_dir(), (
        "the SDK is not installed: make test-sdk-deps (npm ci in tests/sdk)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("APL_OPA_")}
    env["APL_OPA_URL"] = url
    if token is not None:
        env["APL_OPA_TOKEN"] = token
    return subprocess.run(
        [node, str(SDK / "batch.mjs")],
        input=json.dumps(INPUTS),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_sdks_batch_falls_back_to_single_decisions(opa_server, opa: OpaConnection):
    done = node_batch(opa_server.url, opa_server.token)
    assert done.returncode == 0, done.stderr
    decisions = json.loads(done.stdout)
    assert decisions == {key: opa.decide(activity) for key, activity in INPUTS.items()}
    assert [decisions[k]["decision"] for k in ("de", "kr", "typo")] == [
        "deny",
        "permit",
        "invalid",
    ]


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_the_sdk_without_the_token_gets_no_decision(opa_server, token):
    done = node_batch(opa_server.url, token)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("401"), done.stderr


def test_the_batch_route_reaches_opas_404_only_with_the_token(opa_server):
    body = {"inputs": {"a": SAMPLE_ACTIVITY}}
    for route in ("/v1/batch/data/apl/decision", "/v1/batch/data/apl/batch"):
        assert (
            http_request(opa_server, "POST", route, token=opa_server.token, body=body).status == 404
        )
        assert http_request(opa_server, "POST", route, body=body).status == 401
