"""How many decision-log events per second the audit collector stores, on SQLite and on
PostgreSQL, through its HTTP API exactly as OPA uploads (gzip JSON arrays, one commit
per upload, each acknowledged only once committed).

The events carry real decision documents (one per kind of outcome, asked of a real OPA
once) under fresh decision ids, so each upload's rows are all new. Two senders post at
once, as two OPA replicas would. Bounded: a fixed number of events per store.

    .venv/bin/python bench/audit_throughput.py [--events 20000] [--per-upload 200]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.audit.process import AuditServer, request
from bridge.audit.query import Filters, count_records
from bridge.audit.store import open_store
from bridge.server import LocalOpa
from tests.audit.postgres import PostgresCluster
from tests.audit.support import KINDS, activity


def real_decisions() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(input after the mask, decision) for one activity of each kind, from a real OPA."""
    pairs = []
    with LocalOpa() as opa:
        for n, kind in enumerate(KINDS):
            doc = activity(n, kind)
            status, body = _post_opa(opa, {"input": doc})
            if status != 200:
                raise SystemExit(f"OPA answered {status}: {body}")
            doc.pop("extensions")
            pairs.append((doc, body["result"]))
    return pairs


def _post_opa(opa: LocalOpa, body: object) -> tuple[int, Any]:
    import http.client  # noqa: PLC0415

    conn = http.client.HTTPConnection(opa.host, opa.port, timeout=30)
    conn.request(
        "POST",
        "/v1/data/apl/decision",
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {opa.token}"},
    )
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def uploads(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], events: int, per: int
) -> list[bytes]:
    bodies = []
    for start in range(0, events, per):
        chunk = []
        for n in range(start, min(events, start + per)):
            doc, result = pairs[n % len(pairs)]
            chunk.append(
                {
                    "decision_id": str(uuid.uuid4()),
                    "labels": {"id": "bench", "replica": f"opa-{n % 2}", "version": "bench"},
                    "bundles": {"rego": {"revision": "bench"}},
                    "path": "apl/decision",
                    "input": doc,
                    "result": result,
                    "erased": ["/input/extensions"],
                    "requested_by": "127.0.0.1:1",
                    "timestamp": "2026-11-29T12:00:00.000000001Z",
                }
            )
        bodies.append(gzip.compress(json.dumps(chunk).encode()))
    return bodies


def measure(url: str, bodies: list[bytes], events: int, senders: int = 2) -> float:
    with AuditServer(url) as collector:
        queue = list(reversed(bodies))
        lock = threading.Lock()
        failures: list[str] = []

        def send() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                status, answer = request(
                    collector.host,
                    collector.port,
                    "POST",
                    "/logs",
                    body,
                    headers={"Content-Encoding": "gzip"},
                    timeout=120,
                )
                if status != 200:
                    failures.append(f"{status} {answer}")

        threads = [threading.Thread(target=send) for _ in range(senders)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"uploads failed: {failures[:3]}")
    with open_store(url, create=False) as store:
        stored = count_records(store, Filters())[0]["count"]
    if stored != events:
        raise SystemExit(f"{url}: stored {stored} of {events} events")
    return events / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--per-upload", type=int, default=200)
    args = parser.parse_args()
    pairs = real_decisions()
    bodies = uploads(pairs, args.events, args.per_upload)
    size = sum(len(b) for b in bodies) / len(bodies)
    print(
        f"{args.events} events in uploads of {args.per_upload} "
        f"({size / 1024:.0f} KiB gzip each), 2 senders"
    )
    with tempfile.TemporaryDirectory() as folder:
        rate = measure(f"sqlite:///{folder}/bench.db", bodies, args.events)
        print(f"  SQLite (WAL, synchronous=FULL):     {rate:8.0f} events/s stored")
    cluster = PostgresCluster().start()
    try:
        rate = measure(cluster.create_database("bench"), bodies, args.events)
        print(f"  PostgreSQL (synchronous_commit=on): {rate:8.0f} events/s stored")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
