"""The client's plain-HTTP path (bridge.wire) over a real socket: a scripted server on
127.0.0.1 answers each request with exactly the bytes a test gives it (or drops the
connection, or says nothing), so every way an answer can go wrong is met on the wire.
Whatever comes back, the client answers with a decision only for a 200 carrying one."""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge import fastjson
from bridge.client import OpaPolicyClient
from bridge.errors import EvaluationError, InputError, OpaUnavailable
from bridge.evaluate import Result
from bridge.limits import parse_jsonl_line
from bridge.loading import Document
from bridge.models import Decision, Outcome
from bridge.render import JsonlRenderer, Row, ordered

ACTIVITY = {"id": "a1", "action": "use", "actor": "US", "munition": {"model": "M16"}}
PERMIT = {
    "id": "a1",
    "decision": "permit",
    "allowed": True,
    "policy": {"id": "us-apl-2022", "effective": "2022-06-21", "until": None, "revision": "r"},
    "munition": {"is_apl": False, "basis": "catalogued"},
    "reason": "",
    "violations": [],
    "exceptions": [],
    "reviews": [],
    "obligations": [],
    "errors": [],
    "notices": [],
}

CLOSE = "close"  # drop the connection without a byte of answer
HANG = "hang"  # read the request, never answer


class Cut(bytes):
    """An answer after which the server drops the connection (cut short, say)."""


def http(
    status: int, body: bytes | str | object, *, headers: str = "", chunked: bool = False
) -> bytes:
    if not isinstance(body, bytes):
        body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{headers}"
    if chunked:
        chunks = b"".join(
            f"{len(body[i : i + 7]):x}\r\n".encode() + body[i : i + 7] + b"\r\n"
            for i in range(0, len(body), 7)
        )
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks + b"0\r\n\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


class Scripted:
    """A one-connection-at-a-time HTTP server answering from a script; `requests` holds
    each request's raw bytes, `connections` counts accepted connections."""

    def __init__(self, *replies: bytes | str) -> None:
        self.replies = list(replies)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.2)
                self._converse(conn)

    def _converse(self, conn: socket.socket) -> None:
        data = b""
        while not self._stop.is_set():
            request, data = self._read_request(conn, data)
            if request is None:
                return
            self.requests.append(request)
            reply = self.replies.pop(0) if self.replies else CLOSE
            if reply == CLOSE:
                return
            if reply == HANG:
                self._stop.wait(5)
                return
            assert isinstance(reply, bytes)
            conn.sendall(reply)
            if isinstance(reply, Cut) or b"Connection: close" in reply.split(b"\r\n\r\n")[0]:
                return

    def _read_request(self, conn: socket.socket, data: bytes) -> tuple[bytes | None, bytes]:
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if not chunk:
                return None, b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            chunk = self._recv(conn)
            if not chunk:
                return None, b""
            rest += chunk
        return head + b"\r\n\r\n" + rest[:length], rest[length:]

    def _recv(self, conn: socket.socket) -> bytes:
        while not self._stop.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return b""
        return b""

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def scripted() -> Iterator[type[Scripted]]:
    servers: list[Scripted] = []

    def make(*replies: bytes | str) -> Scripted:
        server = Scripted(*replies)
        servers.append(server)
        return server

    yield make  # type: ignore[misc]
    for server in servers:
        server.close()


def test_the_plain_http_path_is_the_one_taken(scripted, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert OpaPolicyClient("http://127.0.0.1:8181")._wire
    assert not OpaPolicyClient("https://127.0.0.1:8181")._wire


def test_a_permit_is_read_and_the_token_path_and_body_are_sent(scripted):
    server = scripted(http(200, {"result": PERMIT}))
    with OpaPolicyClient(server.url + "/opa/", token="t0k") as client:  # noqa: S106
        decision = client.decide(ACTIVITY)
    assert decision.decision is Outcome.PERMIT
    assert decision.raw == PERMIT
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /opa/v1/data/apl/decision HTTP/1.1"
    assert "Authorization: Bearer t0k" in lines
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert json.loads(body) == {"input": ACTIVITY}


def test_no_token_no_authorization_header(scripted):
    server = scripted(http(200, {"result": PERMIT}))
    with OpaPolicyClient(server.url) as client:
        client.decide(ACTIVITY)
    assert b"authorization" not in server.requests[0].lower()


def test_one_connection_is_kept_for_many_calls(scripted):
    server = scripted(*[http(200, {"result": PERMIT})] * 5)
    with OpaPolicyClient(server.url) as client:
        for _ in range(5):
            client.decide(ACTIVITY)
    assert server.connections == 1
    assert len(server.requests) == 5


def test_a_chunked_answer_is_read_whole(scripted):
    server = scripted(http(200, {"result": PERMIT}, chunked=True))
    with OpaPolicyClient(server.url) as client:
        assert client.decide(ACTIVITY).raw == PERMIT


def test_connection_close_is_honoured_and_the_next_call_reconnects(scripted):
    server = scripted(
        http(200, {"result": PERMIT}, headers="Connection: close\r\n"),
        http(200, {"result": PERMIT}),
    )
    with OpaPolicyClient(server.url) as client:
        client.decide(ACTIVITY)
        client.decide(ACTIVITY)
    assert server.connections == 2


def test_a_kept_connection_the_server_closed_is_replaced_once(scripted):
    # The server answers, then drops the kept connection without answering the second
    # request (an idle timeout): the client sends it again on a new connection.
    server = scripted(http(200, {"result": PERMIT}), CLOSE, http(200, {"result": PERMIT}))
    with OpaPolicyClient(server.url, retry_for=0) as client:
        client.decide(ACTIVITY)
        assert client.decide(ACTIVITY).decision is Outcome.PERMIT
    assert server.connections == 2
    assert client.retries == 0


BATCH_OK = {"result": {"decisions": [PERMIT]}}


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (http(200, {}), EvaluationError, "no result"),
        (http(200, {"result": None}), EvaluationError, "not a JSON object"),
        (http(200, "this is not json"), EvaluationError, "not JSON"),
        (http(200, b""), EvaluationError, "not JSON"),
        (http(200, b"\xff\xfe garbage"), EvaluationError, "not JSON"),
        (http(200, b'{"result": NaN}'), EvaluationError, "not JSON"),
        (http(200, [1, 2]), EvaluationError, "not a JSON object"),
        (http(201, {"result": PERMIT}), EvaluationError, "201"),
        (http(204, b""), EvaluationError, "204"),
        (http(500, {"code": "internal_error", "message": "boom"}), EvaluationError, "boom"),
        (http(400, {"code": "invalid_parameter", "message": "x"}), EvaluationError, "400"),
        (http(401, {"code": "unauthorized"}), EvaluationError, "--token"),
        (http(403, ""), EvaluationError, "--token"),
        (http(502, "bad gateway"), OpaUnavailable, "502"),
        (http(503, ""), OpaUnavailable, "503"),
        (http(504, ""), OpaUnavailable, "504"),
        (b"SSH-2.0-OpenSSH_9.2\r\n", EvaluationError, "not HTTP"),
        (Cut(http(200, {"result": PERMIT})[:-20]), OpaUnavailable, "cannot reach"),
        (CLOSE, OpaUnavailable, "cannot reach"),
        (HANG, OpaUnavailable, "did not answer"),
    ],
)
def test_every_failure_on_the_wire_is_an_error_and_never_a_decision(scripted, reply, error, words):
    server = scripted(reply)
    with OpaPolicyClient(server.url, retry_for=0, timeout=0.5) as client:
        with pytest.raises(error, match=words):
            client.decide(ACTIVITY)
        # The batch route fails the same way.
        server.replies.append(reply)
        with pytest.raises(error):
            client.decide_batch([ACTIVITY])


def test_a_dead_port_is_unreachable_and_retried_until_retry_for():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with (
        OpaPolicyClient(f"http://127.0.0.1:{port}", retry_for=0.3) as client,
        pytest.raises(OpaUnavailable, match="cannot reach OPA"),
    ):
        client.decide(ACTIVITY)
    assert client.retries >= 1


def test_a_gateway_error_is_retried_then_the_answer_used(scripted):
    server = scripted(http(503, ""), http(200, {"result": PERMIT}))
    with OpaPolicyClient(server.url, retry_for=10) as client:
        assert client.decide(ACTIVITY).decision is Outcome.PERMIT
    assert client.retries == 1


def test_a_malformed_permit_on_the_wire_is_refused(scripted):
    server = scripted(http(200, {"result": PERMIT | {"allowed": False}}))
    with OpaPolicyClient(server.url) as client, pytest.raises(EvaluationError, match="malformed"):
        client.decide(ACTIVITY)


def test_a_batch_on_the_wire_is_checked_like_any_answer(scripted):
    server = scripted(http(200, BATCH_OK), http(200, {"result": {"decisions": []}}))
    with OpaPolicyClient(server.url) as client:
        assert [d.decision for d in client.decide_batch([ACTIVITY])] == [Outcome.PERMIT]
        with pytest.raises(EvaluationError, match="0 decisions for 1"):
            client.decide_batch([ACTIVITY])
    assert b"POST /v1/data/apl/batch " in server.requests[0]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1, 2}, object()])
def test_input_json_cannot_carry_is_refused_before_sending(scripted, bad):
    server = scripted()
    with (
        OpaPolicyClient(server.url) as client,
        pytest.raises(EvaluationError, match="cannot be sent as JSON"),
    ):
        client.decide(ACTIVITY | {"x": bad})
    assert server.requests == []


def test_a_proxy_in_the_environment_is_used(scripted, monkeypatch):
    proxy = scripted(http(200, {"result": PERMIT}))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with OpaPolicyClient("http://opa.invalid:8181", retry_for=0) as client:
        assert client.decide(ACTIVITY).decision is Outcome.PERMIT
    # A proxy is asked for the absolute URL.
    assert proxy.requests[0].startswith(b"POST http://opa.invalid:8181/v1/data/apl/decision ")


# -- the JSON codec: orjson only where it gives the json module's answer ---------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_compact_is_byte_for_byte_the_json_module(value):
    assert fastjson.compact(value) == json.dumps(
        value, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_request_bodies_carry_the_same_value(value):
    assert json.loads(fastjson.dumps(value)) == value


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_a_jsonl_line_reads_as_the_json_module_reads_it(value):
    line = json.dumps({"v": value}, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(line)
    except ValueError:
        return
    try:
        got = parse_jsonl_line(line, "f.jsonl", 1)
    except InputError:
        return  # refused by the limits, on both paths alike (checked below)
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # same types: an int stays an int


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": {"b": 1, "b" : 2}}', "duplicate key 'b'"),
        (b'{"a": 1e999}', "infinite"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b"[" * 40 + b"]" * 40, "nested deeper than 32"),
        (b'\xef\xbb\xbf{"a": 1}', "not valid JSON"),
        (b'{"a": "\xff"}', "not UTF-8"),
    ],
)
def test_what_the_limits_refuse_is_still_refused_in_the_same_words(line, words):
    with pytest.raises(InputError, match=words) as caught:
        parse_jsonl_line(line, "f.jsonl", 3, offset=10)
    assert str(caught.value).startswith("f.jsonl, line 3: ")


@pytest.mark.parametrize(
    "line",
    [
        b'{"n": 12345678901234567890123}',
        b'{"n": -9999999999999999999}',
        b'{"s": "a\\":1,\\"b\\":"}',
        b'{"a": 1, "b" : {"a": 2}}',
    ],
)
def test_integers_stay_integers_and_keys_in_strings_are_not_keys(line):
    assert parse_jsonl_line(line, "f.jsonl", 1) == json.loads(line)
    assert json.dumps(parse_jsonl_line(line, "f.jsonl", 1)) == json.dumps(json.loads(line))


def test_jsonl_output_is_the_contract_json_in_its_field_order():
    raw = PERMIT | {"reason": "é \u2028 \x01 1e-05", "extra": 1e-05}
    lines: list[str] = []
    decision = Decision.from_document(raw)
    JsonlRenderer(lines.append).add(Row(Result(Document("f", 1, "line", ACTIVITY), decision)))
    assert lines == [json.dumps(ordered(raw), separators=(",", ":"), ensure_ascii=False) + "\n"]
    assert decision.raw == raw  # writing changed nothing


def test_infinity_is_never_written_as_null():
    with pytest.raises(ValueError, match="JSON"):
        fastjson.dumps({"x": math.inf})


@pytest.mark.parametrize(
    "number", [1e-05, 1.2e-05, 1.5e-07, 1e-10, 0.0001, 0.00012, 1e16, 1.5e300, 5e-324, -0.0]
)
def test_floats_orjson_writes_otherwise_are_written_as_json_writes_them(number):
    value = {"lat": number, "text": "no exponent here"}
    assert fastjson.compact(value) == json.dumps(value, separators=(",", ":")).encode()
