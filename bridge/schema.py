"""The contract's JSON Schemas (bridge/schemas/*.json) and their validators, loaded once.

The same files the README points services at; the Rego checks the same rules."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

_FOLDER = Path(__file__).parent / "schemas"  # package data, installed or not


@cache
def load(name: str) -> dict[str, Any]:
    """The schema `name` ("activity" or "decision")."""
    schema: dict[str, Any] = json.loads((_FOLDER / f"{name}.schema.json").read_text("utf-8"))
    return schema


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """A checked validator for schema `name`, formats (the date) included."""
    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)
