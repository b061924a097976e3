"""Fleet figures for the bench: decisions/s through the load balancer of a local fleet
(`apl-policy fleet up`: nginx, OPA replicas, HAProxy, the audit collector) with 1 and 2
replicas, and what decision logging costs (2 replicas with logging on, over the same
without a collector).

Three fleets run side by side for the whole measurement, so every figure sees the same
machine: `one` (1 replica, logging on), `two` (2 replicas, logging on) and `two-nolog`
(2 replicas, `--no-audit`). Each round measures each fleet once with wrk (single
decisions, `connections` kept-alive connections, the bench's request bodies), the order
reversed every other round; the figure is the median. Every 200 is a decision; with
logging on, every decision must also reach the audit store (counted at the end), or the
fleet lost one (the store may hold a few more: wrk ends a run with requests in flight
that OPA decided and logged but wrk does not count).

The fleets are not pinned to cores: replicas, HAProxy, nginx and the collector share the
machine with wrk, which is what a fleet on one host is.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

from bridge.fleet import Fleet, Polling  # noqa: E402 - bench/ scripts import the bridge

FLEETS = {"one": (1, True), "two": (2, True), "two-nolog": (2, False)}

FIGURES = {
    "fleet_lb_1_replica_per_s": "one",
    "fleet_lb_2_replicas_per_s": "two",
    "fleet_lb_2_replicas_no_logging_per_s": "two-nolog",
}


class FleetBenchError(Exception):
    pass


def _wrk(wrk: str, fleet: Fleet, bodies: Path, seconds: int, connections: int) -> dict[str, Any]:
    argv = [
        wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(HERE / "wrk" / "decision.lua"), fleet.url, "--", str(bodies),
    ]
    env = {**os.environ, "APL_BENCH_TOKEN": fleet.token}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 60,
                          check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("APL-BENCH ")]
    if done.returncode != 0 or not lines:
        raise FleetBenchError(f"wrk on the fleet failed ({done.returncode}): "
                              f"{done.stderr.strip() or done.stdout}")
    stats: dict[str, Any] = json.loads(lines[-1].removeprefix("APL-BENCH "))
    return stats


def _logged(fleet: Fleet) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "bridge", "audit", "query", "--dir", str(fleet.directory),
         "--count", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    if done.returncode != 0:
        raise FleetBenchError(f"audit query failed: {done.stderr.strip()}")
    counted = json.loads(done.stdout)
    if isinstance(counted, dict) and isinstance(counted.get("count"), int):
        return int(counted["count"])
    if isinstance(counted, list) and counted and isinstance(counted[0].get("count"), int):
        return int(counted[0]["count"])
    raise FleetBenchError(f"unexpected audit count: {done.stdout[:200]}")


def measure(  # noqa: PLR0913 - the bench's settings, passed on
    *, wrk: str, bodies: Path, work: Path, seconds: float, reps: int, connections: int = 4,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Start the three fleets, measure, stop them; the figures and counts as a dict."""
    duration = max(1, round(seconds))
    fleets: dict[str, Fleet] = {}
    answered = dict.fromkeys(FLEETS, 0)
    runs: dict[str, list[float]] = {name: [] for name in FLEETS}
    failures = 0
    try:
        for name, (replicas, audit) in FLEETS.items():
            directory = work / f"fleet-{name}"
            if (directory / "fleet.json").exists():
                Fleet.load(directory).down()
            # A fresh folder: the last run's audit.db would count its decisions as this run's.
            shutil.rmtree(directory, ignore_errors=True)
            fleet = Fleet(directory=directory, polling=Polling(1, 2), audit_enabled=audit)
            fleet.up(replicas)
            fleets[name] = fleet
            log(f"fleet {name}: {replicas} replica(s) behind {fleet.url}, "
                f"logging {'on' if audit else 'off'}")
        for name, fleet in fleets.items():  # warm-up, counted in what must be logged
            stats = _wrk(wrk, fleet, bodies, 1, connections)
            answered[name] += stats["requests"] - stats["status"]
        for round_index in range(reps):
            order = list(fleets) if round_index % 2 == 0 else list(reversed(fleets))
            for name in order:
                stats = _wrk(wrk, fleets[name], bodies, duration, connections)
                secs = stats["duration_us"] / 1e6
                ok = stats["requests"] - stats["status"]
                failures += stats["status"] + stats["connect"] + stats["read"] + \
                    stats["write"] + stats["timeout"]
                answered[name] += ok
                runs[name].append(ok / secs)
                log(f"round {round_index + 1}/{reps} fleet {name}: {ok / secs:,.0f}/s")
        # Every decision of a logging fleet must reach the store (uploads every 1-2 s).
        logged: dict[str, int] = {}
        for name, fleet in fleets.items():
            if not fleet.audit_enabled:
                continue
            deadline = time.monotonic() + 120
            while (count := _logged(fleet)) < answered[name] and time.monotonic() < deadline:
                time.sleep(1)
            logged[name] = count
    finally:
        for fleet in fleets.values():
            fleet.down()
    medians = {name: statistics.median(r) if r else None for name, r in runs.items()}
    on, off = medians["two"], medians["two-nolog"]
    one = medians["one"]
    result: dict[str, Any] = {
        **{figure: medians[name] for figure, name in FIGURES.items()},
        "fleet_logging_on_over_off": on / off if on and off else None,
        "fleet_2_over_1_replicas": on / one if on and one else None,
        "fleet_runs": {name: [round(r, 1) for r in rates] for name, rates in runs.items()},
        "fleet_answered": answered,
        "fleet_logged": logged,
        # wrk stops with requests in flight: OPA decided (and logged) them, wrk did not
        # count them, so the store may hold up to one more per connection and run.
        "fleet_logged_all": all(
            answered[n] <= logged[n] <= answered[n] + connections * (reps + 1) for n in logged
        ),
        "fleet_failed_requests": failures,
        "fleet_connections": connections,
        "fleet_seconds": duration,
    }
    return result


def markdown(results: dict[str, Any]) -> str:
    if "fleet_lb_1_replica_per_s" not in results:
        reason = (results.get("skipped") or {}).get("fleet", "not measured")
        return f"\nFleet: {reason}.\n"

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    def times(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [
        "",
        "| fleet figure (wrk through HAProxy, "
        f"{results['fleet_connections']} connections) | decisions/s (median) | runs |",
        "|---|---:|---|",
    ]
    for figure, name in FIGURES.items():
        runs = results["fleet_runs"][name]
        lines.append(f"| `{figure}` | {rate(results[figure])} | {runs} |")
    lines += [
        "",
        f"Logging on / off (2 replicas): {times(results['fleet_logging_on_over_off'])} "
        "(goal >= 0.8); 2 replicas / 1: "
        f"{times(results['fleet_2_over_1_replicas'])}. Decisions answered "
        f"{results['fleet_answered']}, in the audit store {results['fleet_logged']} "
        f"(all logged: {results['fleet_logged_all']}); failed requests "
        f"{results['fleet_failed_requests']}.",
        "",
    ]
    return "\n".join(lines)
