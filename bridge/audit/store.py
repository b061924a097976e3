"""Where the audit rows live: SQLite (the default, one file) or PostgreSQL.

Both keep the same three tables: `audit_decisions` (one row per decision, keyed by
OPA's decision_id and the activity's index in a batch), `audit_clauses` (the clauses each
decision cites, for filtering and counting by clause) and `audit_status` (the last status
report of each replica). Writes are idempotent (`ON CONFLICT DO NOTHING`), so an upload
OPA sends twice (it retries whatever was not acknowledged) is stored once, and a write
returns only after its transaction is committed: SQLite in WAL mode with
`synchronous=FULL`, PostgreSQL with `synchronous_commit=on` (set on every connection).

One connection per store, behind a lock: the collector's writers are serialised, which
SQLite needs anyway, and PostgreSQL gets a fresh connection after one is lost.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlsplit

from bridge.audit.events import Row
from bridge.errors import BridgeError


class StoreError(BridgeError):
    """The store cannot be opened or reached; the message says which and why."""


class StoreUnavailableError(StoreError):
    """The database did not answer (down, restarting, disk full): try again later."""


POSTGRES_SCHEMES = ("postgresql", "postgres")

# Columns of audit_decisions, in the order the INSERT binds them.
_COLUMNS = (
    "decision_id",
    "idx",
    "batch",
    "ts",
    "received_at",
    "path",
    "activity_id",
    "decision",
    "allowed",
    "clauses",
    "revision",
    "replica",
    "instance_id",
    "requested_by",
    "erased",
    "masked",
    "error",
    "input",
    "result",
    "labels",
)
_JSON_COLUMNS = frozenset({"clauses", "erased", "masked", "error", "input", "result", "labels"})


def _schema(json_type: str, time_type: str, bool_type: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS audit_decisions (
            decision_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            batch {bool_type} NOT NULL,
            ts {time_type} NOT NULL,
            received_at {time_type} NOT NULL,
            path TEXT NOT NULL,
            activity_id TEXT,
            decision TEXT,
            allowed {bool_type},
            clauses {json_type} NOT NULL,
            revision TEXT,
            replica TEXT,
            instance_id TEXT,
            requested_by TEXT,
            erased {json_type} NOT NULL,
            masked {json_type} NOT NULL,
            error {json_type},
            input {json_type},
            result {json_type},
            labels {json_type} NOT NULL,
            PRIMARY KEY (decision_id, idx)
        )""",
        "CREATE INDEX IF NOT EXISTS audit_decisions_ts ON audit_decisions (ts)",
        "CREATE INDEX IF NOT EXISTS audit_decisions_activity ON audit_decisions (activity_id)",
        """CREATE TABLE IF NOT EXISTS audit_clauses (
            decision_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            clause TEXT NOT NULL,
            PRIMARY KEY (decision_id, idx, clause)
        )""",
        "CREATE INDEX IF NOT EXISTS audit_clauses_clause ON audit_clauses (clause)",
        f"""CREATE TABLE IF NOT EXISTS audit_status (
            replica TEXT PRIMARY KEY,
            instance_id TEXT,
            received_at {time_type} NOT NULL,
            report {json_type} NOT NULL
        )""",
    ]


# ASCII JSON: a NUL or a lone surrogate stays an escape (\u0000), which both databases
# store as it is, so no string a client sent can make a write fail. Keys keep OPA's order
# (it sorts them). One encoder for every call: json.dumps with options builds a new one.
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _dumps(value: object) -> str | None:
    return None if value is None else _ENCODER.encode(value)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _text(value: str | None) -> str | None:
    """A string for a plain TEXT column: PostgreSQL refuses NUL, and neither driver can
    encode a lone surrogate, so both become U+FFFD (the JSON columns keep the original)."""
    if value is None or (value.isascii() and "\x00" not in value):
        return value
    return _UNSTORABLE.sub("\ufffd", value)


@dataclass(frozen=True, slots=True)
class StatusReport:
    replica: str
    instance_id: str | None
    received_at: datetime
    report: dict[str, Any]


class Store:
    """An open audit store. Use `open_store(url)`; close it (or use `with`) when done."""

    dialect: str = ""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._conn: Any = None  # a DB-API connection, or None until first used

    # -- what each dialect provides ------------------------------------------------------

    def _connect(self) -> Any:  # noqa: ANN401 - sqlite3's or psycopg's connection
        raise NotImplementedError

    def _param(self, sql: str) -> str:
        return sql

    def time_value(self, moment: datetime) -> object:
        """A datetime as this database compares it."""
        return moment

    def bucket(self, unit: str) -> str:
        """SQL for the ts column truncated to the hour or the day, as text."""
        raise NotImplementedError

    def _decode_row(self, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(names, values, strict=True))

    def _is_unavailable(self, exc: Exception) -> bool:
        raise NotImplementedError

    def _is_database_error(self, exc: Exception) -> bool:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    @property
    def description(self) -> str:
        """The URL without its password, for messages and logs."""
        parts = urlsplit(self.url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.url

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A cursor in one transaction, committed on success, rolled back on error; a lost
        PostgreSQL connection is dropped so that the next call reconnects."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                cursor = self._conn.cursor()
                try:
                    yield cursor
                    self._conn.commit()
                except BaseException:
                    with contextlib.suppress(Exception):
                        self._conn.rollback()
                    raise
                finally:
                    with contextlib.suppress(Exception):
                        cursor.close()
            except StoreError:
                raise
            except Exception as exc:
                if self._is_unavailable(exc):
                    self._drop_connection()
                    raise StoreUnavailableError(f"{self.description}: {exc}".strip()) from exc
                if self._is_database_error(exc):
                    raise StoreError(f"{self.description}: {exc}".strip()) from exc
                raise

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def create_schema(self) -> None:
        with self._transaction() as cur:
            for statement in self._schema():
                cur.execute(statement)

    def _schema(self) -> list[str]:
        raise NotImplementedError

    def ping(self) -> None:
        """Raise StoreUnavailableError unless the database answers a query now."""
        with self._transaction() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()

    def write(self, rows: Sequence[Row], received_at: datetime | None = None) -> int:
        """Store the rows in one committed transaction; return how many were new (a row
        whose (decision_id, index) is already stored is left as it is)."""
        if not rows:
            return 0
        now = received_at or datetime.now(UTC)
        placeholders = ", ".join(self._value(c) for c in _COLUMNS)
        # Fixed column names and placeholders only: every value is bound.
        columns = ", ".join(_COLUMNS)
        insert = self._param(
            f"INSERT INTO audit_decisions ({columns}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT (decision_id, idx) DO NOTHING"
        )
        insert_clause = self._param(
            "INSERT INTO audit_clauses (decision_id, idx, clause) VALUES (?, ?, ?) "
            "ON CONFLICT (decision_id, idx, clause) DO NOTHING"
        )
        values = [self._row_values(row, now) for row in rows]
        clauses = [(_text(r.decision_id), r.index, _text(c)) for r in rows for c in r.clauses]
        with self._transaction() as cur:
            cur.executemany(insert, values)
            # Both drivers sum the rows executemany changed; a conflict changes none.
            added = int(cur.rowcount)
            if clauses:
                cur.executemany(insert_clause, clauses)
            return added

    def _value(self, column: str) -> str:
        return "?"

    def _row_values(self, row: Row, now: datetime) -> tuple[Any, ...]:
        fields: dict[str, Any] = {
            "decision_id": _text(row.decision_id),
            "idx": row.index,
            "batch": row.batch,
            "ts": self.time_value(row.timestamp),
            "received_at": self.time_value(now),
            "path": _text(row.path),
            "activity_id": _text(row.activity_id),
            "decision": _text(row.decision),
            "allowed": row.allowed,
            "clauses": _dumps(list(row.clauses)),
            "revision": _text(row.revision),
            "replica": _text(row.replica),
            "instance_id": _text(row.instance_id),
            "requested_by": _text(row.requested_by),
            "erased": _dumps(list(row.erased)),
            "masked": _dumps(list(row.masked)),
            "error": _dumps(row.error),
            "input": _dumps(row.input),
            "result": _dumps(row.result),
            "labels": _dumps(dict(row.labels)),
        }
        return tuple(fields[c] for c in _COLUMNS)

    def write_status(self, report: StatusReport) -> None:
        """Keep the replica's latest status report (one row per replica)."""
        report_value = self._value("report")
        sql = self._param(
            "INSERT INTO audit_status (replica, instance_id, received_at, report) "  # noqa: S608 - placeholders only
            f"VALUES (?, ?, ?, {report_value}) "
            "ON CONFLICT (replica) DO UPDATE SET instance_id = excluded.instance_id, "
            "received_at = excluded.received_at, report = excluded.report"
        )
        with self._transaction() as cur:
            cur.execute(
                sql,
                (
                    _text(report.replica),
                    _text(report.instance_id),
                    self.time_value(report.received_at),
                    _dumps(report.report),
                ),
            )

    def prune(self, before: datetime, *, dry_run: bool = False) -> int:
        """Delete the decisions OPA made before `before` (and their clause rows) in one
        transaction; return how many there were. With `dry_run`, only count them."""
        moment = self.time_value(before)
        with self._transaction() as cur:
            cur.execute(self._param("SELECT COUNT(*) FROM audit_decisions WHERE ts < ?"), (moment,))
            count = int(cur.fetchone()[0])
            if count and not dry_run:
                cur.execute(
                    self._param(
                        "DELETE FROM audit_clauses WHERE EXISTS (SELECT 1 FROM audit_decisions d "
                        "WHERE d.decision_id = audit_clauses.decision_id "
                        "AND d.idx = audit_clauses.idx AND d.ts < ?)"
                    ),
                    (moment,),
                )
                cur.execute(self._param("DELETE FROM audit_decisions WHERE ts < ?"), (moment,))
            return count

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query written with `?` placeholders, as dicts, JSON columns
        decoded and times as aware datetimes."""
        with self._transaction() as cur:
            cur.execute(self._param(sql), tuple(params))
            names = [d[0] for d in cur.description]
            return [self._decode_row(names, values) for values in cur.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- SQLite ------------------------------------------------------------------------------

_SQLITE_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order


class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, url: str, path: Path) -> None:
        super().__init__(url)
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
            # WAL lets `audit query` read while the collector writes; FULL syncs the WAL
            # on every commit, so a 2xx is never sent for a write a power cut could lose.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store {self.path}: {exc}") from exc
        return conn

    def _schema(self) -> list[str]:
        return _schema("TEXT", "TEXT", "INTEGER")

    def time_value(self, moment: datetime) -> str:
        return moment.astimezone(UTC).strftime(_SQLITE_TIME)

    def bucket(self, unit: str) -> str:
        width = {"day": 10, "hour": 13}[unit]
        return f"substr(ts, 1, {width})"

    def _decode_row(self, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in zip(names, values, strict=True):
            if name in _JSON_COLUMNS or name == "report":
                out[name] = None if value is None else json.loads(value)
            elif name in ("ts", "received_at") and isinstance(value, str):
                out[name] = datetime.strptime(value, _SQLITE_TIME).replace(tzinfo=UTC)
            elif name in ("batch", "allowed") and value is not None:
                out[name] = bool(value)
            else:
                out[name] = value
        return out

    def _is_unavailable(self, exc: Exception) -> bool:
        # Locked, busy, disk full or I/O errors pass; a SQL mistake is a bug, not an outage.
        return isinstance(exc, sqlite3.OperationalError)

    def _is_database_error(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.Error)


# --- PostgreSQL --------------------------------------------------------------------------


class PostgresStore(Store):
    dialect = "postgresql"

    def _connect(self) -> Any:  # noqa: ANN401 - a psycopg connection, imported lazily
        import psycopg  # noqa: PLC0415 - only a PostgreSQL store needs the driver loaded

        try:
            conn = psycopg.connect(self.url, connect_timeout=5, application_name="apl-audit")
            # The server's default, asked for anyway: a commit returns only once its WAL is
            # flushed, whatever a configuration file or the role's settings say.
            conn.execute("SET synchronous_commit TO on")
            conn.commit()
        except psycopg.OperationalError as exc:
            raise StoreUnavailableError(f"cannot connect to {self.description}: {exc}") from exc
        return conn

    def _param(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _value(self, column: str) -> str:
        return "?::json" if column in _JSON_COLUMNS or column == "report" else "?"

    def _schema(self) -> list[str]:
        # JSON, not JSONB: jsonb refuses the escape \u0000, which a request may carry and
        # OPA logs as it came; json keeps the text as sent and still answers ->> queries.
        return _schema("JSON", "TIMESTAMPTZ", "BOOLEAN")

    def bucket(self, unit: str) -> str:
        pattern = {"day": "YYYY-MM-DD", "hour": 'YYYY-MM-DD"T"HH24'}[unit]
        return f"to_char(ts AT TIME ZONE 'UTC', '{pattern}')"

    def _decode_row(self, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(names, values, strict=True))
        for name in ("ts", "received_at"):
            if isinstance(out.get(name), datetime):
                out[name] = out[name].astimezone(UTC)
        return out

    def _is_unavailable(self, exc: Exception) -> bool:
        import psycopg  # noqa: PLC0415

        return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)

    def _is_database_error(self, exc: Exception) -> bool:
        import psycopg  # noqa: PLC0415

        return isinstance(exc, psycopg.Error)


def open_store(url: str, *, create: bool = True, base: Path | None = None) -> Store:
    """The store a URL names: `postgresql://...`, `sqlite:///abs/path`, `sqlite:rel/path`,
    or a plain path (SQLite; a relative one is taken from `base` or the working folder).
    With `create`, the tables are made if missing (the collector); a query does not."""
    parts = urlsplit(url)
    store: Store
    if parts.scheme in POSTGRES_SCHEMES:
        store = PostgresStore(url)
    elif parts.scheme in ("sqlite", ""):
        if parts.scheme == "sqlite":
            raw = unquote(parts.path) if parts.netloc == "" else unquote(parts.netloc + parts.path)
        else:
            raw = url
        if not raw:
            raise StoreError(f"{url}: no database file named")
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        if not create and not path.is_file():
            raise StoreError(f"{path}: no audit store there (the collector creates it)")
        store = SqliteStore(url, path)
    else:
        raise StoreError(
            f"{url}: unknown database URL scheme {parts.scheme!r} "
            "(use a path, sqlite:///path or postgresql://...)"
        )
    if create:
        try:
            store.create_schema()
        except BaseException:
            store.close()
            raise
    return store
