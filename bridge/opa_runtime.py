"""How OPA is run, beside what it runs: the Go runtime settings every OPA the project
starts gets (`apl-policy serve`, the embedded OPA of the CLI and the tests, the fleet's
replicas), and that bench/instructions.py counts instructions with.

GOGC=400: a decision allocates a lot of short-lived garbage (the evaluation's bindings and
intermediate terms); at Go's default GOGC=100 the collector runs so often that it was
about 41% of OPA's instructions per document. With GOGC=400 the heap may grow to five
times the live heap before a collection, instead of twice: the collector runs a quarter
as often, for a live heap of a few MB (the policy, its data and the compiled queries), so
the peak heap stays in the tens of MB. docs/performance.md has the counts.

--optimize-store-for-read-speed: OPA keeps the bundle's data (the regimes, the munition
catalogue, the peninsula's grid) as the values its evaluator reads, instead of converting
each piece on every read; the data is written only when a bundle is loaded. It cut the
instructions of a decision with coordinates by about 8%, for a few MB more of heap.
"""

from __future__ import annotations

import os

OPA_GOGC = "400"

# Flags every `opa run --server` the project starts gets (the helm chart's replicas too:
# tests/deploy checks it).
OPA_RUN_FLAGS = ("--optimize-store-for-read-speed",)


def opa_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: ours) with the shipped GOGC, unless the operator set one."""
    env = dict(os.environ if base is None else base)
    env.setdefault("GOGC", OPA_GOGC)
    return env
