"""Many documents in, one decision each out, in input order, with bounded memory.

`evaluate` reads documents lazily, groups them into batches for `data.apl.batch`, keeps a
few batches in flight on a small thread pool (each thread with its own kept-alive
connection), and yields results strictly in input order as the oldest batch completes.
At most `workers * 2` batches are read ahead, so memory does not grow with the input.
Every document goes to OPA, which judges the contract. One the limits refused is never
sent: `null` goes in its place, and OPA's `invalid` answer to it, with the refusal as its
error, becomes its decision (so the policy, its revision and notices are OPA's own).

A batch either comes back whole (one decision per activity, checked) or raises: the
client retries a batch as a unit, so a decision is never counted twice or skipped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from bridge.limits import MAX_BATCH_BYTES, encoded_size
from bridge.loading import Document
from bridge.models import Decision
from bridge.replicas import DecisionClient

DEFAULT_BATCH_SIZE = 200
DEFAULT_WORKERS = 3


@dataclass(frozen=True, slots=True)
class Result:
    document: Document
    decision: Decision


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive documents, at most `size` a batch and at most MAX_BATCH_BYTES of valid
    activities (OPA refuses larger bodies)."""
    batch: list[Document] = []
    nbytes = 0
    for doc in documents:
        weight = encoded_size(doc.activity) + 1
        if batch and (len(batch) >= size or nbytes + weight > MAX_BATCH_BYTES):
            yield batch
            batch, nbytes = [], 0
        batch.append(doc)
        nbytes += weight
    if batch:
        yield batch


def evaluate(
    documents: Iterable[Document],
    client: DecisionClient,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = DEFAULT_WORKERS,
) -> Iterator[Result]:
    """One Result per document, in input order. Raises the client's `OpaUnavailable` or
    `EvaluationError` at the first batch that fails for good (after the results before it
    have been yielded)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    workers = max(1, workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apl-batch")
    pending: deque[tuple[list[Document], Future[list[Decision]]]] = deque()
    try:
        for batch in _batches(documents, batch_size):
            pending.append((batch, pool.submit(client.decide_batch, [d.activity for d in batch])))
            while len(pending) >= workers * 2 or (pending and pending[0][1].done()):
                yield from _merge(*pending.popleft())
        while pending:
            yield from _merge(*pending.popleft())
    finally:
        if pending:
            # Stopped early (an error, or the reader went away): threads still retrying a
            # doomed batch give up at their next pause instead of holding the exit.
            client.interrupt()
        pool.shutdown(wait=True, cancel_futures=True)
        client.resume()


def _merge(batch: list[Document], future: Future[list[Decision]]) -> list[Result]:
    return [
        Result(doc, decision if doc.refused is None else decision.refused(doc.id, doc.refused))
        for doc, decision in zip(batch, future.result(), strict=True)
    ]


def expectation_mismatches(expect: object, decision: Decision) -> tuple[str, ...]:
    """How a decision differs from a fixture scenario's `expect` (CONTRACT.md, Fixtures):
    the decision, the clauses of the violations and exceptions (exactly; none when not
    listed), and of the reviews and obligations (as sets, where listed). Empty: as
    expected. The one judge of a fixture, for `eval --scenarios` and for pytest alike."""
    if not isinstance(expect, dict):
        return ("an `expect` mapping in the scenario",)
    out: list[str] = []
    want = expect.get("decision")
    if want != decision.decision.value:
        out.append(f"{want}, got {decision.decision.value}")
    groups = {
        "violations": sorted(v.clause for v in decision.violations),
        "exceptions": sorted(x.clause for x in decision.exceptions),
        "reviews": sorted({r.clause for r in decision.reviews}),
        "obligations": sorted({o.clause for o in decision.obligations}),
    }
    for name, got in groups.items():
        if name not in expect and name in ("reviews", "obligations"):
            continue
        listed = expect.get(name, [])
        wanted = sorted(map(str, listed if isinstance(listed, list) else [listed]))
        if name in ("reviews", "obligations"):
            wanted = sorted(set(wanted))
        if wanted != got:
            out.append(f"{name} {wanted}, got {got}")
    return tuple(out)
