"""`apl-policy diff`: which decisions change between two policies (bridge.impact)."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import click

from bridge.errors import BridgeError, EvaluationError, InputError, OpaUnavailable
from bridge.evaluate import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS
from bridge.exit_codes import ExitCode
from bridge.impact import Side, Tally, compare, endpoints, resolve_side
from bridge.impact_render import DIFF_FORMATS, DiffFormat, Header, make_diff_renderer
from bridge.loading import iter_documents, scenario_files
from bridge.models import Outcome
from bridge.server import project_bundle


def _say(message: str) -> None:
    click.echo(f"apl-policy: {message}", err=True)


@contextlib.contextmanager
def _writer(path: str | None) -> Iterator[Callable[[str], None]]:
    if path is None or path == "-":
        yield lambda text: click.echo(text, nl=False)
        return
    try:
        handle: IO[str] = Path(path).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        _say(f"cannot write {path}: {exc.strerror}")
        sys.exit(int(ExitCode.USAGE_OR_INVALID))
    with handle:

        def write(text: str) -> None:
            handle.write(text)

        yield write


@click.command("diff")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--from", "from_", required=True, metavar="A", help="Policy A (see above).")
@click.option("--to", "to", required=True, metavar="B", help="Policy B (see above).")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="table", show_default=True
)
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE.")
@click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="The bundle whose regimes a regime id names (default: the project's rego/).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=10000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
)
@click.option(
    "--workers", type=click.IntRange(min=1, max=16), default=DEFAULT_WORKERS, show_default=True
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for one request to OPA.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not list invalid documents on stderr.")
def diff_command(  # noqa: PLR0913, PLR0917 - Click passes one parameter per option
    files: tuple[str, ...],
    from_: str,
    to: str,
    fmt: DiffFormat,
    output: str | None,
    bundle: Path | None,
    batch_size: int,
    workers: int,
    timeout: float,
    quiet: bool,
) -> None:
    """Decide every activity in FILEs under policy A and under policy B, and report the
    ones whose decision or clause findings change, with a from→to count matrix.

    \b
    A and B are each:
      a regime id        us-apl-2022: every document pinned to that regime
      a bundle folder    ./rego-copy (a policy directory)
      a built bundle     dist/bundle.tar.gz
      a git revision     HEAD~3, main, v1.0: rego/ as it was there
    Prefix regime:, rev: or path: to force one reading. Folders among FILEs mean every
    *.yaml below them; fixture scenarios are read as their `input`.

    \b
    Exit codes (the highest that applies):
      0  nothing changed
      1  at least one activity changed
      2  usage error, unreadable input, or an invalid document
      3  OPA could not start, or answered with an error or no result
    """
    if not files and sys.stdin.isatty():
        _say("no input: give FILEs, or pipe activity documents to stdin")
        sys.exit(int(ExitCode.USAGE_OR_INVALID))
    code = ExitCode.OK
    regime_bundle = bundle if bundle is not None else project_bundle()
    workdir = Path(tempfile.mkdtemp(prefix="apl-diff-"))
    try:
        try:
            before = resolve_side(from_, regime_bundle=regime_bundle, workdir=workdir)
            # The same text twice is the same policy: one extraction, one server.
            after = (
                before
                if to == from_
                else resolve_side(to, regime_bundle=regime_bundle, workdir=workdir)
            )
            sides = (before, after)
        except InputError as exc:
            _say(str(exc))
            sys.exit(int(ExitCode.USAGE_OR_INVALID))
        except BridgeError as exc:
            _say(str(exc))
            sys.exit(int(ExitCode.OPA_FAILURE))
        code = _run(sides, list(files) or ["-"], fmt, output, batch_size, workers, timeout, quiet)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(int(code))


def _run(  # noqa: PLR0913, PLR0917 - the command's options, passed on
    sides: tuple[Side, Side],
    sources: list[str],
    fmt: DiffFormat,
    output: str | None,
    batch_size: int,
    workers: int,
    timeout: float,
    quiet: bool,
) -> ExitCode:
    code = ExitCode.OK
    tally = Tally()

    def on_error(exc: InputError) -> None:
        nonlocal code
        code = max(code, ExitCode.USAGE_OR_INVALID)
        _say(f"error: {exc}")

    expanded = scenario_files(sources)
    with _writer(output) as write:
        renderer = make_diff_renderer(fmt, write, Header(*sides))
        try:
            with endpoints(sides, timeout=timeout) as (a, b):
                documents = iter_documents(expanded, scenarios="auto", on_error=on_error)
                for change in compare(
                    documents,
                    (a, sides[0].regime),
                    (b, sides[1].regime),
                    batch_size=batch_size,
                    workers=workers,
                ):
                    tally.add(change)
                    if change.before.decision is change.after.decision is Outcome.INVALID:
                        # Invalid under both policies: the document breaks the contract.
                        code = max(code, ExitCode.USAGE_OR_INVALID)
                        if not quiet:
                            _say(f"invalid: {change.document.where}: {change.after.summary}")
                    if change.changed:
                        renderer.add(change)
        except (OpaUnavailable, EvaluationError) as exc:
            renderer.finish(tally, failure=str(exc))
            _say(str(exc))
            return ExitCode.OPA_FAILURE
        renderer.finish(tally)
    if tally.changed:
        # For diff, 1 means "something changed" (CONTRACT.md, CLI additions).
        code = max(code, ExitCode.NOT_PERMITTED)
    return code
