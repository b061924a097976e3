"""bench/targets.py, which bench/check applies: each target passes and fails where it should,
and a missing figure fails rather than passing quietly."""

from __future__ import annotations

from types import ModuleType

GOOD = {
    "cli_batch_over_eval_floor_mix": 0.9,
    "cli_batch_over_conftest": 1.2,
    "client_per_doc_over_http_floor": 0.8,
    "cli_cpu_us_per_doc": 250,
    "peak_rss_cli_mb": 80.0,
    "docs_in": 1000,
    "decisions_out": 1000,
    "fleet_logging_on_over_off": 0.9,
    "instructions_over_baseline": 0.5,
}


def _failed(targets: ModuleType, results: dict[str, object]) -> list[str]:
    return [v.target.key for v in targets.evaluate(results) if not v.passed]


def test_every_target_met(targets):
    assert _failed(targets, GOOD) == []


def test_each_target_fails_on_its_own(targets):
    assert _failed(targets, {**GOOD, "cli_batch_over_eval_floor_mix": 0.89}) == [
        "cli_batch_over_eval_floor_mix"
    ]
    assert _failed(targets, {**GOOD, "client_per_doc_over_http_floor": 0.79}) == [
        "client_per_doc_over_http_floor"
    ]
    assert _failed(targets, {**GOOD, "cli_cpu_us_per_doc": 251}) == ["cli_cpu_us_per_doc"]
    assert _failed(targets, {**GOOD, "cli_batch_over_conftest": 0.99}) == [
        "cli_batch_over_conftest"
    ]
    assert _failed(targets, {**GOOD, "peak_rss_cli_mb": 150.0}) == ["peak_rss_cli_mb"]
    assert _failed(targets, {**GOOD, "decisions_out": 999}) == ["decisions_out"]
    assert _failed(targets, {**GOOD, "fleet_logging_on_over_off": 0.79}) == [
        "fleet_logging_on_over_off"
    ]
    assert _failed(targets, {**GOOD, "instructions_over_baseline": 0.51}) == [
        "instructions_over_baseline"
    ]


def test_a_missing_figure_fails(targets):
    assert _failed(targets, {**GOOD, "cli_batch_over_conftest": None}) == [
        "cli_batch_over_conftest"
    ]
    assert _failed(targets, {**GOOD, "docs_in": 0, "decisions_out": 0}) == ["decisions_out"]


def test_only_a_peer_left_out_on_purpose_is_skipped(targets):
    left_out = {"conftest_per_s": "measured by make bench-peers"}
    verdicts = {
        v.target.key: v
        for v in targets.evaluate({**GOOD, "cli_batch_over_conftest": None, "left_out": left_out})
    }
    assert verdicts["cli_batch_over_conftest"].mark == "SKIP"
    assert "make bench-peers" in verdicts["cli_batch_over_conftest"].line()
    assert all(v.mark == "PASS" for k, v in verdicts.items() if k != "cli_batch_over_conftest")
    # Left out is no excuse for a figure that is not a peer's.
    gone = {**GOOD, "cli_cpu_us_per_doc": None, "left_out": {"cli_batch_per_s": "why not"}}
    assert _failed(targets, gone) == ["cli_cpu_us_per_doc"]
    assert [v.mark for v in targets.evaluate(gone) if not v.passed] == ["FAIL"]
