"""Debian's headless Chromium, driven by Playwright, for the report's browser tests and for
the README's screenshot (`make screenshot`). Playwright's own browser download is never
used: the executable is the system's `chromium` (installed by `make report-tools`).

    python -m tests.report.browser REPORT.html OUT.png   # the screenshot of a report
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM_ENV = "APL_CHROMIUM"
# The flags every run uses: headless, no sandbox (root in CI), nothing fetched or synced
# behind the page's back, and (with a fresh profile per run) no state between runs.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


class ChromiumMissingError(RuntimeError):
    pass


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")
    if not found:
        raise ChromiumMissingError(
            "no chromium: `make report-tools` installs Debian's (apt-get install chromium), "
            f"or set {CHROMIUM_ENV} to a Chromium executable"
        )
    return found


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[BrowserContext]:
    """A browser context of its own, on a fresh --user-data-dir removed afterwards."""
    executable = chromium_path()
    profile = tempfile.mkdtemp(prefix="apl-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=list(FLAGS),
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                offline=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(report: Path, out: Path, *, width: int = 1280, height: int = 1640) -> None:
    """The top of the report (summary and map), as the README shows it."""
    with chromium(width, height) as context:
        page = context.new_page()
        page.goto(report.resolve().as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(out), full_page=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m tests.report.browser REPORT.html OUT.png")
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[2]}")
