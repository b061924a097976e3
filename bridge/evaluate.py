"""Many documents in, one decision each out, in input order, with bounded memory.

`evaluate` reads documents lazily, groups them into batches for `data.apl.batch`, keeps a
few batches in flight on a small thread pool (each thread with its own kept-alive
connection), and yields results strictly in input order as the oldest batch completes.
At most `workers * 2` batches are read ahead, so memory does not grow with the input.
A document that failed the activity schema never reaches OPA: it gets an `invalid`
decision built here, in its place.

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
from bridge.models import UNKNOWN_REVISION, Decision
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
        weight = encoded_size(doc.activity) + 1 if doc.valid else 0
        if batch and (len(batch) >= size or nbytes + weight > MAX_BATCH_BYTES):
            yield batch
            batch, nbytes = [], 0
        batch.append(doc)
        nbytes += weight
    if batch:
        yield batch


def _done(decisions: list[Decision]) -> Future[list[Decision]]:
    future: Future[list[Decision]] = Future()
    future.set_result(decisions)
    return future


def evaluate(
    documents: Iterable[Document],
    client: DecisionClient,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = DEFAULT_WORKERS,
    revision: str = UNKNOWN_REVISION,
) -> Iterator[Result]:
    """One Result per document, in input order. Raises the client's `OpaUnavailable` or
    `EvaluationError` at the first batch that fails for good (after the results before it
    have been yielded). `revision` labels invalid decisions until OPA has named its own."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    workers = max(1, workers)
    seen_revision = revision
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apl-batch")
    pending: deque[tuple[list[Document], Future[list[Decision]]]] = deque()
    try:
        for batch in _batches(documents, batch_size):
            activities = [d.activity for d in batch if d.valid]
            future = pool.submit(client.decide_batch, activities) if activities else _done([])
            pending.append((batch, future))
            while len(pending) >= workers * 2 or (pending and pending[0][1].done()):
                for result in _merge(*pending.popleft(), seen_revision):
                    seen_revision = result.decision.policy.revision
                    yield result
        while pending:
            for result in _merge(*pending.popleft(), seen_revision):
                seen_revision = result.decision.policy.revision
                yield result
    finally:
        if pending:
            # Stopped early (an error, or the reader went away): threads still retrying a
            # doomed batch give up at their next pause instead of holding the exit.
            client.interrupt()
        pool.shutdown(wait=True, cancel_futures=True)
        client.resume()


def _merge(batch: list[Document], future: Future[list[Decision]], revision: str) -> list[Result]:
    decisions = iter(future.result())
    answered = [d for d in batch if d.valid]
    # An invalid document in a batch takes the revision OPA reported for the batch.
    first = next(iter(future.result()), None) if answered else None
    label = first.policy.revision if first is not None else revision
    out: list[Result] = []
    for doc in batch:
        if doc.valid:
            out.append(Result(doc, next(decisions)))
        else:
            out.append(Result(doc, Decision.invalid(doc.id, doc.errors, revision=label)))
    return out


def expectation_mismatches(expect: object, decision: Decision) -> tuple[str, ...]:
    """How a decision differs from a fixture scenario's `expect` (CONTRACT.md, Fixtures):
    the decision, and, where the scenario lists them, the clauses of the violations and
    exceptions (exactly) and of the reviews and obligations (as sets). Empty: as expected."""
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
        if name in expect:
            wanted = expect[name] if isinstance(expect[name], list) else [expect[name]]
            want_sorted = sorted(map(str, wanted))
            if name in ("reviews", "obligations"):
                want_sorted = sorted(set(want_sorted))
            if want_sorted != got:
                out.append(f"{name} {want_sorted}, got {got}")
    return tuple(out)
