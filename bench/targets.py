"""The bench targets, in one place: bench/check enforces them, bench/run.py prints them.

Each target is a ratio or a count read from bench/results/latest.json; a figure that is
missing (a peer skipped, a run that failed) fails its target rather than passing quietly.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    key: str
    op: str
    threshold: float | str
    why: str


TARGETS: tuple[Target, ...] = (
    Target("cli_batch_over_eval_floor", ">=", 0.5,
           "end-to-end batch at least half of OPA's in-process speed"),
    Target("cli_batch_over_conftest", ">=", 1.0, "not slower than the Go-native peer"),
    Target("client_per_doc_over_http_floor", ">=", 0.5,
           "the Python client, one decision per call, at least half of wrk at one connection"),
    Target("peak_rss_cli_mb", "<", 150.0, "the CLI streams: flat memory over 100,000 documents"),
    Target("decisions_out", "==", "docs_in", "every document read gets exactly one decision"),
    Target("fleet_logging_on_over_off", ">=", 0.8,
           "decision logging to the audit store costs a fleet at most a fifth of its rate"),
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Verdict:
    target: Target
    value: float | int | None
    bound: float | int | None
    passed: bool

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        value = "missing" if self.value is None else _fmt(self.value)
        bound = "missing" if self.bound is None else _fmt(self.bound)
        bound_name = self.target.threshold if isinstance(self.target.threshold, str) else ""
        shown = f"{bound_name} ({bound})" if bound_name else bound
        return f"{mark}  {self.target.key} = {value} {self.target.op} {shown}  ({self.target.why})"


def _fmt(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:.3g}"


def _number(results: dict[str, Any], key: str) -> float | int | None:
    value = results.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def evaluate(results: dict[str, Any]) -> list[Verdict]:
    verdicts = []
    for target in TARGETS:
        value = _number(results, target.key)
        bound = (
            _number(results, target.threshold)
            if isinstance(target.threshold, str)
            else target.threshold
        )
        passed = value is not None and bound is not None and _OPS[target.op](value, bound)
        if target.key == "decisions_out" and not value:
            passed = False  # nothing measured is not a pass
        verdicts.append(Verdict(target, value, bound, passed))
    return verdicts
