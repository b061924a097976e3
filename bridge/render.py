"""How decisions look on the way out: table, JSON, JSONL, YAML, JUnit, and the plain-
language accounts of `explain` and `clauses`.

Renderers are streaming: `add` is called once per decision, in input order, and writes
as soon as it can, so a run over a large input holds no more than a screenful in memory.
The machine formats (json, jsonl, yaml) write the contract's decision documents and
nothing else; where a document came from goes into the table, JUnit and stderr.
"""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import yaml

from bridge import fastjson
from bridge.evaluate import Result
from bridge.metadata import Clause
from bridge.models import Decision, Outcome

Format = Literal["table", "json", "jsonl", "yaml", "junit", "html"]
FORMATS: tuple[Format, ...] = ("table", "json", "jsonl", "yaml", "junit", "html")
Writer = Callable[[str], None]
Styler = Callable[[str, Outcome], str]

# The contract's field order: OPA sorts keys, people read them in this order.
_FIELD_ORDER = (
    "id",
    "decision",
    "allowed",
    "policy",
    "munition",
    "reason",
    "violations",
    "exceptions",
    "reviews",
    "obligations",
    "errors",
)


def ordered(document: Mapping[str, Any]) -> dict[str, Any]:
    head = {k: document[k] for k in _FIELD_ORDER if k in document}
    return head | {k: v for k, v in document.items() if k not in head}


@dataclass(frozen=True, slots=True)
class Row:
    """A result as a renderer sees it; `mismatch` is set when a scenario expected
    something else."""

    result: Result
    mismatch: tuple[str, ...] = ()

    @property
    def decision(self) -> Decision:
        return self.result.decision


@dataclass
class Summary:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    mismatches: int = 0
    input_errors: int = 0
    scenarios: bool = False
    failure: str | None = None  # OPA failed before the end: what happened

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, row: Row) -> None:
        self.counts[row.decision.decision] += 1
        if row.mismatch:
            self.mismatches += 1

    def line(self) -> str:
        noun = "scenario" if self.scenarios else "document"
        parts = [f"{n} {o.value}" for o, n in self.counts.items() if n]
        text = f"{self.total} {noun}{'' if self.total == 1 else 's'}"
        if parts:
            text += ": " + ", ".join(parts)
        if self.scenarios:
            text += (
                f"; {self.mismatches} not as expected"
                if self.mismatches
                else "; every one as expected"
            )
        if self.input_errors:
            n = self.input_errors
            text += f"; {n} unreadable input{'' if n == 1 else 's'}"
        if self.failure:
            text += "; stopped early: OPA failed"
        return text


class Renderer(Protocol):
    def add(self, row: Row) -> None: ...

    def finish(self, summary: Summary) -> None: ...


def _plain(text: str, outcome: Outcome) -> str:
    return text


# -- table ------------------------------------------------------------------------------------


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class TableRenderer:
    """Aligned columns (ID, DECISION, CLAUSES, REASON) within `width` columns.

    Column widths come from the first rows (up to `probe` of them are held back for
    that), so a short run is laid out exactly and a long one streams after the probe.
    When the ids leave too little room for a one-line reason, the reason goes on a line
    of its own under the id.
    """

    def __init__(
        self, write: Writer, *, width: int = 100, style: Styler = _plain, probe: int = 200
    ) -> None:
        self.write = write
        self.width = max(60, width)
        self.style = style
        self.probe = probe
        self._held: list[Row] | None = []
        self._id_w = 0
        self._cl_w = 0
        self._two_lines = False

    def _emit(self, line: str) -> None:
        self.write(line + "\n")

    def add(self, row: Row) -> None:
        if self._held is not None:
            self._held.append(row)
            if len(self._held) >= self.probe:
                self._flush_held()
            return
        self._row(row)

    def finish(self, summary: Summary) -> None:
        if self._held is not None:
            self._flush_held()
        self._emit(summary.line())

    def _flush_held(self) -> None:
        held, self._held = self._held or [], None
        self._id_w = min(max([len(_label(r)) for r in held], default=2), 48)
        self._cl_w = min(max([7, *(len(_clauses(r.decision)) for r in held)]), 20)
        self._id_w = max(self._id_w, 2)
        room = self.width - (self._id_w + 2 + 14 + 2 + self._cl_w + 2)
        self._two_lines = room < 40
        if self._two_lines:
            header = f"{'DECISION':<14}  {'CLAUSES':<{self._cl_w}}  ID / REASON"
        else:
            header = f"{'ID':<{self._id_w}}  {'DECISION':<14}  {'CLAUSES':<{self._cl_w}}  REASON"
        self._emit(header)
        for row in held:
            self._row(row)

    def _row(self, row: Row) -> None:
        decision = row.decision
        mark = "✗ " if row.mismatch else ""
        outcome = _fit(mark + decision.decision.value, 14)
        styled = self.style(f"{outcome:<14}", decision.decision)
        clauses = _fit(_clauses(decision), self._cl_w)
        reason = _reason(row)
        if self._two_lines:
            indent = 14 + 2 + self._cl_w + 2
            label = _fit(_label(row), self.width - indent)
            self._emit(f"{styled}  {clauses:<{self._cl_w}}  {label}")
            # The reason starts under CLAUSES: it needs the room more than the alignment.
            self._emit(" " * 16 + _fit(reason, self.width - 16))
        else:
            label = _fit(_label(row), self._id_w)
            room = self.width - (self._id_w + 2 + 14 + 2 + self._cl_w + 2)
            self._emit(
                f"{label:<{self._id_w}}  {styled}  {clauses:<{self._cl_w}}  {_fit(reason, room)}"
            )


def _label(row: Row) -> str:
    return row.result.document.label


def _clauses(decision: Decision) -> str:
    return ",".join(decision.clauses) or "-"


def _reason(row: Row) -> str:
    if row.mismatch:
        return "expected " + "; ".join(row.mismatch) + " | " + row.decision.summary
    return row.decision.summary


# -- machine formats ---------------------------------------------------------------------------


class JsonRenderer:
    """A JSON array of decision documents, written one element at a time."""

    def __init__(self, write: Writer) -> None:
        self.write = write
        self._count = 0

    def add(self, row: Row) -> None:
        body = json.dumps(ordered(row.decision.raw), indent=2, ensure_ascii=False)
        body = textwrap.indent(body, "  ")
        self.write(("[\n" if self._count == 0 else ",\n") + body)
        self._count += 1

    def finish(self, summary: Summary) -> None:
        self.write("[]\n" if self._count == 0 else "\n]\n")


class JsonlRenderer:
    """One compact decision document a line."""

    def __init__(self, write: Writer) -> None:
        self.write = write

    def add(self, row: Row) -> None:
        # `ordered` makes a new object and writing changes nothing: no copy of OPA's answer
        # is needed (a deep copy of each decision was a fifth of the CLI's CPU).
        doc = ordered(row.decision.raw)
        self.write(fastjson.compact(doc).decode("utf-8") + "\n")

    def finish(self, summary: Summary) -> None:
        return None


class YamlRenderer:
    """A YAML stream, one decision document each."""

    def __init__(self, write: Writer) -> None:
        self.write = write

    def add(self, row: Row) -> None:
        doc = ordered(row.decision.to_document())
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        self.write("---\n" + text)

    def finish(self, summary: Summary) -> None:
        return None


class JunitRenderer:
    """JUnit XML for CI: a test case per document; anything but permit (or, for
    scenarios, anything not as expected) fails it, and an invalid document is an error.
    Cases are spooled to a temporary file, since the totals come first in the XML."""

    def __init__(self, write: Writer, *, scenarios: bool = False) -> None:
        # Imported here: xml.sax.saxutils brings urllib.request, http.client and ssl, some
        # 10 ms on every start of the CLI, for the one format that needs it.
        from xml.sax import saxutils  # noqa: PLC0415

        self._escape, self._quote = saxutils.escape, saxutils.quoteattr
        self.write = write
        self.scenarios = scenarios
        self._cases = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024, mode="w+")  # noqa: SIM115
        self._tests = self._failures = self._errors = 0

    def add(self, row: Row) -> None:
        decision = row.decision
        self._tests += 1
        name = self._quote(_label(row))
        source = self._quote(row.result.document.where)
        self._cases.write(f"    <testcase classname={source} name={name}>\n")
        if decision.decision is Outcome.INVALID and not (self.scenarios and not row.mismatch):
            self._errors += 1
            self._cases.write(
                f'      <error type="invalid" message={self._quote(decision.summary)}>'
                f"{self._escape(_details(decision))}</error>\n"
            )
        elif (row.mismatch) if self.scenarios else (decision.decision is not Outcome.PERMIT):
            self._failures += 1
            message = _reason(row)
            self._cases.write(
                f"      <failure type={self._quote(decision.decision.value)} "
                f"message={self._quote(message)}>{self._escape(_details(decision))}</failure>\n"
            )
        self._cases.write("    </testcase>\n")

    def finish(self, summary: Summary) -> None:
        attrs = f'tests="{self._tests}" failures="{self._failures}" errors="{self._errors}"'
        self.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.write(f"<testsuites {attrs}>\n")
        self.write(f'  <testsuite name="apl-policy" {attrs}>\n')
        self._cases.seek(0)
        for line in self._cases:
            self.write(line)
        self._cases.close()
        self.write("  </testsuite>\n</testsuites>\n")


def _details(decision: Decision) -> str:
    lines = [f"decision: {decision.decision.value}", f"reason: {decision.summary}"]
    lines += [f"violation {v.clause}: {v.message}" for v in decision.violations]
    lines += [f"review {r.clause}: {r.message}" for r in decision.reviews]
    lines += [f"exception {x.exception} to {x.clause}: {x.message}" for x in decision.exceptions]
    lines += [f"obligation {o.clause}: {o.message}" for o in decision.obligations]
    lines += [f"error {e.field}: {e.message}" for e in decision.errors]
    return "\n".join(lines)


def make_renderer(
    fmt: Format,
    write: Writer,
    *,
    width: int = 100,
    style: Styler = _plain,
    scenarios: bool = False,
) -> Renderer:
    if fmt == "table":
        return TableRenderer(write, width=width, style=style)
    if fmt == "json":
        return JsonRenderer(write)
    if fmt == "jsonl":
        return JsonlRenderer(write)
    if fmt == "yaml":
        return YamlRenderer(write)
    if fmt == "html":
        from bridge.report.html import HtmlRenderer  # noqa: PLC0415 - loads Jinja2 only for a page

        return HtmlRenderer(write, scenarios=scenarios)
    return JunitRenderer(write, scenarios=scenarios)


# -- explain and clauses ---------------------------------------------------------------------


def _wrap(text: str, indent: str, width: int) -> list[str]:
    out: list[str] = []
    for paragraph in text.strip().split("\n\n"):
        out += textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent,
        ) or [indent.rstrip()]
    return out


def explain_text(result: Result, clauses: Iterable[Clause], *, width: int = 100) -> str:
    """A plain-language account of one decision: the munition, each clause with its source
    text and what it found, the exception, obligations, and the outcome."""
    doc, decision = result.document, result.decision
    lines = [doc.where if doc.label in (doc.source, doc.where) else f"{doc.label}  ({doc.where})"]
    if doc.scenario and doc.scenario.get("name"):
        lines += _wrap(str(doc.scenario["name"]), "", width)
    lines.append("")
    lines.append(f"Decision: {decision.decision.value.upper()}  {decision.summary}")
    if decision.decision is Outcome.INVALID:
        lines.append("")
        lines.append("The document does not meet the activity contract, so no clause was assessed:")
        lines += [f"  - {e.field}: {e.message}" for e in decision.errors]
        return "\n".join(lines)
    is_apl = {True: "an anti-personnel mine", False: "not an anti-personnel mine"}.get(
        decision.munition.is_apl,  # type: ignore[arg-type]
        "undetermined (it may be an anti-personnel mine)",
    )
    lines += ["", f"Munition: {is_apl}", *_wrap(decision.munition.basis, "  ", width)]
    policy = decision.policy
    lines += [f"Regime: {policy.id} ({policy.effective} to {policy.until or 'open'})"]
    lines += [line for n in decision.notices for line in _wrap(f"Notice: {n.message}", "  ", width)]
    if decision.decision is Outcome.NOT_APPLICABLE:
        lines += ["", "The policy does not apply, so no clause was assessed."]
        return "\n".join(lines)
    # The clauses of the regime the decision was taken under, and the shared definitions.
    for clause in (c for c in clauses if c.regime in ("", decision.policy.id)):
        lines.append("")
        lines.append(f"{clause.id}  {clause.short_title}")
        lines += _wording(clause, width)
        lines += [f"  → {line}" for line in clause_findings(decision, clause)]
    if decision.obligations:
        lines += ["", "Obligations:"]
        lines += [f"  - {o.clause}: {o.message}" for o in decision.obligations]
    return "\n".join(lines)


def _wording(clause: Clause, width: int) -> list[str]:
    """The clause's official text and the article's, as its METADATA quotes them."""
    lines: list[str] = []
    if clause.official:
        source = f" ({clause.official_source})" if clause.official_source else ""
        lines += _wrap(f"Official text{source}: “{clause.official}”", "  ", width)
    if clause.article:
        lines += _wrap(f"Article: “{clause.article}”", "  ", width)
    return lines


def clause_findings(decision: Decision, clause: Clause) -> list[str]:
    if clause.kind == "exception":
        applied = [x for x in decision.exceptions if x.exception == clause.id]
        if not applied:
            return ["not applied"]
        return [f"applied to {x.clause}: {x.message}" for x in applied]
    found = [f"VIOLATED: {v.message}" for v in decision.violations if v.clause == clause.id]
    found += [f"needs review: {r.message}" for r in decision.reviews if r.clause == clause.id]
    found += [
        f"excepted ({x.exception}): {x.message}"
        for x in decision.exceptions
        if x.clause == clause.id
    ]
    found += [f"obligation: {o.message}" for o in decision.obligations if o.clause == clause.id]
    if found:
        return found
    return ["nothing to note" if clause.kind == "definitions" else "not violated"]


def clauses_text(clauses: Iterable[Clause], *, width: int = 100) -> str:
    lines: list[str] = []
    regime = None
    for clause in clauses:
        if clause.regime != regime:
            # A heading for each regime's clauses (and for the definitions they share).
            regime = clause.regime
            lines += [*([""] if lines else []), f"== {regime or 'every regime'} =="]
        if lines:
            lines.append("")
        lines.append(f"{clause.id}  {clause.short_title}")
        if clause.applies_to:
            lines.append(f"  applies to: {', '.join(clause.applies_to)}")
        lines += _wording(clause, width)
        lines += [f"  source: {ref}" for ref, _ in clause.references if ref]
        lines.append(f"  policy: {clause.package} ({_relative(clause.file)})")
    return "\n".join(lines)


def _relative(file: str) -> str:
    try:
        return os.path.relpath(file)
    except ValueError:
        return file


def clauses_json(clauses: Iterable[Clause]) -> str:
    return json.dumps(
        [
            {
                "id": c.id,
                "regime": c.regime or None,
                "kind": c.kind,
                "title": c.title,
                "official": c.official,
                "official_source": c.official_source,
                "article": c.article,
                "description": c.description,
                "applies_to": list(c.applies_to),
                "references": [{"ref": r, "description": d} for r, d in c.references],
                "package": c.package,
                "file": c.file,
            }
            for c in clauses
        ],
        indent=2,
        ensure_ascii=False,
    )
