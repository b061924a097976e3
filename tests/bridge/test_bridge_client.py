"""The client's error handling, against a fake OPA transport (a requests adapter).

Every way OPA can fail or misanswer must raise one of the bridge's errors; none may come
back as a decision, least of all a permit. Decisions themselves are tested against a
real OPA elsewhere: the canned answers here only exercise the checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import requests.adapters
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.client import OpaPolicyClient
from bridge.errors import BridgeError, EvaluationError, OpaUnavailable
from bridge.models import Outcome
from tests import schemas

ACTIVITY = {"id": "a1", "action": "use", "munition": {"model": "M14"}}

PERMIT = {
    "id": "a1",
    "decision": "permit",
    "allowed": True,
    "policy": {
        "id": "us-apl-2022",
        "effective": "2022-06-21",
        "until": "2025-12-01",
        "revision": "test",
    },
    "munition": {"is_apl": True, "basis": "test"},
    "reason": "permitted",
    "violations": [],
    "exceptions": [],
    "reviews": [],
    "obligations": [],
    "errors": [],
    "notices": [],
}

Reply = Callable[[requests.PreparedRequest], requests.Response | Exception]


class FakeTransport(requests.adapters.BaseAdapter):
    """Answers each request with the next reply in the script (the last one repeats)."""

    def __init__(self, *replies: Reply) -> None:
        super().__init__()
        self.replies = list(replies)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, *args, **kwargs):
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        outcome = reply(request)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self):
        pass


def answer(status: int, body: bytes | str | object) -> Reply:
    def reply(request: requests.PreparedRequest) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        raw = (
            body
            if isinstance(body, bytes)
            else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        )
        response._content = raw
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        response.reason = "test"
        return response

    return reply


def fail(exc: Exception) -> Reply:
    return lambda request: exc


def client(*replies: Reply, retry_for: float = 0.0, **kwargs: Any) -> OpaPolicyClient:
    return OpaPolicyClient(
        "http://opa.test:8181", transport=FakeTransport(*replies), retry_for=retry_for, **kwargs
    )


def test_a_well_formed_permit_is_read_as_one():
    decision = client(answer(200, {"result": PERMIT})).decide(ACTIVITY)
    assert decision.decision is Outcome.PERMIT
    assert decision.allowed is True
    assert decision.id == "a1"


def test_the_token_and_the_rule_path_are_sent():
    transport = FakeTransport(answer(200, {"result": PERMIT}))
    OpaPolicyClient("http://opa.test:8181", token="t0k", transport=transport).decide(ACTIVITY)  # noqa: S106
    sent = transport.requests[0]
    assert sent.url == "http://opa.test:8181/v1/data/apl/decision"
    assert sent.headers["Authorization"] == "Bearer t0k"
    assert json.loads(sent.body or b"") == {"input": ACTIVITY}


def test_a_path_prefix_in_the_url_is_kept():
    transport = FakeTransport(answer(200, {"result": PERMIT}))
    OpaPolicyClient("https://proxy.test/opa/", transport=transport).decide(ACTIVITY)
    assert transport.requests[0].url == "https://proxy.test:443/opa/v1/data/apl/decision"


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (answer(200, {}), EvaluationError, "no result"),
        (answer(200, {"result": None}), EvaluationError, "not a JSON object"),
        (answer(200, "this is not json"), EvaluationError, "not JSON"),
        (answer(200, b"\xff\xfe garbage"), EvaluationError, "not JSON"),
        (answer(200, [1, 2]), EvaluationError, "not a JSON object"),
        (answer(201, {"result": PERMIT}), EvaluationError, "201"),
        (answer(204, ""), EvaluationError, "204"),
        (answer(500, {"code": "internal_error", "message": "boom"}), EvaluationError, "500"),
        (answer(400, {"code": "invalid_parameter", "message": "x"}), EvaluationError, "400"),
        (answer(401, {"code": "unauthorized"}), EvaluationError, "--token"),
        (answer(502, "bad gateway"), OpaUnavailable, "502"),
        (answer(503, ""), OpaUnavailable, "503"),
        (answer(504, ""), OpaUnavailable, "504"),
        (fail(requests.exceptions.ReadTimeout("slow")), OpaUnavailable, "did not answer"),
        (fail(requests.exceptions.ConnectTimeout("slow")), OpaUnavailable, "cannot reach"),
        (fail(requests.exceptions.ConnectionError("refused")), OpaUnavailable, "cannot reach"),
        (fail(requests.exceptions.ChunkedEncodingError("cut")), OpaUnavailable, "cannot reach"),
        (fail(requests.exceptions.TooManyRedirects("loop")), OpaUnavailable, "failed"),
        (fail(RuntimeError("surprise")), EvaluationError, "unexpected"),
    ],
)
def test_every_failure_is_an_error_and_never_a_decision(reply, error, words):
    with pytest.raises(error, match=words):
        client(reply).decide(ACTIVITY)
    # The batch route fails the same way (its own wording for a result of the wrong shape).
    with pytest.raises(error):
        client(reply).decide_batch([ACTIVITY])


@pytest.mark.parametrize(
    "change",
    [
        {"allowed": False},  # permit must be allowed
        {"decision": "maybe"},
        {"decision": "deny"},  # allowed stays true; and a deny needs a violation
        {"violations": None},
        {"violations": [{"clause": "P3"}]},
        {"errors": [None]},
        {"policy": {"id": "us-apl-2022", "effective": 2022, "revision": "x"}},
        {"munition": {"is_apl": "yes", "basis": "x"}},
        {"reason": None},
        {"id": "another-activity"},
        {"id": 7},
    ],
)
def test_a_malformed_permit_is_refused(change):
    body = PERMIT | change
    with pytest.raises(EvaluationError):
        client(answer(200, {"result": body})).decide(ACTIVITY)


@pytest.mark.parametrize(
    "change",
    [
        {"policy": PERMIT["policy"] | {"id": "someone-else"}},
        {"extra": "field"},
    ],
)
def test_what_only_the_full_schema_catches_is_caught_by_the_tests(change):
    # At run time the client checks what failing closed needs; the full decision schema
    # is the test suite's, applied to every decision the tests get from OPA.
    body = PERMIT | change
    assert schemas.problems("decision", body)
    assert client(answer(200, {"result": body})).decide(ACTIVITY).raw == body


@pytest.mark.parametrize("missing", sorted(PERMIT))
def test_a_permit_missing_any_field_is_refused(missing):
    body = {k: v for k, v in PERMIT.items() if k != missing}
    with pytest.raises(EvaluationError):
        client(answer(200, {"result": body})).decide(ACTIVITY)


def test_a_batch_with_too_few_or_too_many_decisions_is_refused():
    two = [ACTIVITY, ACTIVITY | {"id": "a2"}]
    with pytest.raises(EvaluationError, match="1 decisions for 2"):
        client(answer(200, {"result": {"decisions": [PERMIT]}})).decide_batch(two)
    with pytest.raises(EvaluationError, match="decisions"):
        client(answer(200, {"result": {"errors": []}})).decide_batch(two)


def test_a_batch_answered_out_of_order_is_refused():
    two = [ACTIVITY, ACTIVITY | {"id": "a2"}]
    answers = [PERMIT | {"id": "a2"}, PERMIT]
    with pytest.raises(EvaluationError, match="answered for activity"):
        client(answer(200, {"result": {"decisions": answers}})).decide_batch(two)


def test_connection_errors_and_gateway_statuses_are_retried_then_answered():
    replies = [
        fail(requests.exceptions.ConnectionError("refused")),
        answer(503, ""),
        answer(502, ""),
        answer(504, ""),
        answer(200, {"result": PERMIT}),
    ]
    c = client(*replies, retry_for=30.0)
    assert c.decide(ACTIVITY).decision is Outcome.PERMIT
    assert c.retries == 4


def test_retries_stop_after_retry_for_and_raise_the_last_error():
    c = client(answer(503, "down for maintenance"), retry_for=0.3)
    with pytest.raises(OpaUnavailable, match="kept answering 503"):
        c.decide(ACTIVITY)
    assert c.retries >= 1


def test_a_500_and_a_timeout_are_not_retried():
    transport = FakeTransport(
        answer(500, {"message": "eval error"}), answer(200, {"result": PERMIT})
    )
    c = OpaPolicyClient("http://opa.test:8181", transport=transport, retry_for=30.0)
    with pytest.raises(EvaluationError):
        c.decide(ACTIVITY)
    assert len(transport.requests) == 1


def test_an_interrupted_client_gives_up_at_its_next_pause():
    c = client(answer(503, ""), retry_for=60.0)
    c.interrupt()
    with pytest.raises(OpaUnavailable):
        c.decide(ACTIVITY)
    c.resume()
    assert not c._interrupted.is_set()


def test_input_that_json_cannot_carry_is_an_error():
    with pytest.raises(EvaluationError, match="cannot be sent as JSON"):
        client(answer(200, {"result": PERMIT})).decide(ACTIVITY | {"x": float("nan")})


@pytest.mark.parametrize("url", ["opa:8181", "ftp://x", "http://", "http://h:99999"])
def test_a_url_that_is_not_an_opa_url_is_refused(url):
    with pytest.raises(OpaUnavailable):
        OpaPolicyClient(url)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries({"result": json_values}),
        st.fixed_dictionaries(
            {"result": st.fixed_dictionaries({}, optional=dict.fromkeys(PERMIT, json_values))}
        ),
        st.builds(
            lambda d: {"result": PERMIT | d},
            st.dictionaries(st.sampled_from(sorted(PERMIT)), json_values, min_size=1, max_size=3),
        ),
    ),
    status=st.sampled_from([200, 200, 200, 201, 204, 400, 404, 500]),
)
def test_no_garbage_answer_becomes_a_permit(body, status):
    try:
        decision = client(answer(status, body)).decide(ACTIVITY)
    except BridgeError:
        return
    # The only way through is a 200 whose body really is a well-formed decision on a1.
    assert status == 200
    assert decision.raw == body["result"]
    assert decision.allowed is (decision.decision is Outcome.PERMIT)
