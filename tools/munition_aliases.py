"""Precompute the munition catalogue's other names, normalised, for the model lookup.

    python tools/munition_aliases.py          # writes munitions/aliases/data.json
    python tools/munition_aliases.py --check  # exit 1 if it is not what the catalogue gives

(both under rego/apl/definitions/)

The policy looks a model up by its normalised name (upper case, without hyphens or
spaces): first as a catalogue key, then among every entry's `names`. Scanning the names
normalised each one per query; this table maps each normalised other name to its entry's
key once, so the policy makes one lookup. A name shared by two entries is refused here, as
the policy itself would fail on it (two answers for one function call).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precomputed import write_or_check  # the tools' shared tail

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "rego" / "apl" / "definitions" / "munitions" / "data.yaml"
TARGET = ROOT / "rego" / "apl" / "definitions" / "munitions" / "aliases" / "data.json"


def normalised(name: str) -> str:
    """definitions.normalised_name: upper(replace(replace(name, "-", ""), " ", ""))."""
    if not name.isascii():  # Python's and Go's upper() differ beyond ASCII
        raise SystemExit(f"{SOURCE}: name {name!r} is not ASCII; extend the normalisation first")
    return name.replace("-", "").replace(" ", "").upper()


def aliases(models: dict[str, Any]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, entry in models.items():
        for name in entry.get("names", []):
            alias = normalised(name)
            if table.get(alias, key) != key:
                raise SystemExit(f"{SOURCE}: {name!r} names both {table[alias]} and {key}")
            table[alias] = key
    return dict(sorted(table.items()))


def render() -> str:
    models = yaml.safe_load(SOURCE.read_text())["models"]
    note = f"by tools/{Path(__file__).name} from ../data.yaml: do not edit (make precomputed)"
    head = {"_generated": note}
    return json.dumps(head | {"by_name": aliases(models)}, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(__doc__.split("\n\n")[0], TARGET, render(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
