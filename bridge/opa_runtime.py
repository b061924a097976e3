"""How OPA is run, beside what it runs: the Go runtime settings every OPA the project
starts gets (`apl-policy serve`, the embedded OPA of the CLI and the tests, the fleet's
replicas, the helm chart's containers), and that bench/instructions.py counts
instructions with.

GOGC=800: a decision allocates a lot of short-lived garbage (the evaluation's bindings and
intermediate terms; when served, also the request's body decoded into Rego values and the
answer encoded). At Go's default GOGC=100 the collector runs so often that it was about
41% of OPA's instructions per document. With GOGC=800 the heap may grow to nine times the
live heap before a collection, instead of twice: the collector runs an eighth as often. The
live heap between requests is tens of MB (the policy, its data, the compiled queries), so
the heap peaks at about 300 MB under the CLI's load. Against GOGC=400 it cut OPA's
instructions a document, served more than in process: the server allocates more a
document than the evaluation does. docs/performance.md has the counts.

GOMEMLIMIT=384MiB: the cap on the heap the collector aims for, whatever GOGC allows. A
batch near the request-body cap (8 MiB, about 40,000 documents) holds a few hundred MB
live while it is decided; without a limit GOGC=800 would let such a request take OPA to
gigabytes. With the limit the collector works harder instead: that request takes about
twice as long, and OPA stays within the helm chart's 512 MiB memory limit. Below the limit
it changes nothing.

--optimize-store-for-read-speed: OPA keeps the bundle's data (the regimes, the munition
catalogue, the peninsula's grid) as the values its evaluator reads, instead of converting
each piece on every read; the data is written only when a bundle is loaded. It cut the
instructions of a decision with coordinates by about 8%, for a few MB more of heap.
"""

from __future__ import annotations

import os

OPA_GOGC = "800"
OPA_GOMEMLIMIT = "384MiB"

# The Go runtime's settings, by environment variable (the helm chart's replicas too:
# tests/fleet/test_deploy.py checks it).
OPA_GO_ENVIRONMENT = {"GOGC": OPA_GOGC, "GOMEMLIMIT": OPA_GOMEMLIMIT}

# Flags every `opa run --server` the project starts gets (the helm chart's replicas too:
# tests/fleet/test_deploy.py checks it).
OPA_RUN_FLAGS = ("--optimize-store-for-read-speed",)


def opa_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: ours) with the shipped GOGC and GOMEMLIMIT, each unless the
    operator set it."""
    env = dict(os.environ if base is None else base)
    for name, value in OPA_GO_ENVIRONMENT.items():
        env.setdefault(name, value)
    return env
