"""Unit tests of reading OPA's uploads: gzip and JSON limits, and how events become rows
(one per single decision, one per activity of a batch, erasures split per activity)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from bridge.audit.events import (
    UploadError,
    clauses_of,
    gunzip,
    replica_of,
    rows_of_event,
    rows_of_upload,
)
from bridge.audit.query import parse_moment
from tests.audit.support import event


def test_gunzip_reads_several_members_and_stops_a_bomb() -> None:
    assert gunzip(gzip.compress(b"[1,") + gzip.compress(b"2]"), 100) == b"[1,2]"
    with pytest.raises(UploadError) as caught:
        gunzip(gzip.compress(b" " * 10_000), 1000)
    assert caught.value.status == 413
    with pytest.raises(UploadError, match="not gzip"):
        gunzip(b"[]", 100)
    with pytest.raises(UploadError, match="truncated"):
        gunzip(gzip.compress(b"[1, 2, 3]")[:-10], 100)


def test_a_single_decision_is_one_row_with_what_the_audit_needs() -> None:
    (row,) = rows_of_event(event("d-1", erased=["/input/extensions"]), "event 0")
    assert (row.decision_id, row.index, row.batch) == ("d-1", 0, False)
    assert (row.activity_id, row.decision, row.allowed) == ("act-1", "deny", False)
    assert row.clauses == ("P3",)
    assert row.revision == "r1"
    assert row.replica == "opa-x"
    assert row.instance_id == "5b1c7a1e-0000-4000-8000-000000000001"
    assert row.erased == ("/input/extensions",)
    # OPA writes nanoseconds; the row keeps microseconds, in UTC
    assert row.timestamp == datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_batch_is_one_row_per_activity_with_its_own_erasures() -> None:
    activities = [{"id": f"a{i}", "action": "destroy"} for i in range(12)]
    decisions = [{"id": f"a{i}", "decision": "permit", "allowed": True} for i in range(12)]
    raw = event(
        "b-1",
        path="apl/batch",
        input={"activities": activities},
        result={"decisions": decisions},
        erased=["/input/activities/1/extensions", "/input/activities/10/extensions"],
    )
    rows = rows_of_event(raw, "event 0")
    assert [(r.decision_id, r.index, r.activity_id) for r in rows] == [
        ("b-1", i, f"a{i}") for i in range(12)
    ]
    assert all(r.batch and r.decision == "permit" for r in rows)
    assert rows[1].erased == ("/input/activities/1/extensions",)
    assert rows[10].erased == ("/input/activities/10/extensions",)
    assert rows[0].erased == ()
    # the bundle's revision stands in when the decision does not carry one
    assert {r.revision for r in rows} == {"r1"}


def test_a_batch_without_activities_is_still_one_row() -> None:
    raw = event(
        "b-2",
        path="apl/batch",
        input={"activities": "nope"},
        result={"decisions": [], "errors": [{"field": "activities"}]},
    )
    (row,) = rows_of_event(raw, "event 0")
    assert (row.decision_id, row.index, row.decision, row.batch) == ("b-2", 0, None, True)


def test_an_evaluation_error_is_kept_with_no_decision() -> None:
    raw = event("e-1", result=None, error={"code": "internal_error", "message": "boom"})
    (row,) = rows_of_event(raw, "event 0")
    assert row.decision is None
    assert row.allowed is None
    assert row.error == {"code": "internal_error", "message": "boom"}
    assert row.activity_id == "act-1"  # from the input, since there is no result


def test_the_replica_is_named_by_replica_then_name_then_id() -> None:
    assert replica_of({"id": "u", "name": "n", "replica": "r"}) == "r"
    assert replica_of({"id": "u", "name": "n"}) == "n"
    assert replica_of({"id": "u"}) == "u"
    assert replica_of({}) is None


def test_several_bundles_give_every_revision() -> None:
    raw = event(
        result={"decision": "deny"}, bundles={"b": {"revision": "2"}, "a": {"revision": "1"}}
    )
    assert rows_of_event(raw, "e")[0].revision == "a=1,b=2"


def test_clauses_come_in_first_seen_order_without_repeats() -> None:
    decision = {
        "violations": [{"clause": "P3"}, {"clause": "P2"}],
        "exceptions": [{"clause": "P3"}],
        "reviews": [{"clause": "DEFINITIONS"}],
        "obligations": [{"clause": "P5"}, {"nope": 1}],
    }
    assert clauses_of(decision) == ("P3", "P2", "DEFINITIONS", "P5")
    assert clauses_of("not a decision") == ()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ({"decision_id": "x"}, "JSON array"),
        ([event(decision_id="x" * 201)], "longer than 200"),
        ([event(timestamp="2026-11-29T12:00:00")], "no time zone"),
        ([event(path=3)], "path"),
        ([event(erased="/input/extensions")], "erased"),
    ],
)
def test_uploads_no_opa_would_send_are_refused(upload: object, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        rows_of_upload(upload)


def test_times_on_the_command_line() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert parse_moment("30m", now=now) == now - timedelta(minutes=30)
    assert parse_moment("7d", now=now) == now - timedelta(days=7)
    assert parse_moment("2026-11-29") == datetime(2026, 11, 29, tzinfo=UTC)
    assert parse_moment("2026-11-29T13:00+01:00") == now
    with pytest.raises(ValueError, match="not a time"):
        parse_moment("yesterday")
