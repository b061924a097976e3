"""`apl-policy audit serve|query`: run the collector OPA uploads to, and read it back."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from bridge.audit import collector, query
from bridge.audit.store import Store, StoreError, open_store
from bridge.exit_codes import ExitCode

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _say(message: str) -> None:
    click.echo(f"apl-policy audit: {message}", err=True)


def _fail(message: str, code: ExitCode = ExitCode.USAGE_OR_INVALID) -> NoReturn:
    _say(message)
    sys.exit(int(code))


def _split_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise click.BadParameter(f"{addr!r}: expected HOST:PORT, such as 127.0.0.1:8282")
    host = host.strip("[]")
    number = int(port)
    if not 0 <= number <= 65535:
        raise click.BadParameter(f"{addr!r}: the port must be within 0..65535")
    return host, number


@click.group()
def audit() -> None:
    """The audit store: collect OPA's decision logs, and query them."""


@audit.command()
@click.option(
    "--db",
    "db",
    default="audit.db",
    show_default=True,
    help="Where to store: a SQLite file path or sqlite:///path, or postgresql://user@host/db.",
)
@click.option(
    "--addr",
    default="127.0.0.1:8282",
    show_default=True,
    help="HOST:PORT to listen on (port 0: any free port, printed when ready).",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1024),
    default=collector.DEFAULT_MAX_BODY,
    show_default=True,
    help="Largest compressed upload accepted, in bytes (keep it above OPA's "
    "decision_logs.reporting.upload_size_limit_bytes).",
)
@click.option(
    "--max-inflated",
    type=click.IntRange(min=1024),
    default=collector.DEFAULT_MAX_INFLATED,
    show_default=True,
    help="Largest upload once decompressed, in bytes.",
)
@click.option(
    "--token",
    envvar=collector.TOKEN_ENV,
    help=f"Require this bearer token on /logs and /status (default: ${collector.TOKEN_ENV}; "
    "none: no token is asked for). OPA sends it with services.<name>.credentials.bearer.",
)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
)
def serve(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    db: str,
    addr: str,
    max_body: int,
    max_inflated: int,
    token: str | None,
    threads: int,
    log_level: str,
) -> None:
    """Receive OPA's decision logs (POST /logs) and status reports (POST /status) and
    store them; GET /health answers 200 while the store is reachable.

    Point each OPA's `decision_logs` and `status` at this service. An upload is
    acknowledged only once it is committed, so OPA retries whatever was not stored, and
    each decision is stored once however often it is sent.
    """
    host, port = _split_addr(addr)
    # A parent that blocked these while starting us (as AuditServer and LocalOpa do, so
    # that an interrupt cannot orphan a child) passes the mask on: take them back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    logging.basicConfig(
        level=getattr(logging, log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if host not in _LOOPBACK:
        _say(f"warning: listening on {host}, not loopback; put TLS in front of it")
        if not token:
            _say(f"warning: and no token ({collector.TOKEN_ENV}): anyone who reaches it can write")
    try:
        store = open_store(db)
    except StoreError as exc:
        _fail(str(exc), ExitCode.OPA_FAILURE)
    faults = os.environ.get(collector.FAULTS_ENV) == "1"
    app = collector.Collector(
        store, max_body=max_body, max_inflated=max_inflated, faults=faults, token=token or None
    )

    def ready(url: str) -> None:
        extra = f"; test fault switch on ({collector.FAULTS_ENV}=1)" if faults else ""
        _say(
            f"collecting at {url} (POST /logs, POST /status, GET /health) into "
            f"{store.description}{extra}"
        )

    try:
        collector.serve(app, host, port, threads=threads, on_ready=ready)
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM is how a foreground service is meant to end
    except OSError as exc:
        _fail(f"cannot listen on {addr}: {exc.strerror or exc}", ExitCode.OPA_FAILURE)
    finally:
        store.close()


def _parse_time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return query.parse_moment(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@audit.command(name="query")
@click.option("--db", "db", help="The store to read (as given to `audit serve --db`).")
@click.option(
    "--dir",
    "fleet_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Read the store of the local fleet in DIR (its fleet.json's audit.db).",
)
@click.option(
    "--since", callback=_parse_time, help="From this time (ISO 8601, or an age: 30m, 12h, 7d)."
)
@click.option("--until", callback=_parse_time, help="Before this time (same forms).")
@click.option(
    "--decision",
    "decisions",
    multiple=True,
    help="permit, deny, review, not_applicable or invalid (repeatable).",
)
@click.option("--clause", "clauses", multiple=True, help="Cites this clause, e.g. P3 (repeatable).")
@click.option("--revision", "revisions", multiple=True, help="Made under this bundle revision.")
@click.option("--id", "ids", multiple=True, help="The activity's id (repeatable).")
@click.option("--replica", "replicas", multiple=True, help="Made by this OPA replica.")
@click.option("--decision-id", "decision_ids", multiple=True, help="OPA's decision_id.")
@click.option("--count", "count", is_flag=True, help="Count instead of listing.")
@click.option(
    "--by",
    "group_by",
    multiple=True,
    type=click.Choice(query.GROUPS),
    help="With --count: group by this (repeatable).",
)
@click.option("--limit", type=click.IntRange(min=1), help="List at most this many.")
@click.option("--full", is_flag=True, help="Also show the stored input and decision (json, jsonl).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
)
def query_command(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    db: str | None,
    fleet_dir: Path | None,
    since: datetime | None,
    until: datetime | None,
    decisions: Sequence[str],
    clauses: Sequence[str],
    revisions: Sequence[str],
    ids: Sequence[str],
    replicas: Sequence[str],
    decision_ids: Sequence[str],
    count: bool,
    group_by: Sequence[str],
    limit: int | None,
    full: bool,
    fmt: str,
) -> None:
    """List or count the stored decisions, oldest first.

    Every record carries the activity's `id`, its decision, clauses, the bundle revision
    it was made under, the replica that made it, OPA's decision_id (with the activity's
    index in a batch) and what the mask erased.
    """
    if group_by and not count:
        raise click.UsageError("--by groups counts: add --count")
    store = _open_for_reading(db, fleet_dir)
    filters = query.Filters(
        since=since,
        until=until,
        decisions=decisions,
        clauses=clauses,
        revisions=revisions,
        ids=ids,
        replicas=replicas,
        decision_ids=decision_ids,
    )
    try:
        with store:
            if count:
                counts = query.count_records(store, filters, group_by)
                _emit(counts, fmt, lambda: query.counts_table(counts, group_by))
            else:
                records = query.list_records(store, filters, limit=limit, full=full)
                _emit(records, fmt, lambda: query.records_table(records))
    except StoreError as exc:
        _fail(str(exc), ExitCode.OPA_FAILURE)


@audit.command()
@click.option("--db", "db", help="The store (as given to `audit serve --db`).")
@click.option(
    "--dir",
    "fleet_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The store of the local fleet in DIR.",
)
@click.option(
    "--before",
    required=True,
    callback=_parse_time,
    help="Delete the decisions made before this time (ISO 8601, or an age: 90d).",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would be deleted.")
def prune(db: str | None, fleet_dir: Path | None, before: datetime, dry_run: bool) -> None:
    """Delete decisions older than a time: the store keeps everything until told.

    Status reports are not touched (only the latest per replica is kept anyway).
    """
    store = _open_for_reading(db, fleet_dir)
    try:
        with store:
            count = store.prune(before, dry_run=dry_run)
    except StoreError as exc:
        _fail(str(exc), ExitCode.OPA_FAILURE)
    moment = before.isoformat(timespec="seconds").replace("+00:00", "Z")
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {count} decision(s) made before {moment}")


def _open_for_reading(db: str | None, fleet_dir: Path | None) -> Store:
    """The store `--db` or `--dir` names, which must already exist."""
    if (db is None) == (fleet_dir is None):
        raise click.UsageError("give exactly one of --db URL and --dir DIR")
    base: Path | None = None
    try:
        if fleet_dir is not None:
            db, base = query.fleet_db(fleet_dir)
        assert db is not None  # noqa: S101 - one of the two was given
        return open_store(db, create=False, base=base)
    except StoreError as exc:
        _fail(str(exc))


def _emit(items: list[dict[str, Any]], fmt: str, table: Callable[[], str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(items, indent=2))
    elif fmt == "jsonl":
        for item in items:
            click.echo(json.dumps(item, separators=(",", ":")))
    else:
        click.echo(table())
