"""The whole policy as a decision table, decided by the real policy through a real OPA.

    python -m bridge.decision_table --out docs        # what `make decision-table` runs

Every combination of the abstract domain of POLICY.md section 7 is built as an activity
document, sent to a private OPA on the bundle (`data.apl.batch`) once per regime the
bundle's data lists (the document's `regime` pinned), and the rows of equal outcome are
merged so that a person can read the table. Two pages come out of the one run:
`decision-table.md` (a section per action, a column per regime) and `what-changed.md`
(the impact between consecutive regimes, in numbers and sentences).

The output depends only on the bundle: no date, host or timing is written, so that
`make check-decision-table` can regenerate it and compare byte for byte.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge import schema
from bridge.client import OpaPolicyClient
from bridge.errors import BridgeError
from bridge.evaluate import evaluate
from bridge.impact import findings, sort_findings
from bridge.loading import Document
from bridge.models import Decision, Outcome
from bridge.regimes import Regime, load_regimes
from bridge.server import LocalOpa, project_bundle

# -- the abstract domain (POLICY.md section 7) -------------------------------------------

US = "US"
OTHER_STATE = "GB"  # any state but the US: the policies govern US conduct only
OTHER_PARTY = "UA"  # the party an assist helps
NONE = "(none)"

# (name shown, munition object). The nine kinds of POLICY.md section 7, and one more where
# the contract has the field: remotely delivered persistent APL, the one kind the 2025
# interim text singles out (without it its only violation would not show in the table).
_MUNITIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "persistent APL",
        {"category": "anti_personnel", "activation": "victim", "self_destructing": False},
    ),
    (
        "remotely delivered persistent APL",
        {
            "category": "anti_personnel",
            "activation": "victim",
            "self_destructing": False,
            "remotely_delivered": True,
        },
    ),
    (
        "non-persistent APL",
        {"category": "anti_personnel", "activation": "victim", "self_destructing": True},
    ),
    ("APL of unknown persistence", {"category": "anti_personnel", "activation": "victim"}),
    ("mixed system", {"category": "mixed"}),
    ("command-detonated", {"category": "anti_personnel", "activation": "command"}),
    ("anti-vehicle", {"category": "anti_vehicle", "activation": "vehicle"}),
    ("anti-vehicle set off by a person", {"category": "anti_vehicle", "activation": "victim"}),
    ("not a mine", {"category": "not_a_mine"}),
    ("undetermined", {"model": "unidentified"}),
)

# The kinds that are APL (POLICY.md section 1), named as a group where a row holds them all.
APL_KINDS = frozenset(
    {
        "persistent APL",
        "remotely delivered persistent APL",
        "non-persistent APL",
        "APL of unknown persistence",
        "mixed system",
        "anti-vehicle set off by a person",
    }
)

# (name shown, location object or None). Contested: the country says off, the
# coordinates (Seoul) say on.
_SEOUL = {"lat": 37.57, "lon": 126.98}
PLACES: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("on the peninsula", {"country": "KR"}),
    ("off the peninsula", {"country": "DE"}),
    ("contested", {"country": "DE", "coordinates": _SEOUL}),
    (NONE, None),
)


def munitions() -> tuple[tuple[str, dict[str, Any]], ...]:
    """The munition kinds whose fields the contract's schema knows."""
    known = set(schema.load("activity")["$defs"]["munition"]["properties"])
    return tuple((n, m) for n, m in _MUNITIONS if set(m) <= known)


def _fields() -> dict[str, Any]:
    props: dict[str, Any] = schema.load("activity")["$defs"]["fields"]["properties"]
    return props


def actions() -> list[str]:
    return [a for a in _fields()["action"]["enum"] if a != "assist"]


def purposes() -> list[str]:
    return [*_fields()["purpose"]["enum"], NONE]


def modes() -> list[str]:
    return list(_fields()["mode"]["enum"])


def pins_regimes() -> bool:
    """Whether the contract has a `regime` field to pin (contract 2.0)."""
    return "regime" in _fields()


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """One action's part of the domain: its dimensions, in column order."""

    action: str
    dimensions: tuple[Dimension, ...]

    def combinations(self) -> Iterator[tuple[str, ...]]:
        return itertools.product(*(d.values for d in self.dimensions))

    @property
    def size(self) -> int:
        n = 1
        for d in self.dimensions:
            n *= len(d.values)
        return n


def sections() -> list[Section]:
    munition = Dimension("munition", tuple(n for n, _ in munitions()))
    place = Dimension("place", tuple(n for n, _ in PLACES))
    purpose = Dimension("purpose", tuple(purposes()))
    actor = Dimension("actor", (US, "not US"))
    out = []
    for action in actions():
        dims = [munition, place, purpose]
        if action == "use":
            # Interpretation: a regional security assessment changes P3's outcome, so the
            # use section carries it as a dimension of its own.
            dims.append(Dimension("security assessment", ("none", "given")))
        out.append(Section(action, (*dims, actor)))
    assisted = Dimension("assisted action", tuple(actions()))
    out.append(
        Section(
            "assist",
            (Dimension("mode", tuple(modes())), assisted, munition, place, purpose, actor),
        )
    )
    return out


def activity(section: Section, values: Sequence[str]) -> dict[str, Any]:
    """The activity document for one combination."""
    v = dict(zip((d.name for d in section.dimensions), values, strict=True))
    core: dict[str, Any] = {"munition": dict(dict(munitions())[v["munition"]])}
    location = dict(PLACES)[v["place"]]
    if location is not None:
        core["location"] = location
    if v["purpose"] != NONE:
        core["purpose"] = v["purpose"]
    actor = US if v["actor"] == US else OTHER_STATE
    if section.action == "assist":
        return {
            "action": "assist",
            "actor": actor,
            "mode": v["mode"],
            "assisted_activity": {"action": v["assisted action"], "actor": OTHER_PARTY, **core},
        }
    doc = {"action": section.action, "actor": actor, **core}
    if v.get("security assessment") == "given":
        doc["regional_security_assessment"] = "RSA-1 (a formal assessment)"
    return doc


# -- deciding -----------------------------------------------------------------------------


def cell(decision: Decision) -> str:
    """What a table cell says: the outcome and its findings."""
    found = sort_findings(findings(decision))
    return decision.decision.value + (f" ({'; '.join(found)})" if found else "")


@dataclass
class Run:
    regimes: list[Regime]
    sections: list[Section]
    # section action -> combination -> one cell per regime
    cells: dict[str, dict[tuple[str, ...], tuple[str, ...]]]
    outcomes: dict[str, dict[tuple[str, ...], tuple[Outcome, ...]]]


def decide_all(bundle: Path, *, batch_size: int = 100, workers: int = 2) -> Run:
    regimes = load_regimes(bundle)
    pin = pins_regimes() and len(regimes) > 1
    secs = sections()
    total = sum(s.size for s in secs)
    cells: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(dict)
    outs: dict[str, dict[tuple[str, ...], list[Outcome]]] = defaultdict(dict)
    with (
        LocalOpa(bundle) as server,
        OpaPolicyClient(server.url, token=server.token, timeout=300.0) as client,
    ):
        for regime in regimes:

            def documents(regime: Regime = regime) -> Iterator[Document]:
                n = 0
                for section in secs:
                    for combo in section.combinations():
                        n += 1
                        doc = activity(section, combo)
                        doc["id"] = f"{section.action}:{n}"
                        if pin:
                            doc["regime"] = regime.id
                        yield Document("decision-table", n, "combination", doc)

            keys = ((s, c) for s in secs for c in s.combinations())
            started = time.monotonic()
            for (section, combo), result in zip(
                keys,
                evaluate(documents(), client, batch_size=batch_size, workers=workers),
                strict=True,
            ):
                d = result.decision
                if d.decision is Outcome.INVALID:
                    raise SystemExit(
                        f"decision-table: the policy found {result.document.activity} invalid: "
                        f"{d.summary}; the generator builds a document the contract refuses"
                    )
                cells[section.action].setdefault(combo, []).append(cell(d))
                outs[section.action].setdefault(combo, []).append(d.decision)
            sys.stderr.write(
                f"decision-table: {regime.id}: {total} decisions in "
                f"{time.monotonic() - started:.0f}s\n"
            )
    return Run(
        regimes,
        secs,
        {a: {k: tuple(v) for k, v in m.items()} for a, m in cells.items()},
        {a: {k: tuple(v) for k, v in m.items()} for a, m in outs.items()},
    )


# -- merging rows of equal outcome ---------------------------------------------------------

Cube = tuple[frozenset[str], ...]


def _merge_once(rows: dict[Cube, Any], order: Sequence[int]) -> dict[Cube, Any]:
    for dim in order:
        groups: dict[tuple[Any, ...], tuple[set[str], Cube]] = {}
        for cube, value in rows.items():
            key = (*cube[:dim], *cube[dim + 1 :], value)
            if key in groups:
                groups[key][0].update(cube[dim])
            else:
                groups[key] = (set(cube[dim]), cube)
        merged: dict[Cube, Any] = {}
        for key, (values, cube) in groups.items():
            merged[(*cube[:dim], frozenset(values), *cube[dim + 1 :])] = key[-1]
        rows = merged
    return rows


def merge(table: dict[tuple[str, ...], Any], ndims: int) -> dict[Cube, Any]:
    """Rows of equal value merged into products of value sets (greedy, to a fixed point,
    over several orders of the dimensions; the fewest rows win)."""
    start: dict[Cube, Any] = {tuple(frozenset([v]) for v in k): val for k, val in table.items()}
    best: dict[Cube, Any] | None = None
    orders = [list(range(ndims)), list(reversed(range(ndims)))]
    orders += [[*range(i, ndims), *range(i)] for i in range(1, ndims)]
    for order in orders:
        rows = start
        while True:
            merged = _merge_once(rows, order)
            if len(merged) == len(rows):
                break
            rows = merged
        if best is None or len(rows) < len(best):
            best = rows
    assert best is not None  # noqa: S101 - at least one order was tried
    return best


def _values_text(values: frozenset[str], domain: Sequence[str]) -> str:
    if len(values) == len(domain):
        return "any"
    listed = [v for v in domain if v in values]
    rest = [v for v in domain if v not in values]
    if len(listed) > 2 and len(rest) <= 2:
        return "any but " + " or ".join(rest)
    apl = [v for v in domain if v in APL_KINDS]
    if len(apl) > 2 and set(apl) <= values:
        # The APL kinds (POLICY.md section 1) named once as a group.
        return ", ".join(["every kind of APL", *(v for v in listed if v not in APL_KINDS)])
    return ", ".join(listed)


def _sort_key(cube: Cube, section: Section) -> tuple[Any, ...]:
    # The actor first: the US rows, then the one row that says the rest is not governed.
    actor = section.dimensions[-1]
    first = min(actor.values.index(v) for v in cube[-1])
    return (first, *_value_order(cube, section))


def _value_order(cube: Cube, section: Section) -> tuple[int, ...]:
    return tuple(
        min(d.values.index(v) for v in values)
        for values, d in zip(cube, section.dimensions, strict=True)
    )


# -- writing ------------------------------------------------------------------------------

GENERATED = (
    "<!-- Generated by `make decision-table` (python -m bridge.decision_table) from the "
    "policy in rego/, decided by a real OPA. Do not edit: `make check-decision-table` fails "
    "when this file is stale. -->"
)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("_", "\\_")


def _regime_head(regime: Regime) -> str:
    return f"{regime.id}<br>{regime.span}"


def decision_table(run: Run) -> str:
    total = sum(s.size for s in run.sections)
    merged_rows: dict[str, list[tuple[Cube, tuple[str, ...]]]] = {}
    for section in run.sections:
        cubes = merge(run.cells[section.action], len(section.dimensions))
        merged_rows[section.action] = sorted(
            cubes.items(), key=lambda item: _sort_key(item[0], section)
        )
    n_rows = sum(len(r) for r in merged_rows.values())
    ids = ", ".join(f"`{r.id}`" for r in run.regimes)
    out = [
        GENERATED,
        "",
        "# The whole policy as a decision table",
        "",
        f"Every combination of the abstract domain of POLICY.md section 7, decided by the "
        f"policy in `rego/` under every regime its data lists ({ids}): "
        f"{total} combinations a regime, {total * len(run.regimes)} decisions, merged into "
        f"{n_rows} rows. A row stands for every combination of the values in its cells "
        '("any": every value of that column); the regime columns give the decision and the '
        "clause findings behind it (`violation`, `review`, `exception KOREA` on a clause, "
        "`obligation`). How the domain is built and what each value means: "
        "[decision-table domain](impact.md#the-decision-table).",
        "",
        "Contents: "
        + ", ".join(
            f"[{s.action}](#{s.action}) ({len(merged_rows[s.action])} rows)" for s in run.sections
        ),
        "",
    ]
    for section in run.sections:
        rows = merged_rows[section.action]
        out += [
            f"## {section.action}",
            "",
            f"{section.size} combinations a regime, {len(rows)} rows.",
            "",
        ]
        head = [d.name for d in section.dimensions] + [_regime_head(r) for r in run.regimes]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for cube, value in rows:
            cells = [
                _md(_values_text(vals, d.values))
                for vals, d in zip(cube, section.dimensions, strict=True)
            ]
            shifted = [
                f"**{_md(v)}**" if i and v != value[i - 1] else _md(v) for i, v in enumerate(value)
            ]
            out.append("| " + " | ".join(cells + shifted) + " |")
        out.append("")
    out.append(
        "A regime's cell in **bold** differs from the regime before it (the column to its left)."
    )
    return "\n".join(out) + "\n"


def what_changed(run: Run) -> str:
    total = sum(s.size for s in run.sections)
    out = [
        GENERATED,
        "",
        "# What changed between the regimes",
        "",
        f"From the same run as [the decision table](decision-table.md): each of the {total} "
        "combinations of the abstract domain decided under each regime, compared between "
        "consecutive regimes. A combination changes when its decision or its clause findings "
        "differ (as `apl-policy diff` counts). Only US conduct is governed: the activities of "
        "other states are `not_applicable` under every regime, so every change below is the "
        "US's.",
        "",
    ]
    if len(run.regimes) < 2:
        out.append(f"The bundle holds one regime ({run.regimes[0].id}): nothing to compare.")
        return "\n".join(out) + "\n"
    for i in range(len(run.regimes) - 1):
        out += _pair(run, i, i + 1, total)
    return "\n".join(out) + "\n"


SENTENCES = 12  # the largest flips told in words per pair; the table has the rest


def _pair(run: Run, i: int, j: int, total: int) -> list[str]:
    a, b = run.regimes[i], run.regimes[j]
    matrix: Counter[tuple[Outcome, Outcome]] = Counter()
    changed = findings_only = 0
    per_action: dict[str, int] = {}
    flipped: list[tuple[int, str]] = []
    for section in run.sections:
        outs, cells = run.outcomes[section.action], run.cells[section.action]
        flips: dict[tuple[str, ...], tuple[str, str]] = {}
        moved = 0
        for combo, vector in outs.items():
            matrix[(vector[i], vector[j])] += 1
            if cells[combo][i] != cells[combo][j]:
                moved += 1
                if vector[i] is vector[j]:
                    findings_only += 1
                else:
                    flips[combo] = (vector[i].value, vector[j].value)
        per_action[section.action] = moved
        changed += moved
        # The decisions that flip, merged like the table's rows, each told in one line.
        for cube, (was, now) in merge(flips, len(section.dimensions)).items():
            count = 1
            for vals in cube:
                count *= len(vals)
            where = "; ".join(
                f"{d.name} {_values_text(vals, d.values)}"
                for vals, d in zip(cube, section.dimensions, strict=True)
                if len(vals) != len(d.values) and not (d.name == "actor" and vals == {US})
            )
            flipped.append(
                (
                    count,
                    f"- **{section.action}**{', ' + _md(where) if where else ''}: "
                    f"{_md(was)} under `{a.id}`, {_md(now)} under `{b.id}` "
                    f"({count} combination{'s' if count != 1 else ''}).",
                )
            )
    flipped.sort(key=lambda t: (-t[0], t[1]))
    flips_text = ", ".join(
        f"{n} from {x.value} to {y.value}"
        for n, x, y in sorted(
            ((n, x, y) for (x, y), n in matrix.items() if x is not y),
            key=lambda t: (-t[0], t[1], t[2]),
        )
    )
    moved_text = ", ".join(f"{k} {v}" for k, v in per_action.items() if v) or "none"
    out = [
        f"## `{a.id}` → `{b.id}`",
        "",
        f"{changed} of {total} combinations change ({100 * changed / total:.1f}%): "
        f"{changed - findings_only} change decision ({flips_text or 'none'}), "
        f"{findings_only} keep their decision on other findings. By action: {moved_text}.",
        "",
    ]
    outcomes = [o for o in Outcome if any(o in pair for pair in matrix)]
    out.append("| from ↓ to → | " + " | ".join(_md(o.value) for o in outcomes) + " |")
    out.append("|---|" + "---:|" * len(outcomes))
    for x in outcomes:
        out.append(
            f"| {_md(x.value)} | " + " | ".join(str(matrix.get((x, y), 0)) for y in outcomes) + " |"
        )
    if not flipped:
        return [*out, "", "No decision changes.", ""]
    shown = flipped[:SENTENCES]
    out += ["", f"The largest changes of decision ({len(shown)} of {len(flipped)}):", ""]
    out += [line for _, line in shown]
    if len(flipped) > len(shown):
        out += [
            "",
            f"{len(flipped) - len(shown)} smaller ones: see [the table](decision-table.md).",
        ]
    return [*out, ""]


def write(run: Run, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = {
        "decision-table.md": decision_table(run),
        "what-changed.md": what_changed(run),
    }
    paths = []
    for name, text in pages.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder to write into")
    parser.add_argument("--bundle", type=Path, default=None, help="bundle (default rego/)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        run = decide_all(args.bundle or project_bundle())
    except BridgeError as exc:
        sys.stderr.write(f"decision-table: {exc}\n")
        return 3
    for path in write(run, args.out):
        sys.stderr.write(f"decision-table: wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
