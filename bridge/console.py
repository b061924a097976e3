"""What the CLI says on stderr and where it writes: one-line messages, the retry notice,
the progress bar, and the output (stdout or --output), kept out of the command layer."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from bridge.exit_codes import ExitCode
from bridge.models import Outcome

# Below this much input a progress bar would only flicker.
PROGRESS_MIN_BYTES = 1024 * 1024

_COLORS = {
    Outcome.PERMIT: "green",
    Outcome.DENY: "red",
    Outcome.REVIEW: "yellow",
    Outcome.NOT_APPLICABLE: "blue",
    Outcome.INVALID: "magenta",
}

# Set while a progress bar is drawn on stderr: messages then first clear its line.
_BAR_ACTIVE = threading.Event()


def error(message: str) -> None:
    """`apl-policy: message` on stderr, on a line of its own."""
    prefix = "\r\x1b[K" if _BAR_ACTIVE.is_set() else ""
    click.echo(f"{prefix}apl-policy: {message}", err=True)


def fail(message: str, code: ExitCode) -> NoReturn:
    error(message)
    sys.exit(int(code))


class RetryNotice:
    """A line on stderr while OPA does not answer and the client keeps retrying: silent for
    a short blip, then at most one every `every` seconds, however many threads retry."""

    def __init__(self, retry_for: float, *, quiet_for: float = 2.0, every: float = 60.0) -> None:
        self._retry_for = retry_for
        self._quiet_for = quiet_for
        self._every = every
        self._last = -every
        self._lock = threading.Lock()

    def __call__(self, exc: Exception, left: float) -> None:
        if self._retry_for - left < self._quiet_for:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._last < self._every:
                return
            self._last = now
        what = str(exc).split(" (gave up")[0]
        error(f"{what}; retrying for up to {left:.0f}s more (--retry-for 0: give up at once)")


class Progress:
    """A progress bar on stderr, by bytes read, for long inputs while the output goes
    somewhere else (a bar between table rows on one terminal would only garble both)."""

    def __init__(self, sources: list[str], enabled: bool) -> None:
        self._bar: Any = None
        total = _total_bytes(sources) if enabled else 0
        if total >= PROGRESS_MIN_BYTES:
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


@contextlib.contextmanager
def output(path: str | None) -> Iterator[tuple[Callable[[str], None], bool]]:
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
        fail(f"cannot write {path}: {exc.strerror}", ExitCode.USAGE_OR_INVALID)
    with handle:

        def write_file(text: str) -> None:
            handle.write(text)

        yield write_file, False


def width(tty: bool) -> int:
    if not tty:
        return 100
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def styler(tty: bool) -> Callable[[str, Outcome], str]:
    if not tty or os.environ.get("NO_COLOR"):
        return lambda text, _outcome: text
    return lambda text, outcome: click.style(text, fg=_COLORS[outcome], bold=True)
