"""Instructions per undated decision before the regimes and now, counted under valgrind.

    bench/regime_instructions.py [--before REV] [--reps N]

The regimes' cost target (an undated decision costs at most 20% more than before the
regimes) measured by instruction count, which does not swing with the machine's load as
`bench/regime_cost.py`'s `opa bench` timings do: the bench's typical activity without its
date, evaluated REPS times by the Go harness (bin/instructions) on the bundle built from
`rego/` at REV and on the working tree's, one policy per process, with the shipped GOGC.
Exits 1 when the working tree costs more than 20% over REV.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from instructions import callgrind  # noqa: E402 - the bench's own callgrind runner
from regime_cost import BEFORE, LIMIT, export, opa  # noqa: E402 - the same revision and limit
from run import TYPICAL_ACTIVITY  # noqa: E402 - the bench's typical activity

HARNESS = ROOT / "bin" / "instructions"


def build(rev: str | None, out: Path, work: Path) -> None:
    src = export(rev, work / "src").parent if rev is not None else ROOT
    subprocess.run([opa(), "build", "--bundle", "rego", "--ignore", "*_test.rego", "-o", str(out)],
                   cwd=src, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    doc = {k: v for k, v in TYPICAL_ACTIVITY.items() if k != "date"}
    per_doc = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, rev in (("before", args.before), ("now", None)):
            bundle = work / f"{name}.tar.gz"
            build(rev, bundle, work)
            plan = {"policies": [{"name": name, "bundle": str(bundle)}], "warmup": 1,
                    "cases": [{"policy": name, "label": name, "query": "data.apl.decision",
                               "input": doc, "docs": 1, "reps": args.reps}]}
            plan_path = work / f"{name}.json"
            plan_path.write_text(json.dumps(plan))
            per_doc[name] = callgrind(str(HARNESS), plan_path, work)[name] / args.reps
    ratio = per_doc["now"] / per_doc["before"]
    print(f"undated typical decision, instructions: before ({args.before}) "
          f"{per_doc['before']:,.0f}, now {per_doc['now']:,.0f}, "
          f"now/before {ratio:.3f} (limit {LIMIT})")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
