"""`apl-policy fleet up|publish|status|down`: a local fleet of OPA replicas (bridge.fleet)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from bridge.errors import BridgeError
from bridge.exit_codes import ExitCode
from bridge.fleet import Fleet, FleetError, Polling, ReplicaStatus

_DIR = click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The fleet's directory (configs, keys, bundles, logs, pids, fleet.json).",
)


def _fail(message: str, code: ExitCode = ExitCode.OPA_FAILURE) -> None:
    click.echo(f"apl-policy: {message}", err=True)
    sys.exit(int(code))


@click.group("fleet")
def fleet_group() -> None:
    """A local fleet: bundle server (nginx), OPA replicas, load balancer (HAProxy) and the
    audit collector, on loopback, as the current user. See docs/fleet.md."""


@fleet_group.command("up")
@_DIR
@click.option("--replicas", type=click.IntRange(1, 16), default=3, show_default=True)
@click.option(
    "--poll",
    "poll",
    default="1-2",
    show_default=True,
    metavar="MIN-MAX",
    help="Seconds between a replica's bundle polls (and decision-log uploads).",
)
@click.option(
    "--audit/--no-audit",
    default=True,
    show_default=True,
    help="Start the audit collector and send it every decision and status report.",
)
@click.option(
    "--audit-db",
    metavar="URL",
    default="",
    help="The audit store, e.g. postgresql://user@host/db (default: DIR/audit.db, SQLite).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each component to be ready.",
)
def up_command(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    directory: Path, replicas: int, poll: str, audit: bool, audit_db: str, timeout: float
) -> None:
    """Start the fleet and wait until every replica has activated the signed bundle."""
    try:
        low, _, high = poll.partition("-")
        polling = Polling(int(low), int(high or low))
    except ValueError:
        raise click.BadParameter(
            "give MIN-MAX in whole seconds, e.g. 1-2", param_hint="--poll"
        ) from None
    fleet = Fleet(
        directory=directory, polling=polling, audit_enabled=audit, audit_store=audit_db
    )
    try:
        fleet.up(replicas, timeout=timeout)
    except BridgeError as exc:
        _fail(str(exc))
    state = fleet.state_file
    click.echo(
        f"fleet up in {fleet.directory}: {len(fleet.replicas)} replicas behind {fleet.url}, "
        f"revision {fleet.revision}\n"
        f'  decisions:  eval "$(apl-policy fleet env --dir {fleet.directory})"; '
        "apl-policy eval FILE...\n"
        f"              (exports the load balancer's URL and the token in {state})\n"
        f"  publish:    apl-policy fleet publish --dir {fleet.directory}\n"
        f"  status:     apl-policy fleet status --dir {fleet.directory}\n"
        f"  stop:       apl-policy fleet down --dir {fleet.directory}"
    )


@fleet_group.command("publish")
@_DIR
@click.argument("bundle", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--revision", help="The revision to stamp (default: git describe + UTC time).")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait until every running replica has activated it (up to 3 polling maxima + 10s).",
)
def publish_command(directory: Path, bundle: Path | None, revision: str | None, wait: bool) -> None:
    """Sign BUNDLE (a directory or .tar.gz; default: the project's rego/) with the fleet's
    key and publish it as a new revision. Prints the revision."""
    try:
        fleet = Fleet.load(directory)
        published = fleet.publish(bundle, revision)
        click.echo(published)
        if wait:
            took = fleet.wait_for_revision(published, 3 * fleet.polling.max_seconds + 10)
            click.echo(f"active on every replica after {took:.1f}s", err=True)
    except BridgeError as exc:
        _fail(str(exc))


def _status_row(status: ReplicaStatus) -> tuple[str, ...]:
    state = "up" if status.healthy else ("running" if status.running else "down")
    return (
        status.name,
        state,
        status.active_revision or "-",
        status.last_activation or "-",
        "; ".join(status.errors) or "-",
    )


@fleet_group.command("status")
@_DIR
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def status_command(directory: Path, fmt: str) -> None:
    """Each replica's active revision, last activation and bundle errors, from its status
    plugin's last report. Exit 1 when a replica is down, reports an error, or is not on
    the revision published last."""
    try:
        fleet = Fleet.load(directory)
        states = fleet.status()
    except BridgeError as exc:
        _fail(str(exc))
        return
    behind = [s for s in states if not s.healthy or s.errors or s.active_revision != fleet.revision]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "published_revision": fleet.revision,
                    "url": fleet.url,
                    "processes_running": fleet.running_processes(),
                    "replicas": [s.as_json() for s in states],
                },
                indent=2,
            )
        )
    else:
        click.echo(f"published revision: {fleet.revision}")
        rows: list[tuple[str, ...]] = [
            ("REPLICA", "STATE", "ACTIVE REVISION", "LAST ACTIVATION", "ERRORS")
        ]
        rows += [_status_row(s) for s in states]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            click.echo(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[4]
            )
    if behind:
        sys.exit(1)  # the fleet is not all on the published revision


@fleet_group.command("env")
@_DIR
@click.option(
    "--replicas",
    "each",
    is_flag=True,
    help="Name every replica in APL_OPA_URL instead of the load balancer.",
)
def env_command(directory: Path, each: bool) -> None:
    """Print `export APL_OPA_URL=... APL_OPA_TOKEN=...` for this fleet, for
    `eval "$(apl-policy fleet env --dir DIR)"` before `apl-policy eval`."""
    try:
        fleet = Fleet.load(directory)
    except FleetError as exc:
        _fail(str(exc), ExitCode.USAGE_OR_INVALID)
        return
    url = ",".join(r.url for r in fleet.replicas) if each else fleet.url
    click.echo(f"export APL_OPA_URL={shlex.quote(url)} APL_OPA_TOKEN={shlex.quote(fleet.token)}")


@fleet_group.command("down")
@_DIR
def down_command(directory: Path) -> None:
    """Stop every process the fleet started (by the pids in fleet.json)."""
    try:
        fleet = Fleet.load(directory)
    except FleetError as exc:
        _fail(str(exc), ExitCode.USAGE_OR_INVALID)
        return
    fleet.down()
    left = fleet.running_processes()
    if left:
        _fail(f"still running after stop: {', '.join(left)}")
    click.echo(f"fleet in {fleet.directory} stopped")
