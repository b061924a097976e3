"""The package as a user installs it: `python -m build` makes a wheel and an sdist that
carry the policy bundle, and the wheel, installed into a fresh venv away from the
checkout, decides a fixture with the OPA it finds (APL_OPA_BIN, else PATH), or says
plainly how to get OPA when there is none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from bridge.server import find_opa, project_root

ROOT = project_root()
FIXTURE = ROOT / "fixtures" / "KOREA" / "use_in_the_dmz_is_permitted.yaml"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel (and its dependencies from the index) installed."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    (wheel,) = dist.glob("*.whl")
    subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return home


def run_installed(home: Path, *args: str, env: dict[str, str], cwd: Path):
    return subprocess.run(
        [str(home / "bin" / "apl-policy"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APL_", "PYTHON", "VIRTUAL_"))}
    env["PATH"] = "/usr/bin:/bin"
    return env | extra


def test_the_wheel_and_the_sdist_carry_the_bundle(dist: Path):
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bridge/bundle/.manifest" in names
    assert "bridge/bundle/apl/main.rego" in names
    assert "bridge/bundle/system/authz/authz.rego" in names
    assert "bridge/schemas/decision.schema.json" in names
    assert not [n for n in names if n.endswith("_test.rego")]
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("/rego/apl/main.rego") for m in members)


def test_the_installed_wheel_decides_a_fixture(installed: Path, tmp_path: Path):
    assert FIXTURE.is_file()
    env = clean_env(APL_OPA_BIN=str(find_opa()))
    done = run_installed(
        installed, "eval", "--scenarios", "-f", "json", str(FIXTURE), env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    (decision,) = json.loads(done.stdout)
    assert decision["decision"] == "permit"
    assert decision["policy"]["revision"] == "source-tree"
    # The clauses' texts come from the installed bundle's METADATA.
    done = run_installed(installed, "clauses", "-f", "json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "P3" in {c["id"] for c in json.loads(done.stdout)}


def test_the_installed_wheel_finds_opa_on_path(installed: Path, tmp_path: Path):
    env = clean_env()
    env["PATH"] = f"{find_opa().parent}:{env['PATH']}"
    done = run_installed(
        installed, "eval", "-f", "json", str(FIXTURE), "--scenarios", env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_without_opa_it_says_how_to_get_it(installed: Path, tmp_path: Path):
    done = run_installed(
        installed, "eval", "--scenarios", str(FIXTURE), env=clean_env(), cwd=tmp_path
    )
    assert done.returncode == 3
    assert "no OPA binary found" in done.stderr
    assert "go install github.com/open-policy-agent/opa" in done.stderr
    assert "APL_OPA_BIN" in done.stderr
    assert "Traceback" not in done.stderr
