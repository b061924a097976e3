"""`apl-policy report`: eval, with one self-contained HTML page as its output.

The command is eval's own: the same parameters (taken from the `eval` command itself, so
an option added to eval is an option of report too), the same pipeline and the same exit
codes; only the output format is fixed to the page (`eval --format html` writes the same).
"""

from __future__ import annotations

import sys

import click

_HELP = """Write the decisions on every activity in FILEs (none or "-": stdin) as one
self-contained HTML page: counts by decision and clause, the policy regimes and bundle
revision, a map of the Korean Peninsula drawn from the policy's own data with every
activity that has coordinates, and a table to filter by decision, with each activity's
account (classification, clauses and their wording, exceptions, obligations, notices).

Inputs, options and exit codes are eval's. The page loads nothing from anywhere and runs
only its own script. Example: apl-policy report acts.jsonl -o report.html
"""


def report_command_for(eval_command: click.Command) -> click.Command:
    """The `report` command, built on the `eval` command given."""
    params = [p for p in eval_command.params if p.name != "fmt"]

    @click.pass_context
    def report(ctx: click.Context, /, **options: object) -> None:
        if options.get("output") in (None, "-") and sys.stdout.isatty():
            raise click.UsageError("give -o FILE: the report is an HTML page, not for a terminal")
        ctx.invoke(eval_command, fmt="html", **options)

    return click.Command(
        "report",
        callback=report,
        params=params,
        help=_HELP,
        short_help="Write the decisions as a self-contained HTML page with a map.",
        no_args_is_help=False,
    )
