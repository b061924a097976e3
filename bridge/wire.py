"""The client's hot path: one kept-alive plain-HTTP/1.1 connection to OPA, its request head
built once, answers parsed by llhttp (httptools, the parser uvicorn uses).

requests costs about 1 ms of CPU per call on this project's bench machines (preparing the
request, merging settings, hooks, email-parsed headers), more than OPA takes to decide a
typical activity; this path costs about a tenth of that. It does only what a decision
needs: POST a body, read one answer, keep the connection. Proxies, TLS and the tests' fake
transports stay on the requests session (`bridge.client`), which the client picks when the
URL needs them.

Errors are the module's own, for the client to word: `Unreachable` (connect failed, or
the connection dropped before or during the answer: nothing was decided that a retry
could count twice), `TimedOut` (OPA took longer than the timeout to answer), and
`BadAnswer` (bytes that are not an HTTP answer). A body delimited only by the server
closing the connection (no length, not chunked) is taken as cut short: OPA never sends
one, and the two cannot be told apart. Any error closes the connection, so a late or
partial answer can never be read as the next request's.
"""

from __future__ import annotations

import socket

import httptools

#: Bytes read from the socket at a time; a typical decision answer is under 2 KiB, a batch
#: of 200 some 200 KiB.
_CHUNK = 256 * 1024


class Unreachable(Exception):  # noqa: N818 - named for what happened, as OSError's are
    """The connection could not be made, or broke before the whole answer arrived."""


class TimedOut(Exception):  # noqa: N818
    """No (complete) answer within the timeout."""


class BadAnswer(Exception):  # noqa: N818
    """What came back is not an HTTP/1.1 answer."""


class _Answer:
    """httptools' callbacks: the status, whether the server keeps the connection (read
    when the head is complete: llhttp forgets it once the message is), the body's pieces
    and whether the answer is complete."""

    __slots__ = ("body", "complete", "keep", "parser", "status")

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.complete = False
        self.keep = False
        self.status = 0
        self.parser = httptools.HttpResponseParser(self)

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class Connection:
    """One kept-alive HTTP/1.1 connection (not thread-safe: one per thread)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        host_header: str,
        headers: dict[str, str],
        timeout: float,
    ) -> None:
        self._address = (host, port)
        self._timeout = timeout
        head = f"Host: {host_header}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._head = head.encode("latin-1")
        self._sock: socket.socket | None = None
        self._buffer = bytearray(_CHUNK)
        self._view = memoryview(self._buffer)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` (JSON) to `path`; the answer's status and body. A connection kept
        from an earlier call that turns out closed by the server (an idle timeout) before
        any byte of the answer is replaced once, at once: the request was not read."""
        request = b"".join(
            (
                b"POST ",
                path.encode("ascii"),
                b" HTTP/1.1\r\n",
                self._head,
                b"Content-Type: application/json\r\nContent-Length: ",
                str(len(body)).encode("ascii"),
                b"\r\n\r\n",
                body,
            )
        )
        reused = self._sock is not None
        try:
            return self._exchange(request)
        except _StaleConnection:
            if not reused:
                raise Unreachable("the server closed the connection without answering") from None
        try:
            return self._exchange(request)
        except _StaleConnection:
            raise Unreachable("the server closed the connection without answering") from None

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    # -- internals -----------------------------------------------------------------------

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection(self._address, timeout=self._timeout)
        except TimeoutError:
            raise Unreachable(f"no connection within {self._timeout:g}s") from None
        except OSError as exc:
            raise Unreachable(_reason(exc)) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        return sock

    def _exchange(self, request: bytes) -> tuple[int, bytes]:
        sock = self._sock or self._connect()
        answer = _Answer()
        parser = answer.parser
        received = 0
        try:
            sock.sendall(request)
            while not answer.complete:
                n = sock.recv_into(self._buffer)
                if n == 0:
                    break
                received += n
                parser.feed_data(self._view[:n])
        except TimeoutError:
            self.close()
            raise TimedOut from None
        except (ConnectionResetError, BrokenPipeError) as exc:
            self.close()
            if received == 0:
                raise _StaleConnection from None
            raise Unreachable(_reason(exc)) from None
        except OSError as exc:
            self.close()
            raise Unreachable(_reason(exc)) from None
        except httptools.HttpParserUpgrade:
            self.close()
            raise BadAnswer("the server asked to switch protocols") from None
        except httptools.HttpParserError as exc:
            self.close()
            raise BadAnswer(f"not an HTTP/1.1 answer ({exc})") from None
        except BaseException:
            self.close()
            raise
        if not answer.complete:
            # EOF: before any byte, a kept connection the server had closed while idle;
            # later, an answer cut short (OPA killed while writing, say).
            self.close()
            if received == 0:
                raise _StaleConnection
            raise Unreachable("the connection dropped in the middle of the answer")
        if not answer.keep:
            self.close()
        return answer.status, b"".join(answer.body)


class _StaleConnection(Exception):  # noqa: N818 - internal signal, never escapes this module
    pass


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
