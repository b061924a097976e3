"""The bench tables in the README and docs/performance.md are generated from one `make bench`
run, docs/performance.json (bench/table.py): no number in them is typed by hand. No timing
is asserted here; this checks only that the text is the committed results' rendering."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
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


def test_publishing_says_when_the_make_counted_instructions_itself(
    table: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`make bench` reuses the last count on the same inputs; when it had to count, the
    time it took says how much of it the count was. A count reused from before the make
    started is not billed to it."""
    for name in ("README", "DOC", "PUBLISHED", "LATEST", "STARTED"):
        monkeypatch.setattr(table, name, tmp_path / getattr(table, name).name)
    shutil.copy(table.ROOT / "README.md", table.README)
    shutil.copy(table.ROOT / "docs" / "performance.md", table.DOC)
    results = json.loads((table.ROOT / "docs" / "performance.json").read_text())
    started = time.time() - 60
    for offset, billed in ((30, True), (-90, False)):
        results["instructions_counted_at"] = dt.datetime.fromtimestamp(
            started + offset, dt.UTC
        ).isoformat(timespec="seconds")
        results["instructions_settings"]["seconds"] = 600.0
        table.LATEST.write_text(json.dumps(results))
        table.STARTED.write_text(str(started))
        table.publish(table.LATEST)
        published = json.loads(table.PUBLISHED.read_text())
        assert ("make_bench_counting_seconds" in published) is billed
        assert ("10.0 of them counting instructions" in table.README.read_text()) is billed
