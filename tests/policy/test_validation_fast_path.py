"""The validity check's common path (`_valid_common` in rego/apl/validation/validation.rego)
writes out the names of the fields it accepts, since a rule holding them would cost more
than the check. Every name it writes must be a field of the activity contract: a name
that is not would let a document with that field pass as valid."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bridge.server import bundle_value, find_opa

ROOT = Path(__file__).resolve().parents[2]
VALIDATION = ROOT / "rego" / "apl" / "validation" / "validation.rego"


def _rules(name: str) -> list[dict[str, Any]]:
    out = subprocess.run([str(find_opa()), "parse", "--format", "json", str(VALIDATION)],
                         capture_output=True, text=True, check=True).stdout
    rules = json.loads(out)["rules"]
    return [r for r in rules if (r["head"].get("name") or r["head"]["ref"][0]["value"]) == name]


def _removed_sets(node: Any) -> Iterator[set[str]]:
    """The set literals given to object.remove anywhere under node."""
    if isinstance(node, dict):
        if node.get("type") == "call":
            fn, *args = node["value"]
            name = [t["value"] for t in fn["value"]]
            if name == ["object", "remove"] and args[1]["type"] == "set":
                yield {t["value"] for t in args[1]["value"]}
        for value in node.values():
            yield from _removed_sets(value)
    elif isinstance(node, list):
        for value in node:
            yield from _removed_sets(value)


def test_the_common_path_accepts_only_fields_of_the_contract() -> None:
    contract = set(bundle_value("data.apl.validation.activity_fields", ROOT / "rego"))  # type: ignore[arg-type]
    rules = _rules("_valid_common")
    assert len(rules) == 1
    accepted = list(_removed_sets(rules[0]["body"]))
    assert len(accepted) == 1, "the common path names its fields in one object.remove"
    assert accepted[0] <= contract, accepted[0] - contract
    # Not the whole contract: the fields it leaves to the general check stay out of it.
    general = {"regime", "regional_security_assessment", "mode", "assisted_activity"}
    assert general.isdisjoint(accepted[0])
