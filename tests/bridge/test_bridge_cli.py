"""`apl-policy` through Click's CliRunner, against the session's real OPA: every format,
every exit code, the fixtures, and the errors a person meets (no tracebacks)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from bridge.cli import cli
from bridge.exit_codes import ExitCode
from bridge.loading import scenario_files
from bridge.server import project_root
from tests import schemas

FIXTURES = project_root() / "fixtures"

pytestmark = pytest.mark.opa


def run(runner, *args, input=None):  # noqa: A002 - CliRunner's own name
    return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def decisions_of(result) -> list[dict]:
    return json.loads(result.stdout)


def test_a_mix_gets_one_decision_per_document_in_order_and_exits_2(runner, opa_args, activities):
    files = [activities[n] for n in ("deny.yaml", "invalid.yaml", "mixed.jsonl", "permit.yaml")]
    result = run(runner, "eval", "-f", "json", *opa_args, *files)
    assert result.exit_code == ExitCode.USAGE_OR_INVALID, result.output
    got = [(d["id"], d["decision"]) for d in decisions_of(result)]
    assert got == [
        ("germany", "deny"),
        ("typo", "invalid"),
        ("m1", "permit"),
        ("m2", "deny"),
        ("m3", "invalid"),
        ("m4", "permit"),
        ("dmz", "permit"),
    ]
    assert "invalid.yaml, document 1: munition: is required" in result.stderr
    assert "munitoin: unknown field" in result.stderr
    assert "mixed.jsonl, line 3: action" in result.stderr


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (["permit.yaml"], ExitCode.OK),
        (["permit.yaml", "deny.yaml"], ExitCode.NOT_PERMITTED),
        (["review.json"], ExitCode.NOT_PERMITTED),
        (["permit.yaml", "invalid.yaml", "deny.yaml"], ExitCode.USAGE_OR_INVALID),
    ],
)
def test_exit_codes_follow_the_worst_decision(runner, opa_args, activities, names, code):
    result = run(runner, "eval", *opa_args, *[activities[n] for n in names])
    assert result.exit_code == code, result.output


def test_not_applicable_exits_1(runner, opa_args):
    result = run(
        runner,
        "eval",
        "-f",
        "jsonl",
        *opa_args,
        "-",
        input='{"actor": "FR", "action": "use", "munition": {"model": "M14"}}\n',
    )
    assert result.exit_code == ExitCode.NOT_PERMITTED
    assert json.loads(result.stdout)["decision"] == "not_applicable"


def test_json_output_is_an_array_of_schema_valid_decisions(runner, opa_args, activities):
    result = run(runner, "eval", "--format", "json", *opa_args, activities["mixed.jsonl"])
    decisions = decisions_of(result)
    assert len(decisions) == 4
    for decision in decisions:
        assert not schemas.problems("decision", decision)


def test_jsonl_output_is_one_decision_a_line(runner, opa_args, activities):
    result = run(runner, "eval", "-f", "jsonl", *opa_args, activities["mixed.jsonl"])
    lines = result.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["m1", "m2", "m3", "m4"]


def test_yaml_output_is_a_stream_of_decisions(runner, opa_args, activities):
    result = run(runner, "eval", "-f", "yaml", *opa_args, activities["mixed.jsonl"])
    docs = list(yaml.safe_load_all(result.stdout))
    assert [d["decision"] for d in docs] == ["permit", "deny", "invalid", "permit"]
    assert list(docs[0])[:3] == ["id", "decision", "allowed"]


def test_junit_output_fails_what_is_not_permitted(runner, opa_args, activities):
    result = run(runner, "eval", "-f", "junit", *opa_args, activities["mixed.jsonl"])
    suite = ET.fromstring(result.stdout).find("testsuite")  # noqa: S314 - our own output
    assert suite is not None
    assert suite.attrib == {"name": "apl-policy", "tests": "4", "failures": "1", "errors": "1"}
    cases = suite.findall("testcase")
    assert [c.attrib["name"] for c in cases] == ["m1", "m2", "m3", "m4"]
    assert cases[1].find("failure") is not None
    assert cases[2].find("error") is not None
    assert cases[0].find("failure") is None


def test_table_output_fits_100_columns(runner, opa_args, activities):
    result = run(runner, "eval", "-f", "table", *opa_args, activities["mixed.jsonl"])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "DECISION", "CLAUSES", "REASON"]
    assert all(len(line) <= 100 for line in lines)
    assert [line.split()[:2] for line in lines[1:5]] == [
        ["m1", "permit"],
        ["m2", "deny"],
        ["m3", "invalid"],
        ["m4", "permit"],
    ]
    assert lines[-1] == "4 documents: 2 permit, 1 deny, 1 invalid"


def test_output_goes_to_a_file(runner, opa_args, activities, tmp_path):
    target = tmp_path / "out.json"
    result = run(runner, "eval", "-o", target, *opa_args, activities["permit.yaml"])
    assert result.exit_code == ExitCode.OK
    assert result.stdout == ""
    assert json.loads(target.read_text())[0]["id"] == "dmz"


def test_the_url_and_token_come_from_the_environment(runner, opa_server, activities):
    result = runner.invoke(
        cli,
        ["eval", "-f", "json", str(activities["permit.yaml"])],
        env={"APL_OPA_URL": opa_server.url, "APL_OPA_TOKEN": opa_server.token},
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert decisions_of(result)[0]["decision"] == "permit"


def test_a_wrong_token_is_an_opa_failure_that_says_so(runner, opa_server, activities):
    result = run(
        runner, "eval", "--opa-url", opa_server.url, "--token", "wrong", activities["permit.yaml"]
    )
    assert result.exit_code == ExitCode.OPA_FAILURE
    assert "--token" in result.stderr


def test_unreachable_opa_exits_3_with_one_line_saying_what_to_do(runner, activities):
    result = run(
        runner,
        "eval",
        "--opa-url",
        "http://127.0.0.1:9",
        "--retry-for",
        "0.2",
        activities["permit.yaml"],
    )
    assert result.exit_code == ExitCode.OPA_FAILURE
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "cannot reach OPA at http://127.0.0.1:9" in message
    assert "apl-policy serve" in message
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.yaml", b"action: [use\n  munition: {\n"),
        ("not-an-activity.json", b'{"hello": "world"}'),
        ("empty.yaml", b""),
        ("binary.yaml", bytes(range(256)) * 4),
    ],
)
def test_bad_files_exit_2_naming_the_file_without_a_traceback(
    runner, opa_args, tmp_path, name, content
):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(runner, "eval", "-f", "json", *opa_args, path)
    assert result.exit_code == ExitCode.USAGE_OR_INVALID
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file_exits_2_but_the_others_are_still_decided(runner, opa_args, activities):
    result = run(runner, "eval", "-f", "json", *opa_args, "missing.yaml", activities["permit.yaml"])
    assert result.exit_code == ExitCode.USAGE_OR_INVALID
    assert "missing.yaml: cannot be read" in result.stderr
    assert [d["id"] for d in decisions_of(result)] == ["dmz"]


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "--format", "xml"],
        ["eval", "--batch-size", "0"],
        ["eval", "--no-such-option"],
        ["serve", "--addr", "nonsense"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == ExitCode.USAGE_OR_INVALID


def test_every_fixture_scenario_gets_its_expected_decision(runner, opa_args):
    files = scenario_files([FIXTURES])
    assert files, "the fixtures are missing"
    result = run(runner, "eval", "--scenarios", "-f", "json", *opa_args, FIXTURES)
    decisions = decisions_of(result)
    assert len(decisions) == len(files)
    for path, decision in zip(files, decisions, strict=True):
        expect = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["expect"]
        assert decision["decision"] == expect["decision"], path
    assert result.exit_code == ExitCode.OK, result.stderr


def test_scenarios_in_a_table_exit_1_when_not_as_expected(runner, opa_args, tmp_path):
    (tmp_path / "wrong.yaml").write_text(
        "name: M14 in Germany is not permitted, so this expectation is wrong.\n"
        "input: {action: use, munition: {model: M14}, location: {country: DE}}\n"
        "expect: {decision: permit, violations: []}\n"
    )
    result = run(runner, "eval", "--scenarios", "-f", "table", *opa_args, tmp_path)
    assert result.exit_code == ExitCode.NOT_PERMITTED
    assert "✗ deny" in result.stdout
    assert "expected permit, got deny" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("1 not as expected")


def test_clauses_come_from_the_metadata(runner):
    result = run(runner, "clauses", "-f", "json")
    assert result.exit_code == 0
    clauses = {
        c["id"]: c for c in json.loads(result.stdout) if c["regime"] in (None, "us-apl-2022")
    }
    assert {"P1", "P2", "P3", "P4", "P5", "KOREA"} <= set(clauses)
    assert clauses["P3"]["package"] == "data.apl.regimes.us_apl_2022.p3_use"
    assert "Korean Peninsula" in clauses["P3"]["official"]
    text = run(runner, "clauses").stdout
    # Regime by regime, each under a heading, the shared definitions last.
    assert text.startswith("== us-apl-2014 ==\n\nP1  ")
    assert text.count("\nKOREA  ") == 2
    assert text.index("== us-apl-2022 ==") < text.index("== every regime ==")


def test_explain_gives_each_clause_and_its_outcome(runner, opa_args, activities):
    result = run(runner, "explain", *opa_args, activities["deny.yaml"])
    assert result.exit_code == ExitCode.NOT_PERMITTED
    out = result.stdout
    assert "Decision: DENY" in out
    assert "Munition: an anti-personnel mine" in out
    for clause in ("P1", "P2", "P3", "P4", "P5", "KOREA"):
        assert f"\n{clause}  " in out
    assert "→ VIOLATED: use of anti-personnel mines (M14)" in out
    assert "→ not applied" in out


def test_explain_says_why_a_document_is_invalid(runner, opa_args, activities):
    result = run(runner, "explain", *opa_args, activities["invalid.yaml"])
    assert result.exit_code == ExitCode.USAGE_OR_INVALID
    assert "munitoin: unknown field" in result.stdout


def test_the_embedded_default_starts_and_stops_its_own_opa(runner, activities, monkeypatch):
    monkeypatch.delenv("APL_OPA_URL", raising=False)
    files = [activities[n] for n in ("invalid.yaml", "permit.yaml", "deny.yaml")]
    result = run(runner, "eval", "-f", "json", *files)
    decisions = decisions_of(result)
    assert [d["decision"] for d in decisions] == ["invalid", "permit", "deny"]
    # Every decision, the invalid one included, is OPA's: the same revision throughout.
    assert {d["policy"]["revision"] for d in decisions} == {"source-tree"}
    assert result.exit_code == ExitCode.USAGE_OR_INVALID
