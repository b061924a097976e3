"""Precompute the classification of every catalogued model named alone, by the policy itself.

    python tools/munition_classes.py          # writes munitions/classified/data.json
    python tools/munition_classes.py --check  # exit 1 if it is not what the policy gives

(both under rego/apl/definitions/; needs OPA: $APL_OPA_BIN or bin/opa, `make tools`)

Most documents name a catalogued model and nothing else about it (a quantity aside), and
then the classification is the catalogue entry's: the same for every such document. The
policy's `classify` works it out per query; this table holds its answer for every name of
every model (each normalised name: the catalogue's keys and munitions/aliases), computed by
`opa eval` of `data.apl.definitions.classify({"model": name})` on the working tree, so the
table can only say what `classify` says. A model the catalogue leaves undetermined is left
out, since its basis names the model as the document spells it. Run it after changing the
catalogue or the classification rules (make precomputed; make test checks it is current).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from munition_aliases import SOURCE as CATALOGUE
from munition_aliases import TARGET as ALIASES
from precomputed import ROOT, write_or_check

sys.path.insert(0, str(ROOT))
from bridge.server import bundle_value  # the one runner for OPA on a bundle

TARGET = ROOT / "rego" / "apl" / "definitions" / "munitions" / "classified" / "data.json"


def names() -> list[str]:
    keys = list(yaml.safe_load(CATALOGUE.read_text())["models"])
    return sorted(set(keys) | set(json.loads(ALIASES.read_text())["by_name"]))


def render() -> str:
    query = (
        f"{{name: c | some name in {json.dumps(names())}; "
        'c := data.apl.definitions.classify({"model": name}); c.is_apl != null}'
    )
    table = bundle_value(query, ROOT / "rego")
    if not isinstance(table, dict):
        raise SystemExit(f"{query} is not an object: {table!r}")
    note = f"by tools/{Path(__file__).name} from the policy's classify: do not edit " \
        "(make precomputed)"
    return json.dumps({"_generated": note, "by_name": dict(sorted(table.items()))}, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(__doc__.split("\n\n")[0], TARGET, render(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
