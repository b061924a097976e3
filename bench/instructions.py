"""Count the instructions OPA executes per decision: the baseline policy and the working tree
side by side, in one run, beside two floors. Wall-clock rates on the shared 2-core machines
swing by 2x from run to run; instruction counts under valgrind do not.

    python bench/instructions.py [--reps 40] [--mix 200]

Every case is evaluated with OPA's own `rego` package at the pinned version, by the Go
harness in bench/instructions/ (bin/instructions), under `valgrind --tool=callgrind`: the
harness ends each phase with a CALLGRIND_DUMP_STATS client request, so callgrind's counts
are split per case, all threads (the garbage collector's included) summed. A collection
forced between cases is billed to neither; the collections a case triggers itself are
billed to it, with the GOGC, GOMEMLIMIT and store setting OPA is shipped with
(bridge.opa_runtime).

Writes bench/results/instructions.json and merges its figures into
bench/results/latest.json (instructions_per_doc, instructions_baseline_per_doc,
trivial_instructions, result_object_instructions, instructions_by_kind), and rewrites the
table between the markers in docs/performance.md.

    python bench/instructions.py --reuse

counts nothing: it carries the last count into latest.json when that count was taken on
the same inputs (`instructions_inputs_sha256`: the policy, the baseline, the harness, this
script, the generator and OPA's run settings), from bench/results/instructions.json or else
from the published docs/performance.json, and exits 1 when there is none to reuse (`make
bench` then counts). The count is of instructions, not seconds: a count taken on the same
inputs on another machine of the same kind is the same count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.opa_runtime import OPA_GO_ENVIRONMENT, OPA_GOGC, OPA_GOMEMLIMIT, OPA_RUN_FLAGS  # noqa: E402

BASELINE = ROOT / "bench" / "baseline" / "bundle.tar.gz"
HARNESS_SOURCE = ROOT / "bench" / "instructions"
FLOORS = HARNESS_SOURCE / "floors"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
PUBLISHED = ROOT / "docs" / "performance.json"
WARMUP = 1  # evaluations of each case before counting (compiles its lazily built parts)
BEGIN, END = "<!-- instructions:begin -->", "<!-- instructions:end -->"

# One document per input kind: what the issue names, written as a service would send them.
KINDS: dict[str, dict[str, Any]] = {
    "use": {"id": "k-use", "action": "use", "actor": "US", "date": "2024-03-01",
            "munition": {"model": "M14", "quantity": 100}, "location": {"country": "DE"}},
    "use with coordinates": {"id": "k-coords", "action": "use", "actor": "US", "date": "2024-03-01",
                             "munition": {"model": "M16"},
                             "location": {"coordinates": {"lat": 37.5665, "lon": 126.978}}},
    "contested location": {"id": "k-contested", "action": "use", "actor": "US", "date": "2024-03-01",
                           "munition": {"model": "M14"},
                           "location": {"country": "JP", "coordinates": {"lat": 37.9560, "lon": 126.6770}}},
    "transfer": {"id": "k-transfer", "action": "transfer", "actor": "US", "date": "2024-03-01",
                 "munition": {"model": "M16", "quantity": 40}, "recipient": "UA",
                 "purpose": "military_operations"},
    "assist": {"id": "k-assist", "action": "assist", "actor": "US", "date": "2024-03-01", "mode": "assist",
               "assisted_activity": {"action": "use", "actor": "UA", "munition": {"model": "PMN-2"},
                                     "location": {"country": "UA"}}},
    "stockpile": {"id": "k-stockpile", "action": "stockpile", "actor": "US", "date": "2024-03-01",
                  "munition": {"model": "M14", "quantity": 5000}, "purpose": "defense_of_rok",
                  "location": {"country": "US"}},
    "invalid": {"id": "k-invalid", "action": "usee", "date": "2024-13-01",
                "munition": {"model": "", "quantity": 0}, "location": {"country": "de"}},
}


def _run(argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kw)


def build_tree_bundle(opa: str, out: Path) -> None:
    _run([opa, "build", "--bundle", str(ROOT / "rego"), "--ignore", "*_test.rego",
          "--revision", "working-tree", "--output", str(out)])


def count_inputs(root: Path = ROOT) -> list[Path]:
    """What a count depends on: the policy (its tests aside), the baseline bundle, the harness
    (whose go.mod pins OPA's version), this script, the generator of the mix, and OPA's run
    settings."""
    policy = [p for p in (root / "rego").rglob("*") if p.is_file() and not p.name.endswith("_test.rego")]
    harness = [p for p in (root / "bench" / "instructions").rglob("*") if p.is_file()]
    fixed = [root / "bench" / "baseline" / "bundle.tar.gz", root / "bench" / "instructions.py",
             root / "bench" / "generate.py", root / "bridge" / "opa_runtime.py"]
    return sorted(policy + harness + fixed)


def inputs_digest(paths: list[Path], root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def reusable(digest: str, sources: tuple[Path, ...]) -> tuple[Path, dict[str, Any]] | None:
    """The first count among sources taken on inputs with this digest, and where it is."""
    for source in sources:
        if not source.exists():
            continue
        results = json.loads(source.read_text(encoding="utf-8"))
        if results.get("instructions_inputs_sha256") == digest and "instructions_per_doc" in results:
            return source, {k: v for k, v in results.items() if k in COUNT_KEYS}
    return None


# The figures a count writes (measure() and main()), and nothing else of a results file.
COUNT_KEYS = frozenset({
    "instructions_per_doc", "instructions_baseline_per_doc", "instructions_over_baseline",
    "instructions_mix_runs", "instructions_gc_off_per_doc", "instructions_gc_off_baseline_per_doc",
    "instructions_gc_off_over_baseline", "trivial_instructions", "result_object_instructions",
    "instructions_by_kind", "instructions_settings", "instructions_counted_at",
    "instructions_inputs_sha256",
})


def mix_documents(count: int, seed: int | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "mix.jsonl"
        argv = [sys.executable, str(ROOT / "bench" / "generate.py"), "--docs", str(count), "--out", str(out)]
        if seed is not None:
            argv += ["--seed", str(seed)]
        _run(argv)
        return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def plans(new: Path, floors: Path, reps: int, mix: list[dict[str, Any]], mix_reps: int,
          runs: int) -> list[dict[str, Any]]:
    """One process per policy and run, so that each holds one compiled policy as a served OPA
    does (the collector's work per cycle grows with the live heap). The mix with the
    collector on is counted in every run: how many collections fall in it, and the
    background work the runtime paces by the clock, vary a little from run to run. The
    first run also counts each input kind and the mix with the collector off (the
    evaluation's own instructions, the same in every run)."""
    out = []
    for k in range(runs):
        for policy, bundle in (("baseline", BASELINE), ("new", new)):
            # The mix with the collector on comes first in every run, so that every run
            # reaches it the same way (what ran before moves the collector's next cycle).
            cases: list[dict[str, Any]] = [
                {"policy": policy, "label": f"{policy}/mix#{k}", "query": "data.apl.batch",
                 "input": {"activities": mix}, "docs": len(mix), "reps": mix_reps}]
            if k == 0:
                cases += [
                    {"policy": policy, "label": f"{policy}/{kind}", "query": "data.apl.decision",
                     "input": doc, "docs": 1, "reps": reps}
                    for kind, doc in KINDS.items()
                ]
                cases.append({"policy": policy, "label": f"{policy}/mix-gc-off", "query": "data.apl.batch",
                              "input": {"activities": mix}, "docs": len(mix), "reps": 1, "gc_off": True})
            out.append({"policies": [{"name": policy, "bundle": str(bundle)}], "cases": cases,
                        "warmup": WARMUP})
    out.append({
        "policies": [{"name": "floors", "bundle": str(floors)}],
        "cases": [
            {"policy": "floors", "label": "floor/trivial", "query": "data.floor.allow",
             "input": KINDS["use"], "docs": 1, "reps": reps},
            {"policy": "floors", "label": "floor/result", "query": "data.floor.decision",
             "input": KINDS["use"], "docs": 1, "reps": reps},
        ],
        "warmup": WARMUP,
    })
    return out


def callgrind(harness: str, plan_path: Path, work: Path) -> dict[str, int]:
    """Run the harness under callgrind: instructions per case."""
    for old in work.glob("callgrind.out*"):
        old.unlink()
    out = work / "callgrind.out"
    # asyncpreemptoff: Go's preemption signals crash callgrind; it changes no work done.
    env = dict(os.environ, **OPA_GO_ENVIRONMENT, GOMAXPROCS="1", GODEBUG="asyncpreemptoff=1",
               # the harness keeps data as AST values, as the shipped flag has OPA do
               APL_STORE_READ_AST="1" if "--optimize-store-for-read-speed" in OPA_RUN_FLAGS else "0")
    proc = _run(["valgrind", "--tool=callgrind", "--dump-instr=no",
                 f"--callgrind-out-file={out}", harness, "count", str(plan_path)], env=env)
    marks = [line[5:] for line in proc.stdout.splitlines() if line.startswith("mark ")]
    dumps = sorted(work.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
    if len(dumps) < len(marks):
        raise SystemExit(f"{len(marks)} phases but {len(dumps)} callgrind dumps")
    counts = {}
    # Dump i holds the work done before the i-th mark, whose label the harness printed i-th.
    for label, dump in zip(marks, dumps, strict=False):
        match = re.search(r"^summary: (\d+)", dump.read_text(errors="replace"), re.M)
        if not match:
            raise SystemExit(f"no summary in {dump}")
        if label.startswith("case "):
            counts[label[5:]] = int(match.group(1))
    return counts


def measure(reps: int, mix_docs: int, mix_reps: int, seed: int | None, runs: int) -> dict[str, Any]:
    opa = os.environ.get("APL_OPA_BIN", str(ROOT / "bin" / "opa"))
    harness = str(ROOT / "bin" / "instructions")
    mix = mix_documents(mix_docs, seed)
    per_case: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        new = work / "new.tar.gz"
        build_tree_bundle(opa, new)
        floors = work / "floors.tar.gz"
        _run([opa, "build", "--bundle", str(FLOORS), "--output", str(floors)])
        specs = plans(new, floors, reps, mix, mix_reps, runs)

        def run(i: int) -> dict[str, int]:
            own = work / f"run-{i}"
            own.mkdir()
            plan_path = own / "plan.json"
            plan_path.write_text(json.dumps(specs[i]))
            return callgrind(harness, plan_path, own)

        # One process per policy, two at a time: counts do not depend on what else runs.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for spec, counts in zip(specs, pool.map(run, range(len(specs))), strict=True):
                for case in spec["cases"]:
                    per_case[case["label"]] = counts[case["label"]] / (case["reps"] * case["docs"])
    kinds = {kind: {"baseline": round(per_case[f"baseline/{kind}"]), "new": round(per_case[f"new/{kind}"])}
             for kind in KINDS}
    mix_runs = {policy: [round(per_case[f"{policy}/mix#{k}"]) for k in range(runs)]
                for policy in ("baseline", "new")}
    now, base = statistics.median(mix_runs["new"]), statistics.median(mix_runs["baseline"])
    gc_off = {policy: round(per_case[f"{policy}/mix-gc-off"]) for policy in ("baseline", "new")}
    return {
        "instructions_per_doc": round(now),
        "instructions_baseline_per_doc": round(base),
        "instructions_over_baseline": round(now / base, 3),
        "instructions_mix_runs": mix_runs,
        "instructions_gc_off_per_doc": gc_off["new"],
        "instructions_gc_off_baseline_per_doc": gc_off["baseline"],
        "instructions_gc_off_over_baseline": round(gc_off["new"] / gc_off["baseline"], 3),
        "trivial_instructions": round(per_case["floor/trivial"]),
        "result_object_instructions": round(per_case["floor/result"]),
        "instructions_by_kind": kinds,
        "instructions_settings": {
            "gogc": OPA_GOGC, "gomemlimit": OPA_GOMEMLIMIT, "gomaxprocs": 1, "reps": reps,
            "mix_docs": mix_docs, "mix_reps": mix_reps, "mix_runs": runs, "mix_seed": seed,
            "store_read_ast": "--optimize-store-for-read-speed" in OPA_RUN_FLAGS,
            "tool": "valgrind --tool=callgrind", "baseline": str(BASELINE.relative_to(ROOT)),
        },
    }


def table(r: dict[str, Any]) -> str:
    st = r["instructions_settings"]
    runs = r["instructions_mix_runs"]
    store = ", data kept as AST values (--optimize-store-for-read-speed)" if st["store_read_ast"] else ""
    limit = f", GOMEMLIMIT={st['gomemlimit']}" if st.get("gomemlimit") else ""
    growth = 1 + int(st["gogc"]) // 100  # the heap's goal: the live heap times 1 + GOGC/100
    lines = [
        f"Instructions per evaluation counted by valgrind (callgrind), baseline (`{st['baseline']}`)",
        "and working tree in the same run, one policy per process,",
        f"GOGC={st['gogc']}{limit} (the shipped setting){store}, GOMAXPROCS=1.",
        f"Per input kind: {st['reps']} evaluations of one document after a forced collection",
        f"(at GOGC={st['gogc']} the heap may grow to {growth}x the live heap before the next, so",
        "these are mostly the evaluation alone). The mix: `data.apl.batch` over the first",
        f"{st['mix_docs']:,} documents of bench/generate.py, x {st['mix_reps']} a run, the collections it",
        f"triggers billed to it: the median of {st['mix_runs']} runs of each policy (each its own",
        "process), and once with the collector off.",
        "",
        "| input | baseline | now | now / baseline |",
        "|---|---:|---:|---:|",
    ]
    for kind, v in r["instructions_by_kind"].items():
        lines.append(f"| `data.apl.decision`, {kind} | {v['baseline']:,} | {v['new']:,} | "
                     f"{v['new'] / v['baseline']:.2f} |")
    lines.append(f"| `data.apl.batch`, per document of the mix, collector off | "
                 f"{r['instructions_gc_off_baseline_per_doc']:,} | {r['instructions_gc_off_per_doc']:,} | "
                 f"{r['instructions_gc_off_over_baseline']:.2f} |")
    lines.append(f"| **`data.apl.batch`, per document of the mix, collector on (median)** | "
                 f"{r['instructions_baseline_per_doc']:,} | {r['instructions_per_doc']:,} | "
                 f"**{r['instructions_over_baseline']:.2f}** |")
    spread = " / ".join(f"{policy}: " + ", ".join(f"{v:,}" for v in values)
                        for policy, values in runs.items())
    lines.append(f"| floor: `allow if input.action == \"use\"` | | {r['trivial_instructions']:,} | |")
    lines.append(f"| floor: a policy that only builds a result of the same shape | | {r['result_object_instructions']:,} | |")
    lines += ["", f"The mix, collector on, each run: {spread}."]
    return "\n".join(lines)


def _save(r: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "instructions.json").write_text(json.dumps(r, indent=2) + "\n")
    latest = RESULTS / "latest.json"
    merged = json.loads(latest.read_text()) if latest.exists() else {}
    merged.update(r)
    latest.write_text(json.dumps(merged, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=10, help="evaluations of each single document")
    parser.add_argument("--mix", type=int, default=1000,
                        help="documents in the bench mix's batch (enough for the collector to run several times)")
    parser.add_argument("--mix-reps", type=int, default=1, help="evaluations of the whole batch a run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each policy for the mix (median)")
    parser.add_argument("--seed", type=int, default=None, help="bench/generate.py seed (its default if unset)")
    parser.add_argument("--reuse", action="store_true",
                        help="count nothing: carry the last count on the same inputs into latest.json, or exit 1")
    args = parser.parse_args(argv)
    digest = inputs_digest(count_inputs())
    if args.reuse:
        found = reusable(digest, (RESULTS / "instructions.json", PUBLISHED))
        if found is None:
            print("no count on these inputs to reuse: counting", file=sys.stderr)
            return 1
        source, r = found
        _save(r)
        print(f"reused the count of {r.get('instructions_counted_at', 'an unknown time')} from "
              f"{source.relative_to(ROOT)}: the policy, the baseline and the harness are unchanged since")
        return 0
    started = time.time()
    r = measure(args.reps, args.mix, args.mix_reps, args.seed, args.runs)
    r["instructions_settings"]["seconds"] = round(time.time() - started, 1)
    r["instructions_counted_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    r["instructions_inputs_sha256"] = digest
    _save(r)
    text = DOC.read_text() if DOC.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + BEGIN + "\n" + table(r) + "\n" + END + rest.split(END, 1)[1]
        DOC.write_text(text)
    print(table(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
