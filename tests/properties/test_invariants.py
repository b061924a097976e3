"""Property tests: generated activity documents (valid and near-valid) posted to a real OPA.

Every invariant of POLICY.md section 5 holds for every example; the decision is never
undefined and always fits the decision schema; the Python schema check and OPA's
`invalid` agree; a batch gives what single decisions give; key order and unrelated
fields inside `extensions` change nothing.
"""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from bridge.server import project_root

from .strategies import (
    activities,
    forbidden_apl_activities,
    json_values,
    near_valid_activities,
    valid_activities,
)

pytestmark = pytest.mark.opa

SCHEMAS = project_root() / "bridge" / "schemas"
P2_PURPOSES = {"mine_detection", "mine_clearance", "demining_training", "destruction"}
EFFECTIVE = "2022-06-21"

# POLICY.md section 1: the catalogue, and the table that classifies by design and activation.
CATALOGUE: dict[str, dict[str, str]] = {
    "M14": {"category": "anti_personnel", "activation": "victim"},
    "M16": {"category": "anti_personnel", "activation": "victim"},
    "M18A1": {"category": "anti_personnel"},
    "ADAM": {"category": "anti_personnel", "activation": "victim"},
    "GATOR": {"category": "mixed"},
    "VOLCANO": {"category": "mixed"},
    "MOPMS": {"category": "mixed"},
    "M15": {"category": "anti_vehicle", "activation": "vehicle"},
    "M21": {"category": "anti_vehicle", "activation": "vehicle"},
}
UNSURE = "unsure"  # a combination the table of section 1 does not settle


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


ACTIVITY_SCHEMA = _validator("activity.schema.json")
DECISION_SCHEMA = _validator("decision.schema.json")


def oracle_is_apl(munition: dict[str, Any]) -> bool | str | None:
    """Section 1's table, read independently of the Rego: True, False, None (undetermined)
    or UNSURE where the table is silent."""
    model = munition.get("model")
    attrs = dict(CATALOGUE.get(model.strip().upper(), {})) if isinstance(model, str) else {}
    attrs.update({k: v for k, v in munition.items() if k in {"category", "activation"}})
    category, activation = attrs.get("category"), attrs.get("activation")
    table: dict[tuple[Any, Any], bool | None] = {
        ("anti_personnel", "victim"): True,
        ("anti_personnel", "command"): False,
        ("anti_personnel", None): None,
        ("anti_vehicle", "vehicle"): False,
        ("anti_vehicle", "victim"): True,
    }
    if category == "mixed":
        return True
    if category == "not_a_mine":
        return False
    if category is None:
        return None if isinstance(model, str) and model.strip().upper() not in CATALOGUE else UNSURE
    return table.get((category, activation), UNSURE)


def clearly_off_the_peninsula(activity: dict[str, Any]) -> bool:
    """True only where nothing in the location could put it on the Korean Peninsula."""
    location = activity.get("location")
    if location is None:
        return True  # the exception applies only where the input shows it
    if location.get("country") in {"KR", "KP"}:
        return False
    if location.get("region") not in {None, "Bavaria", "Donbas"}:
        return False
    coords = location.get("coordinates")
    near_korea = coords is not None and 28 <= coords["lat"] <= 45 and 118 <= coords["lon"] <= 136
    return not near_korea


def in_scope(activity: dict[str, Any]) -> bool:
    return activity.get("actor", "US") == "US" and activity.get("date", EFFECTIVE) >= EFFECTIVE


def check_decision(activity: Any, decision: dict[str, Any]) -> None:
    note(f"decision: {json.dumps(decision, sort_keys=True)}")
    # Never undefined, always the contract's shape.
    errors = [e.message for e in DECISION_SCHEMA.iter_errors(decision)]
    assert not errors, errors
    outcome = decision["decision"]
    event(f"decision: {outcome}")
    assert decision["allowed"] is (outcome == "permit")

    # The Rego checks the same rules as the JSON Schema: they agree on what is invalid.
    python_errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in ACTIVITY_SCHEMA.iter_errors(activity)
    ]
    note(f"schema errors in Python: {python_errors}")
    assert (outcome == "invalid") == bool(python_errors), (python_errors, decision["errors"])
    if outcome == "invalid":
        assert decision["errors"]
        return
    assert decision["errors"] == []

    # Section 5, for every decision.
    if outcome == "deny":
        assert decision["violations"], "a deny with no violation"
    for violation in decision["violations"]:
        assert violation["clause"] in {"P1", "P2", "P3", "P4", "P5"}
        assert violation["title"].strip()
        assert violation["source"].strip()
        assert '"' in violation["source"], "a violation's source quotes the text it rests on"
    for exception in decision["exceptions"]:
        assert exception["exception"] == "KOREA"
        assert exception["clause"] in {"P3", "P4", "P5"}, exception
    if decision["munition"]["is_apl"] is None:
        assert outcome != "permit", "permit for an undetermined munition"

    # Section 5, by action, with the munition classified independently of the Rego.
    action = activity["action"]
    if action == "assist" or not in_scope(activity):
        return
    is_apl = oracle_is_apl(activity["munition"])
    note(f"oracle: is_apl={is_apl}")
    if is_apl is not UNSURE:
        assert decision["munition"]["is_apl"] == is_apl, (
            "classification differs from POLICY.md section 1"
        )
    if is_apl is None:
        assert outcome != "permit", "permit for an undetermined munition"
    if is_apl is not True and decision["munition"]["is_apl"] is not True:
        return
    event(
        f"APL, in scope: {action}"
        + (", off the peninsula" if clearly_off_the_peninsula(activity) else "")
    )
    if action in {"develop", "produce", "acquire"}:
        assert outcome != "permit", f"permit to {action} APL"
    if action == "use" and clearly_off_the_peninsula(activity):
        assert outcome != "permit", "permit to use APL off the Korean Peninsula"
    if action == "transfer" and activity.get("purpose") not in P2_PURPOSES:
        assert outcome != "permit", "permit to transfer APL for a purpose P2 does not name"


@given(activity=activities)
def test_every_decision_keeps_the_policy_invariants(opa, activity):
    check_decision(activity, opa.decide(activity))


@given(activity=near_valid_activities())
def test_near_valid_documents_are_invalid_in_python_and_in_opa(opa, activity):
    decision = opa.decide(activity)
    check_decision(activity, decision)
    assert decision["decision"] == "invalid"


def reordered(value: Any, rnd: random.Random) -> Any:
    """The same JSON value with the keys of every object in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: reordered(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [reordered(v, rnd) for v in value]
    return value


def with_extra_extensions(activity: Any, extra: dict[str, Any]) -> Any:
    """Unrelated fields added inside `extensions` (of the activity and any assisted one)."""
    if not isinstance(activity, dict):
        return activity
    out = dict(activity)
    current = out.get("extensions", {})
    if isinstance(current, dict):
        out["extensions"] = {**current, **{k: v for k, v in extra.items() if k not in current}}
    if out.get("action") == "assist" and isinstance(out.get("assisted_activity"), dict):
        out["assisted_activity"] = with_extra_extensions(out["assisted_activity"], extra)
    return out


@given(
    activity=activities,
    rnd=st.randoms(use_true_random=False),
    extra=st.dictionaries(st.text(min_size=1, max_size=12), json_values, min_size=1, max_size=4),
)
def test_key_order_and_extensions_do_not_change_the_decision(opa, activity, rnd, extra):
    variant = reordered(with_extra_extensions(activity, extra), rnd)
    note(f"variant: {json.dumps(variant)}")
    assert opa.decide(variant) == opa.decide(activity)


@given(batch=st.lists(activities, min_size=0, max_size=6))
def test_a_batch_gives_the_single_decisions_in_order(opa, batch):
    decisions = opa.decide_batch(batch)
    assert len(decisions) == len(batch)
    for activity, decision in zip(batch, decisions, strict=True):
        check_decision(activity, decision)
        assert decision == opa.decide(activity)


@given(activity=valid_activities)
def test_valid_documents_are_never_invalid(opa, activity):
    decision = opa.decide(activity)
    check_decision(activity, decision)
    assert decision["decision"] != "invalid"


@pytest.mark.parametrize("date", ["2263-01-01", "1500-06-21", "9999-12-31"])
def test_dates_far_off_are_valid_in_opa_too(opa, date):
    activity = {"action": "destroy", "munition": {"model": "M14"}, "date": date}
    assert ACTIVITY_SCHEMA.is_valid(activity)
    assert opa.decide(activity)["decision"] != "invalid"


# Python's re lets `$` match before a final newline, OPA's RE2 does not: the schema's
# length bound on country codes is what keeps the two in agreement (found by make fuzz).
@pytest.mark.parametrize("field", ["actor", "recipient"])
def test_a_country_code_with_a_trailing_newline_is_invalid_in_python_too(opa, field):
    activity = {"action": "destroy", "munition": {"model": "M14"}, field: "US\n"}
    assert opa.decide(activity)["decision"] == "invalid"
    assert not ACTIVITY_SCHEMA.is_valid(activity)


@given(activity=forbidden_apl_activities())
def test_apl_is_never_permitted_where_section_5_forbids_it(opa, activity):
    decision = opa.decide(activity)
    check_decision(activity, decision)
    event(f"{activity['action']}: {decision['decision']}")
    assert decision["munition"]["is_apl"] is True
    assert decision["decision"] != "permit"
    if activity["action"] in {"develop", "produce", "acquire"}:
        # P1 has no Korean exception and no review: a flat deny, wherever and whyever.
        assert decision["decision"] == "deny"
        assert "P1" in {v["clause"] for v in decision["violations"]}
    if activity["action"] == "transfer":
        # P2 has no Korean exception either, not even for the defense of the ROK.
        assert decision["decision"] == "deny"
        assert "P2" in {v["clause"] for v in decision["violations"]}
    if activity["action"] == "use":
        assert decision["decision"] in {"deny", "review"}
        assert not [e for e in decision["exceptions"] if e["clause"] == "P3"]
