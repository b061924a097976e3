"""Decisions from several OPA replicas: `--opa-url` given more than once (or with commas).

`ReplicaSetClient` holds one `OpaPolicyClient` per replica and spreads requests over the
replicas in turn. A replica that fails to answer (connection refused or cut, 502/503/504,
or a read timeout) is taken out and the same request goes to the next replica at once;
the failed one gets requests again only after its `GET /health?bundles` answers 200
(open without a token; asked at most every `probe_every` seconds, only when a request
needs a replica). When every replica is out, the client keeps probing with backoff for
up to `retry_for` seconds, then raises `OpaUnavailable`.

A request is sent whole to one replica and its answer used whole: decisions are pure, so
a batch retried elsewhere is neither lost nor counted twice, and `evaluate` keeps the
input order as with one server. What is not retried elsewhere: an answer that is an
error (401/403, another status, a malformed result), since every replica runs the same
bundle and would answer the same.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from bridge.client import OpaPolicyClient
from bridge.errors import OpaUnavailable
from bridge.models import Decision

T = TypeVar("T")

_BACKOFF_FIRST = 0.05
_BACKOFF_CAP = 1.0


class DecisionClient(Protocol):
    """What `bridge.evaluate.evaluate` needs of a client: one server or several."""

    def decide_batch(self, activities: Sequence[dict[str, Any]]) -> list[Decision]: ...

    def interrupt(self) -> None: ...

    def resume(self) -> None: ...


def split_urls(spec: str | Sequence[str]) -> list[str]:
    """URLs from `--opa-url` values: each may hold several, separated by commas or spaces."""
    values = [spec] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for value in values:
        out += [u for u in value.replace(",", " ").split() if u]
    return out


class _Replica:
    def __init__(self, client: OpaPolicyClient) -> None:
        self.client = client
        self.up = True
        self.next_probe = 0.0
        self.probing = False
        self.failures = 0


class ReplicaSetClient:
    """Decisions from whichever replica of a set answers (same interface as
    `OpaPolicyClient` for `decide`, `decide_batch`, `interrupt`, `resume`, `close`)."""

    def __init__(  # noqa: PLR0913 - keyword-only settings, as OpaPolicyClient's
        self,
        urls: Sequence[str],
        *,
        token: str | None = None,
        timeout: float = 10.0,
        retry_for: float = 30.0,
        probe_every: float = 0.5,
        on_retry: Callable[[Exception, float], None] | None = None,
    ) -> None:
        if not urls:
            raise OpaUnavailable("no OPA URL given")
        if len(set(urls)) != len(urls):
            raise OpaUnavailable(f"an OPA URL is given twice in {', '.join(urls)}")
        # Each replica's own client gives up at once: failing over is this class's job.
        self._replicas = [
            _Replica(OpaPolicyClient(u, token=token, timeout=timeout, retry_for=0)) for u in urls
        ]
        self.url = ",".join(urls)
        self.timeout = timeout
        self.retry_for = max(0.0, retry_for)
        self.probe_every = probe_every
        self.on_retry = on_retry
        self.retries = 0  # requests sent again to another replica, or after a pause
        self._lock = threading.Lock()
        self._turn = 0
        self._interrupted = threading.Event()

    # -- public -------------------------------------------------------------------------

    @property
    def urls(self) -> list[str]:
        return [r.client.url for r in self._replicas]

    def decide(self, activity: dict[str, Any]) -> Decision:
        return self._call(lambda client: client.decide(activity))

    def decide_batch(self, activities: Sequence[dict[str, Any]]) -> list[Decision]:
        if not activities:
            return []
        return self._call(lambda client: client.decide_batch(activities))

    def interrupt(self) -> None:
        self._interrupted.set()

    def resume(self) -> None:
        self._interrupted.clear()

    def close(self) -> None:
        for replica in self._replicas:
            replica.client.close()

    def __enter__(self) -> ReplicaSetClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def states(self) -> dict[str, bool]:
        """Each replica's URL and whether it is taken as up now (for reports and tests)."""
        return {r.client.url: r.up for r in self._replicas}

    # -- internals ----------------------------------------------------------------------

    def _call(self, request: Callable[[OpaPolicyClient], T]) -> T:
        deadline = time.monotonic() + self.retry_for
        delay = _BACKOFF_FIRST
        last: OpaUnavailable | None = None
        tried: set[int] = set()  # replicas that failed this request since the last pause
        while True:
            replica = self._pick(tried)
            if replica is not None:
                try:
                    result = request(replica.client)
                except OpaUnavailable as exc:
                    # Another replica at once: that is failing over, not retrying.
                    self._take_out(replica)
                    tried.add(id(replica))
                    last = exc
                    self.retries += 1
                    continue
                replica.failures = 0
                return result
            # Every replica is out (or failed this request): wait, within retry_for, for
            # one to answer its health check again.
            left = deadline - time.monotonic()
            error = OpaUnavailable(
                f"no OPA replica answered (of {self.url}; gave up after {self.retry_for:g}s)"
                + (f"; last: {last}" if last else "")
            )
            if left <= 0:
                raise error
            if self.on_retry is not None:
                self.on_retry(error, left)
            pause = min(left, random.uniform(delay / 2, delay))  # noqa: S311 - jitter
            if self._interrupted.wait(pause):
                raise error
            delay = min(delay * 2, _BACKOFF_CAP)
            tried.clear()

    def _pick(self, tried: set[int]) -> _Replica | None:
        """The next replica that is up, in turn, and has not failed this request yet; a
        replica that is out is probed first when its time has come, and used if it
        answers."""
        count = len(self._replicas)
        with self._lock:
            start = self._turn
            self._turn = (self._turn + 1) % count
        for offset in range(count):
            replica = self._replicas[(start + offset) % count]
            if id(replica) in tried:
                continue
            if replica.up or self._probe_now(replica):
                return replica
        return None

    def _take_out(self, replica: _Replica) -> None:
        with self._lock:
            replica.up = False
            replica.failures += 1
            replica.next_probe = time.monotonic() + self.probe_every

    def _probe_now(self, replica: _Replica) -> bool:
        with self._lock:
            if replica.up:
                return True
            if replica.probing or time.monotonic() < replica.next_probe:
                return False
            replica.probing = True
        healthy = self._healthy(replica.client.url)
        with self._lock:
            replica.probing = False
            replica.next_probe = time.monotonic() + self.probe_every
            if healthy:
                replica.up = True
        return healthy

    def _healthy(self, url: str) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        # Imported here: a run with one replica never probes, and never pays requests'
        # import (see bridge.client).
        import requests  # noqa: PLC0415

        try:
            reply = requests.get(f"{base}/health?bundles", timeout=min(self.timeout, 2.0))
        except requests.RequestException:
            return False
        return reply.status_code == 200


def make_client(
    url_spec: str,
    *,
    token: str | None,
    timeout: float,
    retry_for: float,
    on_retry: Callable[[Exception, float], None] | None = None,
) -> OpaPolicyClient | ReplicaSetClient:
    """One `OpaPolicyClient` for one URL, a `ReplicaSetClient` for several."""
    urls = split_urls(url_spec)
    if len(urls) == 1:
        return OpaPolicyClient(
            urls[0], token=token, timeout=timeout, retry_for=retry_for, on_retry=on_retry
        )
    return ReplicaSetClient(
        urls, token=token, timeout=timeout, retry_for=retry_for, on_retry=on_retry
    )
