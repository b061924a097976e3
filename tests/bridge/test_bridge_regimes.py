"""The regimes at the command line, against the session's real OPA: `apl-policy regimes`
reads the index from the bundle, `--regime` pins every document, `clauses` and `explain`
show the clauses of the regime a decision was taken under."""

from __future__ import annotations

import json

import pytest
import yaml

from bridge.cli import cli
from bridge.exit_codes import ExitCode
from bridge.regimes import load_regimes, regime_ids
from bridge.server import project_root

INDEX = yaml.safe_load((project_root() / "rego" / "apl" / "policy" / "data.yaml").read_text())


def run(runner, *args, input=None):  # noqa: A002 - CliRunner's own name
    return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_the_regimes_are_read_from_their_one_index():
    regimes = load_regimes()
    assert [r.id for r in regimes] == [r["id"] for r in INDEX["regimes"]]
    assert [(r.effective, r.until) for r in regimes] == [
        (r["effective"], r["until"]) for r in INDEX["regimes"]
    ]
    assert [r.id for r in regimes if r.default] == [INDEX["default"]]


def test_the_schema_enum_matches_the_index():
    # Generated from it (make generate); Python names no regime of its own.
    assert regime_ids() == [r["id"] for r in INDEX["regimes"]]


def test_the_regimes_command_lists_each_span_and_source(runner):
    result = run(runner, "regimes")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["us-apl-2014", "2014-09-23", "to", "2020-01-30"]
    assert "us-apl-2025-interim  2025-12-02 to open" in result.stdout
    assert "(default)" in next(line for line in lines if line.startswith("us-apl-2022"))
    as_json = json.loads(run(runner, "regimes", "-f", "json").stdout)
    assert [r["id"] for r in as_json] == regime_ids()
    assert [r["text"] for r in as_json] == ["official", "reports", "official", "reports"]


def test_clauses_takes_a_regime(runner):
    result = run(runner, "clauses", "-f", "json", "--regime", "us-apl-2020")
    clauses = json.loads(result.stdout)
    assert sorted(c["id"] for c in clauses) == ["DEFINITIONS", "P1", "P2", "P3", "P4", "P5"]
    assert all("us_apl_2020" in c["package"] for c in clauses if c["id"] != "DEFINITIONS")


def test_an_unknown_regime_is_a_usage_error(runner):
    result = runner.invoke(cli, ["clauses", "--regime", "us-apl-1997"])
    assert result.exit_code == ExitCode.USAGE_OR_INVALID


@pytest.mark.opa
def test_eval_regime_pins_every_document_whatever_its_date(runner, opa_args, tmp_path):
    source = tmp_path / "two.jsonl"
    source.write_text(
        '{"id": "a", "action": "use", "date": "2023-01-01", "munition": {"model": "M14"},'
        ' "location": {"country": "KR"}}\n'
        '{"id": "b", "action": "use", "regime": "us-apl-2022", "munition": {"model": "ADAM"},'
        ' "location": {"country": "DE"}}\n'
    )
    unpinned = json.loads(run(runner, "eval", "-f", "json", *opa_args, source).stdout)
    assert [(d["decision"], d["policy"]["id"]) for d in unpinned] == [
        ("permit", "us-apl-2022"),
        ("deny", "us-apl-2022"),
    ]
    result = run(runner, "eval", "-f", "json", "--regime", "us-apl-2020", *opa_args, source)
    pinned = json.loads(result.stdout)
    assert [(d["decision"], d["policy"]["id"]) for d in pinned] == [
        ("deny", "us-apl-2020"),  # persistent M14: forbidden even in Korea
        ("review", "us-apl-2020"),  # non-persistent ADAM: exceptional circumstances only
    ]
    assert all(any("known only from reports" in n["message"] for n in d["notices"]) for d in pinned)
    assert result.exit_code == ExitCode.NOT_PERMITTED


@pytest.mark.opa
def test_explain_shows_the_regime_its_notices_and_only_its_clauses(runner, opa_args, tmp_path):
    source = tmp_path / "one.yaml"
    source.write_text("action: destroy\nmunition: {model: XQ-1}\n")
    result = run(runner, "explain", "--regime", "us-apl-2025-interim", *opa_args, source)
    assert result.exit_code == 0
    assert "Regime: us-apl-2025-interim (2025-12-02 to open)" in result.stdout
    assert "did not decide the outcome" in result.stdout
    assert "(2025 interim" in result.stdout
    assert "(2014)" not in result.stdout
    assert "White House fact sheet, 21 June 2022" not in result.stdout
