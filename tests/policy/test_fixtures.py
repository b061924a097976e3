"""Every scenario under fixtures/ against a real OPA server, plus the meta-test that each
folder shows both sides of its clause."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from bridge.server import project_root
from tests.opa_http import OpaConnection

FIXTURES = project_root() / "fixtures"
FOLDERS = ["P1", "P2", "P3", "P4", "P5", "KOREA", "definitions"]
DECISION_SCHEMA = json.loads(
    (project_root() / "bridge" / "schemas" / "decision.schema.json").read_text()
)


def load_scenarios() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.parent.name}/{path.stem}", yaml.safe_load(path.read_text()))
        for path in sorted(FIXTURES.glob("*/*.yaml"))
    ]


SCENARIOS = load_scenarios()


def clauses(entries: list[dict[str, Any]]) -> list[str]:
    return sorted(entry["clause"] for entry in entries)


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
    expect = scenario["expect"]
    jsonschema.validate(decision, DECISION_SCHEMA)
    assert decision["decision"] == expect["decision"], decision["reason"]
    assert decision["allowed"] is (expect["decision"] == "permit")
    assert clauses(decision["violations"]) == sorted(expect.get("violations", [])), key
    assert clauses(decision["exceptions"]) == sorted(expect.get("exceptions", [])), key
    for field in ("reviews", "obligations"):
        if field in expect:
            assert sorted(set(clauses(decision[field]))) == sorted(expect[field]), key
    assert decision["id"] == scenario["input"].get("id")


@pytest.mark.opa
def test_the_batch_answers_every_scenario_in_order(opa: OpaConnection):
    inputs = [scenario["input"] for _, scenario in SCENARIOS]
    one_by_one = [opa.decide(activity) for activity in inputs]
    assert opa.decide_batch(inputs) == one_by_one
