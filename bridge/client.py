"""A fail-closed client for the APL policy served by OPA, on opa-python-client's OpaClient.

`OpaPolicyClient.decide` and `.decide_batch` query `data.apl.decision` and
`data.apl.batch` with OpaClient.query_rule over kept-alive connections (one requests
session per thread, so a small thread pool can share one client). Every exception of
opa-python-client, requests and urllib3 is caught here and re-raised as the bridge's
own, and every answer is checked against the contract before it becomes a `Decision`:
a non-200, a timeout, an answer without `result`, or a result that does not fit is an
error, never a permit.

Transport: for a plain `http://` URL with no proxy set for it, requests go over
`bridge.wire` (one raw kept-alive connection per thread, the request head built once,
llhttp and orjson), which costs a tenth of requests' CPU per call; `https://`, a proxy,
or a test's fake transport go through opa-python-client's requests session. Both paths
word every failure the same way.

Retries: connection errors and 502/503/504 are retried with exponential
backoff and jitter for up to `retry_for` seconds, since queries are pure and a retried
request cannot be counted twice. Read timeouts and other statuses are not retried: OPA
is up and answered (or is stuck), and asking again would only hide that.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from bridge import fastjson, wire
from bridge.errors import EvaluationError, OpaUnavailable
from bridge.models import Decision

if TYPE_CHECKING:
    # requests and opa-python-client (which imports aiohttp) cost ~0.35 s of CPU to import:
    # they are imported when the requests path is first used, never by a plain-HTTP run.
    import requests
    import requests.adapters

    from bridge.session import SessionClient

DECISION_RULE = ("apl", "decision")
BATCH_RULE = ("apl", "batch")
RETRY_STATUSES = frozenset({502, 503, 504})
_USER_AGENT = "apl-policy-bridge"
_BACKOFF_FIRST = 0.05
_BACKOFF_CAP = 2.0

T = TypeVar("T")


class _Retryable(Exception):  # noqa: N818 - internal signal, never escapes this module
    """A failure worth trying again: carries the error to raise when time is up."""

    def __init__(self, final: Exception) -> None:
        super().__init__(str(final))
        self.final = final


class OpaPolicyClient:
    """Decisions from an OPA server that serves the APL policy bundle.

    `url` is the server's base URL (`http://127.0.0.1:8181`, or behind a proxy with a path
    prefix); `token` is sent as a bearer token; `timeout` bounds each request; `retry_for`
    bounds the time spent retrying a request that failed to reach OPA.
    """

    def __init__(  # noqa: PLR0913 - keyword-only settings, each with a default
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        retry_for: float = 30.0,
        transport: requests.adapters.BaseAdapter | None = None,
        on_retry: Callable[[Exception, float], None] | None = None,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpaUnavailable(
                f"{url!r} is not an OPA URL; give one like http://127.0.0.1:8181 "
                "(--opa-url or APL_OPA_URL)"
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise OpaUnavailable(f"{url!r} has an invalid port: {exc}") from None
        self.url = url
        self._host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self._port = port
        self._ssl = parts.scheme == "https"
        self._prefix = parts.path.rstrip("/")
        self._token = token or None
        self.timeout = timeout
        self.retry_for = max(0.0, retry_for)
        self._transport = transport
        # The raw path when nothing needs requests: plain HTTP, no proxy, no fake transport.
        # (What requests would read from the environment is read once, here.)
        self._wire = transport is None and not self._ssl and not _proxied(self._host, port)
        self._local = threading.local()
        self._clients: list[SessionClient] = []
        self._connections: list[wire.Connection] = []
        self._lock = threading.Lock()
        self._interrupted = threading.Event()
        self.retries = 0  # how many times a request was tried again (for reports and tests)
        # Told (error, seconds left) before each retry: a CLI can say that it is waiting.
        self.on_retry = on_retry

    # -- public -------------------------------------------------------------

    def decide(self, activity: object) -> Decision:
        """The decision for one activity document."""
        answer = self._query(DECISION_RULE, activity)
        return self._decision(answer, activity)

    def decide_batch(self, activities: Sequence[object]) -> list[Decision]:
        """Decisions for many activities in one request, in the same order."""
        if not activities:
            return []
        answer = self._query(BATCH_RULE, {"activities": list(activities)})
        decisions = answer.get("decisions") if isinstance(answer, dict) else None
        if not isinstance(decisions, list):
            raise EvaluationError(
                "OPA's batch answer has no `decisions` list; is the bundle the APL policy?"
            )
        if len(decisions) != len(activities):
            raise EvaluationError(
                f"OPA returned {len(decisions)} decisions for {len(activities)} activities; "
                "none used"
            )
        return [self._decision(d, a) for d, a in zip(decisions, activities, strict=True)]

    def interrupt(self) -> None:
        """Make requests that are waiting to retry give up now (with their last error)."""
        self._interrupted.set()

    def resume(self) -> None:
        """Undo `interrupt`: retry again as configured."""
        self._interrupted.clear()

    def close(self) -> None:
        """Close every kept-alive connection (of every thread)."""
        with self._lock:
            clients, self._clients = self._clients, []
            connections, self._connections = self._connections, []
        for client in clients:
            client.close_connection()
        for connection in connections:
            connection.close()

    def __enter__(self) -> OpaPolicyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------

    def _client(self) -> SessionClient:
        client: SessionClient | None = getattr(self._local, "client", None)
        if client is None:
            from bridge.session import SessionClient  # noqa: PLC0415 - see TYPE_CHECKING

            client = SessionClient(
                host=self._host,
                port=self._port,
                ssl=self._ssl,
                token=self._token,
                headers={"User-Agent": _USER_AGENT},
                timeout=self.timeout,
                transport=self._transport,
            )
            if self._prefix:
                scheme = "https://" if self._ssl else "http://"
                client.root_url = f"{scheme}{self._host}:{self._port}{self._prefix}/v1"
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _connection(self) -> wire.Connection:
        connection: wire.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            headers = {"User-Agent": _USER_AGENT}
            if self._token:
                headers["Authorization"] = f"Bearer {self._token}"
            connection = wire.Connection(
                self._host.strip("[]"),
                self._port,
                host_header=f"{self._host}:{self._port}",
                headers=headers,
                timeout=self.timeout,
            )
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @staticmethod
    def _decision(document: object, activity: object) -> Decision:
        expected = activity.get("id") if isinstance(activity, dict) else None
        return Decision.from_document(
            document, expected_id=expected if isinstance(expected, str) else None
        )

    def _query(self, rule: tuple[str, str], input_data: object) -> object:
        """POST input to the rule and return `result`, retrying what is worth retrying."""
        path = "/".join(rule)
        return self._with_retries(lambda: self._query_once(rule, input_data), path)

    def _with_retries(self, attempt: Callable[[], T], path: str) -> T:
        deadline = time.monotonic() + self.retry_for
        delay = _BACKOFF_FIRST
        while True:
            try:
                return attempt()
            except _Retryable as retry:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise retry.final from None
                # Full jitter, so that the workers of a batch run do not retry in step.
                pause = min(left, random.uniform(delay / 2, delay))  # noqa: S311 - jitter, not crypto
                if self.on_retry is not None:
                    self.on_retry(retry.final, left)
                if self._interrupted.wait(pause):
                    raise retry.final from None
                delay = min(delay * 2, _BACKOFF_CAP)
                self.retries += 1
            except (EvaluationError, OpaUnavailable):
                raise
            except Exception as exc:  # noqa: BLE001 - the boundary: nothing foreign escapes
                raise EvaluationError(
                    f"unexpected failure querying {path} on {self.url}: {type(exc).__name__}: {exc}"
                ) from None

    def _query_once(self, rule: tuple[str, str], input_data: object) -> object:
        if self._wire:
            return self._query_wire(rule, input_data)
        import requests  # noqa: PLC0415 - see TYPE_CHECKING: only on the requests path

        path = "/".join(rule)
        where = f"{path} on {self.url}"
        try:
            body = self._client().query_rule(input_data, package_path=rule[0], rule_name=rule[1])
        except requests.exceptions.ReadTimeout:
            raise self._timed_out(where) from None
        except (
            requests.exceptions.ConnectionError,
            # The connection dropped mid-answer (OPA killed while writing): nothing was
            # decided that a retry could count twice.
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise _Retryable(self._unreachable(_root_cause(exc))) from None
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            raise self._status_error(rule, status, _opa_message(exc.response)) from None
        except requests.exceptions.JSONDecodeError:
            raise EvaluationError(f"OPA's answer for {where} is not JSON") from None
        except requests.exceptions.InvalidJSONError as exc:
            raise EvaluationError(f"the input for {where} cannot be sent as JSON: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise OpaUnavailable(f"request to {where} failed: {_root_cause(exc)}") from None
        return self._result(rule, body)

    def _query_wire(self, rule: tuple[str, str], input_data: object) -> object:
        """`_query_once` over `bridge.wire`: the same answers, checks and words."""
        where = f"{'/'.join(rule)} on {self.url}"
        try:
            body = b'{"input":' + fastjson.dumps(input_data) + b"}"
        except (TypeError, ValueError) as exc:
            raise EvaluationError(f"the input for {where} cannot be sent as JSON: {exc}") from None
        try:
            status, data = self._connection().post(f"{self._prefix}/v1/data/{'/'.join(rule)}", body)
        except wire.TimedOut:
            raise self._timed_out(where) from None
        except wire.Unreachable as exc:
            raise _Retryable(self._unreachable(str(exc))) from None
        except wire.BadAnswer as exc:
            raise EvaluationError(f"OPA's answer for {where} is not HTTP: {exc}") from None
        if status != 200:
            raise self._status_error(rule, status, _message(data, ""))
        try:
            answer = fastjson.loads(data)
        except ValueError:
            raise EvaluationError(f"OPA's answer for {where} is not JSON") from None
        return self._result(rule, answer)

    def _timed_out(self, where: str) -> OpaUnavailable:
        return OpaUnavailable(
            f"OPA did not answer {where} within {self.timeout:g}s; "
            "check the server's load, or raise --timeout"
        )

    def _unreachable(self, cause: str) -> OpaUnavailable:
        return OpaUnavailable(
            f"cannot reach OPA at {self.url} (gave up after {self.retry_for:g}s): "
            f"{cause}; start it with `apl-policy serve` or `make serve`, "
            "or drop --opa-url/APL_OPA_URL to use a private one"
        )

    def _status_error(self, rule: tuple[str, str], status: int, detail: str) -> Exception:
        """What a non-200 answer means: retry a gateway's 502/503/504, else an error."""
        path = "/".join(rule)
        where = f"{path} on {self.url}"
        if status in RETRY_STATUSES:
            return _Retryable(
                OpaUnavailable(
                    f"OPA at {self.url} kept answering {status} for {path} "
                    f"(gave up after {self.retry_for:g}s): {detail}"
                )
            )
        if status in (401, 403):
            return EvaluationError(
                f"OPA refused {where} ({status}): {detail}; pass the server's token with "
                "--token or APL_OPA_TOKEN"
            )
        return EvaluationError(f"OPA answered {status} for {where}: {detail}")

    def _result(self, rule: tuple[str, str], body: object) -> object:
        """The `result` of OPA's answer; an error when it is not an object holding one."""
        path = "/".join(rule)
        if not isinstance(body, dict):
            raise EvaluationError(f"OPA's answer for {path} on {self.url} is not a JSON object")
        if "result" not in body:
            raise EvaluationError(
                f"OPA returned no result for {path}: data.{'.'.join(rule)} is undefined on "
                f"{self.url}; is it serving the APL policy bundle?"
            )
        return body["result"]


def _proxied(host: str, port: int) -> bool:
    """Whether requests would send `http://host:port/` through a proxy (HTTP_PROXY and
    friends, less NO_PROXY). Without any proxy set, neither requests nor urllib.request
    (with the http.client, email and ssl modules it brings, some 10 ms a start) is imported."""
    if sys.platform not in {"darwin", "win32"} and not any(
        name.lower().endswith("_proxy") for name in os.environ
    ):
        return False  # all getproxies() reads here (not macOS or Windows): *_proxy variables
    import urllib.request  # noqa: PLC0415

    proxies = urllib.request.getproxies()
    if not (proxies.get("http") or proxies.get("all")):
        return False
    import requests.utils  # noqa: PLC0415 - its exact NO_PROXY rules, only when a proxy is set

    return bool(requests.utils.get_environ_proxies(f"http://{host}:{port}/"))


def _root_cause(exc: BaseException) -> str:
    """The innermost reason (e.g. "Connection refused"), not urllib3's nested repr."""
    seen: set[int] = set()
    current: BaseException = exc
    while True:
        nxt = current.__cause__ or current.__context__
        if nxt is None and current.args and isinstance(current.args[0], BaseException):
            nxt = current.args[0]
        reason = getattr(current, "reason", None)
        if nxt is None and isinstance(reason, BaseException):
            nxt = reason
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(current))
        current = nxt
    text = str(current)
    if "] " in text and text.startswith("[Errno"):
        text = text.split("] ", 1)[1]
    return text.rsplit(": ", 1)[-1] if "Failed to establish" in text else text


def _opa_message(response: requests.Response | None) -> str:
    if response is None:
        return "no response"
    return _message(response.content, response.reason or "")


def _message(data: bytes, reason: str) -> str:
    """OPA's error message from an error answer's body (`code: message`), else its text."""
    try:
        body = json.loads(data)
    except ValueError:
        text = data.decode("utf-8", "replace")
        return (text or reason).strip()[:200] or "empty body"
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code")
        return f"{code}: {body['message']}" if code else str(body["message"])
    return str(body)[:200]
