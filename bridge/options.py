"""Every Click option the commands share, defined once (as pip-tools' `options.py` does),
and the OPA a command talks to: the server at --opa-url, or a private one for the run."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from bridge.client import OpaPolicyClient
from bridge.console import RetryNotice
from bridge.formats import INPUT_FORMATS
from bridge.render import FORMATS
from bridge.replicas import DecisionClient, make_client
from bridge.server import TOKEN_ENV, LocalOpa

URL_ENV = "APL_OPA_URL"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class OpaOptions:
    """The values of `opa_options`: where OPA is and how long to wait for it."""

    url: str | None
    token: str | None
    timeout: float
    retry_for: float

    @contextlib.contextmanager
    def client(self) -> Iterator[DecisionClient]:
        """A client for the server at --opa-url, or for a private OPA started for this run
        (the embedded default) and stopped when the block ends, whatever ends it."""
        if self.url:
            notice = RetryNotice(self.retry_for)
            with make_client(
                self.url,
                token=self.token,
                timeout=self.timeout,
                retry_for=self.retry_for,
                on_retry=notice,
            ) as client:
                yield client
            return
        with (
            LocalOpa() as server,
            OpaPolicyClient(
                server.url, token=server.token, timeout=self.timeout, retry_for=self.retry_for
            ) as client,
        ):
            yield client


opa_url = click.option(
    "--opa-url",
    envvar=URL_ENV,
    show_envvar=True,
    metavar="URL",
    multiple=True,
    callback=lambda _ctx, _param, urls: ",".join(urls) or None,
    help="An OPA serving the policy; repeat it (or separate with commas) for replicas "
    "to spread batches over. Without it, a private OPA is started for the run.",
)
token = click.option(
    "--token",
    envvar=TOKEN_ENV,
    show_envvar=True,
    metavar="TOKEN",
    help="Bearer token for the OPA at --opa-url.",
)
timeout = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for one request to OPA.",
)
retry_for = click.option(
    "--retry-for",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Keep retrying connection errors and 502/503/504 this long, then exit 3.",
)


def opa_options(func: F) -> F:
    """--opa-url, --token, --timeout, --retry-for: shared by the commands that ask OPA.
    The command gets them as `opa_url`, `token`, `timeout`, `retry_for`."""
    for option in (retry_for, timeout, token, opa_url):
        func = option(func)
    return func


def opa_from(
    opa_url: str | None, token: str | None, timeout: float, retry_for: float
) -> OpaOptions:
    """The `opa_options` values as one object (empty strings count as not given)."""
    return OpaOptions(opa_url or None, token or None, timeout, retry_for)


output_format = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format. Default: table on a terminal, json otherwise.",
)
output = click.option(
    "-o", "--output", metavar="FILE", help="Write the output to FILE instead of stdout."
)
input_format = click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default="auto",
    show_default=True,
    help="How to read the files (auto: by extension; stdin is sniffed).",
)
bundle = click.option(
    "--bundle",
    type=click.Path(exists=True, path_type=Path),
    help="The policy bundle: a directory or a .tar.gz (default: the project's rego/).",
)
