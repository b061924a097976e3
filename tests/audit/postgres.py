"""A throwaway PostgreSQL cluster for the audit tests: Debian's server binaries, a data
folder in a fresh temporary directory, a free loopback port, trust authentication for one
role, stopped and removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) every server
command runs as the `postgres` system user that Debian's package creates, through
`runuser -u postgres --`, in a temporary directory handed to that user. As any other
user, the commands run as that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from bridge.server import free_port

ROLE = "apl"


def server_bindir() -> Path:
    """The folder holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin,
    else the one on PATH. `make test` installs Debian's postgresql when neither exists."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError(
        "PostgreSQL's server (initdb, pg_ctl) is not installed: run `make audit-deps` "
        "(Debian's postgresql package)"
    )


class PostgresCluster:
    def __init__(self) -> None:
        self.bindir = server_bindir()
        self.port = 0
        self.base: Path | None = None
        self._as_postgres = os.geteuid() == 0

    @property
    def data(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): {done.stdout}{done.stderr}"
            )
        return done

    def start(self) -> PostgresCluster:
        self.base = Path(tempfile.mkdtemp(prefix="apl-audit-pg-"))
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            ROLE,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        for _ in range(3):
            self.port = free_port()
            options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.base / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
            except RuntimeError:
                continue  # another process took the port first
            return self
        raise RuntimeError(f"PostgreSQL did not start: {self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            assert self.base is not None
            return (self.base / "server.log").read_text()[-2000:]
        return ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast: roll back open transactions) and remove its files."""
        if self.base is None:
            return
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def _server_log(self) -> str:
        assert self.base is not None
        return str(self.base / "server.log")

    def _options(self) -> str:
        return f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"

    def stop_server(self) -> None:
        """Stop the server, keeping its data and port, as an outage would."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)

    def start_server(self) -> None:
        """Start it again on the same port (retried while the port is still closing)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    self._server_log(),
                    "-o",
                    self._options(),
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
            else:
                return
