"""The hostile-input corpus, each file through the real CLI as a
subprocess against the locked-down OPA: exit 2, a message on stderr that names the file,
no traceback, no permit, and the CLI's peak memory bounded (a 50 MB line is refused
without being held).

Every hostile document is built around an activity that would be permitted if it were
read leniently (destroying a stockpile of M14 mines complies with P5), so a parser that
let it through would show up as a permit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from bridge import limits
from bridge.server import LocalOpa

pytestmark = pytest.mark.opa

PERMITTED = {"action": "destroy", "munition": {"model": "M14", "quantity": 10}}
PERMITTED_JSON = json.dumps(PERMITTED)
MIB = 1024 * 1024
# How much more than a run on a one-line file the CLI may grow on hostile input. Holding a
# 50 MB line once would pass it; the limits keep the growth to about one 1 MiB buffer.
MEMORY_HEADROOM_KIB = 40 * 1024

BILLION_LAUGHS = """\
action: destroy
munition: {model: M14}
extensions:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    peak_rss_kib: int


def run_cli(server: LocalOpa, path: Path, *extra: str) -> Run:
    """`python -m bridge eval FILE` against the shared OPA, with the child's own peak RSS.

    The child is reaped with os.wait4, whose rusage is that child's alone (what
    getrusage(RUSAGE_CHILDREN) would add for it): RUSAGE_CHILDREN itself keeps the
    largest of every child this test process ever reaped, OPA servers included.
    """
    env = {**os.environ, "APL_OPA_TOKEN": server.token or "", "APL_OPA_URL": server.url}
    out = path.with_name(path.name + ".out")
    err = path.with_name(path.name + ".err")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bridge",
                "eval",
                "--format",
                "jsonl",
                "--retry-for",
                "0",
                *extra,
                str(path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            proc.kill()

        guard = threading.Timer(300, kill)  # against a hang, not a measure of speed
        guard.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            guard.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if hung.is_set():
        pytest.fail(f"the CLI hung on {path.name}")
    return Run(
        proc.returncode, out.read_text("utf-8"), err.read_text("utf-8", "replace"), usage.ru_maxrss
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def baseline(opa_server, corpus) -> Run:
    """A run on one good document: what the CLI costs anyway."""
    good = corpus / "good.jsonl"
    good.write_text(PERMITTED_JSON + "\n")
    run = run_cli(opa_server, good)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["decision"] == "permit"
    return run


def assert_refused(run: Run, path: Path, *, documents: int | None = 1) -> list[dict[str, object]]:
    assert run.code == 2, (run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    assert "Traceback" not in run.stdout
    assert str(path) in run.stderr, run.stderr[-2000:]
    decisions = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert all(d["decision"] != "permit" for d in decisions)
    assert all(d["allowed"] is False for d in decisions)
    if documents is not None:
        # a document that was read gets its `invalid` decision; a file refused whole gets none
        assert len(decisions) in {0, documents}
        assert all(d["decision"] == "invalid" for d in decisions)
    return decisions


def nested_extensions(depth: int) -> dict[str, object]:
    inner: dict[str, object] = {}
    top = inner
    for _ in range(depth):
        child: dict[str, object] = {}
        inner["x"] = child
        inner = child
    return {**PERMITTED, "extensions": top}


# name -> (file name, content): one hostile document each.
SINGLE_FILES: dict[str, tuple[str, bytes]] = {
    "billion laughs": ("laughs.yaml", BILLION_LAUGHS.encode()),
    "yaml merge key": ("merge.yaml", b"<<: {action: destroy}\nmunition: {model: M14}\n"),
    "deep extensions json": (
        "deep.json",
        json.dumps(nested_extensions(limits.MAX_DEPTH + 5)).encode(),
    ),
    "deep extensions jsonl": (
        "deep.jsonl",
        PERMITTED_JSON[:-1].encode()
        + b', "extensions": '
        + b'{"x": ' * 10_000
        + b"{}"
        + b"}" * 10_000
        + b"}\n",
    ),
    "very deep json": (
        "deeper.json",
        b'{"action": "destroy", "extensions": ' + b"[" * 500_000 + b"]" * 500_000 + b"}",
    ),
    "deep extensions yaml": (
        "deep.yaml",
        b"action: destroy\nmunition: {model: M14}\nextensions: " + b"[" * 100_000 + b"\n",
    ),
    "NaN json": ("nan.json", PERMITTED_JSON[:-1].encode() + b', "extensions": {"x": NaN}}'),
    "Infinity json": (
        "inf.json",
        PERMITTED_JSON[:-1].encode() + b', "extensions": {"x": Infinity}}',
    ),
    "-Infinity jsonl": (
        "inf.jsonl",
        PERMITTED_JSON[:-1].encode() + b', "extensions": {"x": -Infinity}}\n',
    ),
    "overflow to infinity": (
        "big.json",
        PERMITTED_JSON[:-1].encode() + b', "extensions": {"x": 1e400}}',
    ),
    "NaN yaml": ("nan.yaml", b"action: destroy\nmunition: {model: M14}\nextensions: {x: .nan}\n"),
    "huge integer": (
        "int.json",
        b'{"action": "destroy", "munition": {"model": "M14", "quantity": ' + b"9" * 10_000 + b"}}",
    ),
    "duplicate keys json": (
        "dup.json",
        b'{"action": "use", "action": "destroy", "munition": {"model": "M14"}}',
    ),
    "duplicate keys jsonl": (
        "dup.jsonl",
        b'{"action": "destroy", "munition": {"model": "M14", "model": "M15"}}\n',
    ),
    "duplicate keys yaml": ("dup.yaml", b"action: use\naction: destroy\nmunition: {model: M14}\n"),
    "latin-1 json": (
        "latin1.json",
        b'{"action": "destroy", "munition": {"model": "M14"}, "id": "caf\xe9"}',
    ),
    "latin-1 yaml": ("latin1.yaml", b"action: destroy\nmunition: {model: M14}\nid: caf\xe9\n"),
    "broken utf-8 jsonl": (
        "utf8.jsonl",
        b'{"action": "destroy", "munition": {"model": "M14"}, "id": "\xc3\x28"}\n',
    ),
    "utf-16 json": ("utf16.json", PERMITTED_JSON.encode("utf-16")),
    "binary": ("binary.json", bytes(range(256)) * 16),
    "oversize document": (
        "large.json",
        json.dumps({**PERMITTED, "extensions": {"pad": "x" * (2 * MIB)}}).encode(),
    ),
    "python tag": ("tag.yaml", b"action: destroy\nmunition: !!python/object/apply:os.getcwd []\n"),
}


@pytest.mark.parametrize("case", sorted(SINGLE_FILES))
def test_hostile_file_is_refused(opa_server, corpus, baseline, case):
    name, content = SINGLE_FILES[case]
    path = corpus / name
    path.write_bytes(content)
    run = run_cli(opa_server, path)
    assert_refused(run, path)
    assert run.peak_rss_kib < baseline.peak_rss_kib + MEMORY_HEADROOM_KIB, (
        run.peak_rss_kib,
        baseline.peak_rss_kib,
    )


def test_a_50_mb_line_is_refused_without_being_held(opa_server, corpus, baseline):
    path = corpus / "fifty.jsonl"
    pad = 50 * MIB
    with path.open("wb") as f:
        f.write(PERMITTED_JSON[:-1].encode() + b', "extensions": {"pad": "')
        chunk = b"x" * MIB
        for _ in range(pad // MIB):
            f.write(chunk)
        f.write(b'"}}\n')
        # the line after it is still read and decided: nothing is dropped, nothing doubled
        f.write(json.dumps({**PERMITTED, "id": "after"}).encode() + b"\n")
    assert path.stat().st_size > 50 * MIB
    run = run_cli(opa_server, path)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert f"{path}, line 1" in run.stderr
    decisions = [json.loads(line) for line in run.stdout.splitlines()]
    assert [d["decision"] for d in decisions] == ["invalid", "permit"]
    assert decisions[1]["id"] == "after"
    assert run.peak_rss_kib < baseline.peak_rss_kib + MEMORY_HEADROOM_KIB, (
        run.peak_rss_kib,
        baseline.peak_rss_kib,
    )
    print(
        f"\n50 MB line: CLI peak RSS {run.peak_rss_kib} KiB, baseline {baseline.peak_rss_kib} KiB"
    )


# Wrong types at every field the contract has, and unknown values for every enum: one
# line each, all in one JSONL file; every line must come back `invalid`, named on stderr.
WRONG_TYPES: list[dict[str, object]] = [
    {**PERMITTED, "id": 17},
    {**PERMITTED, "action": 3},
    {**PERMITTED, "action": None},
    {**PERMITTED, "actor": False},
    {**PERMITTED, "actor": ["US"]},
    {**PERMITTED, "date": 20220621},
    {**PERMITTED, "munition": "M14"},
    {**PERMITTED, "munition": ["M14"]},
    {**PERMITTED, "munition": {"model": 14}},
    {**PERMITTED, "munition": {"model": "M14", "category": True}},
    {**PERMITTED, "munition": {"model": "M14", "activation": 1}},
    {**PERMITTED, "munition": {"model": "M14", "anti_handling_device": "yes"}},
    {**PERMITTED, "munition": {"model": "M14", "self_destructing": 0}},
    {**PERMITTED, "munition": {"model": "M14", "quantity": "10"}},
    {**PERMITTED, "munition": {"model": "M14", "quantity": 2.5}},
    {**PERMITTED, "location": "DE"},
    {**PERMITTED, "location": {"country": 49}},
    {**PERMITTED, "location": {"region": ["DMZ"]}},
    {**PERMITTED, "location": {"coordinates": [38, 127]}},
    {**PERMITTED, "location": {"coordinates": {"lat": "38", "lon": 127}}},
    {**PERMITTED, "location": {"coordinates": {"lat": 38, "lon": None}}},
    {**PERMITTED, "purpose": 1},
    {**PERMITTED, "recipient": {"code": "UA"}},
    {**PERMITTED, "regional_security_assessment": True},
    {**PERMITTED, "extensions": "free"},
    {**PERMITTED, "extensions": [1, 2]},
    {"action": "assist", "mode": 1, "assisted_activity": PERMITTED},
    {"action": "assist", "assisted_activity": "destroy M14"},
    {"action": "assist", "assisted_activity": {**PERMITTED, "munition": 14}},
    [PERMITTED],
    "destroy",
    None,
]
UNKNOWN_ENUMS: list[dict[str, object]] = [
    {**PERMITTED, "action": "Destroy"},
    {**PERMITTED, "action": "detonate"},
    {**PERMITTED, "purpose": "fun"},
    {**PERMITTED, "munition": {"model": "M14", "category": "anti-personnel"}},
    {**PERMITTED, "munition": {"model": "M14", "activation": "tripwire"}},
    {**PERMITTED, "colour": "red"},
    {**PERMITTED, "munition": {"model": "M14", "colour": "red"}},
    {**PERMITTED, "location": {"country": "de"}},
    {**PERMITTED, "actor": "USA"},
    {"action": "assist", "mode": "coerce", "assisted_activity": PERMITTED},
    {"action": "assist", "assisted_activity": {**PERMITTED, "action": "assist"}},
]


@pytest.mark.parametrize(
    ("name", "documents"),
    [("wrong-types.jsonl", WRONG_TYPES), ("unknown-enums.jsonl", UNKNOWN_ENUMS)],
)
def test_every_malformed_field_gets_an_invalid_decision(opa_server, corpus, name, documents):
    path = corpus / name
    path.write_text("".join(json.dumps(doc) + "\n" for doc in documents))
    run = run_cli(opa_server, path)
    decisions = assert_refused(run, path, documents=len(documents))
    assert len(decisions) == len(documents)
    for number, decision in enumerate(decisions, start=1):
        assert decision["errors"], number
        assert f"{path}, line {number}:" in run.stderr
