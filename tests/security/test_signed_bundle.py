"""The signed bundle: `make bundle` signs the policy with a key and the
git revision; OPA started with the verification key serves it, with its METADATA intact,
and refuses to activate any bundle whose files no longer match the signature."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from bridge.errors import OpaUnavailable
from bridge.server import LocalOpa

from .support import SAMPLE_ACTIVITY, KeyPair, http_request, make_rsa_keypair

pytestmark = pytest.mark.opa


def run_make_bundle(repo_root: Path, out: Path, **variables: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is needed to build the bundle as a user would")
    args = [make, "-s", "-C", str(repo_root), "bundle", f"BUNDLE={out}"]
    args += [f"{name}={value}" for name, value in variables.items()]
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=300)
    return done.stdout


def read_members(bundle: Path) -> dict[str, bytes]:
    with tarfile.open(bundle, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def write_members(bundle: Path, members: dict[str, bytes]) -> None:
    """Repack files as they are (the signature file included, not re-signed)."""
    with tarfile.open(bundle, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def member(members: dict[str, bytes], suffix: str) -> str:
    found = [name for name in members if name.endswith(suffix)]
    assert len(found) == 1, (suffix, sorted(members))
    return found[0]


@pytest.fixture(scope="module")
def built(repo_root, signing_keys, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "bundle.tar.gz"
    run_make_bundle(repo_root, out, SIGNING_KEY=str(signing_keys.private))
    assert out.is_file()
    return out


def manifest_revision(bundle: Path) -> str:
    members = read_members(bundle)
    return json.loads(members[member(members, ".manifest")])["revision"]


def start(bundle: Path, keys: KeyPair) -> LocalOpa:
    return LocalOpa(bundle, verification_key=keys.public, startup_timeout=20).start()


def test_the_bundle_is_signed_and_carries_the_git_revision(built, repo_root):
    members = read_members(built)
    assert member(members, ".signatures.json")
    revision = manifest_revision(built)
    head = subprocess.run(
        ["git", "-C", str(repo_root), "rev-parse", "--short", "HEAD"],  # noqa: S607 - git on PATH, as make uses it
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert re.fullmatch(r"[0-9A-Za-z._-]+", revision)
    assert head in revision
    assert revision != "source-tree"


def test_the_bundle_leaves_the_tests_out(built):
    assert not [name for name in read_members(built) if name.endswith("_test.rego")]


def test_opa_serves_the_signed_bundle_with_its_revision_and_metadata(built, signing_keys):
    server = start(built, signing_keys)
    try:
        reply = http_request(
            server,
            "POST",
            "/v1/data/apl/decision",
            token=server.token,
            body={"input": SAMPLE_ACTIVITY},
        )
    finally:
        server.stop()
    assert reply.status == 200
    decision = reply.json()["result"]
    assert decision["policy"]["revision"] == manifest_revision(built)
    assert decision["decision"] == "deny"
    # Titles and sources come from METADATA: a build that dropped it (-O) would leave them empty.
    assert decision["violations"]
    for violation in decision["violations"]:
        assert violation["title"].strip()
        assert violation["source"].strip()


def tampered_rego(members: dict[str, bytes]) -> dict[str, bytes]:
    name = member(members, "/apl/main.rego")
    return {**members, name: members[name].replace(b'"deny"', b'"permit"')}


def tampered_data(members: dict[str, bytes]) -> dict[str, bytes]:
    name = member(members, "/data.json")
    data = json.loads(members[name])
    data["apl"]["policy"]["id"] = "forged"
    return {**members, name: json.dumps(data).encode()}


def added_rego(members: dict[str, bytes]) -> dict[str, bytes]:
    return {**members, "/apl/backdoor/backdoor.rego": b"package apl.backdoor\n\nopen := true\n"}


def unsigned(members: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in members.items() if not name.endswith(".signatures.json")}


@pytest.mark.parametrize("tamper", [tampered_rego, tampered_data, added_rego, unsigned])
def test_opa_refuses_a_tampered_bundle(built, signing_keys, tmp_path, tamper):
    members = read_members(built)
    changed = tamper(members)
    assert changed != members
    bad = tmp_path / "tampered.tar.gz"
    write_members(bad, changed)
    with pytest.raises(OpaUnavailable, match="exited during startup") as info:
        start(bad, signing_keys)
    assert re.search(r"signature|digest|verif", str(info.value), re.IGNORECASE), str(info.value)


def test_repacking_untouched_files_is_still_accepted(built, signing_keys, tmp_path):
    # the control for the test above: it is the change that is refused, not the repacking
    same = tmp_path / "repacked.tar.gz"
    write_members(same, read_members(built))
    server = start(same, signing_keys)
    try:
        assert http_request(server, "GET", "/health").status == 200
    finally:
        server.stop()


def test_opa_refuses_a_bundle_signed_with_another_key(built, openssl, tmp_path):
    other = make_rsa_keypair(openssl, tmp_path, "other")
    with pytest.raises(OpaUnavailable, match="exited during startup"):
        start(built, other)


def test_without_a_signing_key_make_uses_a_throwaway_dev_key(repo_root, tmp_path):
    out = tmp_path / "dev.tar.gz"
    dev_key = tmp_path / "dev-key.pem"
    said = run_make_bundle(repo_root, out, DEV_KEY=str(dev_key))
    assert "throwaway dev key" in said
    assert dev_key.stat().st_mode & 0o077 == 0  # the private key is readable by its owner only
    public = tmp_path / "dev-key.pub.pem"
    server = start(out, KeyPair(dev_key, public))
    try:
        assert http_request(server, "GET", "/health").status == 200
    finally:
        server.stop()
