"""`apl-policy regimes`, and the `--regime` option that eval, explain and clauses share."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bridge.errors import BridgeError
from bridge.exit_codes import ExitCode
from bridge.regimes import load_regimes, regime_ids


def regime_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--regime ID: assess every document under that regime, whatever its date."""
    return click.option(
        "--regime",
        type=click.Choice(regime_ids()),
        metavar="ID",
        help="Assess every document under this regime, whatever its date or its own "
        "`regime` (see `apl-policy regimes`).",
    )(func)


@click.command("regimes")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="The policy bundle to read (default: the project's rego/).",
)
def regimes_command(fmt: str, bundle: Path | None) -> None:
    """The regimes the policy encodes: each one's id, span (inclusive) and source. A dated
    document is assessed under the regime whose span holds its date; an undated one under
    the default."""
    try:
        regimes = load_regimes(bundle)
    except BridgeError as exc:
        click.echo(f"apl-policy: {exc}", err=True)
        sys.exit(int(ExitCode.OPA_FAILURE))
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "effective": r.effective,
                        "until": r.until,
                        "default": r.default,
                        "text": r.text,
                        "persistence": r.persistence,
                        "source": r.source,
                    }
                    for r in regimes
                ],
                indent=2,
            )
        )
        return
    width = max(len(r.id) for r in regimes)
    for r in regimes:
        marks = [
            m
            for m, on in (("default", r.default), ("known only from reports", r.text == "reports"))
            if on
        ]
        note = f"  ({'; '.join(marks)})" if marks else ""
        click.echo(f"{r.id:<{width}}  {r.span:<25}{note}")
        click.echo(f"{'':<{width}}  {r.source}")
