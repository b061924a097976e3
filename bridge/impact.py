"""Impact between two policies: the same activities decided under A and under B.

A policy side is a regime of a bundle (the document's `regime` field pinned to it) or a
bundle as it stands (a git revision of this repository, a directory, a built `.tar.gz`).
Each distinct bundle gets its own private OPA (`LocalOpa`); both sides are fed from one
lazy read of the input (`itertools.tee`, consumed in lockstep, so memory stays bounded by
the batches in flight) through the ordinary pipeline (`bridge.evaluate.evaluate`).

What counts as a change (docs/impact.md): the `decision` differs, or the clause findings
differ, a finding being "violation P3", "review P5", "exception KOREA P3",
"obligation P2" or, for an `invalid` answer, "error <field>". Wording, `reason`,
`policy` and `notices` are not findings: they differ between any two regimes.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bridge.client import OpaPolicyClient
from bridge.errors import InputError
from bridge.evaluate import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, evaluate
from bridge.loading import Document
from bridge.models import Decision, Outcome
from bridge.regimes import load_regimes, pin
from bridge.server import LocalOpa, project_root

SideKind = Literal["regime", "revision", "directory", "archive"]
PREFIXES: tuple[str, ...] = ("regime:", "rev:", "path:")
# The order outcomes are listed in (matrix rows and columns).
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)


class UsageError(InputError):
    """--from/--to that names nothing this command can decide with (exit 2)."""


# -- the two sides ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    """One policy to decide under: a bundle, and the regime pinned on it (or none)."""

    label: str  # as the user gave it
    kind: SideKind
    bundle: Path  # what OPA loads
    regime: str | None = None

    def describe(self) -> str:
        what = {
            "regime": "regime",
            "revision": "git revision",
            "directory": "bundle directory",
            "archive": "built bundle",
        }[self.kind]
        return f"{what} {self.label}"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603 - git with our own arguments
            ["git", "-C", str(root), *args],  # noqa: S607 - git from PATH, as a developer runs it
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"git {' '.join(args)} failed: {exc}") from None


def _is_revision(root: Path, text: str) -> bool:
    if text.startswith("-"):
        return False
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}")
    return done.returncode == 0


def extract_revision(root: Path, revision: str, into: Path) -> Path:
    """The `rego/` tree of `revision`, written under `into`; its path."""
    done = _git(root, "archive", "--format=tar", revision, "rego")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise UsageError(f"git revision {revision}: no rego/ to extract ({detail})")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(into, filter="data")
    bundle = into / "rego"
    if not bundle.is_dir():
        raise UsageError(f"git revision {revision}: no rego/ folder")
    return bundle


def _archive(path: Path) -> bool:
    return path.is_file() and path.name.endswith((".tar.gz", ".tgz"))


def resolve_side(
    text: str, *, regime_bundle: Path, workdir: Path, root: Path | None = None
) -> Side:
    """Read --from/--to: `regime:ID`, `rev:REV`, `path:P`, or without a prefix an existing
    path, else a regime id of `regime_bundle`, else a git revision of this repository."""
    root = root if root is not None else project_root()
    prefix, _, rest = text.partition(":")
    forced = prefix + ":" if rest and prefix + ":" in PREFIXES else None
    value = rest if forced else text
    if not value:
        raise UsageError("--from/--to: empty; give a regime id, a git revision or a bundle")
    if forced in (None, "path:"):
        path = Path(value)
        if path.is_dir():
            return Side(text, "directory", path)
        if _archive(path):
            return Side(text, "archive", path)
        if forced == "path:":
            raise UsageError(f"{value}: not a bundle directory or a .tar.gz file")
    if forced in (None, "regime:"):
        ids = [r.id for r in load_regimes(regime_bundle)]
        if value in ids:
            return Side(text, "regime", regime_bundle, value)
        if forced == "regime:" or re.fullmatch(r"us-apl-[0-9a-z-]+", value):
            raise UsageError(f"{value}: not a regime of {regime_bundle} (known: {', '.join(ids)})")
    if _is_revision(root, value):
        into = Path(tempfile.mkdtemp(prefix="rev-", dir=workdir))
        return Side(text, "revision", extract_revision(root, value, into))
    raise UsageError(
        f"{text}: neither a bundle (a directory or a .tar.gz), a regime id nor a git revision"
    )


# -- comparing two decisions --------------------------------------------------------------


def findings(decision: Decision) -> frozenset[str]:
    """The clause findings of a decision, each as one short label."""
    out: set[str] = set()
    out.update(f"violation {v.clause}" for v in decision.violations)
    out.update(f"review {r.clause}" for r in decision.reviews)
    out.update(f"exception {x.exception} {x.clause}" for x in decision.exceptions)
    out.update(f"obligation {o.clause}" for o in decision.obligations)
    out.update(f"error {e.field}" for e in decision.errors)
    return frozenset(out)


def _finding_key(label: str) -> tuple[int, str]:
    order = ("violation", "review", "exception", "obligation", "error")
    kind = label.split(" ", 1)[0]
    return (order.index(kind) if kind in order else len(order), label)


def sort_findings(labels: Iterable[str]) -> list[str]:
    return sorted(labels, key=_finding_key)


@dataclass(frozen=True, slots=True)
class Change:
    """One activity decided under both sides."""

    document: Document
    before: Decision
    after: Decision

    @property
    def added(self) -> list[str]:
        return sort_findings(findings(self.after) - findings(self.before))

    @property
    def removed(self) -> list[str]:
        return sort_findings(findings(self.before) - findings(self.after))

    @property
    def changed(self) -> bool:
        return self.before.decision is not self.after.decision or findings(self.before) != findings(
            self.after
        )

    @property
    def label(self) -> str:
        return self.document.label

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.document.id,
            "where": self.document.where,
            "from": {
                "decision": self.before.decision.value,
                "findings": sort_findings(findings(self.before)),
                "reason": self.before.summary,
            },
            "to": {
                "decision": self.after.decision.value,
                "findings": sort_findings(findings(self.after)),
                "reason": self.after.summary,
            },
            "added": self.added,
            "removed": self.removed,
        }


@dataclass
class Tally:
    """Counts over every activity: the from->to matrix, and how many changed."""

    total: int = 0
    changed: int = 0
    findings_only: int = 0  # same decision, different findings
    matrix: Counter[tuple[Outcome, Outcome]] = field(default_factory=Counter)

    def add(self, change: Change) -> None:
        self.total += 1
        self.matrix[(change.before.decision, change.after.decision)] += 1
        if change.changed:
            self.changed += 1
            if change.before.decision is change.after.decision:
                self.findings_only += 1

    def outcomes(self) -> list[Outcome]:
        """The outcomes that occur on either side, in the contract's order."""
        seen = {o for pair in self.matrix for o in pair}
        return [o for o in OUTCOMES if o in seen]

    def matrix_json(self) -> dict[str, dict[str, int]]:
        return {a.value: {b.value: self.matrix.get((a, b), 0) for b in OUTCOMES} for a in OUTCOMES}


# -- running both sides -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where one side's decisions come from."""

    client: OpaPolicyClient


def compare(
    documents: Iterable[Document],
    before: tuple[Endpoint, str | None],
    after: tuple[Endpoint, str | None],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = DEFAULT_WORKERS,
) -> Iterator[Change]:
    """Every document decided under both sides, in input order, read once."""
    originals, left, right = itertools.tee(documents, 3)
    (a, regime_a), (b, regime_b) = before, after
    decided_a = evaluate(
        pin(left, regime_a),
        a.client,
        batch_size=batch_size,
        workers=workers,
    )
    decided_b = evaluate(
        pin(right, regime_b),
        b.client,
        batch_size=batch_size,
        workers=workers,
    )
    try:
        for doc, ra, rb in zip(originals, decided_a, decided_b, strict=True):
            # `doc` is the document as read (before any pin): labels stay the user's.
            yield Change(doc, ra.decision, rb.decision)
    finally:
        # Stopped early: each side stops its batches in flight and its thread pool now.
        for decided in (decided_a, decided_b):
            close = getattr(decided, "close", None)
            if close is not None:
                close()


class EarlierContractClient(OpaPolicyClient):
    """A client for a bundle that may answer in contract 1.x (a git revision or a copy from
    before 2.0): its decisions lack `notices` and `policy.until`, which are read as none and
    unknown. Everything else is checked against the decision schema as usual."""

    @staticmethod
    def _decision(document: object, activity: object) -> Decision:
        if isinstance(document, dict) and "notices" not in document:
            document = {**document, "notices": []}
            policy = document.get("policy")
            if isinstance(policy, dict) and "until" not in policy:
                document["policy"] = {**policy, "until": None}
        return OpaPolicyClient._decision(document, activity)


@contextlib.contextmanager
def endpoints(
    sides: tuple[Side, Side], *, timeout: float = 30.0, retry_for: float = 30.0
) -> Iterator[tuple[Endpoint, Endpoint]]:
    """A private OPA per distinct bundle (one when both sides pin regimes of the same
    bundle), and a client per side; everything is stopped when the block ends."""
    with contextlib.ExitStack() as stack:
        servers: dict[Path, LocalOpa] = {}
        out: list[Endpoint] = []
        for side in sides:
            key = side.bundle.resolve()
            if key not in servers:
                servers[key] = stack.enter_context(LocalOpa(side.bundle))
            server = servers[key]
            kind = OpaPolicyClient if side.kind == "regime" else EarlierContractClient
            client = stack.enter_context(
                kind(server.url, token=server.token, timeout=timeout, retry_for=retry_for)
            )
            out.append(Endpoint(client))
        yield out[0], out[1]
