"""`apl-policy`, the command line: parses arguments, calls the bridge, renders the result.

Every piece of work happens in the library (loading, evaluate, client, server, metadata,
render); the shared options are `bridge.options`', the messages on stderr, the progress
bar and the output `bridge.console`'s. This module wires them to Click and maps what
happened to an exit code (`bridge.exit_codes.ExitCode`, the highest that applies).
Errors are printed as one line saying what to do, never as a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

import click

from bridge import options
from bridge.console import Progress, error, fail, styler, width
from bridge.console import output as output_to
from bridge.errors import BridgeError, EvaluationError, InputError, OpaUnavailable
from bridge.evaluate import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    Result,
    evaluate,
    expectation_mismatches,
)
from bridge.exit_codes import ExitCode
from bridge.formats import InputFormat
from bridge.loading import iter_documents, scenario_files
from bridge.metadata import load_clauses
from bridge.models import Outcome
from bridge.options import opa_from, opa_options
from bridge.regimes import pin
from bridge.regimes_cli import regime_option, regimes_command
from bridge.render import (
    Format,
    Row,
    Summary,
    clauses_json,
    clauses_text,
    explain_text,
    make_renderer,
)
from bridge.report.command import report_command_for
from bridge.server import TOKEN_ENV, LocalOpa

__all__ = ["cli", "main", "opa_options"]

_OUTCOME_CODES = {
    Outcome.PERMIT: ExitCode.OK,
    Outcome.DENY: ExitCode.NOT_PERMITTED,
    Outcome.REVIEW: ExitCode.NOT_PERMITTED,
    Outcome.NOT_APPLICABLE: ExitCode.NOT_PERMITTED,
    Outcome.INVALID: ExitCode.USAGE_OR_INVALID,
}


class _Commands(click.Group):
    """The group, with the commands of its own modules (`diff`, `audit`, `fleet`) imported
    only when one of them is called or listed: the audit store and the fleet cost every
    start of `apl-policy eval` some 20 ms, which a batch of a few thousand documents
    notices."""

    LAZY: ClassVar[dict[str, str]] = {
        "diff": "bridge.impact_cli:diff_command",
        "audit": "bridge.audit.cli:audit",
        "fleet": "bridge.fleet_cli:fleet_group",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="apl-policy", prog_name="apl-policy")
def cli() -> None:
    """Decisions on activities under the US anti-personnel mine policy, from OPA.

    \b
    Exit codes (the highest that applies):
      0  every activity permitted
      1  at least one deny, review or not_applicable (with --scenarios: not as expected)
      2  usage error, unreadable input, or an invalid document
      3  OPA unreachable, timed out, or answered with an error or no result
    """


@cli.command("eval")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@options.output_format
@options.output
@options.input_format
@click.option(
    "--scenarios",
    is_flag=True,
    help="Read fixture scenarios ({name, input, expect}); a folder means every *.yaml "
    "below it. Exit 1 when a decision is not as expected.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=10000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Activities per request to data.apl.batch.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=16),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Batch requests in flight at once.",
)
@click.option(
    "--progress/--no-progress",
    default=True,
    help="A progress bar on stderr for long inputs (only on a terminal).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Do not list invalid documents on stderr (their decisions still carry the errors).",
)
@regime_option
@opa_options
def eval_command(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    files: tuple[str, ...],
    fmt: Format | None,
    output: str | None,
    input_format: InputFormat,
    scenarios: bool,
    batch_size: int,
    workers: int,
    progress: bool,
    quiet: bool,
    regime: str | None,
    opa_url: str | None,
    token: str | None,
    timeout: float,
    retry_for: float,
) -> None:
    """Evaluate every activity document in FILEs (none or "-": stdin).

    YAML files may hold several documents, JSON files an object or an array, JSONL one
    document a line (read as it streams). Every document gets exactly one decision, in
    input order; one that breaks the contract gets an `invalid` decision, and the
    others are still evaluated.
    """
    if not files and sys.stdin.isatty():
        # Waiting for someone to type YAML is never what was meant.
        fail("no input: give FILEs, or pipe activity documents to stdin", ExitCode.USAGE_OR_INVALID)
    sources = list(files) or ["-"]
    if scenarios:
        sources = scenario_files(sources)
        if not sources:
            fail("no scenario files (*.yaml) found", ExitCode.USAGE_OR_INVALID)
    code = ExitCode.OK
    summary = Summary(scenarios=scenarios)

    def on_input_error(exc: InputError) -> None:
        nonlocal code
        summary.input_errors += 1
        code = max(code, ExitCode.USAGE_OR_INVALID)
        error(f"error: {exc}")

    with contextlib.ExitStack() as stack:
        write, tty = stack.enter_context(output_to(output))
        renderer = make_renderer(
            fmt or ("table" if tty else "json"),
            write,
            width=width(tty),
            style=styler(tty),
            scenarios=scenarios,
        )
        bar = Progress(sources, progress and sys.stderr.isatty() and not tty)
        stack.callback(bar.close)
        try:
            client = stack.enter_context(opa_from(opa_url, token, timeout, retry_for).client())
            documents = iter_documents(
                sources,
                scenarios=scenarios,
                input_format=input_format,
                on_error=on_input_error,
                on_bytes=bar.update,
            )
            pinned = pin(documents, regime)
            for result in evaluate(pinned, client, batch_size=batch_size, workers=workers):
                if not quiet:
                    _report_invalid(result)
                row = _row(result, scenarios)
                summary.add(row)
                renderer.add(row)
                code = max(code, _row_code(row, scenarios))
        except (OpaUnavailable, EvaluationError) as exc:
            bar.close()
            summary.failure = str(exc)
            if summary.total:
                # Close what was written (a JSON array, the JUnit totals) so it stays usable.
                renderer.finish(summary)
            fail(str(exc), ExitCode.OPA_FAILURE)
        bar.close()
        renderer.finish(summary)
    sys.exit(int(code))


def _report_invalid(result: Result) -> None:
    """Say on stderr, with file and document number, every error of an invalid document."""
    if result.decision.decision is Outcome.INVALID:
        details = "; ".join(f"{e.field}: {e.message}" for e in result.decision.errors)
        error(f"invalid: {result.document.where}: {details}")


def _row(result: Result, scenarios: bool) -> Row:
    if not scenarios or result.document.scenario is None:
        return Row(result)
    expect = result.document.scenario.get("expect")
    return Row(result, expectation_mismatches(expect, result.decision))


def _row_code(row: Row, scenarios: bool) -> ExitCode:
    if not scenarios:
        return _OUTCOME_CODES[row.decision.decision]
    if not row.mismatch:
        return ExitCode.OK
    if row.decision.decision is Outcome.INVALID:
        return ExitCode.USAGE_OR_INVALID
    return ExitCode.NOT_PERMITTED


@cli.command("explain")
@click.argument("file", metavar="FILE")
@options.bundle
@regime_option
@opa_options
def explain_command(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    file: str,
    bundle: Path | None,
    regime: str | None,
    opa_url: str | None,
    token: str | None,
    timeout: float,
    retry_for: float,
) -> None:
    """Explain the decision on each activity in FILE, in plain language: the munition's
    classification, then every clause with its source text and what it found, the
    exception and the obligations."""
    code = ExitCode.OK
    clauses = _clauses_or_exit(bundle)
    columns = min(width(sys.stdout.isatty()), 100)

    def on_input_error(exc: InputError) -> None:
        nonlocal code
        code = max(code, ExitCode.USAGE_OR_INVALID)
        error(f"error: {exc}")

    try:
        with opa_from(opa_url, token, timeout, retry_for).client() as client:
            documents = iter_documents([file], scenarios="auto", on_error=on_input_error)
            for n, result in enumerate(evaluate(pin(documents, regime), client, batch_size=20)):
                if n:
                    click.echo("\n" + "─" * columns + "\n")
                click.echo(explain_text(result, clauses, width=columns))
                code = max(code, _OUTCOME_CODES[result.decision.decision])
    except (OpaUnavailable, EvaluationError) as exc:
        fail(str(exc), ExitCode.OPA_FAILURE)
    sys.exit(int(code))


def _clauses_or_exit(bundle: Path | None, regime: str | None = None) -> list[Any]:
    try:
        return load_clauses(bundle, regime=regime)
    except BridgeError as exc:
        fail(str(exc), ExitCode.OPA_FAILURE)


@cli.command("clauses")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@options.bundle
@regime_option
def clauses_command(fmt: str, bundle: Path | None, regime: str | None) -> None:
    """The policy's clauses and the Korean exception, with titles and source texts, as
    the policy's METADATA states them (every regime's, or --regime's)."""
    clauses = _clauses_or_exit(bundle, regime)
    columns = min(width(sys.stdout.isatty()), 100)
    click.echo(clauses_json(clauses) if fmt == "json" else clauses_text(clauses, width=columns))


def _parse_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter("give HOST:PORT, e.g. 127.0.0.1:8181", param_hint="--addr")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


@cli.command("serve")
@click.option(
    "--addr",
    default="127.0.0.1:8181",
    show_default=True,
    help="HOST:PORT to listen on. Keep it on loopback unless a TLS proxy is in front.",
)
@options.bundle
@click.option(
    "--verification-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Public key (PEM): refuse a bundle whose signature does not verify with it.",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    show_envvar=True,
    metavar="TOKEN",
    help="Token every caller must send (Authorization: Bearer). Default: a random one, "
    "printed at start.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "error"]),
    default="info",
    show_default=True,
)
def serve_command(
    addr: str,
    bundle: Path | None,
    verification_key: Path | None,
    token: str | None,
    log_level: str,
) -> None:
    """Run OPA on the policy bundle in the foreground, for services: read-only (decision
    and health routes only), token required, telemetry off. Ctrl-C stops it."""
    host, port = _parse_addr(addr)
    server = LocalOpa(
        bundle,
        host=host,
        port=port,
        token=token or None,  # none given: LocalOpa makes a random one
        verification_key=verification_key,
        log_level=log_level,
        inherit_output=True,
    )
    if not token:
        error(f"no {TOKEN_ENV} set; this run's token: {server.token}")
    if host not in ("127.0.0.1", "::1", "localhost"):
        error(f"warning: listening on {host}, not loopback; put TLS in front of it")
    try:
        try:
            server.start()
        except OpaUnavailable as exc:
            fail(str(exc), ExitCode.OPA_FAILURE)
        error(
            f"serving {server.bundle} at {server.url}: POST /v1/data/apl/decision, "
            "POST /v1/data/apl/batch, GET /health"
        )
        process = server.process
        returncode = process.wait() if process is not None else 0
    except KeyboardInterrupt:
        # Ctrl-C (or SIGTERM) is how a foreground server is meant to end, even while it
        # is still starting.
        returncode = 0
    finally:
        server.stop()
    if returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
        fail(f"OPA exited with code {returncode}", ExitCode.OPA_FAILURE)


cli.add_command(report_command_for(eval_command))
cli.add_command(regimes_command)


# -- entry point -----------------------------------------------------------------------


class _Terminated(KeyboardInterrupt):
    """SIGTERM, unwinding like Ctrl-C so that a private OPA is stopped on the way out."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def main() -> None:
    """The console script: Click, plus clean endings for SIGTERM, Ctrl-C and a closed pipe."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(prog_name="apl-policy", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE_OR_INVALID)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:
        # Click turns a KeyboardInterrupt into Abort, keeping it as the cause.
        terminated = isinstance(exc, _Terminated) or isinstance(exc.__cause__, _Terminated)
        error("terminated" if terminated else "interrupted")
        # The shell's convention: 128 + the signal's number.
        sys.exit(128 + (signal.SIGTERM if terminated else signal.SIGINT))
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except BridgeError as exc:
        code = ExitCode.USAGE_OR_INVALID if isinstance(exc, InputError) else ExitCode.OPA_FAILURE
        fail(str(exc), code)
