"""The local fleet against its real processes: nginx serving signed bundles, three OPA
replicas, HAProxy, the audit collector. Rollouts, refused bundles, a replica restarted
without its bundle server, replicas SIGKILLed under load, and the audit trail."""

from __future__ import annotations

import http.client
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bridge.fleet import (
    BUNDLE_FILE,
    Fleet,
    build_signed_bundle,
    http_status,
    make_signing_key,
    place_bundle,
)
from bridge.opa_runtime import OPA_GO_ENVIRONMENT
from bridge.server import find_opa, project_bundle
from tests.fleet.conftest import REPLICAS, ROOT, cli, fleet_status

pytestmark = pytest.mark.opa

ACTIVITY = {
    "id": "probe",
    "action": "use",
    "munition": {"model": "M14"},
    "location": {"country": "DE"},
}


def post(url: str, token: str, path: str, body: object, timeout: float = 10) -> tuple[int, Any]:
    parts = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(parts[0], int(parts[1]), timeout=timeout)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read() or b"null")
    finally:
        conn.close()


def revision_at(url: str, token: str) -> str:
    status, body = post(url, token, "/v1/data/apl/decision", {"input": ACTIVITY})
    assert status == 200, body
    revision: str = body["result"]["policy"]["revision"]
    return revision


def served_revisions(fleet: Fleet) -> dict[str, str]:
    return {r.name: revision_at(r.url, fleet.token) for r in fleet.replicas}


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f}s: {what}"
        time.sleep(0.2)


def rollout_bound(fleet: Fleet) -> float:
    """A generous failure bound: a few polling maxima plus the time to load a bundle."""
    return 3 * fleet.polling.max_seconds + 15


# -- the fleet as `up` left it -------------------------------------------------------------


def test_fleet_json_describes_every_running_component(fleet):
    state = json.loads(fleet.state_file.read_text())
    assert set(state) >= {
        "url",
        "token",
        "revision",
        "replicas",
        "bundle_server",
        "bundle_dir",
        "audit",
    }
    assert len(state["replicas"]) == REPLICAS
    for replica in state["replicas"]:
        assert set(replica) >= {"name", "url", "diagnostic_url", "pid"}
        assert Path(f"/proc/{replica['pid']}").exists()
    assert state["audit"]["db"].startswith("sqlite:///")
    assert oct(fleet.state_file.stat().st_mode & 0o777) == "0o600"  # it holds the token
    # The token reaches OPA by its environment only; so do the shipped Go settings.
    for replica in fleet.replicas:
        cmdline = Path(f"/proc/{replica.pid}/cmdline").read_bytes()
        assert fleet.token.encode() not in cmdline
        environ = Path(f"/proc/{replica.pid}/environ").read_bytes().split(b"\0")
        assert {f"{k}={v}".encode() for k, v in OPA_GO_ENVIRONMENT.items()} <= set(environ)
    assert served_revisions(fleet) == dict.fromkeys(
        (r.name for r in fleet.replicas), fleet.revision
    )


def test_the_bundle_server_answers_304_to_an_unchanged_etag(fleet):
    conn = http.client.HTTPConnection("127.0.0.1", fleet.bundle_port, timeout=5)
    conn.request("GET", f"/bundles/{BUNDLE_FILE}")
    first = conn.getresponse()
    first.read()
    etag = first.getheader("ETag")
    assert first.status == 200
    assert etag
    conn.request("GET", f"/bundles/{BUNDLE_FILE}", headers={"If-None-Match": etag})
    second = conn.getresponse()
    second.read()
    conn.close()
    assert second.status == 304
    # And the replicas' own polls are answered so.
    log = (fleet.log_dir / "nginx-access.log").read_text()
    assert '"GET /bundles/apl.tar.gz HTTP/1.1" 304' in log


def test_the_decision_token_cannot_read_status_but_the_monitor_token_can(fleet):
    replica = fleet.replicas[0]
    host, port = "127.0.0.1", replica.port
    for token, expected in ((fleet.token, 401), (fleet.monitor_token, 200)):
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/v1/status", headers={"Authorization": f"Bearer {token}"})
        assert conn.getresponse().status == expected
        conn.close()


def test_fleet_env_points_eval_at_the_fleet(fleet, tmp_path):
    doc = tmp_path / "one.yaml"
    doc.write_text("id: via-env\naction: use\nmunition: {model: M14}\nlocation: {region: DMZ}\n")
    for extra in ([], ["--replicas"]):
        exports = cli("fleet", "env", "--dir", str(fleet.directory), *extra).stdout
        env = dict(os.environ)
        for assignment in shlex.split(exports.removeprefix("export ")):
            name, _, value = assignment.partition("=")
            env[name] = value
        done = cli("eval", "-f", "jsonl", str(doc), env=env)
        decision = json.loads(done.stdout)
        assert decision["id"] == "via-env"
        assert decision["policy"]["revision"] != "source-tree"  # the fleet's, not a private OPA


# -- rollout -------------------------------------------------------------------------------


def test_a_published_revision_reaches_every_replica_and_its_decisions(fleet):
    done = cli("fleet", "publish", "--dir", str(fleet.directory))
    revision = done.stdout.strip()
    assert revision
    assert revision != fleet.revision
    started = time.monotonic()
    wait_until(
        lambda: set(served_revisions(fleet).values()) == {revision},
        rollout_bound(fleet),
        f"every replica on {revision}",
    )
    took = time.monotonic() - started
    print(f"rollout to {REPLICAS} replicas: {took:.1f}s (polling max {fleet.polling.max_seconds}s)")
    # Through the load balancer, every decision names it.
    for _ in range(2 * REPLICAS):
        assert revision_at(fleet.url, fleet.token) == revision
    status = fleet_status(fleet.directory)
    assert status["published_revision"] == revision
    assert {r["active_revision"] for r in status["replicas"]} == {revision}
    assert all(r["healthy"] and not r["errors"] for r in status["replicas"])
    fleet.revision = revision


# -- bundles no replica may activate --------------------------------------------------------


def _tampered(fleet: Fleet, work: Path) -> Path:
    """The fleet's own signed bundle with one policy file changed after signing."""
    good = work / "good.tar.gz"
    build_signed_bundle(project_bundle(), fleet.signing_key, "tampered-1", good)
    out = work / "tampered.tar.gz"
    edited = False
    with tarfile.open(good, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name.endswith("p2_transfer/transfer.rego") and data is not None:
                data += b"\n# an edit after signing\n"
                member.size = len(data)
                edited = True
            dst.addfile(member, None if data is None else io.BytesIO(data))
    assert edited
    return out


def _unsigned(_fleet: Fleet, work: Path) -> Path:
    out = work / "unsigned.tar.gz"
    subprocess.run(
        [
            str(find_opa()),
            "build",
            "--bundle",
            str(project_bundle()),
            "--ignore",
            "*_test.rego",
            "--revision",
            "unsigned-1",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def _other_key(_fleet: Fleet, work: Path) -> Path:
    private, _ = make_signing_key(work / "other-keys")
    out = work / "other-key.tar.gz"
    build_signed_bundle(project_bundle(), private, "other-key-1", out)
    return out


@pytest.mark.parametrize(
    ("make", "bad_revision", "error_words"),
    [
        (_tampered, "tampered-1", "digest mismatch"),
        (_unsigned, "unsigned-1", "missing .signatures.json"),
        (_other_key, "other-key-1", "verification"),
    ],
    ids=["tampered", "unsigned", "signed-with-another-key"],
)
def test_a_bad_bundle_is_activated_by_no_replica(fleet, tmp_path, make, bad_revision, error_words):
    good = revision_at(fleet.url, fleet.token)
    place_bundle(make(fleet, tmp_path), fleet.bundle_dir)

    def every_replica_reports_an_error() -> bool:
        status = fleet_status(fleet.directory)
        return all(r["errors"] for r in status["replicas"])

    wait_until(
        every_replica_reports_an_error,
        rollout_bound(fleet),
        "every replica reporting the bad bundle",
    )
    done = cli("fleet", "status", "--dir", str(fleet.directory), check=False)
    assert done.returncode == 1  # a replica reports an error: not a healthy fleet
    assert error_words in done.stdout.lower(), done.stdout
    status = fleet_status(fleet.directory)
    for replica in status["replicas"]:
        assert replica["active_revision"] == good
        assert any(error_words in e.lower() for e in replica["errors"]), replica
    # Decisions keep the last good revision, on every replica and through the LB.
    assert set(served_revisions(fleet).values()) == {good}
    assert revision_at(fleet.url, fleet.token) == good
    assert bad_revision != good
    # A good publish clears it.
    revision = cli("fleet", "publish", "--dir", str(fleet.directory)).stdout.strip()
    wait_until(
        lambda: set(served_revisions(fleet).values()) == {revision},
        rollout_bound(fleet),
        "recovery from the bad bundle",
    )
    fleet.revision = revision


# -- the persisted bundle -------------------------------------------------------------------


def test_a_replica_restarted_without_its_bundle_server_serves_the_persisted_bundle(fleet):
    revision = revision_at(fleet.url, fleet.token)
    fleet.stop_bundle_server()
    try:
        assert http_status(f"{fleet.bundle_server}/bundles/{BUNDLE_FILE}") == 0  # gone
        replica = fleet.replicas[0]
        old_pid = replica.pid
        fleet.start_replica(replica, wait=True, timeout=60)
        assert replica.pid != old_pid
        assert revision_at(replica.url, fleet.token) == revision
    finally:
        fleet.start_bundle_server()
        fleet.save()


# -- 20,000 documents while a replica is SIGKILLed -------------------------------------------

DOCS = 20_000


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("workload") / "docs.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--docs",
            str(DOCS),
            "--out",
            str(path),
        ],
        check=True,
    )
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    assert len(ids) == DOCS
    return path, ids


def _expected_exit(decisions: list[dict[str, Any]]) -> int:
    outcomes = {d["decision"] for d in decisions}
    if "invalid" in outcomes:
        return 2
    return 0 if outcomes <= {"permit"} else 1


@pytest.mark.parametrize("route", ["load-balancer", "multi-url"])
def test_20000_documents_while_a_replica_is_killed(fleet, workload, tmp_path, route):
    path, ids = workload
    out = tmp_path / "decisions.jsonl"
    urls = [fleet.url] if route == "load-balancer" else [r.url for r in fleet.replicas]
    args = [
        sys.executable,
        "-m",
        "bridge",
        "eval",
        "-f",
        "jsonl",
        "-o",
        str(out),
        "--token",
        fleet.token,
        "--retry-for",
        "60",
        "--batch-size",
        "100",
        str(path),
    ]
    for url in urls:
        args += ["--opa-url", url]
    victim = fleet.replicas[1]
    started = time.monotonic()
    with subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, text=True) as run:
        try:
            # Mid-run: once a quarter of the decisions are written.
            def far_enough() -> bool:
                assert run.poll() is None, "the run ended before the replica was killed"
                if not out.exists():
                    return False
                with out.open("rb") as written:
                    return sum(1 for _ in written) >= DOCS // 4

            wait_until(far_enough, 120, "a quarter of the run")
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            _, stderr = run.communicate(timeout=300)
        finally:
            if run.poll() is None:
                run.kill()
    took = time.monotonic() - started
    print(f"{DOCS} documents via {route} with {victim.name} killed: {took:.1f}s")
    try:
        decisions = [json.loads(line) for line in out.read_text().splitlines()]
        assert [d["id"] for d in decisions] == ids  # each exactly once, in input order
        assert run.returncode == _expected_exit(decisions), stderr[-2000:]
        assert "Traceback" not in stderr
    finally:
        fleet.start_replica(victim, wait=True)
        fleet.save()


# -- the audit trail ------------------------------------------------------------------------


def _fault(fleet: Fleet, status: int, seconds: float) -> None:
    assert fleet.audit_url is not None
    status_code, body = post(fleet.audit_url, "", "/_fault", {"status": status, "seconds": seconds})
    assert status_code == 200, body


def _audit_records(fleet: Fleet) -> list[dict[str, Any]]:
    done = cli("audit", "query", "--dir", str(fleet.directory), "--format", "jsonl")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_every_decision_through_the_fleet_is_in_the_audit_store_exactly_once(fleet, tmp_path):
    check_audit_exactly_once(fleet, tmp_path, 600)


def check_audit_exactly_once(fleet: Fleet, tmp_path: Path, count: int) -> None:
    """`count` decisions, half through the load balancer while the collector answers 503
    for 10 s, half over the replicas while it is stopped and started again: each one is
    in the store exactly once, with the revision and the replica that made it."""
    run = uuid.uuid4().hex[:8]
    revision = revision_at(fleet.url, fleet.token)
    docs = tmp_path / "audit.jsonl"
    docs.write_text(
        "".join(json.dumps({**ACTIVITY, "id": f"audit-{run}-{i:04d}"}) + "\n" for i in range(count))
    )
    base = ["eval", "-f", "jsonl", "--token", fleet.token, "--batch-size", "25"]
    # The collector answers 503 for 10 s while the first half is decided...
    _fault(fleet, 503, 10)
    half = tmp_path / "first.jsonl"
    half.write_text("".join(docs.read_text().splitlines(keepends=True)[: count // 2]))
    cli(*base, "--opa-url", fleet.url, str(half), check=False)
    # ... and is restarted while the second half is, over the replicas directly.
    second = tmp_path / "second.jsonl"
    second.write_text("".join(docs.read_text().splitlines(keepends=True)[count // 2 :]))
    fleet.stop_audit()
    urls = [a for r in fleet.replicas for a in ("--opa-url", r.url)]
    cli(*base, *urls, str(second), check=False)
    fleet.start_audit()
    fleet.save()

    def ours() -> list[dict[str, Any]]:
        return [
            r for r in _audit_records(fleet) if str(r.get("id", "")).startswith(f"audit-{run}-")
        ]

    wait_until(lambda: len(ours()) >= count, 90, f"{count} decisions in the audit store")
    records = ours()
    per_id = Counter(r["id"] for r in records)
    assert len(per_id) == count
    assert set(per_id.values()) == {1}, [i for i, n in per_id.items() if n != 1][:5]
    names = {r.name for r in fleet.replicas}
    for record in records:
        assert record["revision"] == revision
        assert record["replica"] in names
    assert {r["replica"] for r in records} == names  # spread over every replica
