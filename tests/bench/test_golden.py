"""The optimised policy decides exactly as the baseline did (bench/baseline/bundle.tar.gz):
every fixture and 2,000 generated documents, whole decisions but for policy.revision,
evaluated by the real OPA `rego` package (make golden runs 100,000)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "bin" / "instructions"
OPA = ROOT / "bin" / "opa"


def _golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden", ROOT / "bench" / "golden.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_fixture_and_2000_documents_get_the_baseline_decision() -> None:
    assert HARNESS.is_file(), "bin/instructions is missing: `make instructions-harness` builds it"
    golden = _golden()
    proc = golden.run(2000, None, HARNESS, OPA)
    fixtures = len(golden.fixture_inputs())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"golden: {2000 + fixtures} documents decided by both policies, 0 differ" in proc.stdout


def test_the_check_sees_a_changed_decision(tmp_path: Path) -> None:
    """The comparison is not vacuous: a policy that decides one thing differently fails it."""
    golden = _golden()
    changed = tmp_path / "rego"
    shutil.copytree(ROOT / "rego", changed)
    main = changed / "apl" / "main.rego"
    text = main.read_text()
    marker = '"allowed": final.outcome == "permit",'
    assert marker in text
    main.write_text(text.replace(marker, '"allowed": final.outcome in {"permit", "review"},'))
    bundle = tmp_path / "changed.tar.gz"
    subprocess.run([str(OPA), "build", "--bundle", str(changed), "--ignore", "*_test.rego",
                    "--output", str(bundle)], check=True)
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in golden.fixture_inputs()))
    proc = subprocess.run([str(HARNESS), "golden", str(golden.BASELINE), str(bundle), str(docs)],
                          text=True, capture_output=True, check=False)
    assert proc.returncode == 1
    assert "DIFF" in proc.stdout
