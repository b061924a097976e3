"""The optimised policy decides exactly as the baseline did (bench/baseline/bundle.tar.gz):
every fixture and 2,000 generated documents, whole decisions but for policy.revision,
evaluated by the real OPA `rego` package (make golden runs 100,000)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "bin" / "instructions"
OPA = ROOT / "bin" / "opa"


def _golden():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("golden", ROOT / "bench" / "golden.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_fixture_and_2000_documents_get_the_baseline_decision() -> None:
    assert HARNESS.is_file(), "bin/instructions is missing: `make test` builds it (make instructions-harness)"
    golden = _golden()
    proc = golden.run(2000, None, HARNESS, OPA)
    fixtures = len(golden.fixture_inputs())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"golden: {2000 + fixtures} documents decided by both policies, 0 differ" in proc.stdout


def test_the_check_sees_a_changed_decision(tmp_path: Path) -> None:
    """The comparison is not vacuous: a policy that decides one thing differently fails it."""
    import subprocess

    golden = _golden()
    changed = tmp_path / "rego"
    subprocess.run(["cp", "-r", str(ROOT / "rego"), str(changed)], check=True)
    main = changed / "apl" / "main.rego"
    text = main.read_text()
    marker = '"allowed": outcome == "permit",'
    assert marker in text
    main.write_text(text.replace(marker, '"allowed": outcome == "permit" or outcome == "review",'))
    bundle = tmp_path / "changed.tar.gz"
    subprocess.run([str(OPA), "build", "--bundle", str(changed), "--ignore", "*_test.rego",
                    "--output", str(bundle)], check=True)
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(__import__("json").dumps(d) for d in golden.fixture_inputs()) + "\n")
    proc = subprocess.run([str(HARNESS), "golden", str(golden.BASELINE), str(bundle), str(docs)],
                          text=True, capture_output=True, check=False)
    assert proc.returncode == 1
    assert "DIFF" in proc.stdout
