"""The report as a file, checked without a browser: the counts eval gives, the same exit
codes, a page that fetches nothing and runs only its own script, every document string
escaped, the map drawn from the bundle's data, and the table capped with a count of the
rest. These run wherever the suite runs; tests/report/test_report_browser.py checks the
same pages in Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess

import pytest

from bridge.models import Outcome
from bridge.report import geo
from bridge.report.html import TABLE_ROWS_PER_DECISION

from .conftest import HOSTILE, HOSTILE_ID, LOCATED, make_report
from .dom import Element, parse

pytestmark = pytest.mark.opa

NETWORK = re.compile(r"^\s*(https?:|//|ftp:|ws:|wss:)", re.IGNORECASE)


def counts_on_page(root: Element) -> dict[str, int]:
    found = {}
    for item in root.by_id("counts").find_all("li"):
        (number,) = item.find_all("span", cls="n")
        found[item.attrs["data-decision"]] = int(number.attrs["data-count"])
    return found


@pytest.mark.parametrize("which", ["fixtures_report", "hostile_report"])
def test_the_page_has_the_counts_and_exit_code_of_eval(which, request):
    report = request.getfixturevalue(which)
    assert report.returncode == report.eval_returncode, report.stderr
    root = parse(report.html)
    shown = counts_on_page(root)
    for outcome in Outcome:
        assert shown[outcome.value] == report.counts.get(outcome.value, 0), outcome
    assert shown["total"] == sum(report.counts.values())
    assert root.by_id("summary-line").text == report.eval_summary


def test_fixtures_report_is_as_expected(fixtures_report):
    assert fixtures_report.returncode == 0, fixtures_report.stderr
    assert "every one as expected" in fixtures_report.html
    # Every fixture is in the table, with its scenario's name in its account.
    rows = parse(fixtures_report.html).by_id("rows").find_all("details", cls="act")
    assert len(rows) == sum(fixtures_report.counts.values())


def test_hostile_report_exits_as_eval_does_for_an_invalid_document(hostile_report):
    assert hostile_report.counts["invalid"] == 1
    assert hostile_report.returncode == 2


@pytest.mark.parametrize("which", ["fixtures_report", "hostile_report"])
def test_the_page_fetches_nothing_and_runs_only_its_own_script(which, request):
    html = request.getfixturevalue(which).html
    root = parse(html)
    scripts = root.find_all("script")
    assert len(scripts) == 1
    assert "src" not in scripts[0].attrs
    (meta,) = root.find_all("meta", http_equiv="Content-Security-Policy")
    policy = {part.split()[0]: part.split()[1:] for part in meta.attrs["content"].split(";")}
    digest = hashlib.sha256(scripts[0].text.encode()).digest()
    assert policy["script-src"] == [f"'sha256-{base64.b64encode(digest).decode()}'"]
    assert policy["default-src"] == ["'none'"]
    (style,) = root.find_all("style")
    digest = hashlib.sha256(style.text.encode()).digest()
    assert policy["style-src"] == [f"'sha256-{base64.b64encode(digest).decode()}'"]
    for element in root.iter():
        assert element.tag not in {"link", "img", "iframe", "object", "embed", "base", "form"}
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            assert name != "style", element.tag  # the CSP would block it
            if name in {"src", "href", "action", "xlink:href"}:
                assert not NETWORK.match(value), (element.tag, name, value)
    assert "@import" not in style.text
    assert "url(" not in style.text


def test_every_string_from_a_document_is_text(hostile_report):
    html = hostile_report.html
    root = parse(html)
    ids = [span.text for span in root.find_all("span", cls="c-id")]
    for activity in HOSTILE:
        assert activity["id"] in ids
    assert HOSTILE_ID in ids
    # Escaped in the source: no tag of a document's making survives.
    for raw in ("<script>alert", "<img src=x", "<svg onload", "</title><script>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The field name of the invalid document is shown as text in its account too.
    (bad,) = [d for d in root.find_all("details", cls="act") if "bad-field" in d.text]
    assert "<script>alert(5)</script>" in bad.text


def test_one_marker_per_located_activity(hostile_report):
    root = parse(hostile_report.html)
    markers = root.by_id("markers").find_all("circle", cls="marker")
    assert len(markers) == len(LOCATED)
    assert int(root.by_id("located-count").attrs["data-count"]) == len(LOCATED)
    by_place = {(float(m.attrs["data-lat"]), float(m.attrs["data-lon"])): m for m in markers}
    for ident, (where, lat, lon) in LOCATED.items():
        marker = by_place[(lat, lon)]
        assert marker.attrs["data-count"] == "1"
        assert ident in marker.text
        assert (marker.attrs.get("data-off-frame") == "true") == (where == "beyond")
    # Coloured by decision: use in Tokyo is denied, in Seoul permitted.
    assert by_place[(35.68, 139.69)].attrs["data-decision"] == "deny"
    assert by_place[(37.57, 126.98)].attrs["data-decision"] == "permit"
    # Activities placed by region only are listed beside the map, not drawn.
    assert "DMZ" in root.by_id("places").text
    # The transfer and the invalid document say nowhere.
    assert root.by_id("unlocated").attrs["data-count"] == "2"


def test_the_map_is_the_bundles_own_outline(hostile_report):
    peninsula = geo.load_peninsula()
    root = parse(hostile_report.html)
    areas = root.by_id("peninsula").find_all("path", cls="area")
    assert [a.attrs["data-area"] for a in areas] == [a.name for a in peninsula.areas]
    for path, area in zip(areas, peninsula.areas, strict=True):
        assert path.attrs["d"].count(",") == len(area.polygon)
    dmz = root.by_id("dmz")
    assert dmz.attrs["d"].count(",") == len(peninsula.dmz_line) > 5


def test_the_dmz_drawn_is_on_the_peninsula_for_the_policy(opa):
    """Each vertex of the DMZ's trace is a place where the policy itself finds the
    peninsula: use of APL there falls under the Korean exception."""
    for lon, lat in geo.load_peninsula().dmz_line:
        activity = {
            "id": f"dmz-{lat}-{lon}",
            "action": "use",
            "munition": {"model": "M14"},
            "location": {"coordinates": {"lat": lat, "lon": lon}},
        }
        status, body = opa.post("/v1/data/apl/decision", {"input": activity})
        assert status == 200
        assert body["result"]["decision"] == "permit", (lat, lon, body["result"]["reason"])


def test_a_long_run_keeps_the_table_capped_and_says_what_is_left_out(opa_server, tmp_path):
    over = TABLE_ROWS_PER_DECISION + 37
    source = tmp_path / "many.jsonl"
    with source.open("w") as out:
        for i in range(over):
            activity = {"id": f"de-{i}", "action": "use", "munition": {"model": "M14"},
                        "location": {"country": "DE"}}  # fmt: skip
            out.write(json.dumps(activity) + "\n")
        out.write(json.dumps({"id": "late-permit", "action": "destroy",
                              "munition": {"model": "M14"}}) + "\n")  # fmt: skip
    report = make_report(opa_server, tmp_path / "many.html", [str(source)])
    root = parse(report.html)
    assert counts_on_page(root)["deny"] == over
    rows = root.by_id("rows").find_all("details", cls="act")
    assert len(rows) == TABLE_ROWS_PER_DECISION + 1
    # A permit after the cap on denies is still in the table.
    assert rows[-1].attrs["data-decision"] == "permit"
    note = root.by_id("table-note")
    assert note.attrs["data-left-out"] == "37"
    assert "37 are left out" in " ".join(note.text.split())


def test_report_takes_every_option_of_eval_but_the_format():
    from bridge.cli import cli  # noqa: PLC0415 - the commands as registered

    eval_names = {p.name for p in cli.commands["eval"].params}
    report_names = {p.name for p in cli.commands["report"].params}
    assert report_names == eval_names - {"fmt"}


def test_opa_unreachable_exits_3_as_eval_does(tmp_path):
    from .conftest import SCRIPT  # noqa: PLC0415

    source = tmp_path / "one.yaml"
    source.write_text("id: x\naction: use\nmunition: {model: M14}\n")
    codes = []
    for command in (["report", "-o", str(tmp_path / "out.html")], ["eval", "-f", "json"]):
        done = subprocess.run(
            [str(SCRIPT), *command, "--opa-url", "http://127.0.0.1:9", "--retry-for", "0",
             str(source)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        codes.append(done.returncode)
        assert "cannot reach OPA" in done.stderr
    assert codes == [3, 3]
