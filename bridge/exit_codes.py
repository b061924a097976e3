"""Process exit codes of `apl-policy`, as CONTRACT.md fixes them (highest one wins)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a script or CI job can branch on after `apl-policy eval`."""

    OK = 0  # every activity permitted
    NOT_PERMITTED = 1  # at least one deny, review or not_applicable
    USAGE_OR_INVALID = 2  # bad arguments, unreadable input, or an invalid document (Click's own 2)
    OPA_FAILURE = 3  # OPA unreachable, timed out, answered with an error or with no result
