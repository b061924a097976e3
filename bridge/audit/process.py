"""`apl-policy audit serve` as a child process, for the fleet and the tests.

`AuditServer` starts the same command an operator runs, on a free loopback port unless
one is given, waits until `GET /health` answers 200 (the store is open), and stops it with
SIGTERM (SIGKILL after a grace period). `kill()` and `restart()` are for fault tests.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import IO, Any, Self

from bridge.audit.collector import FAULTS_ENV, TOKEN_ENV
from bridge.errors import BridgeError
from bridge.server import free_port

_STOP_GRACE_SECONDS = 10.0


class AuditUnavailable(BridgeError):  # noqa: N818 - named like bridge.errors.OpaUnavailable
    """The collector did not start, or did not become healthy in time."""


def request(  # noqa: PLR0913 - an HTTP request's parts
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, Any]:
    """One HTTP request to the collector: (status, decoded JSON body or None)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, None
    finally:
        conn.close()


class AuditServer:
    """A private collector process, as a context manager; `.url` is what OPA posts to."""

    def __init__(  # noqa: PLR0913 - each is a flag of `audit serve`
        self,
        db: str,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        faults: bool = False,
        max_body: int | None = None,
        max_inflated: int | None = None,
        token: str | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.db = db
        self.host = host
        self._fixed_port = port is not None
        self.port = port or 0
        self.faults = faults
        self.max_body = max_body
        self.max_inflated = max_inflated
        self.token = token
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "bridge",
            "audit",
            "serve",
            "--db",
            self.db,
            "--addr",
            f"{self.host}:{self.port}",
        ]
        if self.max_body is not None:
            args += ["--max-body", str(self.max_body)]
        if self.max_inflated is not None:
            args += ["--max-inflated", str(self.max_inflated)]
        return args

    def start(self) -> Self:
        """Start the collector and wait until it is healthy. Once it has run, it starts
        again on the same port: OPA's configuration names that port."""
        if self.process is not None and self.process.poll() is None:
            return self
        attempts = 1 if self._fixed_port else 3
        last: AuditUnavailable | None = None
        for _ in range(attempts):
            if not self._fixed_port:
                self.port = free_port(self.host)
            try:
                self._spawn()
                self._wait_healthy()
            except AuditUnavailable as exc:
                self.stop()
                last = exc
                continue
            except BaseException:
                self.stop()
                raise
            self._fixed_port = True
            return self
        assert last is not None  # noqa: S101 - the loop ran and failed
        raise last

    def stop(self) -> None:
        """SIGTERM, a grace period for writes in flight, then SIGKILL. Safe to call twice."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> Self:
        """Stop, then start again on the same port."""
        self.stop()
        return self.start()

    def set_fault(self, status: int, seconds: float) -> None:
        """Make /logs and /status answer `status` for `seconds` (needs faults=True)."""
        body = json.dumps({"status": status, "seconds": seconds}).encode()
        code, answer = request(self.host, self.port, "POST", "/_fault", body)
        if code != 200:
            raise AuditUnavailable(f"the fault switch answered {code}: {answer}")

    def healthy(self) -> bool:
        try:
            return request(self.host, self.port, "GET", "/health", timeout=2.0)[0] == 200
        except OSError:
            return False

    def log_tail(self, limit: int = 4000) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, self._log.tell() - limit))
        return self._log.read().decode("utf-8", "replace").strip()

    def _spawn(self) -> None:
        if self._log is None:
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        env = dict(os.environ)
        env.pop(FAULTS_ENV, None)
        env.pop(TOKEN_ENV, None)
        if self.token:
            env[TOKEN_ENV] = self.token  # by environment, never on the command line
        if self.faults:
            env[FAULTS_ENV] = "1"
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                env=env,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            proc = self.process
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise AuditUnavailable(
                    f"the audit collector exited during startup (exit code {code}): "
                    f"{self.log_tail() or 'no output'}"
                )
            if self.healthy():
                return
            if time.monotonic() > deadline:
                raise AuditUnavailable(
                    f"the audit collector did not become healthy on {self.url} within "
                    f"{self.startup_timeout:.0f}s: {self.log_tail() or 'no output'}"
                )
            time.sleep(0.05)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None
