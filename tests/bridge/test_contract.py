"""The Python side reads the contract, it does not restate it: the outcomes and the
decision's fields the typed model knows are the decision schema's, exactly. (The schemas'
enums are generated from the policy bundle: `make check-generated`.)"""

from __future__ import annotations

import dataclasses

from bridge.models import Decision, Outcome, PolicyRef
from tests import schemas


def test_the_outcomes_are_the_schemas():
    assert [o.value for o in Outcome] == schemas.load("decision")["properties"]["decision"]["enum"]


def test_the_typed_decision_has_every_field_of_the_schema():
    fields = {f.name for f in dataclasses.fields(Decision)} - {"raw"}
    assert fields == set(schemas.load("decision")["required"])


def test_the_typed_policy_has_every_field_of_the_schema():
    names = {f.name for f in dataclasses.fields(PolicyRef)}
    assert names == set(schemas.load("decision")["properties"]["policy"]["required"])
