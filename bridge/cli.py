"""`apl-policy`, the command line: parses arguments, calls the bridge, renders the result.

Every piece of work happens in the library (loading, evaluate, client, server, metadata,
render); this module wires them to Click and maps what happened to an exit code
(`bridge.exit_codes.ExitCode`, the highest that applies). Errors are printed as one line
saying what to do, never as a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

import click

from bridge.client import OpaPolicyClient
from bridge.errors import BridgeError, EvaluationError, InputError, OpaUnavailable
from bridge.evaluate import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    Result,
    evaluate,
    expectation_mismatches,
)
from bridge.exit_codes import ExitCode
from bridge.impact_cli import diff_command
from bridge.loading import Document, InputFormat, iter_documents, scenario_files
from bridge.metadata import load_clauses
from bridge.models import UNKNOWN_REVISION, Outcome
from bridge.regimes import pin
from bridge.regimes_cli import regime_option, regimes_command
from bridge.render import (
    FORMATS,
    Format,
    Row,
    Summary,
    clauses_json,
    clauses_text,
    explain_text,
    make_renderer,
)
from bridge.server import TOKEN_ENV, LocalOpa

URL_ENV = "APL_OPA_URL"
# Below this much input a progress bar would only flicker.
_PROGRESS_MIN_BYTES = 1024 * 1024

_COLORS = {
    Outcome.PERMIT: "green",
    Outcome.DENY: "red",
    Outcome.REVIEW: "yellow",
    Outcome.NOT_APPLICABLE: "blue",
    Outcome.INVALID: "magenta",
}
_OUTCOME_CODES = {
    Outcome.PERMIT: ExitCode.OK,
    Outcome.DENY: ExitCode.NOT_PERMITTED,
    Outcome.REVIEW: ExitCode.NOT_PERMITTED,
    Outcome.NOT_APPLICABLE: ExitCode.NOT_PERMITTED,
    Outcome.INVALID: ExitCode.USAGE_OR_INVALID,
}


# Set while a progress bar is drawn on stderr: messages then first clear its line.
_BAR_ACTIVE = threading.Event()


def _error(message: str) -> None:
    prefix = "\r\x1b[K" if _BAR_ACTIVE.is_set() else ""
    click.echo(f"{prefix}apl-policy: {message}", err=True)


def _fail(message: str, code: ExitCode) -> NoReturn:
    _error(message)
    sys.exit(int(code))


# -- the OPA a command talks to ----------------------------------------------------------


@dataclass
class OpaOptions:
    url: str | None
    token: str | None
    timeout: float
    retry_for: float


def _manifest_revision(bundle: Path) -> str:
    try:
        revision = json.loads((bundle / ".manifest").read_text("utf-8")).get("revision")
    except (OSError, ValueError, AttributeError):
        return UNKNOWN_REVISION
    return revision if isinstance(revision, str) else UNKNOWN_REVISION


class _RetryNotice:
    """A line on stderr while OPA does not answer and the client keeps retrying: silent for
    a short blip, then at most one every `every` seconds, however many threads retry."""

    def __init__(self, retry_for: float, *, quiet_for: float = 2.0, every: float = 60.0) -> None:
        self._retry_for = retry_for
        self._quiet_for = quiet_for
        self._every = every
        self._last = -every
        self._lock = threading.Lock()

    def __call__(self, error: Exception, left: float) -> None:
        if self._retry_for - left < self._quiet_for:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._last < self._every:
                return
            self._last = now
        what = str(error).split(" (gave up")[0]
        _error(f"{what}; retrying for up to {left:.0f}s more (--retry-for 0: give up at once)")


@contextlib.contextmanager
def _opa_client(options: OpaOptions) -> Iterator[tuple[OpaPolicyClient, str]]:
    """A client for the server at --opa-url, or for a private OPA started for this run
    (the embedded default) and stopped when the block ends, whatever ends it."""
    if options.url:
        client = OpaPolicyClient(
            options.url,
            token=options.token,
            timeout=options.timeout,
            retry_for=options.retry_for,
            on_retry=_RetryNotice(options.retry_for),
        )
        with client:
            yield client, UNKNOWN_REVISION
        return
    with LocalOpa() as server:
        client = OpaPolicyClient(
            server.url, token=server.token, timeout=options.timeout, retry_for=options.retry_for
        )
        with client:
            yield client, _manifest_revision(server.bundle)


def opa_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--opa-url, --token, --timeout, --retry-for: shared by the commands that ask OPA."""
    func = click.option(
        "--retry-for",
        type=click.FloatRange(min=0),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Keep retrying connection errors and 502/503/504 this long, then exit 3.",
    )(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        metavar="SECONDS",
        help="Time allowed for one request to OPA.",
    )(func)
    func = click.option(
        "--token",
        envvar=TOKEN_ENV,
        show_envvar=True,
        metavar="TOKEN",
        help="Bearer token for the OPA at --opa-url.",
    )(func)
    return click.option(
        "--opa-url",
        envvar=URL_ENV,
        show_envvar=True,
        metavar="URL",
        help="An OPA serving the policy. Without it, a private OPA is started for the run.",
    )(func)


# -- output ----------------------------------------------------------------------------


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[tuple[Callable[[str], None], bool]]:
    """A writer for stdout or --output, and whether it is a terminal (for colour)."""
    if path is None or path == "-":
        stream = sys.stdout
        tty = stream.isatty()

        def write(text: str) -> None:
            click.echo(text, file=stream, nl=False, color=tty)
            stream.flush()

        yield write, tty
        return
    try:
        handle: IO[str] = Path(path).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror}", ExitCode.USAGE_OR_INVALID)
    with handle:

        def write_file(text: str) -> None:
            handle.write(text)

        yield write_file, False


def _width(tty: bool) -> int:
    if not tty:
        return 100
    return max(60, shutil.get_terminal_size((100, 24)).columns)


class _Progress:
    """A progress bar on stderr, by bytes read, for long inputs while the output goes
    somewhere else (a bar between table rows on one terminal would only garble both)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        if enabled and total >= _PROGRESS_MIN_BYTES:
            self._bar = click.progressbar(length=total, label="evaluating", file=sys.stderr)
            self._bar.__enter__()
            _BAR_ACTIVE.set()

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            _BAR_ACTIVE.clear()


def _total_bytes(sources: list[str]) -> int:
    total = 0
    for source in sources:
        with contextlib.suppress(OSError):
            path = Path(source)
            if source != "-" and path.is_file():
                total += path.stat().st_size
    return total


# -- the commands ------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="apl-policy", prog_name="apl-policy")
def cli() -> None:
    """Decisions on activities under the 2022 US anti-personnel mine policy, from OPA.

    \b
    Exit codes (the highest that applies):
      0  every activity permitted
      1  at least one deny, review or not_applicable (with --scenarios: not as expected)
      2  usage error, unreadable input, or an invalid document
      3  OPA unreachable, timed out, or answered with an error or no result
    """


@cli.command("eval")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format. Default: table on a terminal, json otherwise.",
)
@click.option("-o", "--output", metavar="FILE", help="Write decisions to FILE instead of stdout.")
@click.option(
    "--input-format",
    type=click.Choice(["auto", "yaml", "json", "jsonl"]),
    default="auto",
    show_default=True,
    help="How to read the files (auto: by extension; stdin is sniffed).",
)
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
        _fail(
            "no input: give FILEs, or pipe activity documents to stdin", ExitCode.USAGE_OR_INVALID
        )
    sources = list(files) or ["-"]
    if scenarios:
        sources = scenario_files(sources)
        if not sources:
            _fail("no scenario files (*.yaml) found", ExitCode.USAGE_OR_INVALID)
    options = OpaOptions(opa_url or None, token or None, timeout, retry_for)
    code = _run_eval(
        sources,
        fmt=fmt,
        output=output,
        input_format=input_format,
        scenarios=scenarios,
        batch_size=batch_size,
        workers=workers,
        progress=progress,
        quiet=quiet,
        options=options,
        regime=regime,
    )
    sys.exit(int(code))


def _run_eval(  # noqa: PLR0913 - the eval command's options, passed on
    sources: list[str],
    *,
    fmt: Format | None,
    output: str | None,
    input_format: InputFormat,
    scenarios: bool,
    batch_size: int,
    workers: int,
    progress: bool,
    quiet: bool,
    options: OpaOptions,
    regime: str | None = None,
) -> ExitCode:
    code = ExitCode.OK
    summary = Summary(scenarios=scenarios)

    def on_input_error(exc: InputError) -> None:
        nonlocal code
        summary.input_errors += 1
        code = max(code, ExitCode.USAGE_OR_INVALID)
        _error(f"error: {exc}")

    with _output(output) as (write, tty):
        chosen: Format = fmt or ("table" if tty else "json")
        style = _styler(tty)
        renderer = make_renderer(chosen, write, width=_width(tty), style=style, scenarios=scenarios)
        stderr_tty = sys.stderr.isatty()
        bar = _Progress(_total_bytes(sources), progress and stderr_tty and not tty)
        try:
            with _opa_client(options) as (client, revision):
                documents = iter_documents(
                    sources,
                    scenarios=scenarios,
                    input_format=input_format,
                    on_error=on_input_error,
                    on_bytes=bar.update,
                )
                results = evaluate(
                    pin(documents if quiet else _report_invalid(documents), regime),
                    client,
                    batch_size=batch_size,
                    workers=workers,
                    revision=revision,
                )
                for result in results:
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
            _error(str(exc))
            return ExitCode.OPA_FAILURE
        bar.close()
        renderer.finish(summary)
    return code


def _styler(tty: bool) -> Callable[[str, Outcome], str]:
    if not tty or os.environ.get("NO_COLOR"):
        return lambda text, _outcome: text
    return lambda text, outcome: click.style(text, fg=_COLORS[outcome], bold=True)


def _report_invalid(documents: Iterator[Document]) -> Iterator[Document]:
    """Say on stderr, with file and document number, every error of an invalid document."""
    for doc in documents:
        if not doc.valid:
            details = "; ".join(f"{f}: {m}" for f, m in doc.errors)
            _error(f"invalid: {doc.where}: {details}")
        yield doc


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
@click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="Where to read the clauses' texts (default: the project's rego/).",
)
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
    options = OpaOptions(opa_url or None, token or None, timeout, retry_for)
    width = _width(sys.stdout.isatty())

    def on_input_error(exc: InputError) -> None:
        nonlocal code
        code = max(code, ExitCode.USAGE_OR_INVALID)
        _error(f"error: {exc}")

    first = True
    try:
        with _opa_client(options) as (client, revision):
            documents = iter_documents([file], scenarios="auto", on_error=on_input_error)
            pinned = pin(documents, regime)
            for result in evaluate(pinned, client, batch_size=20, revision=revision):
                if not first:
                    click.echo("\n" + "─" * min(width, 100) + "\n")
                first = False
                click.echo(explain_text(result, clauses, width=min(width, 100)))
                code = max(code, _OUTCOME_CODES[result.decision.decision])
    except (OpaUnavailable, EvaluationError) as exc:
        _fail(str(exc), ExitCode.OPA_FAILURE)
    sys.exit(int(code))


def _clauses_or_exit(bundle: Path | None, regime: str | None = None) -> list[Any]:
    try:
        return load_clauses(bundle, regime=regime)
    except BridgeError as exc:
        _fail(str(exc), ExitCode.OPA_FAILURE)


@cli.command("clauses")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="The policy bundle to read (default: the project's rego/).",
)
@regime_option
def clauses_command(fmt: str, bundle: Path | None, regime: str | None) -> None:
    """The policy's clauses and the Korean exception, with titles and source texts, as
    the policy's METADATA states them (every regime's, or --regime's)."""
    clauses = _clauses_or_exit(bundle, regime)
    width = min(_width(sys.stdout.isatty()), 100)
    click.echo(clauses_json(clauses) if fmt == "json" else clauses_text(clauses, width=width))


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
@click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="Policy bundle: a directory or a .tar.gz (default: the project's rego/).",
)
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
        _error(f"no {TOKEN_ENV} set; this run's token: {server.token}")
    if host not in ("127.0.0.1", "::1", "localhost"):
        _error(f"warning: listening on {host}, not loopback; put TLS in front of it")
    try:
        try:
            server.start()
        except OpaUnavailable as exc:
            _fail(str(exc), ExitCode.OPA_FAILURE)
        _error(
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
        _fail(f"OPA exited with code {returncode}", ExitCode.OPA_FAILURE)


cli.add_command(regimes_command)
cli.add_command(diff_command)


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
        _error("terminated" if terminated else "interrupted")
        # The shell's convention: 128 + the signal's number.
        sys.exit(128 + (signal.SIGTERM if terminated else signal.SIGINT))
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except BridgeError as exc:
        code = ExitCode.USAGE_OR_INVALID if isinstance(exc, InputError) else ExitCode.OPA_FAILURE
        _fail(str(exc), code)
