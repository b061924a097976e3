"""Rendering, without a server: table layout within 100 columns, valid JSON and XML
however the run ends, the summary line. The decisions here are shapes for layout only."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from bridge.evaluate import Result
from bridge.loading import Document
from bridge.models import Decision, Outcome
from bridge.render import JsonRenderer, JunitRenderer, Row, Summary, TableRenderer

DENY = {
    "id": None,
    "decision": "deny",
    "allowed": False,
    "policy": {
        "id": "us-apl-2022",
        "effective": "2022-06-21",
        "until": "2025-12-01",
        "revision": "t",
    },
    "munition": {"is_apl": True, "basis": "b"},
    "reason": "P3 violated: " + "a very long reason " * 10,
    "violations": [{"clause": "P3", "title": "t", "message": "m", "source": "s"}],
    "exceptions": [],
    "reviews": [],
    "obligations": [],
    "errors": [],
    "notices": [],
}


def invalid(field: str, message: str) -> Decision:
    return Decision.from_document(
        DENY
        | {
            "decision": "invalid",
            "violations": [],
            "reason": f"invalid input: {field}: {message}",
            "errors": [{"field": field, "message": message}],
        }
    )


def row(label: str, decision: Decision, mismatch: tuple[str, ...] = ()) -> Row:
    document = Document("f.jsonl", 1, "line", {"id": label})
    return Row(Result(document, decision), mismatch)


def render_table(rows: list[Row], width: int = 100) -> list[str]:
    out: list[str] = []
    table = TableRenderer(out.append, width=width)
    summary = Summary()
    for r in rows:
        table.add(r)
        summary.add(r)
    table.finish(summary)
    return "".join(out).splitlines()


def test_short_ids_give_one_line_per_decision_within_100_columns():
    deny = Decision.from_document(DENY)
    lines = render_table([row("a1", deny), row("a2", deny)])
    assert lines[0].split() == ["ID", "DECISION", "CLAUSES", "REASON"]
    assert len(lines) == 4
    assert all(len(line) <= 100 for line in lines)
    assert lines[1].startswith("a1  deny")
    assert lines[1].endswith("…")
    assert lines[-1] == "2 documents: 2 deny"


def test_long_ids_put_the_reason_on_its_own_line():
    deny = Decision.from_document(DENY)
    long_id = "use_of_command_claymore_in_germany_is_permitted_but_longer"
    lines = render_table([row(long_id, deny)])
    assert lines[0].split() == ["DECISION", "CLAUSES", "ID", "/", "REASON"]
    assert lines[1].split() == ["deny", "P3", long_id]
    assert lines[2].strip().startswith("P3 violated")
    assert all(len(line) <= 100 for line in lines)


def test_a_scenario_not_as_expected_is_marked():
    deny = Decision.from_document(DENY)
    lines = render_table([row("s", deny, ("permit, got deny",))])
    assert "✗ deny" in lines[1]
    assert "expected permit, got deny" in lines[1]


def test_json_is_valid_with_no_rows_and_with_some():
    out: list[str] = []
    JsonRenderer(out.append).finish(Summary())
    assert json.loads("".join(out)) == []
    out = []
    renderer = JsonRenderer(out.append)
    renderer.add(row("x", invalid("action", "is required")))
    renderer.finish(Summary())
    (decision,) = json.loads("".join(out))
    assert decision["errors"] == [{"field": "action", "message": "is required"}]


def test_junit_escapes_what_it_quotes():
    out: list[str] = []
    junit = JunitRenderer(out.append)
    junit.add(row('<a & "b">', invalid("f", "bad <value> & more")))
    junit.finish(Summary())
    root = ET.fromstring("".join(out))  # noqa: S314 - our own output
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.attrib["name"] == '<a & "b">'
    error = case.find("error")
    assert error is not None
    assert "bad <value> & more" in (error.text or "")


def test_the_summary_counts_every_outcome_and_says_when_opa_failed():
    summary = Summary(scenarios=True)
    summary.add(row("a", Decision.from_document(DENY), ("permit, got deny",)))
    summary.input_errors = 2
    summary.failure = "down"
    assert summary.counts[Outcome.DENY] == 1
    assert summary.line() == (
        "1 scenario: 1 deny; 1 not as expected; 2 unreadable inputs; stopped early: OPA failed"
    )
