"""Reading the audit store back: which decisions were made, and how many, by what.

`Filters` narrows by time, decision, clause, revision, activity id, replica and decision
id; `list_records` returns the matching rows oldest first, `count_records` counts them,
grouped by any of `GROUPS`. Records are plain dicts, ready for JSON: every one carries
the activity's `id` (null when the document had none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bridge.audit.store import Store, StoreError

#: What `count_records` can group by, and the SQL each one reads.
GROUPS = ("decision", "clause", "revision", "replica", "id", "path", "day", "hour")

_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, *, now: datetime | None = None) -> datetime:
    """A time given on the command line: ISO 8601 (a date, or a date and time; UTC when no
    zone is given), or an age such as `30m`, `12h`, `7d` meaning that long before now."""
    value = text.strip()
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: amount})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: give ISO 8601 (2026-11-29, 2026-11-29T12:00Z) "
            "or an age (30m, 12h, 7d)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    decisions: Sequence[str] = ()
    clauses: Sequence[str] = ()
    revisions: Sequence[str] = ()
    ids: Sequence[str] = ()
    replicas: Sequence[str] = ()
    decision_ids: Sequence[str] = ()

    def where(self, store: Store) -> tuple[str, list[Any]]:
        """The WHERE clause (with `?` placeholders) and its parameters, for the table
        aliased `d`."""
        terms: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            terms.append("d.ts >= ?")
            params.append(store.time_value(self.since))
        if self.until is not None:
            terms.append("d.ts < ?")
            params.append(store.time_value(self.until))
        for column, values in (
            ("d.decision", self.decisions),
            ("d.revision", self.revisions),
            ("d.activity_id", self.ids),
            ("d.replica", self.replicas),
            ("d.decision_id", self.decision_ids),
        ):
            if values:
                terms.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.clauses:
            marks = ", ".join("?" for _ in self.clauses)
            terms.append(
                "EXISTS (SELECT 1 FROM audit_clauses c WHERE c.decision_id = d.decision_id "  # noqa: S608 - placeholders only
                f"AND c.idx = d.idx AND c.clause IN ({marks}))"
            )
            params.extend(self.clauses)
        return (" WHERE " + " AND ".join(terms)) if terms else "", params


_LIST_COLUMNS = (
    "d.ts, d.replica, d.revision, d.activity_id, d.decision, d.allowed, d.clauses, "
    "d.erased, d.masked, d.decision_id, d.idx, d.batch, d.path, d.requested_by, "
    "d.instance_id, d.received_at, d.error"
)


def _iso(moment: object) -> object:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return moment


def _record(row: dict[str, Any], full: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": row["activity_id"],
        "decision": row["decision"],
        "allowed": row["allowed"],
        "clauses": row["clauses"],
        "revision": row["revision"],
        "replica": row["replica"],
        "timestamp": _iso(row["ts"]),
        "decision_id": row["decision_id"],
        "index": row["idx"],
        "batch": row["batch"],
        "path": row["path"],
        "erased": row["erased"],
        "masked": row["masked"],
        "requested_by": row["requested_by"],
        "instance_id": row["instance_id"],
        "received_at": _iso(row["received_at"]),
    }
    if row.get("error") is not None:
        record["error"] = row["error"]
    if full:
        record["input"] = row.get("input")
        record["result"] = row.get("result")
    return record


def list_records(
    store: Store, filters: Filters, *, limit: int | None = None, full: bool = False
) -> list[dict[str, Any]]:
    """The matching decisions, oldest first (ties in batch order); with `full`, each also
    carries the stored input (after the mask) and the decision document."""
    where, params = filters.where(store)
    columns = _LIST_COLUMNS + (", d.input, d.result" if full else "")
    # Fixed column names and placeholders only: every value is bound.
    sql = f"SELECT {columns} FROM audit_decisions d{where}"  # noqa: S608
    sql += " ORDER BY d.ts, d.decision_id, d.idx"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_record(row, full) for row in store.select(sql, params)]


def count_records(
    store: Store, filters: Filters, group_by: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """How many decisions match, in total or per group (largest groups first). Grouping
    by clause counts a decision once under each clause it cites; one citing none is
    counted under null."""
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)}: choose from {', '.join(GROUPS)}")
    expressions = {
        "decision": "d.decision",
        "clause": "c.clause",
        "revision": "d.revision",
        "replica": "d.replica",
        "id": "d.activity_id",
        "path": "d.path",
        "day": store.bucket("day"),
        "hour": store.bucket("hour"),
    }
    where, params = filters.where(store)
    join = (
        " LEFT JOIN audit_clauses c ON c.decision_id = d.decision_id AND c.idx = d.idx"
        if "clause" in group_by
        else ""
    )
    selected = [f"{expressions[g]} AS g{n}" for n, g in enumerate(group_by)]
    columns = ", ".join([*selected, "COUNT(*) AS n"])
    # Fixed expressions chosen from GROUPS and placeholders; every value is bound.
    sql = f"SELECT {columns} FROM audit_decisions d{join}{where}"  # noqa: S608
    if group_by:
        positions = ", ".join(str(n + 1) for n in range(len(group_by)))
        sql += f" GROUP BY {positions} ORDER BY n DESC, {positions}"
    rows = store.select(sql, params)
    return [
        {**{g: row[f"g{n}"] for n, g in enumerate(group_by)}, "count": int(row["n"])}
        for row in rows
    ]


def fleet_db(directory: Path) -> tuple[str, Path]:
    """The store a local fleet writes to: `audit.db` of DIR/fleet.json (a relative SQLite
    path there is relative to DIR). Returns the URL and the folder to resolve it from."""
    manifest = directory / "fleet.json"
    try:
        fleet = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{manifest}: no such file (is a fleet running there?)") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{manifest}: cannot be read as JSON: {exc}") from None
    audit = fleet.get("audit") if isinstance(fleet, dict) else None
    db = audit.get("db") if isinstance(audit, dict) else None
    if not isinstance(db, str) or not db:
        raise StoreError(f"{manifest}: audit.db is missing (expected the collector's --db)")
    return db, directory


@dataclass
class Table:
    """Plain-text columns, each as wide as its widest cell (capped)."""

    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    max_width: int = 40

    def render(self) -> str:
        cells = [list(self.headers), *[list(r) for r in self.rows]]
        widths = [
            min(self.max_width, max(len(row[i]) for row in cells)) for i in range(len(self.headers))
        ]
        lines = []
        for row in cells:
            parts = [
                (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
                for c, w in zip(row, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
        return "\n".join(lines)


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def records_table(records: Sequence[dict[str, Any]]) -> str:
    table = Table(
        ["TIME", "REPLICA", "REVISION", "ID", "DECISION", "CLAUSES", "ERASED", "DECISION_ID"]
    )
    for r in records:
        decision_id = r["decision_id"] + (f"#{r['index']}" if r["batch"] else "")
        table.rows.append(
            [
                _text(r["timestamp"]),
                _text(r["replica"]),
                _text(r["revision"]),
                _text(r["id"]),
                _text(r["decision"]),
                _text(r["clauses"]),
                str(len(r["erased"])),
                decision_id,
            ]
        )
    return table.render()


def counts_table(counts: Sequence[dict[str, Any]], group_by: Sequence[str]) -> str:
    table = Table([*(g.upper() for g in group_by), "COUNT"])
    for c in counts:
        table.rows.append([*(_text(c[g]) for g in group_by), str(c["count"])])
    return table.render()
