"""The batch pipeline against a real OPA: input order kept across concurrent batches,
invalid and refused documents in their place, lazy reading, and the JSON Schema and the
policy agreeing on what is invalid."""

from __future__ import annotations

import itertools
import json

import pytest

from bridge.client import OpaPolicyClient
from bridge.errors import OpaUnavailable
from bridge.evaluate import evaluate, expectation_mismatches
from bridge.loading import Document
from bridge.models import Outcome
from tests import schemas

pytestmark = pytest.mark.opa

DE = {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}
KR = {"action": "use", "munition": {"model": "M14"}, "location": {"country": "KR"}}


def doc(n: int, activity: object, refused: str | None = None) -> Document:
    return Document("test", n, "document", activity, refused)


@pytest.fixture
def client(opa_server):
    with OpaPolicyClient(opa_server.url, token=opa_server.token) as c:
        yield c


def test_order_is_kept_across_many_small_concurrent_batches(client):
    kinds = [(DE, "deny"), (KR, "permit"), ({"action": "nope"}, "invalid")]
    docs = [doc(i, {"id": f"d{i}", **kinds[i % 3][0]}) for i in range(1500)]
    results = list(evaluate(docs, client, batch_size=7, workers=4))
    assert [r.document.number for r in results] == list(range(1500))
    assert [r.decision.id for r in results] == [f"d{i}" for i in range(1500)]
    assert [r.decision.decision.value for r in results] == [kinds[i % 3][1] for i in range(1500)]


def test_a_refused_document_gets_opas_invalid_decision_with_the_refusal(client):
    docs = [doc(1, None, "not valid JSON: x"), doc(2, {"id": "k", **KR}), doc(3, None, "too big")]
    results = list(evaluate(docs, client))
    assert [r.decision.decision for r in results] == [
        Outcome.INVALID,
        Outcome.PERMIT,
        Outcome.INVALID,
    ]
    first = results[0].decision
    assert [(e.field, e.message) for e in first.errors] == [("(document)", "not valid JSON: x")]
    assert first.reason == "refused before evaluation: not valid JSON: x"
    # The rest is OPA's own: the policy and the revision it was decided under.
    assert first.policy == results[1].decision.policy
    assert not schemas.problems("decision", first.to_document())


def test_input_is_read_only_a_few_batches_ahead(client):
    pulled = itertools.count()

    def endless():
        for i in itertools.count():
            next(pulled)
            yield doc(i, {"id": f"e{i}", **KR})

    results = evaluate(endless(), client, batch_size=10, workers=2)
    first = [next(results) for _ in range(25)]
    results.close()
    assert [r.decision.id for r in first] == [f"e{i}" for i in range(25)]
    # workers * 2 batches in flight, plus the one being formed: far from endless.
    assert next(pulled) <= 10 * (2 * 2 + 3)


def test_an_unreachable_opa_is_an_error_never_a_decision(opa_server):
    dead = OpaPolicyClient("http://127.0.0.1:9", retry_for=0)
    docs = [doc(1, {"action": "x"}), doc(2, KR)]
    results = evaluate(docs, dead, batch_size=1, workers=1)
    with pytest.raises(OpaUnavailable):
        next(results)


def test_expectations_compare_decision_and_clauses(client):
    (result,) = evaluate([doc(1, DE)], client)
    assert expectation_mismatches({"decision": "deny", "violations": ["P3"]}, result.decision) == ()
    # Violations and exceptions not listed are expected to be none.
    assert expectation_mismatches({"decision": "permit"}, result.decision) == (
        "permit, got deny",
        "violations [], got ['P3']",
    )
    assert expectation_mismatches({"decision": "deny", "violations": []}, result.decision) == (
        "violations [], got ['P3']",
    )


BAD_DOCUMENTS = [
    [],
    "use",
    {},
    {"action": "use"},
    {"action": "fly", "munition": {}},
    {"action": "use", "munition": {"model": "", "category": "x", "quantity": 0}},
    {"action": "use", "munition": {"activation": "remote", "anti_handling_device": "yes"}},
    {"action": "use", "munition": {}, "actor": "usa", "recipient": False, "date": "22-6-21"},
    {"action": "use", "munition": {}, "location": {"country": "Germany", "region": ""}},
    {"action": "use", "munition": {}, "location": {"coordinates": {"lat": 91, "lon": -181}}},
    {"action": "use", "munition": {}, "location": {"coordinates": {"lat": 1}}},
    {"action": "use", "munition": {}, "location": "DE"},
    {"action": "use", "munition": "M14"},
    {"action": "use", "munition": {}, "mode": "assist", "assisted_activity": {}},
    {"action": "use", "munition": {}, "purpose": "fun", "extensions": []},
    {"action": "assist"},
    {"action": "assist", "assisted_activity": "x"},
    {"action": "assist", "assisted_activity": {"action": "assist"}},
    {"action": "assist", "mode": "force", "assisted_activity": {"action": "use", "extra": 1}},
    {"action": "use", "munition": {"colour": "green"}, "typo": True, "id": 7},
    {"action": "use", "munition": {}, "regional_security_assessment": ""},
]


@pytest.mark.parametrize("activity", BAD_DOCUMENTS, ids=lambda a: json.dumps(a)[:60])
def test_the_schema_and_the_policy_find_the_same_documents_invalid(client, activity):
    assert schemas.problems("activity", activity)
    assert client.decide(activity).decision is Outcome.INVALID
