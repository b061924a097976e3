"""The CLI's CPU per document, alone: `make bench-cli` (a focused part of `make bench`).

Starts one OPA (as `make bench` does), writes N generated activities as JSONL, runs
`apl-policy eval --format jsonl --opa-url URL` over them a few times, and prints the CLI's
user+system CPU per document (median, min, max) from the child's rusage, the same
figure as `make bench`'s `cli_cpu_us_per_doc`. No target is checked: the figure is for
comparing two states of the code on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402 - the bench's own workload generator, beside this file

from bridge.server import LocalOpa  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cli = str(Path(sys.executable).with_name("apl-policy"))
    with tempfile.TemporaryDirectory() as tmp, LocalOpa() as opa:
        jsonl = generate.write_jsonl(Path(tmp) / "work.jsonl", args.docs)
        env = {k: v for k, v in os.environ.items() if not k.startswith("APL_OPA_")}
        # A generous --timeout: the figure is the CLI's CPU, not whether OPA keeps up.
        argv = [cli, "eval", "--format", "jsonl", "--timeout", "600", "--opa-url", opa.url]
        argv += ["--token", opa.token or "", str(jsonl)]
        figures = []
        for _ in range(args.runs):
            before = os.times()
            with Path(tmp, "out.jsonl").open("wb") as out:
                code = subprocess.call(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
            after = os.times()
            if code not in (0, 1, 2):
                print(f"apl-policy eval exited {code}", file=sys.stderr)
                return 1
            lines = Path(tmp, "out.jsonl").read_bytes().count(b"\n")
            if lines != args.docs:
                print(f"{lines} decisions for {args.docs} documents", file=sys.stderr)
                return 1
            cpu = (
                after.children_user
                - before.children_user
                + after.children_system
                - before.children_system
            )
            figures.append(cpu / args.docs * 1e6)
    print(
        json.dumps(
            {
                "docs": args.docs,
                "cli_cpu_us_per_doc": round(statistics.median(figures)),
                "min": round(min(figures)),
                "max": round(max(figures)),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
