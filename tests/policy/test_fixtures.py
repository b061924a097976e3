"""Every scenario under fixtures/ against a real OPA server, plus the meta-test that each
folder shows both sides of its clause."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bridge.evaluate import expectation_mismatches
from bridge.models import Decision
from bridge.server import project_root
from tests import schemas
from tests.opa_http import OpaConnection

FIXTURES = project_root() / "fixtures"
# The regimes, from the one index of them: each has a folder of its own (named by its id).
REGIMES = yaml.safe_load((project_root() / "rego" / "apl" / "policy" / "data.yaml").read_text())[
    "regimes"
]
FOLDERS = ["P1", "P2", "P3", "P4", "P5", "KOREA", "definitions", "refinements"] + [
    r["id"] for r in REGIMES
]


def load_scenarios() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.parent.name}/{path.stem}", yaml.safe_load(path.read_text()))
        for path in sorted(FIXTURES.glob("*/*.yaml"))
    ]


SCENARIOS = load_scenarios()


def test_every_scenario_is_well_formed():
    assert len(SCENARIOS) >= 2 * len(FOLDERS)
    for key, scenario in SCENARIOS:
        assert set(scenario) == {"name", "input", "expect"}, key
        assert isinstance(scenario["name"], str), key
        assert scenario["name"].endswith("."), f"{key}: the name is one full sentence"
        assert "decision" in scenario["expect"], key


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_has_a_permit_and_a_deny(folder):
    outcomes = [s["expect"]["decision"] for key, s in SCENARIOS if key.startswith(f"{folder}/")]
    assert "permit" in outcomes, f"fixtures/{folder} has no scenario that ends in permit"
    assert "deny" in outcomes, f"fixtures/{folder} has no scenario that ends in deny"


def test_every_fixture_folder_is_one_the_meta_tests_know():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(FOLDERS)


@pytest.mark.parametrize("regime", REGIMES, ids=[r["id"] for r in REGIMES])
def test_each_regime_shows_a_review_and_both_edges_of_its_span(regime):
    """Besides a permit and a deny: a review, a scenario dated on the regime's first day
    and one on its last (for a regime still open, one dated after its first day)."""
    mine = [s for key, s in SCENARIOS if key.startswith(f"{regime['id']}/")]
    assert "review" in [s["expect"]["decision"] for s in mine], regime["id"]
    dates = {s["input"].get("date") for s in mine}
    assert regime["effective"] in dates, f"no scenario on the first day of {regime['id']}"
    if regime["until"] is None:
        assert any(d and d > regime["effective"] for d in dates), regime["id"]
    else:
        assert regime["until"] in dates, f"no scenario on the last day of {regime['id']}"


def test_korea_shows_the_exception_applied_and_not_reaching():
    korea = [s["expect"] for key, s in SCENARIOS if key.startswith("KOREA/")]
    assert any(e["decision"] == "permit" and e["exceptions"] for e in korea)
    assert any(e["decision"] == "deny" and not e["exceptions"] for e in korea)


@pytest.mark.opa
@pytest.mark.parametrize(("key", "scenario"), SCENARIOS, ids=[key for key, _ in SCENARIOS])
def test_scenario(opa: OpaConnection, key, scenario):
    decision = opa.decide(scenario["input"])
    assert not schemas.problems("decision", decision)
    # The one judge of a fixture, the same as `apl-policy eval --scenarios`.
    assert expectation_mismatches(scenario["expect"], Decision.from_document(decision)) == (), (
        decision["reason"]
    )
    assert decision["id"] == scenario["input"].get("id")
    if key.startswith(tuple(f"{r['id']}/" for r in REGIMES)) and decision["decision"] not in (
        "not_applicable",
    ):
        assert decision["policy"]["id"] == key.split("/")[0], (
            "a regime's fixture is decided under it"
        )


@pytest.mark.opa
def test_the_batch_answers_every_scenario_in_order(opa: OpaConnection):
    inputs = [scenario["input"] for _, scenario in SCENARIOS]
    one_by_one = [opa.decide(activity) for activity in inputs]
    assert opa.decide_batch(inputs) == one_by_one
