"""Start, watch and stop a private `opa run --server` on the project's bundle.

This is the embedded default of the CLI (no `--opa-url`: start one, use it, stop it), the
engine of `apl-policy serve`, and the OPA every test session shares. The server it starts
is locked down: loopback only, telemetry off, request bodies capped as
in bridge.limits, and with `authz=True` token authentication plus the read-only
`system.authz` policy of the bundle, the token reaching OPA only through its environment
(never its command line, which `ps` shows).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from bridge.errors import EvaluationError, OpaUnavailable
from bridge.limits import opa_server_args
from bridge.opa_runtime import OPA_RUN_FLAGS, opa_environment

TOKEN_ENV = "APL_OPA_TOKEN"  # noqa: S105 - the variable's name, not a secret
OPA_BIN_ENV = "APL_OPA_BIN"

# How long OPA may take to drain in-flight requests when asked to stop, before SIGKILL.
_STOP_GRACE_SECONDS = 5.0


# Servers still running when the interpreter exits are stopped then (a crash in the
# caller must not leave an OPA holding a port).
_RUNNING: weakref.WeakSet[LocalOpa] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop()


_PACKAGED_BUNDLE = Path(__file__).resolve().parent / "bundle"  # in an installed wheel

HOW_TO_GET_OPA = (
    "get OPA (a single static binary) with `CGO_ENABLED=0 go install "
    "github.com/open-policy-agent/opa@<version>` or from "
    "https://www.openpolicyagent.org/docs/#running-opa, then put it on PATH or set "
    f"{OPA_BIN_ENV}=/path/to/opa; in a checkout of apl-policy, `make tools` builds ./bin/opa"
)


def project_root() -> Path:
    """The checkout this package lives in (when it is installed editable, or run from it)."""
    return Path(__file__).resolve().parent.parent


def project_bundle() -> Path:
    """The policy bundle: the one installed with the package, else the checkout's rego/."""
    if (_PACKAGED_BUNDLE / ".manifest").is_file():
        return _PACKAGED_BUNDLE
    return project_root() / "rego"


def find_opa() -> Path:
    """The OPA binary to run: $APL_OPA_BIN, then the checkout's bin/opa, then `opa` on PATH."""
    configured = os.environ.get(OPA_BIN_ENV)
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise OpaUnavailable(
            f"{OPA_BIN_ENV}={configured} is not an executable file; fix the variable, or "
            "unset it to use the checkout's bin/opa or `opa` on PATH"
        )
    local = project_root() / "bin" / "opa"
    if local.is_file() and os.access(local, os.X_OK):
        return local
    on_path = shutil.which("opa")
    if on_path:
        return Path(on_path)
    raise OpaUnavailable(f"no OPA binary found: {HOW_TO_GET_OPA}")


def existing_bundle(bundle: Path | str | None) -> Path:
    """The bundle's path (the project's when none is given), which must exist."""
    path = Path(bundle) if bundle is not None else project_bundle()
    if not path.exists():
        raise OpaUnavailable(f"policy bundle {path} does not exist")
    return path


def opa_output(args: Sequence[str], path: Path, *, timeout: float) -> bytes:
    """What `opa ARGS...` prints when run once on the bundle at `path`, its failures raised
    as the bridge's own errors."""
    verb = f"`opa {args[0]}`"
    command = [str(find_opa()), *args]
    try:
        done = subprocess.run(  # noqa: S603 - our own OPA binary on a path we were given
            command, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise OpaUnavailable(f"{verb} on {path} took over {timeout:g}s") from None
    except OSError as exc:
        raise OpaUnavailable(f"cannot run {command[0]}: {exc.strerror}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or "no output"
        raise EvaluationError(f"{verb} could not read {path}: {detail}")
    return done.stdout


def bundle_value(query: str, bundle: Path | str | None = None, *, timeout: float = 60.0) -> object:
    """The value of `query` (say `data.apl.policy`) in the bundle, as OPA reads it."""
    path = existing_bundle(bundle)
    args = ["eval", "--format", "json", "--bundle", str(path), query]
    out = opa_output(args, path, timeout=timeout)
    try:
        value: object = json.loads(out)["result"][0]["expressions"][0]["value"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise EvaluationError(f"{query} is undefined in {path}") from None
    return value


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now (another process may still take it before
    OPA binds it; `LocalOpa.start` retries on a fresh port when that happens)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def healthy(host: str, port: int) -> bool:
    """Whether an OPA on host:port answers GET /health with 200 (open without a token)."""
    # Imported here: http.client (and the email package it brings) would cost every CLI
    # start some 10 ms, and only starting a local OPA needs it.
    import http.client  # noqa: PLC0415

    conn = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


class LocalOpa:
    """A private OPA server process, as a context manager.

    `LocalOpa()` serves the project's bundle on a free 127.0.0.1 port, with a random token
    required on every request. `.url` and `.token` are what a client needs. The server is
    stopped on `stop()`, on leaving the `with` block, on Ctrl-C and on interpreter exit.
    """

    def __init__(  # noqa: PLR0913 - keyword-only settings, each with a default
        self,
        bundle: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        token: str | None = None,
        authz: bool = True,
        verification_key: Path | str | None = None,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
        log_level: str = "error",
        inherit_output: bool = False,
    ) -> None:
        self.bundle = Path(bundle) if bundle is not None else project_bundle()
        self.host = host
        self._fixed_port = port is not None
        self.port: int = port if port is not None else 0
        self.authz = authz
        # A token of None means "make one": nobody else on the host can call this server.
        if not authz:
            token = None
        elif token is None:
            token = secrets.token_urlsafe(32)
        self.token: str | None = token
        self.verification_key = verification_key
        self.extra_args = tuple(extra_args)
        self.startup_timeout = startup_timeout
        # `serve` shows OPA's own log in the foreground; a private server keeps it for errors.
        self.log_level = log_level
        self.inherit_output = inherit_output
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- public -------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    def command(self) -> list[str]:
        """The argv OPA is started with (no secret on it: the token goes by environment)."""
        args = [
            str(find_opa()),
            "run",
            "--server",
            "--addr",
            f"{_url_host(self.host)}:{self.port}",
            # Telemetry off: OPA 1.x spells --disable-telemetry as --skip-version-check.
            "--skip-version-check",
            "--log-level",
            self.log_level,
            # Stop quickly: a CLI run or a test session should not hang on exit.
            "--shutdown-grace-period",
            "2",
            *OPA_RUN_FLAGS,
        ]
        if self.authz:
            args += ["--authentication=token", "--authorization=basic"]
        # The same body cap as the loader's limits, for callers that post straight to OPA.
        args += list(opa_server_args())
        if self.verification_key is not None:
            args += ["--verification-key", str(self.verification_key)]
        args += list(self.extra_args)
        args += ["--bundle", str(self.bundle)]
        return args

    def start(self) -> Self:
        """Start OPA and return once GET /health answers 200; raise OpaUnavailable if it
        exits or does not become healthy within `startup_timeout`."""
        if self.process is not None and self.process.poll() is None:
            return self
        if not self.bundle.exists():
            raise OpaUnavailable(f"policy bundle {self.bundle} does not exist")
        attempts = 1 if self._fixed_port else 3
        last: OpaUnavailable | None = None
        for _ in range(attempts):
            if not self._fixed_port:
                self.port = free_port(self.host)
            try:
                self._spawn()
                self._wait_healthy()
            except OpaUnavailable as exc:
                self.stop()
                last = exc
                continue
            except BaseException:
                # Ctrl-C while waiting: never leave OPA behind.
                self.stop()
                raise
            _RUNNING.add(self)
            return self
        assert last is not None  # noqa: S101 - the loop ran at least once and failed
        raise last

    def stop(self) -> None:
        """Stop OPA: SIGTERM, a short grace period, then SIGKILL. Safe to call twice."""
        proc, self.process = self.process, None
        _RUNNING.discard(self)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """Kill OPA abruptly (SIGKILL), as a crash would; for fault tests."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> Self:
        """Stop and start again on the same host, port and token."""
        self.stop()
        fixed, self._fixed_port = self._fixed_port, True
        try:
            return self.start()
        finally:
            self._fixed_port = fixed

    def log_tail(self, limit: int = 2000) -> str:
        """The end of what OPA wrote to stdout/stderr (for error messages)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - limit))
        return self._log.read().decode("utf-8", "replace").strip()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __del__(self) -> None:
        # Last resort if a caller forgot stop(): an orphaned OPA would hold a port.
        with contextlib.suppress(Exception):
            self.stop()

    # -- internals ----------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The environment OPA runs with: ours, with the token (or none) in APL_OPA_TOKEN,
        and the shipped Go runtime settings (bridge.opa_runtime) unless ours sets them."""
        env = opa_environment()
        env.pop(TOKEN_ENV, None)
        if self.authz and self.token:
            env[TOKEN_ENV] = self.token
        return env

    def _spawn(self) -> None:
        output: IO[bytes] | None = None
        if not self.inherit_output:
            if self._log is None:
                self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
            self._log.truncate(0)
            self._log.seek(0)
            output = self._log
        # A Ctrl-C or SIGTERM that lands while Popen is still starting the child would
        # unwind before self.process is set, leaving an OPA that no one stops. Hold both
        # signals until the process is ours; they are delivered right after. (OPA's Go
        # runtime clears the signal mask it inherits, so OPA itself still answers them.)
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.process = subprocess.Popen(  # noqa: S603 - argv built here from our own binary and paths
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                env=self.environment(),
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        delay = 0.02
        while True:
            proc = self.process
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise OpaUnavailable(
                    f"OPA exited during startup (exit code {code}) on {self.url}: "
                    f"{self.log_tail() or 'no output'}"
                )
            if self._healthy():
                return
            if time.monotonic() > deadline:
                raise OpaUnavailable(
                    f"OPA did not become healthy on {self.url} within {self.startup_timeout:.0f}s: "
                    f"{self.log_tail() or 'no output'}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def _healthy(self) -> bool:
        return healthy(self.host, self.port)
