"""`make report-bench`: how big, how slow and how hungry `apl-policy report` is on a large
input. Generates the bench's workload (bench/generate.py), runs the real CLI on it with
its private OPA, polls the CLI's VmHWM (peak RSS, from /proc, as bench/run.py does) until
it exits, and prints the page's size, the time and the peak RSS. Not part of `make test`:
no figure here is asserted.

    python bench/report.py --docs 100000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def vm_hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / f"report-{args.docs}.jsonl"
    if not source.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--docs",
                str(args.docs),
                "--out",
                str(source),
            ],
            check=True,
        )
    out = args.work / f"report-{args.docs}.html"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bridge",
            "report",
            "-q",
            "--no-progress",
            # A loaded machine can keep OPA busy past the default 10 s for one batch.
            "--timeout",
            "120",
            "-o",
            str(out),
            str(source),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    while True:
        # wait4 gives the CLI's own CPU time (its private OPA's is not in it); its
        # ru_maxrss is not used (see bench/run.py), VmHWM is.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, vm_hwm_kb(process.pid) or 0)
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    stderr = process.stderr.read().decode() if process.stderr else ""
    print(f"documents        {args.docs:,}")
    print(f"exit code        {process.returncode} (1: some not permitted; 2: some invalid)")
    print(f"time             {elapsed:.1f} s ({args.docs / elapsed:,.0f} documents/s)")
    print(f"CPU of the CLI   {cpu:.1f} s ({1e6 * cpu / args.docs:,.0f} µs a document)")
    print(f"load average     {os.getloadavg()[0]:.1f} at the end (2 cores)")
    print(f"peak RSS (CLI)   {peak / 1024:.1f} MB")
    print(f"page             {out} ({out.stat().st_size / 1e6:.2f} MB)")
    if process.returncode not in (0, 1, 2):
        print(stderr, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
