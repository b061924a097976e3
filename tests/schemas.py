"""The contract's JSON Schemas, as validators, for the tests: the full check of every
decision the tests get (at run time the bridge checks only what failing closed needs)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

from bridge.schema import load

__all__ = ["load", "problems", "validator"]


@cache
def validator(name: str) -> Any:
    """A checked validator for schema `name`, formats (the date) included."""
    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(name: str, document: object) -> list[str]:
    """Every way `document` breaks schema `name`, as "path: message"."""
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]
