"""The bench's tables, from the results alone (one source of truth): bench/results/latest.md,
the block between the bench markers in docs/performance.md, and the short table in the
README.

    bench/table.py --publish   # after a `make bench`: copy latest.json to docs/performance.json
                               # and rewrite both blocks from it (make bench does this)
    bench/table.py --check     # the blocks are what docs/performance.json renders to (a test)

docs/performance.json is the committed copy of the `make bench` run the README and the docs
show; nothing in either block is typed by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _sibling(name: str) -> ModuleType:
    """bench/<name>.py, loaded from its file: plain `import fleet` would find whichever
    `fleet` came first on sys.path (the test suite has a tests/fleet package)."""
    key = f"apl_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {HERE / name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


fleet = _sibling("fleet")
_targets = _sibling("targets")
evaluate = _targets.evaluate
Verdict = _targets.Verdict

LATEST = HERE / "results" / "latest.json"
STARTED = HERE / "results" / ".make-bench-started"  # written by `make bench` as it starts
PUBLISHED = ROOT / "docs" / "performance.json"
DOC = ROOT / "docs" / "performance.md"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# The figures of the rates table, in order: (key, label).
RATES = (
    ("eval_floor_per_s", "OPA in process, one typical `use` (`data.apl.decision`)"),
    ("eval_floor_mix_per_s", "OPA in process, `data.apl.batch` over the mix, per document"),
    ("http_floor_per_s", "wrk, one kept-alive connection"),
    ("server_batch_per_s", "OPA's server answering the CLI's batches, no CLI"),
    ("client_per_doc_per_s", "bridge client, one document per call"),
    ("naive_client_per_s", "naive opa-python-client loop"),
    ("process_per_doc_per_s", "`opa eval` spawned per document"),
    ("conftest_per_s", "conftest over files (peer)"),
    ("conftest_unpinned_per_s", "conftest, every core (peer)"),
    ("cli_batch_per_s", "`apl-policy eval`, batch, end to end"),
    ("eval_floor_mix_2cores_per_s", "OPA in process, the mix, one `opa bench` per core"),
    ("cli_batch_2cores_per_s", "`apl-policy eval`, OPA and the CLI on every core"),
    ("cli_batch_full_per_s", "`apl-policy eval` over all 100,000 documents (memory run)"),
)

# What each target's ratio is made of (for its spread); None: a count or a single figure.
PARTS: dict[str, tuple[str, str] | None] = {
    "cli_batch_over_eval_floor_mix": ("cli_batch_per_s", "eval_floor_mix_per_s"),
    "client_per_doc_over_http_floor": ("client_per_doc_per_s", "http_floor_per_s"),
    "cli_batch_over_conftest": ("cli_batch_per_s", "conftest_per_s"),
}

LABELS = {
    "cli_batch_over_eval_floor_mix": "CLI batch / OPA in process (same query, same documents)",
    "client_per_doc_over_http_floor": "client, one document per call / wrk",
    "cli_cpu_us_per_doc": "CLI CPU per document (µs)",
    "instructions_over_baseline": "instructions per document / baseline policy",
    "cli_batch_over_conftest": "CLI batch / conftest",
    "peak_rss_cli_mb": "CLI peak RSS over 100,000 documents (MB)",
    "decisions_out": "decisions out = documents in",
    "fleet_logging_on_over_off": "fleet, decision logging on / off",
}


def _n(value: object, digits: int = 0) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:,.{digits}f}"


def _ratio(value: object) -> str:
    return _n(value, 2)


def _load(results: dict[str, Any]) -> str:
    load = results.get("load_avg") or {}

    def three(key: str) -> str:
        values = load.get(key) or []
        return " / ".join(f"{v:.2f}" for v in values) or "—"

    return (
        f"{three('start')} as bench/run.py started, {three('end')} as it ended (1 / 5 / 15 min)"
    )


def _spread(results: dict[str, Any], key: str) -> str:
    """min-max of a target's figure: the ratio round by round, or the runs of a figure."""
    rounds = (results.get("ratio_rounds") or {}).get(key)
    if rounds:
        return f"{min(rounds):.2f}-{max(rounds):.2f}"
    if key == "cli_cpu_us_per_doc":
        runs = [r for r in results.get("cli_cpu_us_per_doc_runs") or [] if r is not None]
        return f"{min(runs):,}-{max(runs):,}" if runs else "—"
    if key == "fleet_logging_on_over_off":
        runs = results.get("fleet_runs") or {}
        on, off = runs.get("two") or [], runs.get("two-nolog") or []
        pairs = [a / b for a, b in zip(on, off, strict=False) if b]
        return f"{min(pairs):.2f}-{max(pairs):.2f}" if pairs else "—"
    return ""


def _value(verdict: Verdict) -> str:
    value = verdict.value
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if verdict.target.key in ("cli_cpu_us_per_doc", "peak_rss_cli_mb"):
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:,.1f}"


def _bound(verdict: Verdict) -> str:
    threshold = verdict.target.threshold
    return f"{verdict.target.op} {threshold}" if isinstance(threshold, str) else (
        f"{verdict.target.op} {threshold:g}"
    )


def _figure(results: dict[str, Any], key: str) -> dict[str, Any] | None:
    figure = (results.get("figures") or {}).get(key)
    return figure if isinstance(figure, dict) else None


def _provenance(results: dict[str, Any]) -> str:
    git = results.get("git") or {}
    machine = results.get("machine") or {}
    commit = str(git.get("commit") or "unknown")[:12]
    commit += " (dirty tree)" if git.get("dirty") else ""
    took = results.get("make_bench_seconds")
    took_text = (
        f"`make bench` took {took / 60:.1f} min in all" if isinstance(took, int | float)
        else f"bench/run.py took {results.get('elapsed_s')} s"
    )
    counting = results.get("make_bench_counting_seconds")
    if isinstance(took, int | float) and isinstance(counting, int | float):
        took_text += (
            f", {counting / 60:.1f} of them counting instructions (the inputs had changed since"
            " the last count, which make bench otherwise reuses)"
        )
    return (
        f"At {commit}, {results.get('when', '?')}; {took_text}. {machine.get('cpus', '?')} CPUs; "
        f"load average {_load(results)}."
    )


def targets_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| target | median | spread (min-max) | bound | |",
        "|---|---:|---:|---|---|",
    ]
    for verdict in evaluate(results):
        key = verdict.target.key
        label = LABELS.get(key, key)
        spread = _spread(results, key)
        if verdict.left_out is not None:
            spread = verdict.left_out
        lines.append(
            f"| {label} (`{key}`) | {_value(verdict)} | {spread} | {_bound(verdict)} "
            f"| **{verdict.mark}** |"
        )
    return lines


def full(results: dict[str, Any]) -> str:
    """The whole table: bench/results/latest.md and the block in docs/performance.md."""
    lines = [_provenance(results), "", *targets_table(results), ""]
    lines += [
        "| decisions/s | median | min | max | runs | how |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, label in RATES:
        figure = _figure(results, key)
        if figure is None:
            reason = (results.get("skipped") or {}).get(key, "not measured")
            lines.append(f"| {label} (`{key}`) | — | — | — | 0 | {reason} |")
            continue
        lines.append(
            f"| {label} (`{key}`) | {_n(figure['median'])} | {_n(figure['min'])} "
            f"| {_n(figure['max'])} | {len(figure['runs'])} | {figure.get('how', '')} |"
        )
    lines += ["", *both_cores(results), "", *_notes(results)]
    instructions = _instructions(results)
    if instructions:
        lines += ["", instructions]
    return "\n".join(lines) + "\n" + fleet.markdown(results)


def both_cores(results: dict[str, Any]) -> list[str]:
    ratios = results.get("ratios") or {}

    def pair(one: str, two: str) -> str:
        a, b = results.get(one), results.get(two)
        both = b / a if isinstance(a, int | float) and isinstance(b, int | float) and a else None
        return f"{_n(a)} | {_n(b)} | {_ratio(both)}"

    fleet_note = (
        "wrk (2 threads, "
        f"{results.get('fleet_connections', '?')} connections) through HAProxy and nginx, "
        "logging on; replicas, proxies, the collector and wrk share the same 2 cores"
    )
    return [
        "| both cores | one core | both cores | both / one |",
        "|---|---:|---:|---:|",
        "| OPA in process, `data.apl.batch` over the mix (decisions/s) | "
        + pair("eval_floor_mix_per_s", "eval_floor_mix_2cores_per_s") + " |",
        "| `apl-policy eval`, batch (decisions/s) | "
        + pair("cli_batch_per_s", "cli_batch_2cores_per_s") + " |",
        f"| fleet: 1 replica → 2 replicas (decisions/s; {fleet_note}) | "
        + pair("fleet_lb_1_replica_per_s", "fleet_lb_2_replicas_per_s") + " |",
        "",
        "Both cores, CLI / OPA in process: "
        f"{_ratio(ratios.get('cli_batch_2cores/eval_floor_mix_2cores'))} (the CLI now takes "
        f"its CPU, {_n(results.get('cli_cpu_us_per_doc_2cores'))} µs a document, from the "
        "cores OPA evaluates on; OPA spent "
        f"{_n(results.get('opa_cpu_us_per_doc_under_cli_2cores'))} µs a document).",
    ]


def _notes(results: dict[str, Any]) -> list[str]:
    settings = results.get("cli_batch_settings") or {}
    ratios = results.get("ratios") or {}
    machine = results.get("machine") or {}
    return [
        f"Documents in {_n(results.get('docs_in'))}, decisions out "
        f"{_n(results.get('decisions_out'))}; CLI output out of order: "
        f"{results.get('cli_order_mismatches')}. The CLI's rounds read "
        f"{_n(results.get('cli_docs_per_round'))} documents each, in batches of "
        f"{settings.get('batch_size', '?')} with {settings.get('workers', '?')} in flight; CPU "
        f"per document during them: CLI {_n(results.get('cli_cpu_us_per_doc'))} µs, OPA "
        f"{_n(results.get('opa_cpu_us_per_doc_under_cli'))} µs. Of the CLI batch / OPA in "
        "process ratio, OPA's server answering the same batches without the CLI is "
        f"{_ratio(ratios.get('server_batch/eval_floor_mix'))} of OPA in process, and the "
        f"CLI {_ratio(ratios.get('cli_batch/server_batch'))} of that. Peak RSS: CLI "
        f"{_n(results.get('peak_rss_cli_mb'), 1)} MB streaming "
        f"{_n(results.get('workload_docs'))} documents, OPA "
        f"{_n(results.get('peak_rss_opa_mb'), 1)} MB. OPA on CPU {machine.get('opa_cpus')} "
        f"(GOMAXPROCS=1), clients on {machine.get('client_cpus')}"
        f"{'' if machine.get('pinned') else ' (not pinned)'}; every OPA with "
        f"GOGC={results.get('opa_gogc')}"
        f"{_go_memory_limit(results.get('opa_gomemlimit'))}; {machine.get('opa', '?')}.",
    ]


def _go_memory_limit(limit: str | None) -> str:
    """', GOMEMLIMIT=...' where the run had one (runs before it was shipped had none)."""
    return f", GOMEMLIMIT={limit}" if limit else ""


def _instructions(results: dict[str, Any]) -> str:
    if "instructions_per_doc" not in results:
        return ""
    runs = (results.get("instructions_settings") or {}).get("mix_runs")
    return (
        f"Instructions per document of the mix (valgrind, `make bench-instructions`, counted "
        f"{results.get('instructions_counted_at', '?')}): "
        f"{_n(results.get('instructions_per_doc'))} now, "
        f"{_n(results.get('instructions_baseline_per_doc'))} for the baseline policy "
        f"(the collector on: the median of {_n(runs)} runs of each; the collector off: "
        f"{_n(results.get('instructions_gc_off_per_doc'))} and "
        f"{_n(results.get('instructions_gc_off_baseline_per_doc'))}; the per-kind table is below)."
    )


def short(results: dict[str, Any]) -> str:
    """The README's table: the targets, with where each number comes from."""
    return "\n".join([*targets_table(results), "", _provenance(results)]) + "\n"


def _replace_block(text: str, block: str, where: Path) -> str:
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{where}: no {BEGIN} ... {END} block to fill")
    head, rest = text.split(BEGIN, 1)
    return head + BEGIN + "\n" + block + END + rest.split(END, 1)[1]


def render(results: dict[str, Any]) -> dict[Path, Callable[[str], str]]:
    return {
        DOC: lambda text: _replace_block(text, full(results), DOC),
        README: lambda text: _replace_block(text, short(results), README),
    }


def publish(latest: Path) -> None:
    results = json.loads(latest.read_text(encoding="utf-8"))
    if STARTED.exists() and latest.resolve() == LATEST.resolve():
        # Right after `make bench`'s run: how long the whole make took, builds and counts
        # included. The stamp is used once, so a later --publish cannot reuse it.
        started = float(STARTED.read_text(encoding="utf-8").strip())
        results["make_bench_seconds"] = round(time.time() - started, 1)
        results.pop("make_bench_counting_seconds", None)  # an earlier make's, if the results carry one
        counted_at = results.get("instructions_counted_at")
        if counted_at and dt.datetime.fromisoformat(counted_at).timestamp() >= started:
            # This make counted the instructions itself (no count on the same inputs).
            seconds = (results.get("instructions_settings") or {}).get("seconds")
            results["make_bench_counting_seconds"] = seconds
        latest.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (latest.parent / "latest.md").write_text(full(results), encoding="utf-8")
        STARTED.unlink()
    PUBLISHED.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for path, rewrite in render(results).items():
        path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")


def stale() -> list[str]:
    """The files whose block is not what docs/performance.json renders to."""
    results = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    return [
        str(path.relative_to(ROOT))
        for path, rewrite in render(results).items()
        if (text := path.read_text(encoding="utf-8")) != rewrite(text)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--publish", nargs="?", const=LATEST, type=Path, metavar="RESULTS",
                        help="copy RESULTS (default bench/results/latest.json) to "
                        "docs/performance.json and rewrite the README's and the docs' blocks")
    action.add_argument("--check", action="store_true",
                        help="fail when a block is not what docs/performance.json renders to")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for path in problems:
            print(f"{path}: the bench table is not docs/performance.json's; "
                  "run bench/table.py --publish (or make bench)", file=sys.stderr)
        return 1 if problems else 0
    publish(args.publish)
    print(f"published {args.publish} to {PUBLISHED.relative_to(ROOT)}, "
          f"{DOC.relative_to(ROOT)} and {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
