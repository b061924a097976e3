"""The bench targets, in one place: bench/check enforces them, bench/run.py prints them.

Each target is a ratio or a count read from bench/results/latest.json; a figure that is
missing (a tool not installed, a run that failed) fails its target rather than passing
quietly. The one exception is a peer left out on purpose: `make bench` leaves conftest to
`make bench-peers` (building it from its Go module takes minutes on a fresh machine), and
records that in the results' `left_out`; its target then reads SKIP, named, never PASS.

Which in-process figure the CLI is held to: `eval_floor_mix_per_s`, `opa bench` of
`data.apl.batch` over the first 1,000 documents of the same workload, per document. That is
the query the CLI sends (data.apl.batch) over the documents it sends, so the ratio measures
only what the CLI and the HTTP/JSON round trip add. `eval_floor_per_s` (one typical `use`,
`data.apl.decision`) stays in the table beside it.
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
    peer: str | None = None  # the figure a peer tool gives (may be left out on purpose)


TARGETS: tuple[Target, ...] = (
    Target("cli_batch_over_eval_floor_mix", ">=", 0.9,
           "end-to-end batch at least 0.9 of OPA evaluating the same batch query over the same"
           " documents in process (one core each way)"),
    Target("client_per_doc_over_http_floor", ">=", 0.8,
           "the Python client, one decision per call, at least 0.8 of wrk at one connection"),
    Target("cli_cpu_us_per_doc", "<=", 250.0,
           "the CLI's own CPU (user + system) per document during the batch rounds, in us"),
    Target("instructions_over_baseline", "<=", 0.5,
           "OPA executes at most half the baseline policy's instructions per document of the mix"
           " (make bench-instructions; GC on at the shipped GOGC)"),
    Target("cli_batch_over_conftest", ">=", 1.0, "not slower than the Go-native peer",
           peer="conftest_per_s"),
    Target("peak_rss_cli_mb", "<", 150.0, "the CLI streams: flat memory over 100,000 documents"),
    Target("decisions_out", "==", "docs_in", "every document read gets exactly one decision"),
    Target("fleet_logging_on_over_off", ">=", 0.8,
           "decision logging to the audit store costs a fleet at most a fifth of its rate"),
)

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Verdict:
    target: Target
    value: float | int | None
    bound: float | int | None
    passed: bool
    left_out: str | None = None  # why a peer's figure was left out on purpose (then SKIP)

    @property
    def mark(self) -> str:
        if self.left_out is not None:
            return "SKIP"
        return "PASS" if self.passed else "FAIL"

    def line(self) -> str:
        mark = self.mark
        value = "missing" if self.value is None else _fmt(self.value)
        bound = "missing" if self.bound is None else _fmt(self.bound)
        bound_name = self.target.threshold if isinstance(self.target.threshold, str) else ""
        shown = f"{bound_name} ({bound})" if bound_name else bound
        why = self.target.why if self.left_out is None else f"left out: {self.left_out}"
        return f"{mark}  {self.target.key} = {value} {self.target.op} {shown}  ({why})"


def _fmt(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:.3g}"


def _number(results: dict[str, Any], key: str) -> float | int | None:
    value = results.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def evaluate(results: dict[str, Any]) -> list[Verdict]:
    """One verdict per target. Only a peer named in `left_out` is SKIP; anything else
    missing is FAIL."""
    left_out = results.get("left_out") or {}
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
        reason = left_out.get(target.peer) if target.peer else None
        if reason is not None and value is None:
            verdicts.append(Verdict(target, None, bound, False, str(reason)))
            continue
        verdicts.append(Verdict(target, value, bound, passed))
    return verdicts
