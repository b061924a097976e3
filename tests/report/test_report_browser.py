"""The report in a real browser: Debian's headless Chromium, driven by Playwright.

Where Chromium cannot start, these tests FAIL and say why (`make report-tools` installs
it); they never pass or skip silently. Set APL_REPORT_BROWSER=skip to skip them on
purpose, which pytest then lists with that reason. The same pages are checked without a
browser in test_report_html.py.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Error, Page

from bridge.models import Outcome

from .browser import ChromiumMissingError, chromium
from .conftest import HOSTILE, HOSTILE_ID, LOCATED, Report

pytestmark = pytest.mark.opa

# Recorded in the page before its own script runs: CSP violations, and any dialog.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    if os.environ.get("APL_REPORT_BROWSER") == "skip":
        pytest.skip("APL_REPORT_BROWSER=skip: the report's browser tests were NOT run")
    try:
        with chromium() as context:
            yield context
    except (ChromiumMissingError, Error) as exc:
        pytest.fail(
            f"headless Chromium could not start, so the report is untested in a browser: {exc}"
        )


class Opened:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


def open_report(context: BrowserContext, report: Report) -> Opened:
    page = context.new_page()
    opened = Opened(page)

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.add_init_script(WATCH)
    page.goto(report.path.resolve().as_uri())
    page.wait_for_load_state("load")
    return opened


@pytest.fixture(scope="module")
def fixtures_page(browser, fixtures_report) -> Opened:
    return open_report(browser, fixtures_report)


@pytest.fixture(scope="module")
def hostile_page(browser, hostile_report) -> Opened:
    return open_report(browser, hostile_report)


COUNTS = """() => Object.fromEntries(
  [...document.querySelectorAll("#counts li")].map(
    (li) => [li.dataset.decision, Number(li.querySelector(".n").textContent.replace(/,/g, ""))]))"""


@pytest.mark.parametrize("which", ["fixtures", "hostile"])
def test_the_dom_has_the_counts_of_eval(which, request):
    opened = request.getfixturevalue(f"{which}_page")
    report = request.getfixturevalue(f"{which}_report")
    shown = opened.js(COUNTS)
    for outcome in Outcome:
        assert shown[outcome.value] == report.counts.get(outcome.value, 0), outcome
    assert shown["total"] == sum(report.counts.values())
    assert opened.js("document.getElementById('summary-line').textContent") == report.eval_summary


@pytest.mark.parametrize("which", ["fixtures", "hostile"])
def test_the_page_runs_its_script_and_nothing_else(which, request):
    opened = request.getfixturevalue(f"{which}_page")
    assert opened.errors == []
    assert opened.dialogs == []
    assert opened.js("window.__violations") == []
    # Only the page itself was loaded: no fetch of any kind.
    assert opened.requests == [request.getfixturevalue(f"{which}_report").path.resolve().as_uri()]
    # Its own script ran: the filters are shown and the pager counts the rows.
    assert opened.js("document.getElementById('controls').hidden") is False
    assert "of" in opened.js("document.getElementById('pager-info').textContent")


def test_the_hostile_id_is_text_and_runs_nothing(hostile_page):
    ids = hostile_page.js("[...document.querySelectorAll('#rows .c-id')].map((e) => e.textContent)")
    assert HOSTILE_ID in ids
    for activity in HOSTILE:
        assert activity["id"] in ids
    assert hostile_page.js("document.scripts.length") == 1
    assert hostile_page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert hostile_page.dialogs == []
    # A marker's tooltip holds the id as text too.
    titles = hostile_page.js(
        "[...document.querySelectorAll('#markers title')].map((t) => t.textContent)"
    )
    assert any(HOSTILE_ID in t for t in titles)


MARKERS = """() => {
  const areas = [...document.querySelectorAll("#peninsula path.area")];
  return [...document.querySelectorAll("#markers circle.marker")].map((m) => {
    const p = new DOMPoint(m.cx.baseVal.value, m.cy.baseVal.value);
    return {
      lat: Number(m.dataset.lat), lon: Number(m.dataset.lon), decision: m.dataset.decision,
      offFrame: m.dataset.offFrame === "true", title: m.querySelector("title").textContent,
      inside: areas.some((a) => a.isPointInFill(p)),
      visible: m.getBoundingClientRect().width > 0,
    };
  });
}"""


def test_one_marker_per_located_activity_in_the_right_place(hostile_page):
    markers = hostile_page.js(MARKERS)
    assert len(markers) == len(LOCATED)
    by_place = {(m["lat"], m["lon"]): m for m in markers}
    for ident, (where, lat, lon) in LOCATED.items():
        marker = by_place[(lat, lon)]
        assert ident in marker["title"]
        assert marker["visible"]
        if where == "beyond":
            assert marker["offFrame"]
        else:
            assert marker["inside"] == (where == "inside"), (ident, marker)
    assert by_place[(37.57, 126.98)]["inside"]  # Seoul
    assert not by_place[(35.68, 139.69)]["inside"]  # Tokyo


def test_fixture_markers_agree_with_the_policys_outline(fixtures_page):
    """A marker the outline holds is where the policy found the peninsula: no use there is
    denied under P3, and every use denied under P3 lies outside it."""
    markers = fixtures_page.js(MARKERS)
    located = fixtures_page.js("Number(document.getElementById('located-count').dataset.count)")
    assert sum(1 for _ in markers) == located  # the fixtures' points are all distinct
    inside = {(m["lat"], m["lon"]) for m in markers if m["inside"]}
    assert (37.57, 126.98) in inside  # Seoul
    assert (33.4, 126.55) in inside  # Jeju
    assert (40.13, 124.37) not in inside  # Dandong, across the Yalu
    assert (34.4, 129.3) not in inside  # Tsushima


def test_filtering_by_decision_and_paging(fixtures_page, fixtures_report):
    page = fixtures_page.page
    visible = "[...document.querySelectorAll('#rows > .act')].filter((r) => !r.hidden)"
    assert page.evaluate(f"{visible}.length") == min(100, sum(fixtures_report.counts.values()))
    for outcome in Outcome:
        if outcome is not Outcome.DENY:
            page.locator(f"#filters input[value={outcome.value}]").uncheck()
    decisions = page.evaluate(f"{visible}.map((r) => r.dataset.decision)")
    assert decisions == ["deny"] * fixtures_report.counts["deny"]
    hidden_markers = page.evaluate(
        "[...document.querySelectorAll('#markers .marker')]"
        ".filter((m) => getComputedStyle(m).display === 'none').map((m) => m.dataset.decision)"
    )
    assert "deny" not in hidden_markers
    assert "permit" in hidden_markers
    # A row opens to its account, with the clause's wording.
    first = page.locator("#rows > .act:not([hidden])").first
    first.locator("summary").click()
    assert first.evaluate("(d) => d.open") is True
    assert "Official text" in first.inner_text()
    for outcome in Outcome:
        page.locator(f"#filters input[value={outcome.value}]").check()


def test_a_screenshot_is_not_blank(fixtures_page, tmp_path):
    png = fixtures_page.page.screenshot(full_page=False)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    assert width >= 800
    assert height >= 600
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, bars, the map: not a blank or one-colour page
    most = max(count for count, _ in colours)
    assert most < 0.9 * width * height
    # The decision colours are on it (the chart's bars).
    pixels = {rgb for _, rgb in colours}
    assert (0x2E, 0x7D, 0x32) in pixels  # permit
    assert (0xC6, 0x28, 0x28) in pixels  # deny


ROW = """(() => { const r = document.getElementById(location.hash.slice(1));
  return {open: r.open, hidden: r.hidden, id: r.querySelector(".c-id").textContent}; })()"""


def test_a_marker_leads_to_its_row(hostile_page):
    page = hostile_page.page
    page.locator('#markers circle[data-lat="35.68"]').click()
    page.wait_for_function("location.hash !== ''")
    assert page.evaluate(ROW) == {"open": True, "hidden": False, "id": HOSTILE_ID}
    # A link to a row that the filter hides shows its decision again.
    anchor = page.evaluate("location.hash")
    page.evaluate("location.hash = ''")
    page.locator("#filters input[value=deny]").uncheck()
    assert page.evaluate(f"document.querySelector('{anchor}').hidden") is True
    page.evaluate(f"location.hash = '{anchor}'")
    page.wait_for_function(f"!document.querySelector('{anchor}').hidden")
    assert page.evaluate(ROW) == {"open": True, "hidden": False, "id": HOSTILE_ID}
    assert page.locator("#filters input[value=deny]").is_checked()
