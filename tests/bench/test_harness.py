"""The bench harness runs end to end on a tiny input, so it cannot rot: it starts its own
OPA (pinned, as `make bench` does), runs every figure once on 50 documents, and writes the
JSON with every key and the markdown table. No timing is asserted: benchmarks are not tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

REQUIRED = (
    "eval_floor_per_s",
    "http_floor_per_s",
    "server_batch_per_s",
    "client_per_doc_per_s",
    "naive_client_per_s",
    "process_per_doc_per_s",
    "conftest_per_s",
    "cli_batch_per_s",
    "docs_in",
    "decisions_out",
    "peak_rss_cli_mb",
    "peak_rss_opa_mb",
    "load_avg",
    "cli_batch_over_eval_floor",
    "cli_batch_over_conftest",
    "client_per_doc_over_http_floor",
    "cli_batch_over_eval_floor_mix",
    "cli_cpu_us_per_doc",
    "cli_cpu_us_per_doc_runs",
    "eval_floor_mix_2cores_per_s",
    "cli_batch_2cores_per_s",
    "cli_batch_settings",
    "ratio_rounds",
    "left_out",
)
ALWAYS_MEASURED = (
    "eval_floor_per_s",
    "server_batch_per_s",
    "client_per_doc_per_s",
    "naive_client_per_s",
    "process_per_doc_per_s",
    "cli_batch_per_s",
    "eval_floor_mix_per_s",
    "eval_floor_mix_2cores_per_s",
    "cli_batch_2cores_per_s",
)


@pytest.mark.opa
def test_tiny_run_writes_every_figure_and_loses_no_document(bench_dir, tmp_path):
    out, work = tmp_path / "results", tmp_path / "work"
    done = subprocess.run(
        [
            sys.executable,
            str(bench_dir / "run.py"),
            "--tiny",
            "--skip-missing",
            "--no-fleet",
            "--out",
            str(out),
            "--work",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "latest.json").read_text(encoding="utf-8"))

    assert [key for key in REQUIRED if key not in results] == []
    for key in ALWAYS_MEASURED:
        assert isinstance(results[key], float), key
        assert results[key] > 0, key
    if shutil.which("wrk"):
        assert results["http_floor_per_s"] > 0
    assert results["docs_in"] > 0
    assert results["decisions_out"] == results["docs_in"]
    assert results["counts"]["cli_batch_per_s"] == {"docs_in": 50, "decisions_out": 50}
    assert results["counts"]["server_batch_per_s"] == {"docs_in": 50, "decisions_out": 50}
    assert results["cli_order_mismatches"] == 0
    assert results["peak_rss_cli_mb"] > 0
    assert results["peak_rss_opa_mb"] > 0
    assert set(results["load_avg"]) == {"start", "end"}
    assert all(len(results["load_avg"][k]) == 3 for k in ("start", "end"))
    # The CLI's own CPU per document, every round (from the rusage of each CLI run).
    assert isinstance(results["cli_cpu_us_per_doc"], int | float)
    assert results["cli_cpu_us_per_doc"] > 0
    assert len(results["cli_cpu_us_per_doc_runs"]) == 1
    # Both cores: its CLI round lost nothing either, and every target ratio has its rounds.
    assert results["counts"]["cli_batch_2cores_per_s"] == {"docs_in": 50, "decisions_out": 50}
    assert results["figures"]["eval_floor_mix_2cores_per_s"]["median"] > 0
    assert len(results["ratio_rounds"]["cli_batch_over_eval_floor_mix"]) == 1
    assert set(results["cli_batch_settings"]) == {"batch_size", "workers"}
    # conftest is make bench-peers' (named as left out, so its target reads SKIP, not PASS).
    assert set(results["left_out"]) == {"conftest_per_s", "conftest_unpinned_per_s"}
    # The fleet figures (three local fleets) are for make bench, not this harness check.
    assert results["skipped"]["fleet"] == "left out (--no-fleet)"

    table = (out / "latest.md").read_text(encoding="utf-8")
    assert "(`cli_batch_per_s`) |" in table
    assert "(`cli_batch_2cores_per_s`) |" in table
    assert "(`decisions_out`) |" in table
    assert "| **SKIP** |" in table
    assert "load average" in table
