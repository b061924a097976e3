"""`make bench` reuses an instruction count only when it was taken on the same inputs
(bench/instructions.py --reuse): a changed policy, baseline or harness is counted again."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def test_the_inputs_are_the_policy_the_baseline_and_the_harness(instructions: ModuleType) -> None:
    names = {str(p.relative_to(ROOT)) for p in instructions.count_inputs()}
    assert {"rego/apl/main.rego", "rego/apl/policy/data.yaml", "bench/baseline/bundle.tar.gz",
            "bench/instructions/main.go", "bench/instructions/go.mod", "bench/instructions.py",
            "bench/generate.py", "bridge/opa_runtime.py"} <= names
    assert not [n for n in names if n.endswith("_test.rego")], "the policy's tests change no count"


def _tree(root: Path, text: str) -> list[Path]:
    (root / "rego").mkdir(parents=True, exist_ok=True)
    policy = root / "rego" / "p.rego"
    policy.write_text(text)
    other = root / "bench.py"
    other.write_text("x = 1\n")
    return [policy, other]


def test_the_digest_changes_with_any_input_and_with_nothing_else(
    instructions: ModuleType, tmp_path: Path
) -> None:
    paths = _tree(tmp_path, "package p\n")
    first = instructions.inputs_digest(paths, tmp_path)
    assert instructions.inputs_digest(paths, tmp_path) == first
    _tree(tmp_path, "package p\n\nallow := true\n")
    assert instructions.inputs_digest(paths, tmp_path) != first


def test_a_count_is_reused_only_on_the_same_inputs(
    instructions: ModuleType, tmp_path: Path
) -> None:
    count = {"instructions_per_doc": 2, "instructions_baseline_per_doc": 4,
             "instructions_inputs_sha256": "abc", "cli_cpu_us_per_doc": 97}
    published = tmp_path / "performance.json"
    published.write_text(json.dumps(count))
    missing = tmp_path / "instructions.json"
    found = instructions.reusable("abc", (missing, published))
    assert found is not None
    source, figures = found
    assert source == published
    # Only the count's own figures are carried, never a rate of the run that published it.
    assert figures == {"instructions_per_doc": 2, "instructions_baseline_per_doc": 4,
                       "instructions_inputs_sha256": "abc"}
    assert instructions.reusable("abd", (missing, published)) is None
    published.write_text(json.dumps({"instructions_inputs_sha256": "abc"}))
    found = instructions.reusable("abc", (published,))
    assert found is None, "a digest without a count is no count"


def test_the_published_count_keys_are_all_carried(instructions: ModuleType) -> None:
    published = json.loads((ROOT / "docs" / "performance.json").read_text())
    counted = {k for k in published if k.startswith("instructions") or k.endswith("_instructions")}
    assert counted <= instructions.COUNT_KEYS, counted - instructions.COUNT_KEYS
    assert "instructions_per_doc" in counted
