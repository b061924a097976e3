"""The bridge's one error root and its kinds (after pypa/build's `_exceptions.py`).

Everything the transport, opa-python-client, the YAML/JSON parsers or OPA itself can
raise is caught inside the bridge and re-raised as one of these, with a message a person
can act on. Callers (the CLI, services) catch `BridgeError` and nothing lower.
"""

from __future__ import annotations

from collections.abc import Sequence


class BridgeError(Exception):
    """Root of every error the bridge raises on purpose."""


class OpaUnavailable(BridgeError):  # noqa: N818 - the name the shared interface fixes
    """OPA could not be reached, started, or did not answer in time (after retries)."""


class EvaluationError(BridgeError):
    """OPA answered, but not with a usable decision: a non-200, no `result`, a malformed
    result. Never to be read as a permit."""


class InvalidActivity(BridgeError):  # noqa: N818 - the name the shared interface fixes
    """A document that does not satisfy the activity schema; `errors` holds every
    problem as (field, message) pairs, in the order the validator found them."""

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)


class InputError(BridgeError):
    """A file (or stdin) that cannot be read or parsed at all: missing, binary, empty,
    broken YAML/JSON. The message names the file."""
