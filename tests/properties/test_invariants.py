"""Property tests: generated activity documents (valid and near-valid) posted to a real OPA.

Every invariant of POLICY.md section 5 holds for every example, under every regime (the
2022 policy's own invariants where it is the regime); the decision is never
undefined and always fits the decision schema; the Python schema check and OPA's
`invalid` agree; a batch gives what single decisions give; key order and unrelated
fields inside `extensions` change nothing.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import event, given, note
from hypothesis import strategies as st

from bridge.server import project_root

from .strategies import (
    INDEX,
    REGIME_IDS,
    activities,
    forbidden_apl_activities,
    json_values,
    near_valid_activities,
    plain_activities,
    valid_activities,
)

pytestmark = pytest.mark.opa

SCHEMAS = project_root() / "bridge" / "schemas"
P2_PURPOSES = {"mine_detection", "mine_clearance", "demining_training", "destruction"}

# POLICY.md section 1: the catalogue (the policy's data, every model under all its names,
# matched here in Python without regard to case, spaces or hyphens), and the table that
# classifies by design and activation.
_MODELS = yaml.safe_load(
    (project_root() / "rego" / "apl" / "definitions" / "munitions" / "data.yaml").read_text()
)["models"]


def _key(name: str) -> str:
    return re.sub(r"[\s-]", "", name).upper()


CATALOGUE: dict[str, dict[str, Any]] = {
    _key(name): {k: v for k, v in model.items() if k in {"category", "activation"}}
    for key, model in _MODELS.items()
    for name in [key, *model["names"]]
}
UNSURE = "unsure"  # a combination the table of section 1 does not settle
# The topics each regime's text is silent on (POLICY.md section 6's table), by action.
SILENT = {
    "us-apl-2014": {"develop", "research", "transfer"},
    "us-apl-2020": {"transfer", "assist"},
    "us-apl-2022": set(),
    "us-apl-2025-interim": {"develop", "produce", "acquire", "research", "transfer", "assist"},
}
DEMINING = {"mine_detection", "mine_clearance", "demining_training", "destruction"}


def expected_regime(activity: dict[str, Any]) -> str | None:
    """The regime POLICY.md section 6 names: the pinned one, the one whose span holds the
    date, the default for no date; None before every regime."""
    if "regime" in activity:
        return str(activity["regime"])
    date = activity.get("date")
    if date is None:
        return str(INDEX["default"])
    for regime in INDEX["regimes"]:
        if regime["effective"] <= date and (regime["until"] is None or date <= regime["until"]):
            return str(regime["id"])
    return None


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
    attrs = dict(CATALOGUE.get(_key(model), {})) if isinstance(model, str) else {}
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
        return None if isinstance(model, str) and _key(model) not in CATALOGUE else UNSURE
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
    return activity.get("actor", "US") == "US" and expected_regime(activity) is not None


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
    if decision["munition"]["is_apl"] is None and outcome == "permit":
        # Only where the outcome is the same whichever way the munition is classified,
        # and then a notice says so.
        assert any("did not decide" in n["message"] for n in decision["notices"]), decision

    # Section 6, under every regime.
    regime = check_regime(activity, decision)

    # Section 5, by action, with the munition classified independently of the Rego.
    action = activity["action"]
    if action == "assist" or not in_scope(activity) or regime != "us-apl-2022":
        return
    is_apl = oracle_is_apl(activity["munition"])
    note(f"oracle: is_apl={is_apl}")
    if is_apl is not UNSURE:
        assert decision["munition"]["is_apl"] == is_apl, (
            "classification differs from POLICY.md section 1"
        )
    if is_apl is None and outcome == "permit":
        assert any("did not decide" in n["message"] for n in decision["notices"])
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


def check_regime(activity: dict[str, Any], decision: dict[str, Any]) -> str | None:
    """Section 6 for every valid decision; the regime the document falls under."""
    outcome = decision["decision"]
    regime = expected_regime(activity)
    if regime is not None:
        assert decision["policy"]["id"] == regime, "policy.id names the regime"
    else:  # dated before every regime: outside them all, named by the earliest
        assert outcome == "not_applicable"
        assert decision["policy"]["id"] == INDEX["regimes"][0]["id"]
    entry = next((r for r in INDEX["regimes"] if r["id"] == decision["policy"]["id"]), None)
    assert entry is not None
    assert (decision["policy"]["effective"], decision["policy"]["until"]) == (
        entry["effective"],
        entry["until"],
    )
    if entry["text"] == "reports" and regime is not None:
        assert any(
            n["regime"] == regime and "known only from reports" in n["message"]
            for n in decision["notices"]
        ), "a decision under a regime known only from reports carries a notice"
    if activity["action"] == "destroy":
        assert outcome != "deny", "destruction denied"
    if in_scope(activity) and regime is not None:
        event(f"regime: {regime}")
        check_silence(activity, decision, regime)

    return regime


def check_silence(activity: dict[str, Any], decision: dict[str, Any], regime: str) -> None:
    """Nothing is permit or deny on a topic the regime's text is silent on."""
    subject = activity["assisted_activity"] if activity["action"] == "assist" else activity
    if oracle_is_apl(subject.get("munition", {})) is not True:
        return
    action = activity["action"]
    if action == "research" and activity.get("purpose") in DEMINING:
        return  # restricted by no regime
    if action == "assist" and (
        subject["action"] == "destroy"
        or (subject["action"] == "research" and subject.get("purpose") in DEMINING)
    ):
        return  # assisting what no regime restricts
    if action in SILENT[regime]:
        event(f"silent topic: {regime} {action}")
        assert decision["decision"] == "review", (regime, action, decision["reason"])


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


@st.composite
def pinned_and_dated(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """One activity pinned to a regime, and the same activity dated inside that regime's
    span instead."""
    activity = draw(valid_activities)
    activity.pop("regime", None)
    activity.pop("date", None)
    entry = draw(st.sampled_from(INDEX["regimes"]))
    first = datetime.date.fromisoformat(entry["effective"])
    last = (
        datetime.date.fromisoformat(entry["until"])
        if entry["until"]
        else datetime.date(9999, 12, 31)
    )
    date = draw(st.one_of(st.just(first), st.just(last), st.dates(first, last)))
    return {**activity, "regime": entry["id"]}, {**activity, "date": date.isoformat()}


@given(pair=pinned_and_dated())
def test_pinning_a_regime_equals_dating_inside_its_span(opa, pair):
    pinned, dated = pair
    decision = opa.decide(pinned)
    check_decision(pinned, decision)
    assert decision == opa.decide(dated)
    assert decision["policy"]["id"] == pinned["regime"]


@given(activity=plain_activities(["destroy"]), regime=st.sampled_from(REGIME_IDS))
def test_destruction_is_never_denied_under_any_regime(opa, activity, regime):
    decision = opa.decide({**activity, "regime": regime})
    check_decision({**activity, "regime": regime}, decision)
    assert decision["decision"] != "deny"
