"""Reports made by the real `apl-policy report` process against the session's real OPA, and
`apl-policy eval` on the same input for the counts they must show."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bridge.server import LocalOpa, project_root

SCRIPT = Path(sys.executable).parent / "apl-policy"
HOSTILE_ID = "<script>alert(1)</script>"

# Activities that attack the page or test the map: a script as an id, markup in other
# strings, and coordinates on and off the peninsula. Each has coordinates of its own, so
# that every located activity here has a marker of its own.
HOSTILE = [
    {"id": HOSTILE_ID, "action": "use", "munition": {"model": "M14"},
     "location": {"country": "JP", "coordinates": {"lat": 35.68, "lon": 139.69}}},
    {"id": "seoul", "action": "use", "munition": {"model": "M14"},
     "location": {"country": "KR", "coordinates": {"lat": 37.57, "lon": 126.98}}},
    {"id": "\"><img src=x onerror=alert(2)>", "action": "use",
     "munition": {"model": "<svg onload=alert(3)>"}, "location": {"region": "DMZ"}},
    {"id": "</title><script>alert(4)</script>", "action": "transfer",
     "recipient": "UA", "munition": {"model": "M14"}, "purpose": "destruction"},
    {"id": "bad-field", "action": "use", "munition": {"model": "M14"},
     "<script>alert(5)</script>": True},
    {"id": "assist-pyongyang", "action": "assist", "actor": "US",
     "assisted_activity": {"action": "use", "actor": "KR", "munition": {"model": "M14"},
                           "location": {"coordinates": {"lat": 39.02, "lon": 125.75}}}},
    {"id": "baltic", "action": "use", "munition": {"model": "M14"},
     "location": {"coordinates": {"lat": 55.0, "lon": 18.0}}},
    {"id": "tsushima", "action": "use", "munition": {"model": "M14"},
     "location": {"coordinates": {"lat": 34.4, "lon": 129.3}}},
]  # fmt: skip
# Where each located activity above is, and whether the policy's outline holds it.
LOCATED = {
    HOSTILE_ID: ("outside", 35.68, 139.69),
    "seoul": ("inside", 37.57, 126.98),
    "assist-pyongyang": ("inside", 39.02, 125.75),
    "tsushima": ("outside", 34.4, 129.3),
    "baltic": ("beyond", 55.0, 18.0),
}


@dataclass(frozen=True)
class Report:
    path: Path
    html: str
    returncode: int
    stderr: str
    counts: Counter[str]  # what `apl-policy eval` says about the same input
    eval_summary: str  # eval's closing line (table format)
    eval_returncode: int


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )


def make_report(opa: LocalOpa, out: Path, inputs: list[str], *extra: str) -> Report:
    url = ["--opa-url", opa.url, "--token", opa.token or ""]
    done = _run(["report", *extra, *url, "-o", str(out), *inputs])
    evaluated = _run(["eval", *extra, *url, "--format", "jsonl", "-q", *inputs])
    table = _run(["eval", *extra, *url, "--format", "table", "-q", *inputs])
    decisions = [json.loads(line) for line in evaluated.stdout.splitlines() if line.strip()]
    return Report(
        path=out,
        html=out.read_text("utf-8") if out.exists() else "",
        returncode=done.returncode,
        stderr=done.stderr,
        counts=Counter(d["decision"] for d in decisions),
        eval_summary=table.stdout.strip().splitlines()[-1],
        eval_returncode=evaluated.returncode,
    )


@pytest.fixture(scope="session")
def fixtures_report(opa_server: LocalOpa, tmp_path_factory: pytest.TempPathFactory) -> Report:
    out = tmp_path_factory.mktemp("report") / "fixtures.html"
    return make_report(opa_server, out, [str(project_root() / "fixtures")], "--scenarios")


@pytest.fixture(scope="session")
def hostile_report(opa_server: LocalOpa, tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in HOSTILE), "utf-8")
    return make_report(opa_server, folder / "hostile.html", [str(source)])
