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
FOLDERS = ["P1", "P2", "P3", "P4", "P5", "KOREA", "definitions"]


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


@pytest.mark.opa
def test_the_batch_answers_every_scenario_in_order(opa: OpaConnection):
    inputs = [scenario["input"] for _, scenario in SCENARIOS]
    one_by_one = [opa.decide(activity) for activity in inputs]
    assert opa.decide_batch(inputs) == one_by_one
