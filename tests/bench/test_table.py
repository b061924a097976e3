"""The bench tables in the README and docs/performance.md are generated from one `make bench`
run, docs/performance.json (bench/table.py): no number in them is typed by hand. No timing
is asserted here; this checks only that the text is the committed results' rendering."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest


def test_the_readme_and_the_docs_show_the_published_run(table: ModuleType):
    assert table.stale() == []


def test_the_published_run_is_a_whole_make_bench(bench_dir: Path):
    results = json.loads((bench_dir.parent / "docs" / "performance.json").read_text())
    for key in ("load_avg", "git", "cli_cpu_us_per_doc", "cli_batch_over_eval_floor_mix",
                "client_per_doc_over_http_floor", "instructions_over_baseline",
                "cli_batch_2cores_per_s", "fleet_2_over_1_replicas"):
        assert results.get(key) is not None, key
    assert results["settings"]["docs"] == 100_000  # not a --tiny or a partial run
    assert results["decisions_out"] == results["docs_in"] > 0


def test_a_number_edited_by_hand_is_caught(
    table: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    readme, doc = tmp_path / "README.md", tmp_path / "performance.md"
    shutil.copy(table.README, readme)
    shutil.copy(table.DOC, doc)
    monkeypatch.setattr(table, "README", readme)
    monkeypatch.setattr(table, "DOC", doc)
    monkeypatch.setattr(table, "ROOT", tmp_path)
    assert table.stale() == []
    text = readme.read_text()
    head, block = text.split(table.BEGIN, 1)
    mark, other = ("PASS", "FAIL") if "PASS" in block else ("FAIL", "PASS")
    edited = block.replace(mark, other, 1)
    readme.write_text(head + table.BEGIN + edited)
    assert table.stale() == ["README.md"]
