"""bench/targets.py, which bench/check applies: each target passes and fails where it should,
and a missing figure fails rather than passing quietly."""

from __future__ import annotations

from types import ModuleType

GOOD = {
    "cli_batch_over_eval_floor": 0.6,
    "cli_batch_over_conftest": 1.2,
    "client_per_doc_over_http_floor": 0.5,
    "peak_rss_cli_mb": 80.0,
    "docs_in": 1000,
    "decisions_out": 1000,
    "fleet_logging_on_over_off": 0.9,
}


def _failed(targets: ModuleType, results: dict[str, object]) -> list[str]:
    return [v.target.key for v in targets.evaluate(results) if not v.passed]


def test_every_target_met(targets):
    assert _failed(targets, GOOD) == []


def test_each_target_fails_on_its_own(targets):
    assert _failed(targets, {**GOOD, "cli_batch_over_eval_floor": 0.49}) == [
        "cli_batch_over_eval_floor"
    ]
    assert _failed(targets, {**GOOD, "cli_batch_over_conftest": 0.99}) == [
        "cli_batch_over_conftest"
    ]
    assert _failed(targets, {**GOOD, "peak_rss_cli_mb": 150.0}) == ["peak_rss_cli_mb"]
    assert _failed(targets, {**GOOD, "decisions_out": 999}) == ["decisions_out"]
    assert _failed(targets, {**GOOD, "fleet_logging_on_over_off": 0.79}) == [
        "fleet_logging_on_over_off"
    ]


def test_a_missing_figure_fails(targets):
    assert _failed(targets, {**GOOD, "cli_batch_over_conftest": None}) == [
        "cli_batch_over_conftest"
    ]
    assert _failed(targets, {**GOOD, "docs_in": 0, "decisions_out": 0}) == ["decisions_out"]
