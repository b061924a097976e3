"""The cost of one decision before and after a change to the policy, by `opa bench`.

    bench/regime_cost.py [--before REV] [--runs N]

Measures `data.apl.decision` on the bench's typical activity, undated and dated, with the
bundle at git revision REV (default: the last commit before the regimes were added) and
with the working tree's rego/, alternating the two so that the machine's load drifts over
both alike, GOMAXPROCS=1. Prints the median ns/op of each and their ratio, and the
fastest run of each (on a shared machine the least disturbed run is the closest to the
policy's own cost); exits 1 when the undated decision's median costs more than 20% over
REV's. Never run by `make test`: timings belong to `make bench-regimes`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import TYPICAL_ACTIVITY  # noqa: E402 - the bench's own typical activity

# The commit before the regimes: every decision was then under the 2022 policy alone.
BEFORE = "7577f6b"
LIMIT = 1.20


def opa() -> str:
    return os.environ.get("APL_OPA_BIN") or str(ROOT / "bin" / "opa")


def export(rev: str, into: Path) -> Path:
    command = ["git", "archive", rev, "rego"]
    archive = subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "rego"


def bench(bundle: Path, activity: Path) -> float:
    done = subprocess.run(
        [
            opa(),
            "bench",
            "--bundle",
            str(bundle),
            "--input",
            str(activity),
            "--format",
            "json",
            "--metrics=false",
            "--benchmem=false",
            "data.apl.decision",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "GOMAXPROCS": "1"},
        check=True,
    )
    result = json.loads(done.stdout)
    return int(result["T"]) / int(result["N"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=7, help="runs of each, alternated")
    args = parser.parse_args()
    undated = {k: v for k, v in TYPICAL_ACTIVITY.items() if k != "date"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bundles = {"before": export(args.before, work / "before"), "after": ROOT / "rego"}
        inputs = {"undated": work / "undated.json", "dated": work / "dated.json"}
        inputs["undated"].write_text(json.dumps(undated))
        inputs["dated"].write_text(json.dumps(TYPICAL_ACTIVITY))
        runs: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for case, path in inputs.items():
                for side, bundle in bundles.items():
                    runs.setdefault((case, side), []).append(bench(bundle, path))
    print(f"opa bench data.apl.decision, GOMAXPROCS=1, {args.runs} runs each, alternated")
    print(f"before = {args.before}, after = working tree")
    verdict = 0
    for case in inputs:
        before = statistics.median(runs[(case, "before")])
        after = statistics.median(runs[(case, "after")])
        ratio = after / before
        fastest = min(runs[(case, "after")]) / min(runs[(case, "before")])
        print(
            f"  {case:8} median ns/op: before {before:9.0f}  after {after:9.0f}  "
            f"after/before {ratio:.3f}; fastest runs after/before {fastest:.3f}  (runs: before "
            f"{', '.join(f'{x:.0f}' for x in runs[(case, 'before')])}; after "
            f"{', '.join(f'{x:.0f}' for x in runs[(case, 'after')])})"
        )
        if case == "undated" and ratio > LIMIT:
            verdict = 1
    note = "more than" if verdict else "within"
    print(f"undated decision: {note} {LIMIT - 1:.0%} over {args.before}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
