"""A local fleet: a bundle server, N OPA replicas behind a load balancer, and the audit
collector, all on loopback, started from the files in deploy/ and described by
DIR/fleet.json.

Every component is the real one, run as the current user with its configuration, pid
and logs in DIR: nginx (Debian) serves the signed bundle, each replica is `opa run
--server` with deploy/opa/config.yaml (bundle signing enforced, persisted, polled; status
and decision logs to the collector; token authn and the bundle's system.authz), HAProxy
(Debian) checks each replica's `/health?bundles` on its diagnostic port, and the audit
collector is `apl-policy audit serve`. The processes outlive the command that started
them; `Fleet.down` (`apl-policy fleet down`) stops exactly those, by the pids in
fleet.json, after checking that each pid is still a process of this fleet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bridge.audit.collector import TOKEN_ENV as AUDIT_TOKEN_ENV
from bridge.errors import BridgeError
from bridge.limits import opa_server_args
from bridge.opa_runtime import OPA_RUN_FLAGS, opa_environment
from bridge.server import TOKEN_ENV, find_opa, free_port, project_bundle, project_root

STATE_FILE = "fleet.json"
BUNDLE_NAME = "apl"
BUNDLE_FILE = "apl.tar.gz"
KEY_ID = "apl-signing"
DEPLOY_DIR = project_root() / "deploy"
OPA_CONFIG = DEPLOY_DIR / "opa" / "config.yaml"
NGINX_CONFIG = DEPLOY_DIR / "nginx" / "bundle-server.conf"
HAPROXY_CONFIG = DEPLOY_DIR / "haproxy" / "haproxy.cfg"
MONITOR_TOKEN_ENV = "APL_OPA_MONITOR_TOKEN"  # noqa: S105 - the variable's name
# Set in the environment of every process a fleet starts, to its directory: how `down`
# tells its processes from others (a pid may have been reused; a command line need not
# name the directory, e.g. a collector on PostgreSQL).
FLEET_ENV = "APL_FLEET_DIR"

_STOP_GRACE_SECONDS = 5.0
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


class FleetError(BridgeError):
    """A fleet could not be started, changed or read; the message says what to do."""


@dataclass(frozen=True)
class Polling:
    """How often replicas poll the bundle server and upload decision logs (seconds)."""

    min_seconds: int = 1
    max_seconds: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.min_seconds <= self.max_seconds:
            raise FleetError(
                f"polling {self.min_seconds}-{self.max_seconds}s: give 1 <= min <= max"
            )


# -- small pieces -------------------------------------------------------------------------


def render_template(template: str, values: dict[str, str], *, source: str) -> str:
    """Fill every @NAME@ of a deploy/ template; a placeholder without a value is an error
    (a half-rendered config must never reach nginx or HAProxy)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise FleetError(f"{source}: no value for the placeholder @{name}@")
        return values[name]

    lines = []
    for line in template.splitlines(keepends=True):
        # The header comments name the placeholders; they are documentation, not config.
        lines.append(line if line.lstrip().startswith("#") else _PLACEHOLDER.sub(fill, line))
    return "".join(lines)


def opa_fleet_config(polling: Polling, *, audit: bool) -> dict[str, Any]:
    """deploy/opa/config.yaml with the local fleet's changes: short polling, and without
    the collector when the fleet runs without one."""
    config: dict[str, Any] = yaml.safe_load(OPA_CONFIG.read_text("utf-8"))
    bundle = config["bundles"][BUNDLE_NAME]
    bundle["polling"] = {
        "min_delay_seconds": polling.min_seconds,
        "max_delay_seconds": polling.max_seconds,
    }
    config["decision_logs"]["reporting"]["min_delay_seconds"] = polling.min_seconds
    config["decision_logs"]["reporting"]["max_delay_seconds"] = polling.max_seconds
    if not audit:
        del config["services"]["audit"]
        del config["decision_logs"]
        del config["status"]["service"]
    return config


def _run(argv: Sequence[str], what: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - our own tools, argv built here
            list(argv), capture_output=True, text=True, check=False, timeout=120, cwd=cwd
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FleetError(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        raise FleetError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return done.stdout


def make_signing_key(keys: Path) -> tuple[Path, Path]:
    """A fresh RSA key pair for signing bundles: keys/signing.pem (0600), keys/signing.pub.pem."""
    keys.mkdir(parents=True, exist_ok=True)
    private, public = keys / "signing.pem", keys / "signing.pub.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FleetError("openssl is needed to make the signing key: apt-get install openssl")
    old = os.umask(0o077)
    try:
        _run([openssl, "genrsa", "-out", str(private), "3072"], "making the signing key")
    finally:
        os.umask(old)
    _run([openssl, "rsa", "-in", str(private), "-pubout", "-out", str(public)], "openssl rsa")
    return private, public


def new_revision() -> str:
    """git describe of the checkout, plus the UTC time to the millisecond: unique per
    publish, and says where the policy came from."""
    describe = "unversioned"
    git = shutil.which("git")
    if git is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(  # noqa: S603 - git, argv fixed here
                [git, "-C", str(project_root()), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            )
            if done.returncode == 0 and done.stdout.strip():
                describe = done.stdout.strip()
    now = dt.datetime.now(dt.UTC)
    return f"{describe}-{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z"


def build_signed_bundle(
    source: Path, signing_key: Path, revision: str, output: Path, key_id: str = KEY_ID
) -> None:
    """`opa build` of a bundle directory or .tar.gz, signed, test files left out, never
    optimised (-O drops the METADATA that decisions quote). Built from inside the source,
    so the files are named /apl/... and no path of this machine ends up in the bundle."""
    with tempfile.TemporaryDirectory(prefix="apl-bundle-") as tmp:
        claims = Path(tmp) / "claims.json"
        claims.write_text(json.dumps({"keyid": key_id}), "utf-8")
        if source.is_file():
            tree = Path(tmp) / "src"
            try:
                with tarfile.open(source, "r:gz") as archive:
                    archive.extractall(tree, filter="data")
            except (OSError, tarfile.TarError) as exc:
                raise FleetError(f"{source}: not a readable bundle (.tar.gz): {exc}") from None
            # A signed bundle's old signature would be wrong for the new revision.
            (tree / ".signatures.json").unlink(missing_ok=True)
        elif source.is_dir():
            tree = source
        else:
            raise FleetError(f"{source}: no such bundle directory or .tar.gz")
        _run(
            [
                str(find_opa()),
                "build",
                "--bundle",
                ".",
                "--ignore",
                "*_test.rego",
                "--signing-key",
                str(signing_key.resolve()),
                "--signing-alg",
                "RS256",
                # The key's name under the replicas' `keys`, which picks the one to verify with.
                "--claims-file",
                str(claims),
                "--revision",
                revision,
                "--output",
                str(output.resolve()),
            ],
            f"building the bundle from {source}",
            cwd=tree,
        )


def place_bundle(built: Path, bundle_dir: Path) -> Path:
    """Move a built bundle into the served directory atomically (a replica never sees half a
    file), with an mtime later than the one it replaces, so nginx's ETag always changes."""
    target = bundle_dir / BUNDLE_FILE
    previous = target.stat().st_mtime if target.exists() else 0.0
    staged = bundle_dir / f".{BUNDLE_FILE}.{os.getpid()}.tmp"
    shutil.copyfile(built, staged)
    staged.chmod(0o644)
    mtime = max(time.time(), previous + 1.0)
    os.utime(staged, (mtime, mtime))
    staged.replace(target)
    return target


def http_status(url: str, *, timeout: float = 1.0, headers: dict[str, str] | None = None) -> int:
    """The status of GET url, or 0 when nothing answered."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
    except OSError:
        return 0
    finally:
        conn.close()
    return response.status


def _process_alive(pid: int | None, marker: str) -> bool:
    """Whether pid is a live process of the fleet whose marker (its directory) is given:
    every process the fleet starts carries it in its environment (FLEET_ENV), and most on
    their command line. A pid the kernel gave to something else since is not ours to
    signal."""
    if not pid:
        return False
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":  # a zombie: dead, only not yet reaped
        return False
    # nginx rewrites its environment's memory with its process title, so for it the
    # directory on its command line (-p, -c) is what identifies it.
    return f"{FLEET_ENV}={marker}".encode() in environ.split(b"\0") or marker in cmdline


def stop_process(pid: int | None, marker: str, *, grace: float = _STOP_GRACE_SECONDS) -> None:
    """SIGTERM, up to `grace` seconds, then SIGKILL, if pid is still one of the fleet's."""
    if not _process_alive(pid, marker):
        return
    assert pid is not None  # noqa: S101 - _process_alive said so
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not _process_alive(pid, marker):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _tail(path: Path, limit: int = 1500) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _spawn(argv: Sequence[str], log: Path, marker: str, env: dict[str, str] | None = None) -> int:
    """Start a process of the fleet in its own session (it outlives this command and a
    Ctrl-C in the terminal), its output appended to log; its pid. (posix_spawn, not
    Popen: no handle is left behind to warn that the process it started still runs.)"""
    log.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    try:
        return os.posix_spawn(
            argv[0],
            list(argv),
            {**(os.environ if env is None else env), FLEET_ENV: marker},
            file_actions=actions,
            setsid=True,
        )
    except OSError as exc:
        raise FleetError(f"cannot start {argv[0]}: {exc}") from None


def _exited(pid: int | None, marker: str) -> bool:
    """Whether a process of the fleet has ended. A child of this process is asked with
    waitpid (which also reaps it): reading /proc while it is still in execve() can show
    an empty command line."""
    if not pid:
        return True
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not _process_alive(pid, marker)
    return done == pid


# -- the fleet -------------------------------------------------------------------------------


@dataclass
class Replica:
    name: str
    port: int
    diagnostic_port: int
    pid: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def diagnostic_url(self) -> str:
        return f"http://127.0.0.1:{self.diagnostic_port}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "diagnostic_url": self.diagnostic_url,
            "pid": self.pid,
        }


@dataclass
class ReplicaStatus:
    """What one replica says about itself: from its status plugin's last report (the
    `Status Log` lines OPA writes with `status.console: true`) and its diagnostic health."""

    name: str
    running: bool
    healthy: bool
    active_revision: str | None
    last_activation: str | None
    last_request: str | None
    errors: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "running": self.running,
            "healthy": self.healthy,
            "active_revision": self.active_revision,
            "last_activation": self.last_activation,
            "last_request": self.last_request,
            "errors": self.errors,
        }


@dataclass
class Fleet:
    """A local fleet in `directory`; `Fleet.load(dir)` reads one that `up` started."""

    directory: Path
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    monitor_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    audit_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # The audit store: a postgresql:// URL, or empty for SQLite in DIR/audit.db.
    audit_store: str = ""
    replicas: list[Replica] = field(default_factory=list)
    polling: Polling = field(default_factory=Polling)
    audit_enabled: bool = True
    lb_port: int = 0
    bundle_port: int = 0
    audit_port: int = 0
    revision: str = ""
    pids: dict[str, int | None] = field(default_factory=dict)

    # -- where things are ---------------------------------------------------------------

    @property
    def marker(self) -> str:
        """Every process of the fleet has this in its environment (FLEET_ENV)."""
        return str(self.directory)

    @property
    def state_file(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def bundle_dir(self) -> Path:
        return self.directory / "bundles"

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def signing_key(self) -> Path:
        return self.directory / "keys" / "signing.pem"

    @property
    def public_key(self) -> Path:
        return self.directory / "keys" / "signing.pub.pem"

    @property
    def opa_config(self) -> Path:
        return self.directory / "opa-config.yaml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    @property
    def bundle_server(self) -> str:
        return f"http://127.0.0.1:{self.bundle_port}"

    @property
    def audit_url(self) -> str | None:
        return f"http://127.0.0.1:{self.audit_port}" if self.audit_enabled else None

    @property
    def audit_db(self) -> str | None:
        if not self.audit_enabled:
            return None
        return self.audit_store or f"sqlite:///{self.directory / 'audit.db'}"

    def replica(self, name: str) -> Replica:
        for replica in self.replicas:
            if replica.name == name:
                return replica
        raise FleetError(f"no replica {name!r} in {self.state_file}")

    def replica_log(self, replica: Replica) -> Path:
        return self.log_dir / f"{replica.name}.log"

    # -- state file --------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "token": self.token,
            "monitor_token": self.monitor_token,
            "revision": self.revision,
            "replicas": [r.as_json() for r in self.replicas],
            "bundle_server": self.bundle_server,
            "bundle_dir": str(self.bundle_dir),
            "bundle_url": f"{self.bundle_server}/bundles/{BUNDLE_FILE}",
            "audit": {
                "url": self.audit_url,
                "db": self.audit_db,
                "pid": self.pids.get("audit"),
                "token": self.audit_token,
            },
            "load_balancer": {"pid": self.pids.get("haproxy")},
            "bundle_server_pid": self.pids.get("nginx"),
            "polling": {
                "min_seconds": self.polling.min_seconds,
                "max_seconds": self.polling.max_seconds,
            },
            "public_key": str(self.public_key),
        }

    def save(self) -> None:
        """Write fleet.json (0600: it holds the token) atomically."""
        staged = self.state_file.with_suffix(".json.tmp")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.as_json(), handle, indent=2)
            handle.write("\n")
        staged.replace(self.state_file)

    @classmethod
    def load(cls, directory: Path) -> Fleet:
        directory = directory.resolve()
        path = directory / STATE_FILE
        try:
            state = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise FleetError(
                f"{path} does not exist: no fleet was started in {directory} "
                "(start one with `apl-policy fleet up --dir DIR`)"
            ) from None
        except (OSError, ValueError) as exc:
            raise FleetError(f"{path}: cannot read the fleet's state: {exc}") from None
        try:
            replicas = [
                Replica(
                    r["name"],
                    _port(r["url"]),
                    _port(r["diagnostic_url"]),
                    r.get("pid"),
                )
                for r in state["replicas"]
            ]
            audit = state.get("audit") or {}
            polling = state.get("polling") or {}
            return cls(
                directory=directory,
                token=state["token"],
                monitor_token=state.get("monitor_token") or "",
                audit_token=audit.get("token") or "",
                audit_store=audit.get("db") or "",
                replicas=replicas,
                polling=Polling(polling.get("min_seconds", 1), polling.get("max_seconds", 2)),
                audit_enabled=audit.get("url") is not None,
                lb_port=_port(state["url"]),
                bundle_port=_port(state["bundle_server"]),
                audit_port=_port(audit["url"]) if audit.get("url") else 0,
                revision=state.get("revision", ""),
                pids={
                    "nginx": state.get("bundle_server_pid"),
                    "haproxy": (state.get("load_balancer") or {}).get("pid"),
                    "audit": audit.get("pid"),
                },
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FleetError(f"{path}: not a fleet state file ({exc})") from None

    # -- up and down -------------------------------------------------------------------

    def up(self, replicas: int, *, timeout: float = 60.0) -> None:
        """Start everything, wait until every replica has activated the signed bundle and
        the load balancer answers, and write fleet.json. On any failure, stop what was
        started and raise FleetError with what the failing component said."""
        if replicas < 1:
            raise FleetError("a fleet needs at least one replica")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory = self.directory.resolve()
        if self.state_file.exists():
            existing = Fleet.load(self.directory)
            if existing.running_processes():
                raise FleetError(
                    f"a fleet is already running in {self.directory}; "
                    f"stop it first with `apl-policy fleet down --dir {self.directory}`"
                )
        for sub in ("bundles", "logs", "keys", "run", "replicas"):
            (self.directory / sub).mkdir(exist_ok=True)
        self.bundle_port = free_port()
        self.lb_port = free_port()
        self.audit_port = free_port() if self.audit_enabled else 0
        self.replicas = [
            Replica(f"opa-{i}", free_port(), free_port()) for i in range(1, replicas + 1)
        ]
        try:
            make_signing_key(self.directory / "keys")
            self.revision = self.publish()
            self._write_opa_config()
            self.start_bundle_server()
            if self.audit_enabled:
                self.start_audit()
            for replica in self.replicas:
                self.start_replica(replica, wait=False)
            for replica in self.replicas:
                self.wait_replica(replica, timeout)
            self.start_load_balancer(timeout)
            self.save()
        except BaseException:
            self.save()  # so that `fleet down` can find whatever did start
            self.down()
            raise

    def down(self) -> None:
        """Stop every process this fleet started (replicas first, then the load balancer,
        the bundle server and the collector, which receives the replicas' last logs)."""
        for replica in self.replicas:
            stop_process(replica.pid, self.marker)
        stop_process(self.pids.get("haproxy"), self.marker)
        stop_process(self.pids.get("nginx"), self.marker)
        stop_process(self.pids.get("audit"), self.marker)

    def running_processes(self) -> list[str]:
        """Names of the fleet's processes that are still alive."""
        alive = [r.name for r in self.replicas if _process_alive(r.pid, self.marker)]
        alive += [n for n, pid in self.pids.items() if _process_alive(pid, self.marker)]
        return alive

    # -- the components ----------------------------------------------------------------

    def _write_opa_config(self) -> None:
        config = opa_fleet_config(self.polling, audit=self.audit_enabled)
        self.opa_config.write_text(
            "# Rendered by `apl-policy fleet up` from deploy/opa/config.yaml.\n"
            + yaml.safe_dump(config, sort_keys=False),
            "utf-8",
        )

    def start_bundle_server(self, timeout: float = 15.0) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise FleetError("nginx is not installed: `make fleet-tools` or apt-get install nginx")
        prefix = self.directory / "run" / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "nginx.conf"
        conf.write_text(
            render_template(
                NGINX_CONFIG.read_text("utf-8"),
                {
                    "PREFIX": str(prefix),
                    "LOG_DIR": str(self.log_dir),
                    "LISTEN": f"127.0.0.1:{self.bundle_port}",
                    "BUNDLE_DIR": str(self.bundle_dir),
                },
                source=str(NGINX_CONFIG),
            ),
            "utf-8",
        )
        # Run as whoever runs the fleet; as root, nginx would hand its workers to `nobody`,
        # who cannot read a private directory.
        globals_ = "daemon off;"
        if os.geteuid() == 0:
            globals_ += f" user {getpass.getuser()};"
        error_log = self.log_dir / "nginx-error.log"
        _run(
            [
                nginx,
                "-t",
                "-q",
                "-p",
                str(prefix),
                "-c",
                str(conf),
                "-e",
                str(error_log),
                "-g",
                globals_,
            ],
            "nginx -t on the rendered bundle server config",
        )
        process = _spawn(
            [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(error_log), "-g", globals_],
            self.log_dir / "nginx.out",
            self.marker,
        )
        self.pids["nginx"] = process
        self._wait(
            "the bundle server (nginx)",
            lambda: http_status(f"{self.bundle_server}/bundles/{BUNDLE_FILE}") == 200,
            process,
            error_log,
            timeout,
        )

    def stop_bundle_server(self) -> None:
        stop_process(self.pids.get("nginx"), self.marker)
        self.pids["nginx"] = None
        self.save()

    def start_audit(self, timeout: float = 30.0) -> None:
        log = self.log_dir / "audit.log"
        process = _spawn(
            [
                sys.executable,
                "-m",
                "bridge",
                "audit",
                "serve",
                "--db",
                self.audit_db or "",
                "--addr",
                f"127.0.0.1:{self.audit_port}",
            ],
            log,
            self.marker,
            {**os.environ, AUDIT_TOKEN_ENV: self.audit_token},
        )
        self.pids["audit"] = process
        self._wait(
            "the audit collector (apl-policy audit serve)",
            lambda: http_status(f"{self.audit_url}/health") == 200,
            process,
            log,
            timeout,
        )

    def stop_audit(self) -> None:
        stop_process(self.pids.get("audit"), self.marker)
        self.pids["audit"] = None
        self.save()

    def replica_command(self, replica: Replica) -> list[str]:
        return [
            str(find_opa()),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{replica.port}",
            "--diagnostic-addr",
            f"127.0.0.1:{replica.diagnostic_port}",
            "--config-file",
            str(self.opa_config),
            "--set-file",
            f"keys.{KEY_ID}.key={self.public_key}",
            "--authentication=token",
            "--authorization=basic",
            *OPA_RUN_FLAGS,
            "--skip-version-check",
            "--log-level",
            "info",
            # One line per request would bury the status reports `fleet status` reads.
            "--log-level-request",
            "debug",
            "--shutdown-grace-period",
            "2",
            *opa_server_args(),
        ]

    def replica_environment(self, replica: Replica) -> dict[str, str]:
        env = opa_environment()  # the shipped GOGC and GOMEMLIMIT (bridge/opa_runtime.py)
        env.update(
            {
                TOKEN_ENV: self.token,
                MONITOR_TOKEN_ENV: self.monitor_token,
                "APL_REPLICA": replica.name,
                "APL_BUNDLE_SERVER_URL": self.bundle_server,
                "APL_PERSIST_DIR": str(self.directory / "replicas" / replica.name),
            }
        )
        if self.audit_url:
            env["APL_AUDIT_URL"] = self.audit_url
            env[AUDIT_TOKEN_ENV] = self.audit_token
        return env

    def start_replica(self, replica: Replica, *, wait: bool = True, timeout: float = 60.0) -> None:
        """Start (or restart) one replica on its ports; with `wait`, until its
        /health?bundles answers 200 (it has activated a bundle, downloaded or persisted)."""
        stop_process(replica.pid, self.marker)
        process = _spawn(
            self.replica_command(replica),
            self.replica_log(replica),
            self.marker,
            self.replica_environment(replica),
        )
        replica.pid = process
        if wait:
            self.wait_replica(replica, timeout)
        if self.state_file.exists():
            self.save()

    def wait_replica(self, replica: Replica, timeout: float = 60.0) -> None:
        self._wait(
            f"replica {replica.name}",
            lambda: http_status(f"{replica.diagnostic_url}/health?bundles") == 200,
            replica.pid,
            self.replica_log(replica),
            timeout,
        )

    def kill_replica(self, name: str) -> None:
        """SIGKILL one replica, as a crash would (it buffers nothing to disk)."""
        replica = self.replica(name)
        if _process_alive(replica.pid, self.marker) and replica.pid is not None:
            os.kill(replica.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(replica.pid, 0)

    def start_load_balancer(self, timeout: float = 30.0) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise FleetError(
                "haproxy is not installed: `make fleet-tools` or apt-get install haproxy"
            )
        servers = "".join(
            f"    server {r.name} 127.0.0.1:{r.port} check port {r.diagnostic_port}\n"
            for r in self.replicas
        )
        conf = self.directory / "haproxy.cfg"
        conf.write_text(
            render_template(
                HAPROXY_CONFIG.read_text("utf-8"),
                {
                    "BIND": f"127.0.0.1:{self.lb_port}",
                    "SOCKET": str(self.directory / "run" / "haproxy.sock"),
                    "SERVERS": servers.rstrip("\n"),
                },
                source=str(HAPROXY_CONFIG),
            ),
            "utf-8",
        )
        _run([haproxy, "-c", "-q", "-f", str(conf)], "haproxy -c on the rendered config")
        log = self.log_dir / "haproxy.log"
        process = _spawn([haproxy, "-f", str(conf)], log, self.marker)
        self.pids["haproxy"] = process
        self._wait(
            "the load balancer (haproxy)",
            lambda: http_status(f"{self.url}/health?bundles") == 200,
            process,
            log,
            timeout,
        )

    def _wait(
        self,
        what: str,
        ready: Callable[[], bool],
        pid: int | None,
        log: Path,
        timeout: float,
    ) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if _exited(pid, self.marker):
                raise FleetError(f"{what} exited while starting: {_tail(log) or 'no output'}")
            if time.monotonic() > deadline:
                raise FleetError(
                    f"{what} was not ready within {timeout:.0f}s: {_tail(log) or 'no output'}"
                )
            time.sleep(0.1)

    # -- publishing and status ---------------------------------------------------------

    def publish(self, source: Path | None = None, revision: str | None = None) -> str:
        """Build (from rego/ when no source is given), sign with the fleet's key and place
        a new revision on the bundle server. Returns the revision."""
        revision = revision or new_revision()
        with tempfile.TemporaryDirectory(prefix="apl-publish-", dir=self.directory) as tmp:
            built = Path(tmp) / BUNDLE_FILE
            build_signed_bundle(source or project_bundle(), self.signing_key, revision, built)
            place_bundle(built, self.bundle_dir)
        self.revision = revision
        if self.state_file.exists():
            self.save()
        return revision

    def status(self) -> list[ReplicaStatus]:
        """Each replica's own account: its status plugin's report (GET /v1/status, read
        with the monitoring token) and its diagnostic /health?bundles."""
        out = []
        for replica in self.replicas:
            running = _process_alive(replica.pid, self.marker)
            report = status_report(replica.url, self.monitor_token) if running else None
            bundle = ((report or {}).get("bundles") or {}).get(BUNDLE_NAME) or {}
            errors = [_error_text(e) for e in bundle.get("errors") or []]
            if bundle.get("message") and not errors:
                errors = [f"{bundle.get('code') or 'error'}: {bundle['message']}"]
            if running and report is None:
                errors.append("no status report: GET /v1/status did not answer")
            out.append(
                ReplicaStatus(
                    name=replica.name,
                    running=running,
                    healthy=running
                    and http_status(f"{replica.diagnostic_url}/health?bundles") == 200,
                    active_revision=bundle.get("active_revision"),
                    last_activation=bundle.get("last_successful_activation"),
                    last_request=bundle.get("last_request"),
                    errors=errors,
                )
            )
        return out

    def wait_for_revision(self, revision: str, timeout: float) -> float:
        """Wait until every running replica reports `revision` active; the seconds it took."""
        start = time.monotonic()
        while True:
            states = self.status()
            if all(s.active_revision == revision for s in states if s.running):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                behind = ", ".join(
                    f"{s.name} on {s.active_revision}"
                    for s in states
                    if s.active_revision != revision
                )
                raise FleetError(
                    f"revision {revision} not active everywhere in {timeout:.0f}s: {behind}"
                )
            time.sleep(0.2)


def _port(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise ValueError(f"no port in {url!r}")
    return port


def status_report(url: str, monitor_token: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """OPA's status API (the status plugin's latest report), without its metrics."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request("GET", "/v1/status", headers={"Authorization": f"Bearer {monitor_token}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            return None
        result = json.loads(body).get("result")
    except (OSError, ValueError, AttributeError):
        return None
    finally:
        conn.close()
    if not isinstance(result, dict):
        return None
    result.pop("metrics", None)
    return result


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        where = error.get("location") or {}
        place = f" ({where.get('file')})" if isinstance(where, dict) and where.get("file") else ""
        return f"{error.get('code', 'error')}: {error.get('message', error)}{place}"
    return str(error)
