"""The page's renderer on decisions made here, with no OPA: what contract 2.0 adds to a
decision (`policy.until`, `notices`) is shown, the caps on markers and places hold, and the
map's geometry is plain arithmetic on degrees."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.evaluate import Result
from bridge.loading import Document
from bridge.models import Decision, MunitionClass, Notice, Outcome, PolicyRef
from bridge.render import Row, Summary
from bridge.report import geo
from bridge.report.html import HtmlRenderer

from .dom import parse

SQUARE = {
    "codes": ["KR", "KP"],
    "regions": ["DMZ"],
    "areas": [{"name": "square", "polygon": [[125, 35], [129, 35], [129, 39], [125, 39]]}],
    "dmz": {"name": "a line", "line": [[125.5, 38], [128.5, 38.2]]},
}


def decision(
    ident: str, outcome: Outcome, *, until: str | None = None, notices: Any = ()
) -> Decision:
    return Decision(
        id=ident,
        decision=outcome,
        allowed=outcome is Outcome.PERMIT,
        policy=PolicyRef("us-apl-2025-interim", "2025-12-02", until, "r1"),
        munition=MunitionClass(True, "a basis"),
        reason=f"reason of {ident}",
        notices=tuple(Notice(n["regime"], n["message"]) for n in notices),
    )


def row(number: int, activity: dict[str, Any], made: Decision) -> Row:
    return Row(Result(Document("in.jsonl", number, "line", activity), made))


def render(rows: list[Row], **options: Any) -> str:
    chunks: list[str] = []
    renderer = HtmlRenderer(
        chunks.append, clauses=[], peninsula=geo.parse_peninsula(SQUARE), **options
    )
    summary = Summary()
    for r in rows:
        summary.add(r)
        renderer.add(r)
    renderer.finish(summary)
    return "".join(chunks)


def test_notices_and_until_are_shown_where_a_decision_has_them():
    notice = {"regime": "us-apl-2025-interim", "message": "known only from <b>reports</b>"}
    html = render(
        [
            row(1, {"id": "a", "action": "use"}, decision("a", Outcome.DENY, notices=[notice])),
            row(2, {"id": "b", "action": "use"}, decision("b", Outcome.PERMIT, until="2026-01-01")),
        ]
    )
    root = parse(html)
    assert "known only from <b>reports</b>" in root.by_id("notices").text
    assert "<b>reports" not in html
    assert "2026-01-01" in root.by_id("policies").text
    accounts = {d.attrs["id"]: d.text for d in root.find_all("details", cls="act")}
    assert "known only from <b>reports</b>" in accounts["a-1"]
    assert "until 2026-01-01" in accounts["a-2"]


def test_markers_and_places_are_capped_and_the_rest_counted():
    rows = [
        row(
            i,
            {
                "id": f"p{i}",
                "action": "use",
                "location": {"coordinates": {"lat": 36 + i * 0.05, "lon": 126.0}},
            },
            decision(f"p{i}", Outcome.PERMIT),
        )
        for i in range(1, 31)
    ]
    rows += [
        row(
            100 + i,
            {"id": f"c{i}", "action": "use", "location": {"country": "DE"}},
            decision(f"c{i}", Outcome.DENY),
        )
        for i in range(5)
    ]
    root = parse(render(rows, max_markers=10, rows_per_decision=3))
    assert len(root.by_id("markers").find_all("circle", cls="marker")) == 10
    assert root.by_id("located-count").attrs["data-count"] == "30"
    assert "20 of them not drawn" in " ".join(root.by_id("map-section").text.split())
    assert len(root.find_all("details", cls="act")) == 6  # 3 permits and 3 denies
    assert root.by_id("table-note").attrs["data-left-out"] == str(35 - 6)
    (place,) = root.by_id("places").find_all("tbody")[0].find_all("tr")
    assert place.find_all("td")[0].text == "DE"


def test_activities_at_one_place_and_decision_share_a_marker():
    here = {"coordinates": {"lat": 37.5, "lon": 127.0}}
    near = {"coordinates": {"lat": 37.501, "lon": 127.001}}
    rows = [
        row(1, {"id": "a", "action": "use", "location": here}, decision("a", Outcome.PERMIT)),
        row(2, {"id": "b", "action": "use", "location": near}, decision("b", Outcome.PERMIT)),
        row(3, {"id": "c", "action": "use", "location": here}, decision("c", Outcome.DENY)),
    ]
    markers = parse(render(rows)).by_id("markers").find_all("circle", cls="marker")
    counts = sorted((m.attrs["data-decision"], m.attrs["data-count"]) for m in markers)
    assert counts == [("deny", "1"), ("permit", "2")]
    permit = next(m for m in markers if m.attrs["data-decision"] == "permit")
    deny = next(m for m in markers if m.attrs["data-decision"] == "deny")
    assert float(permit.attrs["r"]) > float(deny.attrs["r"])  # a ring around the deny


def test_an_assist_is_placed_by_the_assisted_activity():
    activity = {
        "id": "help",
        "action": "assist",
        "assisted_activity": {
            "action": "use",
            "location": {"coordinates": {"lat": 37, "lon": 127}},
        },
    }
    root = parse(render([row(1, activity, decision("help", Outcome.PERMIT))]))
    (marker,) = root.by_id("markers").find_all("circle", cls="marker")
    assert marker.attrs["data-lat"] == "37.0"
    assert "assisted activity at" in root.by_id("a-1").text


def test_the_projection_keeps_points_where_they_are():
    frame = geo.Frame(120.0, 30.0, 130.0, 40.0, width=500)
    assert frame.xy((120.0, 40.0)) == (0.0, 0.0)
    x, y = frame.xy((130.0, 30.0))
    assert x == pytest.approx(500, abs=0.01)
    assert y == pytest.approx(frame.height, abs=0.1)
    assert frame.height > 500  # a degree of longitude is shorter than one of latitude here
    assert frame.pin((18.0, 55.0))[0] == pytest.approx(120.0)  # the Baltic, on the west edge
    assert frame.contains(frame.pin((18.0, 55.0)))


def test_the_frame_reaches_tokyo_but_not_europe():
    peninsula = geo.parse_peninsula(SQUARE)
    frame = geo.frame_for(peninsula, [(139.69, 35.68), (18.0, 55.0)])
    assert frame.contains((139.69, 35.68))
    assert not frame.contains((18.0, 55.0))


@pytest.mark.parametrize(
    "data",
    [{}, {"areas": []}, {"areas": [{"polygon": [[1, 2], [3]]}]}, {"areas": [{"polygon": "x"}]}],
)
def test_peninsula_data_of_the_wrong_shape_is_an_error(data):
    from bridge.errors import EvaluationError  # noqa: PLC0415

    with pytest.raises(EvaluationError):
        geo.parse_peninsula(data)


def test_a_scenario_not_as_expected_is_flagged():
    document = Document(
        "s.yaml", 1, "document", {"id": "s", "action": "use"},
        scenario={"name": "Use <here> is denied", "expect": {"decision": "deny"}},
    )  # fmt: skip
    made = Row(Result(document, decision("s", Outcome.PERMIT)), ("deny, got permit",))
    chunks: list[str] = []
    renderer = HtmlRenderer(
        chunks.append, scenarios=True, clauses=[], peninsula=geo.parse_peninsula(SQUARE)
    )
    summary = Summary(scenarios=True)
    summary.add(made)
    renderer.add(made)
    renderer.finish(summary)
    root = parse("".join(chunks))
    row = root.by_id("a-1")
    assert "not as expected" in row.text
    assert "Use <here> is denied" in row.text
    assert "1 not as expected" in root.by_id("summary-line").text
