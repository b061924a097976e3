"""The decision table's generator: the domain comes from the contract and the bundle, merged
rows cover every combination exactly once with its own outcome, and the committed pages
are the ones this domain and these regimes make (their content is checked against a real
OPA by `make check-decision-table`)."""

from __future__ import annotations

import itertools
import random
import re

import jsonschema
import pytest

from bridge import decision_table as dt
from bridge import schema
from bridge.regimes import load_regimes
from bridge.server import project_root

DOCS = project_root() / "docs"


def covered(cube: tuple[frozenset[str], ...]) -> set[tuple[str, ...]]:
    return set(itertools.product(*cube))


@pytest.mark.parametrize("seed", range(20))
def test_merged_rows_cover_every_combination_once_with_its_value(seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    dims = [tuple(f"v{d}{i}" for i in range(rng.randint(1, 4))) for d in range(rng.randint(1, 5))]
    # Values that depend on a few dimensions only, as a policy's outcomes do.
    relevant = rng.sample(range(len(dims)), k=min(len(dims), 2))
    table = {
        combo: sum(map(ord, "".join(combo[i] for i in relevant))) % 3
        for combo in itertools.product(*dims)
    }
    rows = dt.merge(table, len(dims))
    seen: set[tuple[str, ...]] = set()
    for cube, value in rows.items():
        cells = covered(cube)
        assert not cells & seen, "two rows cover the same combination"
        seen |= cells
        assert all(table[c] == value for c in cells)
    assert seen == set(table)
    assert len(rows) <= len(table)


def test_an_outcome_that_ignores_a_dimension_merges_it_away():
    table = {(a, b): a for a in ("x", "y") for b in ("1", "2", "3")}
    rows = dt.merge(table, 2)
    assert sorted((sorted(c[0]), sorted(c[1]), v) for c, v in rows.items()) == [
        (["x"], ["1", "2", "3"], "x"),
        (["y"], ["1", "2", "3"], "y"),
    ]


def test_the_domain_is_read_from_the_contract():
    fields = schema.load("activity")["$defs"]["fields"]["properties"]
    assert {s.action for s in dt.sections()} == set(fields["action"]["enum"])
    assert set(dt.purposes()) == {*fields["purpose"]["enum"], dt.NONE}
    assert dt.modes() == fields["mode"]["enum"]
    # The nine kinds of POLICY.md section 7, and remotely delivered persistent APL.
    assert len(dt.munitions()) == 10


def test_every_combination_is_a_valid_activity_document():
    activity_schema = schema.load("activity")
    validator = jsonschema.validators.validator_for(activity_schema)(activity_schema)
    for section in dt.sections():
        for combo in itertools.islice(section.combinations(), 0, None, 7):
            doc = dt.activity(section, combo)
            assert list(validator.iter_errors(doc)) == [], (section.action, combo)


def test_the_committed_pages_name_this_domain_and_every_regime():
    text = (DOCS / "decision-table.md").read_text("utf-8")
    total = sum(s.size for s in dt.sections())
    regimes = load_regimes()
    assert f"{total} combinations a regime, {total * len(regimes)} decisions" in text
    header = next(line for line in text.splitlines() if line.startswith("| munition"))
    assert [r.id for r in regimes] == re.findall(r"(us-apl-[0-9a-z-]+)<br>", header)
    changed = (DOCS / "what-changed.md").read_text("utf-8")
    for a, b in itertools.pairwise(regimes):
        assert f"## `{a.id}` → `{b.id}`" in changed


def test_a_row_holding_every_kind_of_apl_names_them_as_a_group():
    names = [n for n, _ in dt.munitions()]
    assert dt._values_text(frozenset([*dt.APL_KINDS, "undetermined"]), names) == (
        "every kind of APL, undetermined"
    )
    assert dt._values_text(frozenset(["persistent APL", "not a mine"]), names) == (
        "persistent APL, not a mine"
    )
    assert set(names) >= dt.APL_KINDS
