"""The client across replicas, against two real OPA servers: a replica that dies is
skipped, its batch answered by the other; it is used again once its health check
answers; with none left, the client gives up with OpaUnavailable, never a decision."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest

from bridge.errors import EvaluationError, OpaUnavailable
from bridge.replicas import ReplicaSetClient, make_client
from bridge.server import LocalOpa

pytestmark = pytest.mark.opa

ACTIVITIES = [
    {
        "id": f"r-{i}",
        "action": "use",
        "munition": {"model": "M14"},
        "location": {"country": "DE" if i % 2 else "KR"},
    }
    for i in range(20)
]


@pytest.fixture
def pair() -> Iterator[tuple[LocalOpa, LocalOpa]]:
    token = secrets.token_urlsafe(16)
    with LocalOpa(token=token) as first, LocalOpa(token=token) as second:
        yield first, second


def test_one_url_gives_the_plain_client_and_several_the_replica_set(pair):
    first, second = pair
    assert not isinstance(
        make_client(first.url, token=None, timeout=5, retry_for=0), ReplicaSetClient
    )
    both = make_client(f"{first.url},{second.url}", token=None, timeout=5, retry_for=0)
    assert isinstance(both, ReplicaSetClient)
    assert both.urls == [first.url, second.url]


def test_a_dead_replica_is_skipped_and_used_again_once_healthy(pair):
    first, second = pair
    with ReplicaSetClient(
        [first.url, second.url], token=first.token, timeout=5, retry_for=0, probe_every=0.2
    ) as client:
        expected = [d.decision for d in client.decide_batch(ACTIVITIES)]
        first.kill()
        for _ in range(4):  # every batch answered, whole and in order, by the other one
            got = client.decide_batch(ACTIVITIES)
            assert [d.id for d in got] == [a["id"] for a in ACTIVITIES]
            assert [d.decision for d in got] == expected
        assert client.states() == {first.url: False, second.url: True}
        first.restart()
        time.sleep(0.3)  # past probe_every: the next request asks its health again
        client.decide_batch(ACTIVITIES[:1])
        client.decide_batch(ACTIVITIES[:1])
        assert client.states()[first.url] is True
        # Now the other dies: the first, back in the set, answers alone.
        second.kill()
        for _ in range(3):  # in turn, so the dead one is tried at least once
            got = client.decide_batch(ACTIVITIES)
            assert [d.decision for d in got] == expected
        assert client.states() == {first.url: True, second.url: False}


def test_with_every_replica_dead_there_is_no_decision(pair):
    first, second = pair
    first.kill()
    second.kill()
    with (
        ReplicaSetClient(
            [first.url, second.url], token=first.token, timeout=2, retry_for=0.5, probe_every=0.1
        ) as client,
        pytest.raises(OpaUnavailable, match="no OPA replica answered"),
    ):
        client.decide_batch(ACTIVITIES)


def test_a_refusal_is_not_retried_on_another_replica(pair):
    first, second = pair
    with (
        ReplicaSetClient(
            [first.url, second.url], token=secrets.token_urlsafe(8), timeout=5, retry_for=5
        ) as client,
        pytest.raises(EvaluationError, match="401"),
    ):
        client.decide_batch(ACTIVITIES)
    assert client.retries == 0


def test_the_same_url_twice_is_refused():
    with pytest.raises(OpaUnavailable, match="given twice"):
        ReplicaSetClient(["http://127.0.0.1:1", "http://127.0.0.1:1"])
