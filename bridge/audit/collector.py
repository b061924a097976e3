"""The HTTP service OPA uploads decision logs and status reports to.

OPA's decision-log plugin posts a gzip JSON array of events to `/logs`, and keeps a
chunk buffered and posts it again until it gets a 2xx. So the collector answers 2xx only
after every row of the upload is committed (`Store.write`), 503 when the database cannot
take it (OPA retries), and 4xx for a body no OPA would send (which stores nothing). The
status plugin posts JSON to `/status/` (or `/status/<partition>`); the last report of
each replica is kept.

Served by waitress: a pure-Python production WSGI server with no dependencies of its
own, which reads each request whole (capped by `max_request_body_size`, so an oversized
body is refused before it reaches memory), runs the application in a fixed thread pool,
and has no C code to crash on hostile bytes. Python's http.server would need all of that
written here, and its documentation warns against running it in production.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bridge.audit.events import (
    UploadError,
    gunzip,
    iter_unique,
    parse_json,
    replica_of,
    rows_of_upload,
)
from bridge.audit.store import StatusReport, Store, StoreUnavailableError

log = logging.getLogger("apl.audit")

MIB = 1024 * 1024

#: Largest compressed upload. OPA sends chunks of at most its
#: `decision_logs.reporting.upload_size_limit_bytes` and drops (never sends) a single
#: event larger than that, so the setting must be large enough for the biggest batch
#: (4 MiB is ample for a batch at OPA's 8 MiB request cap) and stay under this one.
DEFAULT_MAX_BODY = 32 * MIB

#: Largest upload once decompressed. Decision documents repeat their clause wording and
#: compress some 10 to 30 times; a gzip bomb stops here.
DEFAULT_MAX_INFLATED = 256 * MIB

#: Status reports are small (a few KiB per bundle and plugin).
MAX_STATUS_BYTES = 4 * MIB

#: The environment variable that turns on the test-only fault switch (`POST /_fault`).
FAULTS_ENV = "APL_AUDIT_FAULTS"

#: The environment variable holding the bearer token uploads must carry, if any (OPA
#: sends it with `services.<name>.credentials.bearer.token`).
TOKEN_ENV = "APL_AUDIT_TOKEN"  # noqa: S105 - the variable's name, not a secret

StartResponse = Callable[..., Any]
# What a route answers: the HTTP status, a JSON body, extra headers.
Answer = tuple[int, dict[str, Any], list[tuple[str, str]]]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_report(report: object) -> StatusReport:
    """A status report as OPA's status plugin posts it, or UploadError."""
    if not isinstance(report, dict):
        raise UploadError("a status report must be a JSON object")
    labels = report.get("labels")
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise UploadError("the status report's labels must be an object of strings")
    replica = replica_of(labels)
    if replica is None:
        raise UploadError("the status report's labels name no replica (no replica, name or id)")
    return StatusReport(replica, labels.get("id"), datetime.now(UTC), report)


class Collector:
    """The WSGI application: routes, limits, and the store it writes to."""

    def __init__(
        self,
        store: Store,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        max_inflated: int = DEFAULT_MAX_INFLATED,
        faults: bool = False,
        token: str | None = None,
    ) -> None:
        self.store = store
        # Compared through SHA-256 digests, so the comparison's time says nothing of how
        # much of a guess was right.
        self._token_digest = hashlib.sha256(token.encode()).digest() if token else None
        self.max_body = max_body
        self.max_inflated = max_inflated
        self.faults = faults
        self._fault_lock = threading.Lock()
        self._fault_status = 0
        self._fault_until = 0.0

    # -- WSGI ------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, body, headers = self._route(environ)
        except Exception:  # no request may take the collector down
            log.exception("unexpected error; answered 500")
            status, body, headers = 500, {"error": "internal error; nothing was stored"}, []
        data = json.dumps(body).encode() + b"\n"
        start_response(
            f"{status} {_REASONS.get(status, '')}".strip(),
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("Cache-Control", "no-store"),
                *headers,
            ],
        )
        return [data]

    def _route(self, environ: dict[str, Any]) -> Answer:
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        if path == "/health":
            return self._only(method, "GET") or self._health()
        if path == "/logs":
            return self._only(method, "POST") or self._refused(environ) or self._logs(environ)
        if path == "/status" or path.startswith("/status/"):
            return self._only(method, "POST") or self._refused(environ) or self._status(environ)
        if path == "/_fault" and self.faults:
            return self._only(method, "POST") or self._set_fault(environ)
        return 404, {"error": f"no such route: {path}"}, []

    @staticmethod
    def _only(method: str, allowed: str) -> Answer | None:
        if method == allowed:
            return None
        return 405, {"error": f"use {allowed}"}, [("Allow", allowed)]

    def _refused(self, environ: dict[str, Any]) -> Answer | None:
        """401 unless the request carries the configured bearer token (when there is one)."""
        if self._token_digest is None:
            return None
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        digest = hashlib.sha256(given.strip().encode()).digest()
        if scheme.lower() == "bearer" and hmac.compare_digest(digest, self._token_digest):
            return None
        log.warning("refused a request without the token from %s", environ.get("REMOTE_ADDR"))
        return 401, {"error": "a bearer token is required"}, [("WWW-Authenticate", "Bearer")]

    # -- routes ----------------------------------------------------------------------------

    def _health(self) -> Answer:
        try:
            self.store.ping()
        except StoreUnavailableError as exc:
            return 503, {"status": "store unavailable", "error": str(exc)}, []
        return 200, {"status": "ok", "store": self.store.dialect}, []

    def _logs(self, environ: dict[str, Any]) -> Answer:
        fault = self._active_fault()
        if fault:
            log.warning("fault switch: answered %d to %s", fault, environ.get("PATH_INFO"))
            return fault, {"error": "fault injected for a test; nothing was stored"}, []
        try:
            body = self._read(environ, self.max_body)
            events = parse_json(gunzip(body, self.max_inflated), "the decompressed body")
            rows = list(iter_unique(rows_of_upload(events)))
            assert isinstance(events, list)  # noqa: S101 - rows_of_upload refused anything else
        except UploadError as exc:
            log.warning("refused an upload from %s: %s", environ.get("REMOTE_ADDR"), exc)
            return exc.status, {"error": str(exc), "stored": 0}, []
        try:
            added = self.store.write(rows)
        except StoreUnavailableError as exc:
            log.warning("store unavailable, upload refused for a retry: %s", exc)
            return 503, {"error": f"the store is unavailable: {exc}"}, [("Retry-After", "1")]
        except RecursionError:
            # json.loads took it, but re-encoding it for the store went deeper still.
            return 400, {"error": "an event nests too deeply to be stored", "stored": 0}, []
        return 200, {"events": len(events), "rows": len(rows), "new": added}, []

    def _status(self, environ: dict[str, Any]) -> Answer:
        fault = self._active_fault()
        if fault:
            log.warning("fault switch: answered %d to %s", fault, environ.get("PATH_INFO"))
            return fault, {"error": "fault injected for a test; nothing was stored"}, []
        try:
            body = self._read(environ, MAX_STATUS_BYTES)
            if environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
                body = gunzip(body, MAX_STATUS_BYTES)
            report = status_report(parse_json(body, "the status report"))
        except UploadError as exc:
            log.warning("refused a status report from %s: %s", environ.get("REMOTE_ADDR"), exc)
            return exc.status, {"error": str(exc)}, []
        try:
            self.store.write_status(report)
        except StoreUnavailableError as exc:
            return 503, {"error": f"the store is unavailable: {exc}"}, [("Retry-After", "1")]
        return 200, {"replica": report.replica}, []

    def _read(self, environ: dict[str, Any], limit: int) -> bytes:
        raw_length = environ.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw_length)
        except ValueError:
            raise UploadError("the request has no Content-Length", 411) from None
        if length > limit:
            raise UploadError(f"the body is {length} bytes, over the limit of {limit}", 413)
        body: bytes = environ["wsgi.input"].read(length)
        if len(body) != length:
            raise UploadError("the body is shorter than its Content-Length")
        if not body:
            raise UploadError("the body is empty")
        return body

    # -- the test-only fault switch ---------------------------------------------------------

    def _set_fault(self, environ: dict[str, Any]) -> Answer:
        if environ.get("REMOTE_ADDR", "") not in ("127.0.0.1", "::1"):
            return 404, {"error": "no such route: /_fault"}, []
        try:
            spec: Any = parse_json(self._read(environ, 4096), "the fault")
            status = int(spec["status"])
            seconds = float(spec["seconds"])
        except (UploadError, KeyError, TypeError, ValueError) as exc:
            return 400, {"error": f'expected {{"status": 503, "seconds": 10}}: {exc}'}, []
        if not (400 <= status <= 599) or not (0 <= seconds <= 600):
            return 400, {"error": "status must be 4xx or 5xx and seconds within 0..600"}, []
        with self._fault_lock:
            self._fault_status = status
            self._fault_until = time.monotonic() + seconds
        log.warning("fault switch: answering %d for %.1f s", status, seconds)
        return 200, {"status": status, "seconds": seconds}, []

    def _active_fault(self) -> int:
        with self._fault_lock:
            if self._fault_status and time.monotonic() < self._fault_until:
                return self._fault_status
            return 0


def serve(
    collector: Collector,
    host: str,
    port: int,
    *,
    threads: int = 4,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until KeyboardInterrupt (SIGINT, or SIGTERM as the CLI maps it), then stop
    taking requests and let the ones in flight finish their writes."""
    from waitress.server import create_server  # noqa: PLC0415 - only `audit serve` needs it

    server = create_server(
        collector,
        host=host,
        port=port,
        threads=threads,
        # A little over the collector's own cap, so that its clearer 413 is the one sent
        # for a declared length, and waitress's for a chunked body that grows too large.
        max_request_body_size=collector.max_body + 1,
        ident="apl-audit",
        # OPA uploads every few seconds at most; an idle connection is closed after this.
        channel_timeout=60,
    )
    try:
        effective = getattr(server, "effective_port", port)
        if on_ready is not None:
            on_ready(f"http://{host}:{effective}")
        server.run()
    finally:
        server.close()
