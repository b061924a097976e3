"""The bench: the CLI and the client measured beside OPA's own floors and peers, in one run.

Every figure is taken in the same run, on one OPA server (bridge.server.LocalOpa, authz on,
a token) serving the project bundle `rego/`, over the same generated documents
(bench/generate.py). OPA gets one core (GOMAXPROCS=1, pinned) and the clients the other,
where the machine has two. Beside it a second OPA runs unpinned with GOMAXPROCS set to every
core, for the both-cores figures (the CLI on every core too; `opa bench` as one process per
core); it idles while the pinned figures are taken, and the other way round. Each figure
is the median of alternating repetitions (the order reverses every round, so drift hits
every figure alike), after a warm-up; min and max are kept. Documents in and decisions out
are counted for every run: a run that lost one is a failed run, not a fast one.

    .venv/bin/python bench/run.py            # the run that `make bench` makes
    .venv/bin/python bench/run.py --peers    # with conftest, as `make bench-peers` runs it
    .venv/bin/python bench/run.py --tiny     # 50 documents, one repetition (the test)

Writes bench/results/latest.json and bench/results/latest.md (bench/table.py renders the
tables); bench/check reads the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import fleet as fleet_bench  # noqa: E402 - bench/fleet.py, the fleet figures
import generate  # noqa: E402 - bench/ is put on the path just above
import table  # noqa: E402 - bench/table.py, the tables from the results
from opa_client.opa import OpaClient  # noqa: E402 - the naive peer: what a user writes first

from bridge import wire  # noqa: E402 - the CLI's own connection code, for the server's batch rate
from bridge.client import OpaPolicyClient  # noqa: E402
from bridge.evaluate import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS  # noqa: E402
from bridge.opa_runtime import OPA_RUN_FLAGS, opa_environment  # noqa: E402
from bridge.server import LocalOpa, find_opa, project_bundle  # noqa: E402

OUTCOMES = frozenset({"permit", "deny", "review", "not_applicable", "invalid"})

# The activity the eval floor is measured on: the commonest shape in the generated mix
# (a use, a catalogued model, a country outside Korea, a purpose). The mix's own floor
# (`eval_floor_mix_per_s`, through data.apl.batch) is measured beside it and
# cli_batch/eval_floor_mix is among the ratios, so whether this choice flatters the target
# can be read off the table (so far the typical document is a little cheaper than the mix,
# which makes the target harder, not easier).
TYPICAL_ACTIVITY: dict[str, Any] = {
    "id": "typical",
    "action": "use",
    "actor": "US",
    "date": "2024-05-01",
    "munition": {"model": "M16", "quantity": 200},
    "location": {"country": "DE"},
    "purpose": "military_operations",
}

FIGURES = (
    "eval_floor_per_s",
    "eval_floor_mix_per_s",
    "http_floor_per_s",
    "server_batch_per_s",
    "client_per_doc_per_s",
    "naive_client_per_s",
    "process_per_doc_per_s",
    "conftest_per_s",
    "conftest_unpinned_per_s",
    "cli_batch_per_s",
    "cli_batch_full_per_s",
    "eval_floor_mix_2cores_per_s",
    "cli_batch_2cores_per_s",
)

# The ratios the targets read: (numerator, denominator).
RATIO_FIGURES = {
    "cli_batch_over_eval_floor_mix": ("cli_batch_per_s", "eval_floor_mix_per_s"),
    "cli_batch_over_eval_floor": ("cli_batch_per_s", "eval_floor_per_s"),
    "client_per_doc_over_http_floor": ("client_per_doc_per_s", "http_floor_per_s"),
    "cli_batch_over_conftest": ("cli_batch_per_s", "conftest_per_s"),
    "cli_batch_2cores_over_eval_floor_mix_2cores": (
        "cli_batch_2cores_per_s", "eval_floor_mix_2cores_per_s"
    ),
}

# Figures of a peer tool that `make bench` leaves to `make bench-peers`.
PEER_FIGURES = ("conftest_per_s", "conftest_unpinned_per_s")
LEFT_OUT_PEER = "measured by make bench-peers (conftest is built from its Go module: minutes)"

HOW = {
    "eval_floor_per_s": "opa bench data.apl.decision, one typical activity, in process",
    "eval_floor_mix_per_s": "opa bench data.apl.batch over 1,000 generated documents, per document",
    "http_floor_per_s": "wrk, 1 connection kept alive, POST /v1/data/apl/decision",
    "server_batch_per_s": "the CLI's batches of the first documents posted to"
    " /v1/data/apl/batch over the CLI's connection code, as many in flight, answers not parsed",
    "client_per_doc_per_s": "bridge OpaPolicyClient.decide, one document per call",
    "naive_client_per_s": "opa-python-client query_rule loop, one document per call",
    "process_per_doc_per_s": "opa eval spawned once per document",
    "conftest_per_s": "conftest test over the documents as files, one core, GOMAXPROCS=1",
    "conftest_unpinned_per_s": "the same conftest run left free on every core (for reference)",
    "cli_batch_per_s": "apl-policy eval --format jsonl --opa-url, end to end",
    "cli_batch_full_per_s": "the same over the whole workload in one run, OPA and the CLI on"
    " every core (the memory run)",
    "eval_floor_mix_2cores_per_s": "opa bench data.apl.batch as above, one process per core at"
    " once, unpinned, GOMAXPROCS=cores; rates summed",
    "cli_batch_2cores_per_s": "apl-policy eval as above on an unpinned OPA (GOMAXPROCS=cores),"
    " the CLI unpinned too",
}


class BenchError(Exception):
    """The bench cannot run (a tool is missing, OPA will not start)."""


@dataclass
class Settings:
    docs: int = 100_000  # documents in the workload: the CLI streams all of them at least once
    reps: int = 5
    process_reps: int = 3
    unpinned_reps: int = 2
    both_cores_reps: int = 3  # the both-cores figures (a second OPA; the slowest rounds)
    # `opa bench --count`: about a second each, so 3 spans about as long as a CLI round and
    # averages the machine's load over a similar stretch.
    opa_bench_count: int = 3
    process_sample: int = 20
    conftest_docs: int = 4_000
    # Wall time the CLI's timed rounds may take together; when `reps` runs over every
    # document would not fit, each round runs over a prefix of the workload instead, and
    # one more run over all of it gives the memory figure and the full-length rate.
    cli_budget_seconds: float = 90.0
    min_cli_docs: int = 10_000
    per_doc_docs: int = 10_000  # the documents the per-document clients and wrk cycle over
    per_doc_seconds: float = 2.0
    warmup: bool = True
    seed: int = generate.DEFAULT_SEED
    skip_missing: bool = False
    out: Path = HERE / "results"
    work: Path = HERE / "work"
    bundle: Path = field(default_factory=project_bundle)
    conftest: str | None = None
    wrk: str | None = None
    fleet: bool = True  # the fleet figures (bench/fleet.py)
    peers: bool = False  # conftest (make bench-peers); make bench leaves it out
    # The CLI's batch settings; None = the CLI's own defaults (what a user gets).
    batch_size: int | None = None
    workers: int | None = None

    @property
    def cli_batch_size(self) -> int:
        """The batch size the CLI runs with: batch_size, else the CLI's default."""
        return self.batch_size or DEFAULT_BATCH_SIZE

    @property
    def cli_workers(self) -> int:
        """The batches the CLI keeps in flight: workers, else the CLI's default."""
        return self.workers or DEFAULT_WORKERS


@dataclass
class Run:
    """One timed repetition of one figure."""

    rate: float
    seconds: float
    docs_in: int
    decisions_out: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Cpus:
    opa: set[int]
    client: set[int]
    everyone: set[int]
    pinned: bool

    def wrap(self, argv: Sequence[str], cpus: set[int]) -> list[str]:
        """argv run on `cpus` (taskset execs the command, so the pid and rusage stay its)."""
        if not self.pinned:
            return list(argv)
        return ["taskset", "-c", ",".join(str(c) for c in sorted(cpus)), *argv]


# --- helpers ------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _plan_cpus() -> Cpus:
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return Cpus(set(available), set(available), set(available), pinned=False)
    return Cpus({available[0]}, {available[1]}, set(available), pinned=True)


def _tool(explicit: str | None, name: str, local: Path | None = None) -> str | None:
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    if local is not None and local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def _cli_executable() -> str:
    beside = Path(sys.executable).parent / "apl-policy"
    if beside.is_file():
        return str(beside)
    found = shutil.which("apl-policy")
    if found is None:
        raise BenchError("apl-policy is not installed; run `make tools`")
    return found


def _version(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except OSError:
        return "unknown"
    lines = [line.strip() for line in (done.stdout or done.stderr).splitlines() if line.strip()]
    # The first line names the version; conftest's second names the OPA it embeds.
    keep = lines[:1] + [line for line in lines[1:2] if line.startswith("OPA")]
    return " / ".join(keep) or "unknown"


def _git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False  # noqa: S607
        )
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def _vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set of a running process, from /proc (no psutil)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _wait_watching_memory(pid: int) -> tuple[int, resource.struct_rusage, float]:
    """Wait for a child; return its wait status, its rusage and its peak RSS in MB.

    The peak comes from /proc/<pid>/status (VmHWM, polled until the child exits), not from
    rusage: Linux carries the parent's high-water mark through fork and exec into the
    child's ru_maxrss, so a child of this (large) harness would report the harness's size.
    A thread polls it; this one waits for the child, so the return comes as the child
    ends, not up to a polling interval later (which a timed round would count).
    """
    peak_mb = 0.0
    ended = threading.Event()

    def watch() -> None:
        nonlocal peak_mb
        while True:
            peak_mb = max(peak_mb, _vm_hwm_mb(pid) or 0.0)
            if ended.wait(0.05):
                return

    watcher = threading.Thread(target=watch, name="vmhwm", daemon=True)
    watcher.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    finally:
        ended.set()
        watcher.join()
    return status, usage, peak_mb


def _median_extra(runs: list[Run], key: str) -> float | None:
    values = [r.extra[key] for r in runs if isinstance(r.extra.get(key), int | float)]
    return statistics.median(values) if values else None


def _summary(runs: list[Run]) -> dict[str, Any] | None:
    if not runs:
        return None
    rates = [r.rate for r in runs]
    return {
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "runs": [round(r, 3) for r in rates],
        "seconds": [round(r.seconds, 3) for r in runs],
        "docs_in": sum(r.docs_in for r in runs),
        "decisions_out": sum(r.decisions_out for r in runs),
    }


# --- the workload -------------------------------------------------------------------------


@dataclass
class Workload:
    jsonl: Path  # every document, one a line (what the CLI reads)
    docs: list[dict[str, Any]]  # the documents the per-document measures cycle over
    bodies: Path  # the same, as request bodies for wrk
    conftest_dir: Path  # the first conftest_docs documents, one file each
    conftest_count: int
    typical: Path
    mix_batch: Path  # input for opa bench on data.apl.batch
    ids: list[str]  # every document's id, in order (to check the CLI's order)
    batch_bodies: list[tuple[bytes, int]]  # docs as the CLI's batch bodies, and their sizes


def _prepare(settings: Settings) -> Workload:
    work = settings.work
    work.mkdir(parents=True, exist_ok=True)
    # The generator's own hash is in every cached file's name: a changed mix is regenerated.
    version = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:10]
    tag = f"{settings.docs}-{settings.seed}-{version}"
    jsonl = work / f"activities-{tag}.jsonl"
    if not jsonl.exists():
        _log(f"generating {settings.docs:,} documents into {jsonl}")
        generate.write_jsonl(jsonl, settings.docs, settings.seed)
    ids: list[str] = []
    docs: list[dict[str, Any]] = []
    per_doc = min(settings.per_doc_docs, settings.docs)
    with jsonl.open(encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if index < per_doc:
                docs.append(json.loads(line))
            # The id sits at the start of every generated line: no need to parse it all.
            ids.append(line[7 : line.index('"', 7)])
    bodies = work / f"bodies-{per_doc}-{settings.seed}-{version}.jsonl"
    if not bodies.exists():
        with bodies.open("w", encoding="utf-8") as out:
            for doc in docs:
                out.write(json.dumps({"input": doc}, separators=(",", ":")) + "\n")
    conftest_count = min(settings.conftest_docs, settings.docs)
    conftest_dir = work / f"conftest-{conftest_count}-{settings.seed}-{version}"
    if not (conftest_dir / ".complete").exists():
        shutil.rmtree(conftest_dir, ignore_errors=True)
        conftest_dir.mkdir(parents=True)
        with jsonl.open(encoding="utf-8") as lines:
            for index, line in enumerate(lines):
                if index >= conftest_count:
                    break
                (conftest_dir / f"doc-{index:06d}.json").write_text(line, encoding="utf-8")
        (conftest_dir / ".complete").write_text("")
    typical = work / "typical.json"
    typical.write_text(json.dumps(TYPICAL_ACTIVITY), encoding="utf-8")
    mix_batch = work / f"mix-batch-{settings.seed}-{version}.json"
    mix = docs[: min(1000, len(docs))]
    mix_batch.write_text(json.dumps({"activities": mix}), encoding="utf-8")
    size = settings.cli_batch_size
    chunks = [docs[at : at + size] for at in range(0, len(docs), size)]
    batch_bodies = [
        (json.dumps({"input": {"activities": chunk}}, separators=(",", ":")).encode(), len(chunk))
        for chunk in chunks
    ]
    return Workload(
        jsonl, docs, bodies, conftest_dir, conftest_count, typical, mix_batch, ids, batch_bodies
    )


# --- the measures -------------------------------------------------------------------------


class Bench:
    def __init__(
        self, settings: Settings, opa: LocalOpa, cpus: Cpus, work: Workload,
        opa_both: LocalOpa | None = None,
    ) -> None:
        self.s = settings
        self.opa = opa
        self.opa_both = opa_both  # the unpinned OPA, for the both-cores figures
        self.cpus = cpus
        self.work = work
        self.opa_bin = str(find_opa())
        self.cli = _cli_executable()
        self.peak_rss_cli_mb = 0.0
        self.order_mismatches = 0
        self.cli_exit_codes: list[int] = []
        # What each timed CLI round reads: the whole workload unless the budget says less.
        self.cli_source = work.jsonl
        self.cli_docs = len(work.ids)

    # in process, on OPA's core: the evaluation floor

    def _opa_bench_argv(self, query: str, input_path: Path) -> list[str]:
        return [
            self.opa_bin, "bench", "--bundle", str(self.s.bundle), "--input", str(input_path),
            "--format", "json", "--metrics=false", "--benchmem=false",
            "--count", str(self.s.opa_bench_count), *OPA_RUN_FLAGS, query,
        ]

    @staticmethod
    def _opa_bench_rate(done: subprocess.CompletedProcess[str], query: str, per_op: int) -> Run:
        if done.returncode != 0:
            raise BenchError(f"opa bench {query} failed: {done.stderr.strip() or done.stdout}")
        # --count N prints N results one after the other: their ops and time are summed.
        decoder, text, at = json.JSONDecoder(), done.stdout, 0
        ops = nanos = 0
        while rest := text[at:].lstrip():
            result, at = decoder.raw_decode(text, len(text) - len(rest))
            ops, nanos = ops + int(result["N"]), nanos + int(result["T"])
        if not ops or not nanos:
            raise BenchError(f"opa bench {query} gave no result: {text[:200]}")
        rate = ops * per_op * 1e9 / nanos
        return Run(rate, 0.0, 0, 0, {"ns_per_op": nanos / ops, "ops": ops})

    def _opa_bench(self, query: str, input_path: Path, per_op: int) -> Run:
        argv = self._opa_bench_argv(query, input_path)
        env = {**opa_environment(), "GOMAXPROCS": "1"}
        start = time.perf_counter()
        done = subprocess.run(
            self.cpus.wrap(argv, self.cpus.opa), capture_output=True, text=True, env=env,
            timeout=600, check=False,
        )
        run = self._opa_bench_rate(done, query, per_op)
        run.seconds = time.perf_counter() - start
        return run

    def eval_floor(self) -> Run:
        return self._opa_bench("data.apl.decision", self.work.typical, 1)

    def eval_floor_mix(self) -> Run:
        count = len(json.loads(self.work.mix_batch.read_text())["activities"])
        return self._opa_bench("data.apl.batch", self.work.mix_batch, count)

    def eval_floor_mix_2cores(self) -> Run:
        """In process on every core: one `opa bench` per core at once, unpinned, each with
        GOMAXPROCS = the cores (as the unpinned server has); their rates summed. One
        `opa bench` evaluates one query at a time, so one process cannot show two cores'
        worth of evaluation; a served OPA evaluates concurrent requests in parallel."""
        count = len(json.loads(self.work.mix_batch.read_text())["activities"])
        query = "data.apl.batch"
        argv = self._opa_bench_argv(query, self.work.mix_batch)
        env = {**opa_environment(), "GOMAXPROCS": str(len(self.cpus.everyone))}
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                self.cpus.wrap(argv, self.cpus.everyone), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env,
            )
            for _ in self.cpus.everyone
        ]
        runs = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
            runs.append(self._opa_bench_rate(done, query, count))
        return Run(
            sum(r.rate for r in runs), time.perf_counter() - start, 0, 0,
            {"processes": len(runs), "rates": [round(r.rate, 1) for r in runs]},
        )

    # over HTTP, at one connection: wrk, then the two Python clients

    def http_floor(self, seconds: float | None = None) -> Run:
        wrk = self.s.wrk
        assert wrk is not None  # noqa: S101 - only called when wrk was found
        duration = max(1, round(seconds or self.s.per_doc_seconds))
        argv = [
            wrk, "-t1", "-c1", f"-d{duration}s", "--timeout", "10s",
            "-s", str(HERE / "wrk" / "decision.lua"), self.opa.url, "--", str(self.work.bodies),
        ]
        env = {**os.environ, "APL_BENCH_TOKEN": self.opa.token or ""}
        done = subprocess.run(
            self.cpus.wrap(argv, self.cpus.client), capture_output=True, text=True, env=env,
            timeout=duration + 60, check=False,
        )
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("APL-BENCH ")]
        if done.returncode != 0 or not lines:
            detail = done.stderr.strip() or done.stdout
            raise BenchError(f"wrk failed ({done.returncode}): {detail}")
        stats = json.loads(lines[-1].removeprefix("APL-BENCH "))
        secs = stats["duration_us"] / 1e6
        lost_on_wire = stats["connect"] + stats["read"] + stats["write"] + stats["timeout"]
        decisions = stats["requests"] - stats["status"]
        return Run(decisions / secs, secs, stats["requests"] + lost_on_wire, decisions, stats)

    def server_batch(self, limit: int | None = None) -> Run:
        """OPA's server answering the CLI's batches, without the CLI: the per-document
        sample (the workload's first documents) in batches of the CLI's size, posted to
        data.apl.batch over as many kept-alive connections as the CLI keeps in flight, with
        the CLI's own connection code (bridge.wire); each answer is read whole and its status
        checked, not parsed. A fixed set of batches, timed until the last answer, so no
        request is cut off half done. CLI batch / this is what the CLI adds (its start, its
        reading and writing); this / OPA in process is what the server adds (decoding each
        body, encoding each answer)."""
        bodies = self.work.batch_bodies[:limit]
        parts = urlsplit(self.opa.url)
        headers = {"Authorization": f"Bearer {self.opa.token}"} if self.opa.token else {}
        pending = list(reversed(bodies))
        lock = threading.Lock()
        answered = 0

        def post_all() -> None:
            nonlocal answered
            connection = wire.Connection(
                parts.hostname or "127.0.0.1", parts.port or 80, host_header=parts.netloc,
                headers=headers, timeout=120,
            )
            try:
                while True:
                    with lock:
                        if not pending:
                            return
                        body, count = pending.pop()
                    status, _ = connection.post("/v1/data/apl/batch", body)
                    if status == 200:
                        with lock:
                            answered += count
            finally:
                connection.close()

        threads = [
            threading.Thread(target=post_all, name=f"server-batch-{n}")
            for n in range(self.s.cli_workers)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        sent = sum(count for _, count in bodies)
        return Run(answered / elapsed, elapsed, sent, answered, {"batches": len(bodies)})

    def _per_doc(self, call: Callable[[dict[str, Any]], bool], seconds: float) -> Run:
        docs = self.work.docs
        sent = answered = failures = 0
        start = time.perf_counter()
        deadline = start + seconds
        now = start
        while now < deadline:
            doc = docs[sent % len(docs)]
            sent += 1
            try:
                if call(doc):
                    answered += 1
            except Exception as exc:  # noqa: BLE001 - a failed call is a lost document, counted
                failures += 1
                if failures <= 3:
                    _log(f"lost a document: {type(exc).__name__}: {exc}")
            now = time.perf_counter()
        elapsed = now - start
        return Run(answered / elapsed, elapsed, sent, answered)

    def client_per_doc(self, seconds: float | None = None) -> Run:
        with OpaPolicyClient(self.opa.url, token=self.opa.token, retry_for=0) as client:
            return self._per_doc(
                lambda doc: client.decide(doc).decision.value in OUTCOMES,
                seconds or self.s.per_doc_seconds,
            )

    def naive_client(self, seconds: float | None = None) -> Run:
        def ask(doc: dict[str, Any]) -> bool:
            answer = naive.query_rule(input_data=doc, package_path="apl", rule_name="decision")
            result = answer.get("result") if isinstance(answer, dict) else None
            return isinstance(result, dict) and result.get("decision") in OUTCOMES

        naive = OpaClient(host=self.opa.host, port=self.opa.port, token=self.opa.token, timeout=10)
        try:
            return self._per_doc(ask, seconds or self.s.per_doc_seconds)
        finally:
            naive.close_connection()

    # processes: opa eval per document, conftest over files, the CLI over the JSONL

    def _evaluator(
        self, argv: list[str], *, pinned: bool = True
    ) -> tuple[list[str], dict[str, str]]:
        """How a Go evaluator other than the OPA server runs: like the server, on OPA's
        core with GOMAXPROCS=1, so that each peer evaluates with what OPA evaluates with."""
        if not pinned:
            return self.cpus.wrap(argv, self.cpus.everyone), dict(os.environ)
        return self.cpus.wrap(argv, self.cpus.opa), {**os.environ, "GOMAXPROCS": "1"}

    def process_per_doc(self, sample: int | None = None) -> Run:
        docs = self.work.docs[: sample or self.s.process_sample]
        argv, env = self._evaluator(
            [self.opa_bin, "eval", "--bundle", str(self.s.bundle), "--stdin-input",
             "--format", "json", *OPA_RUN_FLAGS, "data.apl.decision"],
        )
        env = opa_environment(env)
        answered = 0
        start = time.perf_counter()
        for doc in docs:
            done = subprocess.run(
                argv, input=json.dumps(doc), capture_output=True, text=True, timeout=60,
                env=env, check=False,
            )
            with contextlib.suppress(ValueError, KeyError, IndexError, TypeError):
                value = json.loads(done.stdout)["result"][0]["expressions"][0]["value"]
                answered += value["decision"] in OUTCOMES
        elapsed = time.perf_counter() - start
        return Run(answered / elapsed, elapsed, len(docs), answered)

    def conftest_unpinned(self) -> Run:
        return self.conftest(pinned=False)

    def conftest(
        self, directory: Path | None = None, count: int | None = None, *, pinned: bool = True
    ) -> Run:
        conftest = self.s.conftest
        assert conftest is not None  # noqa: S101 - only called when conftest was found
        target = directory or self.work.conftest_dir
        expected = count or self.work.conftest_count
        argv = [
            conftest, "test", "--no-color", "--no-fail", "--output", "json",
            "--policy", str(self.s.bundle), "--policy", str(HERE / "conftest"),
            "--data", str(self.s.bundle), str(target),
        ]
        argv, env = self._evaluator(argv, pinned=pinned)
        start = time.perf_counter()
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=900, check=False
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise BenchError(f"conftest failed ({done.returncode}): {done.stderr.strip()[:2000]}")
        results = json.loads(done.stdout)
        # One result per file: one success (permit) or one failure (anything else).
        answered = sum(
            1 for r in results
            if r.get("namespace") == "main"
            and r.get("successes", 0) + len(r.get("failures") or []) == 1
        )
        return Run(answered / elapsed, elapsed, expected, answered)

    def plan_cli(self, warm_rate: float) -> None:
        """Fit the CLI's timed rounds into the budget, from the warm-up's rate."""
        total = len(self.work.ids)
        affordable = int(self.s.cli_budget_seconds * warm_rate / self.s.reps) // 1000 * 1000
        if affordable >= total:
            return
        self.cli_docs = min(total, max(self.s.min_cli_docs, affordable))
        self.cli_source = self._prefix(self.cli_docs)
        _log(f"CLI rounds over the first {self.cli_docs:,} documents (about {warm_rate:,.0f}/s "
             f"in the warm-up: {self.s.reps} runs over all {total:,} would not fit in "
             f"{self.s.cli_budget_seconds:.0f} s); one run over all of them follows the rounds")

    def _prefix(self, count: int) -> Path:
        path = self.s.work / f"{self.work.jsonl.stem}-first{count}.jsonl"
        if not path.exists():
            with self.work.jsonl.open(encoding="utf-8") as src, path.open("w") as out:
                for index, line in enumerate(src):
                    if index >= count:
                        break
                    out.write(line)
        return path

    def cli_batch_full(self) -> Run:
        """The memory run: all the workload, on every core (it is the longest run; where
        OPA runs does not change what the CLI holds in memory)."""
        if self.opa_both is None:
            return self.cli_batch(self.work.jsonl, len(self.work.ids))
        return self.cli_batch(self.work.jsonl, len(self.work.ids), both_cores=True)

    def cli_batch_2cores(self) -> Run:
        return self.cli_batch(both_cores=True)

    def cli_batch(
        self, jsonl: Path | None = None, count: int | None = None, *, both_cores: bool = False
    ) -> Run:
        source = jsonl or self.cli_source
        expected = count if count is not None else self.cli_docs
        out_path = self.s.work / "cli-out.jsonl"
        err_path = self.s.work / "cli-err.txt"
        opa = self.opa_both if both_cores and self.opa_both is not None else self.opa
        cpus = self.cpus.everyone if both_cores else self.cpus.client
        argv = [
            self.cli, "eval", "--format", "jsonl", "--opa-url", opa.url,
            "--token", opa.token or "", *self.cli_options(), str(source),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("APL_OPA_")}
        opa_cpu_before = self._opa_cpu_seconds(opa)
        with out_path.open("wb") as out, err_path.open("wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                self.cpus.wrap(argv, cpus), stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, env=env,
            )
            status, usage, rss_mb = _wait_watching_memory(proc.pid)
            elapsed = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        code = proc.returncode
        self.cli_exit_codes.append(code)
        self.peak_rss_cli_mb = max(self.peak_rss_cli_mb, rss_mb)
        if code not in (0, 1, 2):  # 3 is OPA failing; anything else a crash
            tail = err_path.read_text(errors="replace")[-2000:]
            _log(f"apl-policy eval exited {code}: {tail}")
        answered, mismatches = self._read_cli_output(out_path)
        self.order_mismatches += mismatches
        # CPU per document on each side says which one limits the rate: the busier side
        # is the bottleneck (OPA has one core, the CLI the other).
        opa_cpu = self._opa_cpu_seconds(opa) - opa_cpu_before
        extra = {
            "exit_code": code,
            "peak_rss_mb": round(rss_mb, 1),
            "cli_cpu_us_per_doc": round((usage.ru_utime + usage.ru_stime) / max(1, expected) * 1e6),
            "opa_cpu_us_per_doc": round(opa_cpu / max(1, expected) * 1e6),
        }
        return Run(answered / elapsed, elapsed, expected, answered, extra)

    def cli_options(self) -> list[str]:
        """--batch-size/--workers when the run sets them (else the CLI's defaults)."""
        options = []
        if self.s.batch_size is not None:
            options += ["--batch-size", str(self.s.batch_size)]
        if self.s.workers is not None:
            options += ["--workers", str(self.s.workers)]
        return options

    def check_opa_alive(self, during: str) -> None:
        """A figure taken while OPA died is no figure: stop, and say how it ended."""
        for opa in (self.opa, self.opa_both):
            process = None if opa is None else opa.process
            if process is not None and process.poll() is not None:
                self._opa_ended(process, during)

    @staticmethod
    def _opa_ended(process: subprocess.Popen[bytes], during: str) -> None:
        if process.poll() is not None:
            code = process.returncode
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            raise BenchError(
                f"the bench's OPA (pid {process.pid}) ended with {how} during {during}; "
                "was it killed from outside? run the bench again"
            )

    def _opa_cpu_seconds(self, opa: LocalOpa) -> float:
        """User and system time OPA has used so far, from /proc (0 where there is none)."""
        process = opa.process
        if process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _read_cli_output(self, path: Path) -> tuple[int, int]:
        """Decisions in the output, and how many are not where their document was (every
        file the CLI reads is a prefix of the workload, so line i answers ids[i])."""
        answered = mismatches = 0
        ids = self.work.ids
        with path.open(encoding="utf-8") as lines:
            for index, line in enumerate(lines):
                try:
                    decision = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(decision, dict) or decision.get("decision") not in OUTCOMES:
                    continue
                answered += 1
                if index >= len(ids) or decision.get("id") != ids[index]:
                    mismatches += 1
        return answered, mismatches

    # warm-up: every path once, briefly, so no figure pays for a cold cache

    def warm_up(self, have_wrk: bool, have_conftest: bool) -> float:
        """Every path once, briefly; returns the CLI's rate, which plans its rounds."""
        _log("warm-up")
        short = min(1.0, self.s.per_doc_seconds)
        if have_wrk:
            self.http_floor(1)
        self.server_batch(limit=3)
        self.client_per_doc(short)
        self.naive_client(short)
        self.process_per_doc(2)
        sample = self.s.work / "warmup.jsonl"
        # Long enough that the CLI's start-up (about a second) does not hide its rate.
        with self.work.jsonl.open(encoding="utf-8") as workload:
            lines = [line for line, _ in zip(workload, range(5000), strict=False)]
        sample.write_text("".join(lines), encoding="utf-8")
        cli = self.cli_batch(sample, len(lines))
        if self.opa_both is not None:
            self.cli_batch(sample, len(lines), both_cores=True)
        if have_conftest:
            small = self.s.work / "conftest-warmup"
            small.mkdir(exist_ok=True)
            for index, line in enumerate(lines[:50]):
                (small / f"doc-{index:06d}.json").write_text(line, encoding="utf-8")
            self.conftest(small, min(50, len(lines)))
        return cli.rate


# --- the run ------------------------------------------------------------------------------


@contextlib.contextmanager
def _opa_server(settings: Settings, cpus: Cpus, *, both_cores: bool = False) -> Iterator[LocalOpa]:
    """LocalOpa on OPA's core with GOMAXPROCS=1 (or, `both_cores`, on every core with
    GOMAXPROCS = their number); the harness moves to the client core.

    Affinity and environment are inherited at spawn, so they are set on this thread for
    the moment OPA starts, then the harness itself moves to the client core (every process
    it starts afterwards inherits that, unless wrapped otherwise)."""
    previous_env = os.environ.get("GOMAXPROCS")
    os.environ["GOMAXPROCS"] = str(len(cpus.everyone)) if both_cores else "1"
    if cpus.pinned:
        os.sched_setaffinity(0, cpus.everyone if both_cores else cpus.opa)
    try:
        opa = LocalOpa(settings.bundle, authz=True).start()
    finally:
        if previous_env is None:
            os.environ.pop("GOMAXPROCS", None)
        else:
            os.environ["GOMAXPROCS"] = previous_env
        if cpus.pinned:
            os.sched_setaffinity(0, cpus.client)
    try:
        yield opa
    finally:
        opa.stop()


def _rounds(
    settings: Settings, bench: Bench, skipped: dict[str, str], runs: dict[str, list[Run]]
) -> None:
    """The timed repetitions: every figure once a round, the order reversed every other
    round, so that drift in the machine's load falls on every figure alike."""
    measures: list[tuple[str, Callable[[], Run]]] = [
        ("eval_floor_per_s", bench.eval_floor),
        ("cli_batch_per_s", bench.cli_batch),
        ("conftest_per_s", bench.conftest),
        ("conftest_unpinned_per_s", bench.conftest_unpinned),
        ("eval_floor_mix_per_s", bench.eval_floor_mix),
        ("server_batch_per_s", bench.server_batch),
        ("http_floor_per_s", bench.http_floor),
        ("client_per_doc_per_s", bench.client_per_doc),
        ("naive_client_per_s", bench.naive_client),
        ("process_per_doc_per_s", bench.process_per_doc),
        ("eval_floor_mix_2cores_per_s", bench.eval_floor_mix_2cores),
        ("cli_batch_2cores_per_s", bench.cli_batch_2cores),
    ]
    for round_index in range(settings.reps):
        order = measures if round_index % 2 == 0 else list(reversed(measures))
        for name, run in order:
            if name in skipped:
                continue
            if name == "process_per_doc_per_s" and round_index >= settings.process_reps:
                continue
            if name == "conftest_unpinned_per_s" and round_index >= settings.unpinned_reps:
                continue
            if "2cores" in name and round_index >= settings.both_cores_reps:
                continue
            result = run()
            bench.check_opa_alive(name)
            runs[name].append(result)
            lost = result.docs_in - result.decisions_out
            _log(f"round {round_index + 1}/{settings.reps} {name}: {result.rate:,.0f}/s"
                 + (f"  LOST {lost} of {result.docs_in}" if lost else ""))


def measure(settings: Settings) -> dict[str, Any]:  # noqa: PLR0915 - one run, step by step
    began = time.perf_counter()
    load_start = os.getloadavg()
    settings.conftest = _tool(settings.conftest, "conftest", ROOT / "bin" / "conftest")
    settings.wrk = _tool(settings.wrk, "wrk")
    skipped: dict[str, str] = {}
    left_out: dict[str, str] = {}
    if not settings.peers:
        settings.conftest = None
        left_out = dict.fromkeys(PEER_FIGURES, LEFT_OUT_PEER)
        skipped.update(left_out)
    for name, tool, how in (
        ("http_floor_per_s", settings.wrk, "apt-get install wrk (make bench-tools)"),
        ("conftest_per_s", settings.conftest, "make bench-peers"),
    ):
        if name in left_out:
            continue
        if tool is None:
            if not settings.skip_missing:
                raise BenchError(f"{name} needs a tool that is not installed: {how}")
            skipped[name] = f"not installed ({how})"
    if "conftest_per_s" in skipped:
        skipped["conftest_unpinned_per_s"] = skipped["conftest_per_s"]

    cpus = _plan_cpus()
    workload = _prepare(settings)
    runs: dict[str, list[Run]] = {name: [] for name in FIGURES}

    with (
        _opa_server(settings, cpus) as opa,
        _opa_server(settings, cpus, both_cores=True) as opa_both,
    ):
        bench = Bench(settings, opa, cpus, workload, opa_both)
        _log(f"OPA {opa.url} (pid {opa.process.pid if opa.process else '?'}), "
             f"cpus: opa {sorted(cpus.opa)} client {sorted(cpus.client)} pinned={cpus.pinned}; "
             f"both-cores OPA {opa_both.url} on {sorted(cpus.everyone)}")
        if settings.warmup:
            bench.plan_cli(bench.warm_up(settings.wrk is not None, settings.conftest is not None))
        _rounds(settings, bench, skipped, runs)
        # With an OPA on every core the memory run is a run of its own, on every core.
        full_is_rounds = False
        if full_is_rounds:
            runs["cli_batch_full_per_s"] = runs["cli_batch_per_s"]
        else:
            runs["cli_batch_full_per_s"].append(result := bench.cli_batch_full())
            bench.check_opa_alive("the memory run")
            _log(f"memory run over all {len(workload.ids):,} documents: {result.rate:,.0f}/s, "
                 f"{result.decisions_out:,} decisions, peak RSS {bench.peak_rss_cli_mb:.0f} MB")
        cli_docs = bench.cli_docs
        pid = opa.process.pid if opa.process else None
        peak_rss_opa_mb = _vm_hwm_mb(pid) if pid else None
        pid_both = opa_both.process.pid if opa_both.process else None
        peak_rss_opa_both_mb = _vm_hwm_mb(pid_both) if pid_both else None
        versions = {
            "opa": _version([bench.opa_bin, "version"]),
            "conftest": _version([settings.conftest, "--version"]) if settings.conftest else None,
            "wrk": _version([settings.wrk, "--version"]) if settings.wrk else None,
        }
        cli_exit_codes = bench.cli_exit_codes
        order_mismatches = bench.order_mismatches
        peak_rss_cli_mb = bench.peak_rss_cli_mb

    summaries = {name: _summary(found) for name, found in runs.items()}

    def median(name: str) -> float | None:
        summary = summaries[name]
        return None if summary is None else float(summary["median"])

    def ratio(a: str, b: str) -> float | None:
        top, bottom = median(a), median(b)
        return None if top is None or not bottom else top / bottom

    def paired(a: str, b: str) -> list[float]:
        """The ratio round by round (both figures were taken in the same round)."""
        return [x.rate / y.rate for x, y in zip(runs[a], runs[b], strict=False) if y.rate]

    # The eval floors count nothing (opa bench fails on an undefined result); the full CLI
    # figure counts only when it is a run of its own.
    counted = [
        n for n in FIGURES
        if not n.startswith("eval_floor") and not (n == "cli_batch_full_per_s" and full_is_rounds)
    ]
    docs_in = sum(s["docs_in"] for n in counted if (s := summaries[n]) is not None)
    decisions_out = sum(s["decisions_out"] for n in counted if (s := summaries[n]) is not None)
    results: dict[str, Any] = {
        "schema": "apl-policy-bench/1",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": _git_state(),
        "machine": {
            "cpus": os.cpu_count(),
            "pinned": cpus.pinned,
            "opa_cpus": sorted(cpus.opa),
            "client_cpus": sorted(cpus.client),
            "python": platform.python_version(),
            **versions,
        },
        "settings": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()
        },
        "typical_activity": TYPICAL_ACTIVITY,
        "cli_docs_per_round": cli_docs,
        "workload_docs": len(workload.ids),
        **{name: median(name) for name in FIGURES},
        "docs_in": docs_in,
        "decisions_out": decisions_out,
        "peak_rss_cli_mb": round(peak_rss_cli_mb, 1) if runs["cli_batch_per_s"] else None,
        "peak_rss_opa_mb": None if peak_rss_opa_mb is None else round(peak_rss_opa_mb, 1),
        "peak_rss_opa_both_cores_mb": (
            None if peak_rss_opa_both_mb is None else round(peak_rss_opa_both_mb, 1)
        ),
        "load_avg": {"start": list(load_start), "end": list(os.getloadavg())},
        **{key: ratio(a, b) for key, (a, b) in RATIO_FIGURES.items()},
        "ratios": {
            "cli_batch/eval_floor_mix": ratio("cli_batch_per_s", "eval_floor_mix_per_s"),
            "cli_batch/http_floor": ratio("cli_batch_per_s", "http_floor_per_s"),
            "cli_batch/server_batch": ratio("cli_batch_per_s", "server_batch_per_s"),
            "server_batch/eval_floor_mix": ratio(
                "server_batch_per_s", "eval_floor_mix_per_s"
            ),
            "cli_batch/client_per_doc": ratio("cli_batch_per_s", "client_per_doc_per_s"),
            "cli_batch/process_per_doc": ratio("cli_batch_per_s", "process_per_doc_per_s"),
            "http_floor/eval_floor": ratio("http_floor_per_s", "eval_floor_per_s"),
            "naive_client/http_floor": ratio("naive_client_per_s", "http_floor_per_s"),
            "client_per_doc/naive_client": ratio("client_per_doc_per_s", "naive_client_per_s"),
            "conftest/eval_floor": ratio("conftest_per_s", "eval_floor_per_s"),
            "cli_batch/conftest_unpinned": ratio("cli_batch_per_s", "conftest_unpinned_per_s"),
            "cli_batch_2cores/eval_floor_mix_2cores": ratio(
                "cli_batch_2cores_per_s", "eval_floor_mix_2cores_per_s"
            ),
            "cli_batch_2cores/cli_batch": ratio("cli_batch_2cores_per_s", "cli_batch_per_s"),
            "eval_floor_mix_2cores/eval_floor_mix": ratio(
                "eval_floor_mix_2cores_per_s", "eval_floor_mix_per_s"
            ),
        },
        "counts": {
            name: {"docs_in": s["docs_in"], "decisions_out": s["decisions_out"]}
            for name in counted if (s := summaries[name]) is not None
        },
        # The spread of each target ratio: the ratio in each round (min, max), its median
        # being the ratio of the two medians above.
        "ratio_rounds": {
            key: [round(r, 3) for r in paired(a, b)]
            for key, (a, b) in RATIO_FIGURES.items()
        },
        "cli_cpu_us_per_doc_runs": [
            r.extra.get("cli_cpu_us_per_doc") for r in runs["cli_batch_per_s"]
        ],
        "cli_order_mismatches": order_mismatches,
        "cli_cpu_us_per_doc": _median_extra(runs["cli_batch_per_s"], "cli_cpu_us_per_doc"),
        "opa_cpu_us_per_doc_under_cli": _median_extra(
            runs["cli_batch_per_s"], "opa_cpu_us_per_doc"
        ),
        "cli_cpu_us_per_doc_2cores": _median_extra(
            runs["cli_batch_2cores_per_s"], "cli_cpu_us_per_doc"
        ),
        "opa_cpu_us_per_doc_under_cli_2cores": _median_extra(
            runs["cli_batch_2cores_per_s"], "opa_cpu_us_per_doc"
        ),
        "cli_batch_settings": {
            "batch_size": settings.cli_batch_size,
            "workers": settings.cli_workers,
        },
        "opa_gogc": opa_environment().get("GOGC"),
        "opa_gomemlimit": opa_environment().get("GOMEMLIMIT"),
        "cli_exit_codes": cli_exit_codes,
        "figures": {
            name: None if (s := summaries[name]) is None else {**s, "how": HOW[name]}
            for name in FIGURES
        },
        "details": {name: [r.extra for r in found] for name, found in runs.items() if found},
        "skipped": skipped,
        "left_out": left_out,
        "elapsed_s": round(time.perf_counter() - began, 1),
    }
    return results


def _parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000,
                        help="documents the CLI evaluates per run (default 100,000)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each figure")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="length of each per-document run (wrk and the Python clients)")
    parser.add_argument("--conftest-docs", type=int, default=4_000)
    parser.add_argument("--cli-budget", type=float, default=90.0,
                        help="seconds the pinned CLI's timed rounds may take together (default 90)")
    parser.add_argument("--batch-size", type=int, help="the CLI's --batch-size (default: its own)")
    parser.add_argument("--workers", type=int, help="the CLI's --workers (default: its own)")
    parser.add_argument("--peers", action="store_true",
                        help="measure conftest too (make bench-peers); left out by default")
    parser.add_argument("--process-sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--bundle", type=Path, default=project_bundle())
    parser.add_argument("--conftest", help="conftest binary (default ./bin/conftest, then PATH)")
    parser.add_argument("--wrk", help="wrk binary (default: PATH)")
    parser.add_argument("--tiny", action="store_true",
                        help="50 documents, one repetition, short runs: checks the harness works")
    parser.add_argument("--no-fleet", action="store_true",
                        help="leave out the fleet figures (bench/fleet.py)")
    parser.add_argument("--skip-missing", action="store_true",
                        help="leave out the figures whose tool (wrk, conftest) is not installed")
    args = parser.parse_args(argv)
    settings = Settings(
        docs=args.docs, reps=args.reps, per_doc_seconds=args.seconds,
        conftest_docs=args.conftest_docs, process_sample=args.process_sample, seed=args.seed,
        cli_budget_seconds=args.cli_budget,
        skip_missing=args.skip_missing, out=args.out, work=args.work, bundle=args.bundle,
        conftest=args.conftest, wrk=args.wrk, fleet=not args.no_fleet, peers=args.peers,
        batch_size=args.batch_size, workers=args.workers,
    )
    if args.tiny:
        settings.docs = 50
        settings.reps = 1
        settings.process_reps = 1
        settings.process_sample = 3
        settings.conftest_docs = 50
        settings.per_doc_seconds = 0.5
        settings.opa_bench_count = 1
        settings.warmup = False
    settings.process_reps = min(settings.process_reps, settings.reps)
    settings.unpinned_reps = min(settings.unpinned_reps, settings.reps)
    settings.both_cores_reps = min(settings.both_cores_reps, settings.reps)
    return settings


def _fleet_figures(settings: Settings) -> dict[str, Any]:
    """bench/fleet.py's figures, after the rest (its fleets would disturb them)."""
    left_out = not settings.fleet
    skipped = {}
    if left_out:
        skipped["fleet"] = "left out (--no-fleet)"
    elif settings.wrk is None:
        skipped["fleet"] = "wrk not installed (make bench-tools)"
    elif not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        skipped["fleet"] = "nginx and haproxy not installed (make fleet-tools)"
    if skipped:
        if not settings.skip_missing and not left_out:
            raise BenchError(f"fleet figures: {skipped['fleet']}")
        return {"skipped": {**skipped}}
    workload = _prepare(settings)
    return fleet_bench.measure(
        wrk=settings.wrk or "wrk", bodies=workload.bodies, work=settings.work,
        seconds=settings.per_doc_seconds, reps=settings.reps, log=_log,
    )


def main(argv: list[str] | None = None) -> int:
    settings = _parse(argv)
    try:
        results = measure(settings)
        fleet_results = _fleet_figures(settings)
        results["skipped"].update(fleet_results.pop("skipped", {}))
        results.update(fleet_results)
    except (BenchError, fleet_bench.FleetBenchError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    settings.out.mkdir(parents=True, exist_ok=True)
    # The instruction counts (make bench-instructions, too slow under valgrind for every
    # bench) are carried from their own file, so bench/check sees them beside the rates.
    # `make bench` recounts them first unless the last count was taken on the same policy,
    # baseline and harness (`bench/instructions.py --reuse`): counts do not depend on the
    # machine's load. The count says when it was taken.
    counted = HERE / "results" / "instructions.json"  # where bench/instructions.py writes
    if counted.exists():
        results.update(json.loads(counted.read_text(encoding="utf-8")))
    latest = settings.out / "latest.json"
    latest.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = table.full(results)
    (settings.out / "latest.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
