"""deploy/: the Helm chart rendered by the real helm (pinned in the Makefile), and the
configs the chart and `apl-policy fleet up` share, checked for what must never be lost:
enforced signatures, persistence, the audit services, the probes, the body cap."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bridge.fleet import (
    HAPROXY_CONFIG,
    KEY_ID,
    NGINX_CONFIG,
    OPA_CONFIG,
    FleetError,
    Polling,
    opa_fleet_config,
    render_template,
)
from bridge.limits import OPA_MAX_REQUEST_BYTES
from bridge.opa_runtime import OPA_GO_ENVIRONMENT, OPA_GOMEMLIMIT, OPA_RUN_FLAGS
from bridge.replicas import split_urls
from tests.fleet.conftest import ROOT, cli

CHART = ROOT / "deploy" / "helm" / "apl-policy"
LINT_VALUES = CHART / "ci" / "lint-values.yaml"


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    binary = os.environ.get("APL_HELM_BIN", str(ROOT / "bin" / "helm"))
    assert Path(binary).is_file(), f"no helm at {binary}: run `make check-deploy` (builds it)"
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    done = helm("template", "apl", str(CHART), "-f", str(LINT_VALUES))
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def _kind(docs: list[dict[str, Any]], kind: str, name_part: str = "") -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind and name_part in d["metadata"]["name"]]


def test_the_chart_passes_helm_lint_strict():
    done = helm("lint", "--strict", str(CHART), "-f", str(LINT_VALUES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_chart_carries_deploys_opa_config_verbatim(rendered):
    (config_map,) = _kind(rendered, "ConfigMap", "-opa")
    assert config_map["data"]["opa-config.yaml"].strip() == OPA_CONFIG.read_text().strip()


def test_the_opa_config_enforces_signatures_and_persists(rendered):
    config = yaml.safe_load(OPA_CONFIG.read_text())
    bundle = config["bundles"]["apl"]
    # Signing on: the block is there (even empty, it makes OPA verify every bundle); the
    # key is chosen by the bundle's keyid claim among `keys`, so it is not pinned here.
    assert isinstance(bundle["signing"], dict)
    assert "keyid" not in bundle["signing"]
    assert set(config["keys"]) == {KEY_ID}
    assert bundle["persist"] is True
    assert config["decision_logs"]["service"] == "audit"
    assert config["status"]["service"] == "audit"
    assert config["labels"]["replica"] == "${APL_REPLICA}"
    # The fleet's rendering changes the polling, never the signing or persistence.
    local = opa_fleet_config(Polling(1, 2), audit=True)
    assert local["bundles"]["apl"]["signing"] == bundle["signing"]
    assert local["bundles"]["apl"]["persist"] is True
    assert local["bundles"]["apl"]["polling"] == {"min_delay_seconds": 1, "max_delay_seconds": 2}
    without_audit = opa_fleet_config(Polling(1, 2), audit=False)
    assert "decision_logs" not in without_audit
    assert without_audit["bundles"]["apl"]["signing"] == bundle["signing"]


def _opa_containers(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        c
        for d in _kind(docs, "Deployment")
        for c in d["spec"]["template"]["spec"]["containers"]
        if c["name"] == "opa"
    ]


def test_every_opa_container_is_probed_on_bundles_and_capped_like_serve(rendered):
    containers = _opa_containers(rendered)
    assert len(containers) == 2  # the sidecar and the decision point
    for container in containers:
        assert container["readinessProbe"]["httpGet"]["path"] == "/health?bundles"
        assert container["readinessProbe"]["httpGet"]["port"] == "diagnostic"
        args = container["args"]
        assert "--authentication=token" in args
        assert "--authorization=basic" in args
        assert set(OPA_RUN_FLAGS) <= set(args), "the chart runs OPA as the fleet does"
        assert f"--set=server.decoding.max_length={OPA_MAX_REQUEST_BYTES}" in args
        assert f"--set-file=keys.{KEY_ID}.key=/config/signing.pub.pem" in args
        env = {e["name"]: e for e in container["env"]}
        assert env["APL_OPA_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "token"
        assert env["APL_OPA_MONITOR_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "monitor-token"
        assert env["APL_AUDIT_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "audit-token"
        assert "APL_OPA_TOKEN" not in " ".join(args)
        for name, value in OPA_GO_ENVIRONMENT.items():
            assert env[name]["value"] == value, f"the chart runs OPA with {name} as the fleet does"
        limit = container["resources"]["limits"]["memory"]
        assert _bytes(OPA_GOMEMLIMIT) < _bytes(limit), "the heap's limit is under the container's"


_BINARY_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def _bytes(quantity: str) -> int:
    """512Mi (Kubernetes) or 384MiB (Go's GOMEMLIMIT) in bytes; no other form is used here."""
    number, unit = quantity.removesuffix("B")[:-2], quantity.removesuffix("B")[-2:]
    assert unit in _BINARY_UNITS, f"unexpected unit in {quantity!r}"
    assert number.isdigit(), f"unexpected number in {quantity!r}"
    return int(number) * _BINARY_UNITS[unit]


def test_the_sidecar_listens_on_loopback_only(rendered):
    pods = [d["spec"]["template"]["spec"]["containers"] for d in _kind(rendered, "Deployment")]
    (sidecar_pod,) = [p for p in pods if len(p) == 2 and any(c["name"] == "opa" for c in p)]
    (opa,) = [c for c in sidecar_pod if c["name"] == "opa"]
    assert "--addr=127.0.0.1:8181" in opa["args"]


def test_the_bundle_server_config_is_deploys_nginx_config_filled_in(rendered):
    (config_map,) = _kind(rendered, "ConfigMap", "-bundles")
    conf = config_map["data"]["nginx.conf"]
    assert "etag on;" in conf
    assert "alias /srv/bundles/;" in conf
    assert "@" not in "".join(x for x in conf.splitlines() if not x.lstrip().startswith("#"))


def test_the_chart_refuses_to_render_without_a_signing_key():
    done = helm(
        "template",
        "apl",
        str(CHART),
        "--set",
        "tokens.token=a",
        "--set",
        "tokens.monitorToken=b",
        "--set",
        "tokens.auditToken=c",
    )
    assert done.returncode != 0
    assert "signingPublicKey is required" in done.stderr


def test_the_chart_refuses_one_token_for_decisions_and_monitoring():
    done = helm(
        "template",
        "apl",
        str(CHART),
        "-f",
        str(LINT_VALUES),
        "--set",
        "tokens.monitorToken=lint-decision-token",
    )
    assert done.returncode != 0
    assert "must differ" in done.stderr


@pytest.mark.parametrize("template", [NGINX_CONFIG, HAPROXY_CONFIG], ids=["nginx", "haproxy"])
def test_a_template_with_a_missing_value_is_never_rendered(template):
    with pytest.raises(FleetError, match="no value for the placeholder"):
        render_template(template.read_text(), {}, source=str(template))


def test_opa_urls_split_on_commas_and_repeats():
    assert split_urls(["http://a:1,http://b:2", "http://c:3"]) == [
        "http://a:1",
        "http://b:2",
        "http://c:3",
    ]


@pytest.mark.opa
def test_with_every_replica_unreachable_eval_exits_3(tmp_path):
    doc = tmp_path / "one.yaml"
    doc.write_text("id: x\naction: use\nmunition: {model: M14}\n")
    done = cli(
        "eval",
        "--opa-url",
        "http://127.0.0.1:9",
        "--opa-url",
        "http://127.0.0.1:10",
        "--retry-for",
        "1",
        str(doc),
        check=False,
    )
    assert done.returncode == 3
    assert "no OPA replica answered" in done.stderr
    assert "Traceback" not in done.stderr
