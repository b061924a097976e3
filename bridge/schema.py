"""The contract's JSON Schemas (bridge/schemas/*.json), read as data, once.

For code that reads what the contract lists (the regime ids, the fields); the schemas'
enums are generated from the policy bundle (`make generate`). Validating against them is
the tests' job (tests/schemas.py): at run time the policy judges the documents."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_FOLDER = Path(__file__).parent / "schemas"  # package data, installed or not


@cache
def load(name: str) -> dict[str, Any]:
    """The schema `name` ("activity" or "decision")."""
    schema: dict[str, Any] = json.loads((_FOLDER / f"{name}.schema.json").read_text("utf-8"))
    return schema
