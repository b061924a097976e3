"""What `apl-policy` imports when it starts: the commands of their own modules (`diff`,
`audit`, `fleet`) load when called or listed, and a plain-HTTP evaluation does not import
the standard library's HTTP client, so a batch does not pay for what it does not use."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from bridge.cli import _Commands, cli

# Imported by none of `eval`'s paths over plain HTTP (each costs milliseconds per start).
NOT_AT_START = (
    "bridge.audit.cli",
    "bridge.fleet_cli",
    "bridge.impact_cli",
    "http.client",
    "urllib.request",
)


@pytest.mark.parametrize("name", sorted(_Commands.LAZY))
def test_each_lazy_command_is_the_command_it_names(name):
    with click.Context(cli) as ctx:
        command = cli.get_command(ctx, name)
    assert command is not None
    assert command.name == name
    assert name in cli.list_commands(click.Context(cli))


def test_starting_the_cli_imports_none_of_the_commands_it_does_not_run():
    probe = (
        "import json, sys; import bridge.cli; "
        f"print(json.dumps([m for m in {list(NOT_AT_START)!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
