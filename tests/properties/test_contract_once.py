"""The contract is judged once, by the policy: whatever the bridge reads (JSON or YAML,
as the CLI reads files) gets exactly the (field, message) pairs that a service posting
the same document straight to OPA gets, for valid, near-valid and arbitrary documents.
And the published JSON Schema agrees with the policy on which documents are invalid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from bridge.client import OpaPolicyClient
from bridge.evaluate import evaluate
from bridge.loading import iter_documents
from tests import schemas

from .strategies import activities, json_values, near_valid_activities

pytestmark = pytest.mark.opa

documents = st.one_of(activities, near_valid_activities(), json_values)


def pairs(decision: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in decision["errors"]]


@pytest.fixture(scope="module")
def client(opa_server):
    with OpaPolicyClient(opa_server.url, token=opa_server.token) as c:
        yield c


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents, as_yaml=st.booleans())
def test_the_bridge_gives_exactly_the_policys_error_pairs(
    opa, client, tmp_path_factory, document, as_yaml
):
    folder: Path = tmp_path_factory.mktemp("doc")
    if as_yaml and document is not None:  # an empty YAML document is no document at all
        # Quoted keys and scalars, so that YAML reads back the JSON value written.
        path = folder / "doc.yaml"
        path.write_text(yaml.safe_dump(document, default_style='"', allow_unicode=True))
    else:
        path = folder / "doc.json"
        path.write_text(json.dumps([document]))
    direct = opa.decide(document)
    (result,) = evaluate(iter_documents([path]), client)
    note(f"direct: {direct}")
    assert result.document.refused is None
    assert result.decision.to_document() == direct
    assert [(e.field, e.message) for e in result.decision.errors] == pairs(direct)
    # The published schema says the same about validity (its wording is its own).
    assert bool(schemas.problems("activity", document)) == (direct["decision"] == "invalid")
