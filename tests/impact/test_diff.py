"""`apl-policy diff` against real OPA servers: every bundle form, regimes, the formats, the
exit codes, and counts checked against a second computation made here without the bridge
(plain batch requests to a separate OPA, compared in Python)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bridge.cli import cli
from bridge.regimes import load_regimes
from bridge.server import LocalOpa, find_opa, project_bundle, project_root
from tests.bench.conftest import load_bench_module
from tests.opa_http import OpaConnection

pytestmark = pytest.mark.opa

ROOT = project_root()
FIXTURES = ROOT / "fixtures"
P3_VIOLATION = '\t_status in {"off", "unknown"}\n\tnot _assessed\n'


def run(*args: object) -> Any:
    return CliRunner().invoke(cli, ["diff", *map(str, args)], catch_exceptions=False)


def report(*args: object) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


# -- the second computation ---------------------------------------------------------------


def fixture_inputs() -> list[dict[str, Any]]:
    """Every fixture scenario's input, in the order the CLI reads them, with the id the
    CLI gives a scenario without one (the file's stem)."""
    out = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        for scenario in yaml.safe_load_all(path.read_text("utf-8")):
            out.append({"id": path.stem, **scenario["input"]})
    return out


def findings(decision: dict[str, Any]) -> frozenset[str]:
    labels = {f"violation {v['clause']}" for v in decision["violations"]}
    labels |= {f"review {r['clause']}" for r in decision["reviews"]}
    labels |= {f"exception {x['exception']} {x['clause']}" for x in decision["exceptions"]}
    labels |= {f"obligation {o['clause']}" for o in decision["obligations"]}
    labels |= {f"error {e['field']}" for e in decision["errors"]}
    return frozenset(labels)


def decide(bundle: Path, activities: list[dict[str, Any]], regime: str | None) -> list[Any]:
    """(decision, findings) per activity from a fresh OPA on `bundle`, by plain HTTP."""
    docs = [{**a, "regime": regime} if regime else a for a in activities]
    out: list[Any] = []
    with LocalOpa(bundle) as server:
        conn = OpaConnection(server)
        try:
            conn.conn.timeout = 600
            for i in range(0, len(docs), 200):
                for d in conn.decide_batch(docs[i : i + 200]):
                    out.append((d["decision"], findings(d)))
        finally:
            conn.close()
    return out


def expected(
    activities: list[dict[str, Any]],
    a: tuple[Path, str | None],
    b: tuple[Path, str | None],
) -> tuple[int, dict[str, dict[str, int]]]:
    before, after = decide(*a[:1], activities, a[1]), decide(*b[:1], activities, b[1])
    matrix: Counter[tuple[str, str]] = Counter()
    changed = 0
    for x, y in zip(before, after, strict=True):
        matrix[(x[0], y[0])] += 1
        changed += x != y
    return changed, {f"{k[0]}>{k[1]}": v for k, v in matrix.items()}


def flat(matrix: dict[str, dict[str, int]]) -> dict[str, int]:
    return {f"{a}>{b}": n for a, row in matrix.items() for b, n in row.items() if n}


@pytest.fixture(scope="module")
def flipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the policy with P3's violation removed: use off the peninsula permitted."""
    copy = tmp_path_factory.mktemp("flipped") / "rego"
    shutil.copytree(project_bundle(), copy)
    use = copy / "apl" / "regimes" / "us_apl_2022" / "p3_use" / "use.rego"
    text = use.read_text("utf-8")
    assert text.count(P3_VIOLATION) == 1, "the P3 rule this test edits has moved"
    use.write_text(text.replace(P3_VIOLATION, '\t_status in {"off", "unknown"}\n\tfalse\n'))
    return copy


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's bundle, built as services get it (`opa build`, tests left out)."""
    out = tmp_path_factory.mktemp("built") / "bundle.tar.gz"
    subprocess.run(
        [
            str(find_opa()),
            "build",
            "--bundle",
            str(project_bundle()),
            "--ignore",
            "*_test.rego",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


# -- bundles ------------------------------------------------------------------------------


def test_a_revision_against_itself_reports_no_change_and_exits_0():
    code, body = report("--from", "HEAD", "--to", "HEAD", FIXTURES)
    assert code == 0
    assert body["changed"] == 0
    assert body["changes"] == []
    assert body["total"] == len(fixture_inputs())
    assert body["from"]["kind"] == body["to"]["kind"] == "revision"


def test_a_changed_copy_shows_every_flip_and_exits_1(flipped):
    code, body = report("--from", project_bundle(), "--to", flipped, FIXTURES)
    assert code == 1
    want_changed, want_matrix = expected(
        fixture_inputs(), (project_bundle(), None), (flipped, None)
    )
    assert body["changed"] == want_changed > 0
    assert flat(body["matrix"]) == want_matrix
    # Every flip is a P3 violation that went away, or the review of an undetermined
    # munition whose classification no longer decides (permitted either way now).
    assert all(c["to"]["decision"] == "permit" and c["added"] == [] for c in body["changes"])
    removed = Counter(tuple(c["removed"]) for c in body["changes"])
    assert set(removed) <= {("violation P3",), ("review DEFINITIONS",)}
    assert removed[("violation P3",)] > 0


def test_a_built_bundle_against_its_source_reports_no_change(built):
    code, body = report("--from", built, "--to", project_bundle(), FIXTURES)
    assert (code, body["changed"]) == (0, 0)
    assert body["from"]["kind"] == "archive"
    assert body["to"]["kind"] == "directory"


def test_a_git_revision_before_the_current_contract_is_still_compared():
    # The parent of the commit that brought regimes into the policy's data answers in the
    # earlier contract (no `notices`, no `policy.until`).
    git = shutil.which("git")
    assert git is not None
    introduced = subprocess.run(
        [git, "-C", str(ROOT), "log", "--format=%H", "-S", "regimes:", "--", "rego/apl/policy"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert introduced, "no commit brought regimes into rego/apl/policy/data.yaml"
    result = run("--from", f"rev:{introduced[-1]}^", "--to", project_bundle(), FIXTURES)
    assert result.exit_code == 1, result.output
    assert "activities decided under both" in result.stdout
    assert "no change" not in result.stdout


# -- regimes ------------------------------------------------------------------------------


REGIMES = [r.id for r in load_regimes()]


@pytest.mark.parametrize("regime", REGIMES)
def test_a_regime_against_itself_reports_no_change(regime):
    code, body = report("--from", regime, "--to", regime, FIXTURES)
    assert (code, body["changed"]) == (0, 0), body
    assert body["from"]["regime"] == regime


def test_2020_to_2022_over_the_fixtures_matches_a_second_computation():
    code, body = report("--from", "us-apl-2020", "--to", "us-apl-2022", FIXTURES)
    want_changed, want_matrix = expected(
        fixture_inputs(), (project_bundle(), "us-apl-2020"), (project_bundle(), "us-apl-2022")
    )
    assert body["changed"] == want_changed
    assert flat(body["matrix"]) == want_matrix
    assert code == (1 if want_changed else 0)


def test_2020_to_2022_over_10000_generated_activities_matches_a_second_computation(tmp_path):
    generate = load_bench_module("generate")
    path = generate.write_jsonl(tmp_path / "activities.jsonl", 10_000)
    activities = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    result = run("--from", "us-apl-2020", "--to", "us-apl-2022", "--format", "json", "-q", path)
    body = json.loads(result.stdout)
    want_changed, want_matrix = expected(
        activities, (project_bundle(), "us-apl-2020"), (project_bundle(), "us-apl-2022")
    )
    assert body["total"] == 10_000
    assert body["changed"] == want_changed > 0
    assert flat(body["matrix"]) == want_matrix
    # The generator makes some invalid documents: they exit 2, as eval does.
    assert result.exit_code == 2


def test_a_regime_against_a_bundle_pins_only_the_regime_side(flipped):
    code, body = report("--from", "us-apl-2022", "--to", flipped, FIXTURES)
    want_changed, want_matrix = expected(
        fixture_inputs(), (project_bundle(), "us-apl-2022"), (flipped, None)
    )
    assert (body["changed"], flat(body["matrix"])) == (want_changed, want_matrix)
    assert code == 1


# -- formats ------------------------------------------------------------------------------


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """Activities whose ids would break markdown or HTML if written as they are."""
    path = tmp_path / "odd.jsonl"
    docs = [
        {
            "id": "<script>alert(1)</script>|x",
            "action": "use",
            "munition": {"model": "M14"},
            "location": {"country": "DE"},
        },
        {
            "id": "a_b*c`d",
            "action": "use",
            "munition": {"model": "M14"},
            "location": {"country": "FR"},
        },
    ]
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    return path


def test_markdown_is_a_review_comment_with_the_matrix_and_escaped_cells(flipped, odd):
    result = run("--from", project_bundle(), "--to", flipped, "--format", "markdown", odd)
    assert result.exit_code == 1
    text = result.stdout
    assert text.startswith("### Policy impact:")
    assert "| **deny** | **2** |" in text  # deny -> permit, off the diagonal, in bold
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\|x" in text
    # Every table row has the same number of unescaped pipes as its header.
    rows = [line for line in text.splitlines() if line.startswith("| ") and "activity" not in line]
    change_rows = [r for r in rows if "violation P3" in r]
    assert len(change_rows) == 2
    assert all(len(re.findall(r"(?<!\\)\|", r)) == 6 for r in change_rows)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_escaped(flipped, odd):
    result = run("--from", project_bundle(), "--to", flipped, "--format", "html", odd)
    assert result.exit_code == 1
    page = result.stdout
    parser = _Tags()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    assert "script" not in names
    assert names.count("tr") >= 3
    for _, attrs in parser.tags:
        for key in ("src", "href"):
            assert attrs.get(key) in (None, "data:,"), attrs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|x" in page
    csp = [a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    assert "default-src 'none'" in (csp[0] or "")
    assert "script-src 'none'" in (csp[0] or "")


def test_table_names_each_change_and_ends_with_the_counts(flipped, odd):
    result = run("--from", project_bundle(), "--to", flipped, odd)
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[-1] == "2 activities decided under both: 2 changed, 0 unchanged."
    assert any("deny" in line and "permit" in line and "- violation P3" in line for line in lines)


# -- exit codes ---------------------------------------------------------------------------


def test_an_invalid_document_exits_2_and_is_counted_unchanged(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: typo\naction: use\nmunitoin: {model: M14}\n")
    code, body = report("--from", "HEAD", "--to", project_bundle(), path)
    assert code == 2
    assert body["matrix"]["invalid"]["invalid"] == 1
    assert body["changed"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "no-such-thing-here", "--to", "HEAD"],
        ["--from", "us-apl-1999", "--to", "HEAD"],
        ["--from", "regime:HEAD", "--to", "HEAD"],
        ["--from", "path:/no/such/dir", "--to", "HEAD"],
        ["--to", "HEAD"],
    ],
)
def test_what_names_no_policy_exits_2(args):
    result = run(*args, FIXTURES / "P1")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_bundle_opa_cannot_load_exits_3(tmp_path):
    broken = tmp_path / "rego"
    shutil.copytree(project_bundle(), broken)
    (broken / "apl" / "broken.rego").write_text("package apl\n\nthis is not rego\n")
    result = run("--from", project_bundle(), "--to", broken, FIXTURES / "P1")
    assert result.exit_code == 3
    assert "OPA" in result.output
