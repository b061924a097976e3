"""How an impact run is written: table (a terminal), json (scripts), markdown (a
pull-request review), html (bridge.impact_html, in the report's page style).

A renderer gets the changed activities one by one as they are decided (`add`) and the
counts at the end (`finish`). Table and json write as they go; markdown and html keep
the changed activities (never the unchanged ones) until the end, since their summary
comes first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bridge.impact import Change, Side, Tally

DiffFormat = Literal["table", "json", "markdown", "html"]
DIFF_FORMATS: tuple[DiffFormat, ...] = ("table", "json", "markdown", "html")
Writer = Callable[[str], None]

# A pull-request comment holds at most 65,536 characters: list this many changes, then
# say how many more there are.
MARKDOWN_ROWS = 100
HTML_ROWS = 5000


@dataclass(frozen=True, slots=True)
class Header:
    """What was compared."""

    before: Side
    after: Side

    def title(self) -> str:
        return f"{self.before.label} → {self.after.label}"


class DiffRenderer(Protocol):
    def add(self, change: Change) -> None: ...

    def finish(self, tally: Tally, failure: str | None = None) -> None: ...


def summary_line(tally: Tally) -> str:
    """One sentence with the counts."""
    if not tally.changed:
        return f"{tally.total} activities decided under both: no change."
    same = f" ({tally.findings_only} with the same decision but other findings)"
    return (
        f"{tally.total} activities decided under both: {tally.changed} changed"
        f"{same if tally.findings_only else ''}, {tally.total - tally.changed} unchanged."
    )


def matrix_rows(tally: Tally) -> tuple[list[str], list[list[str]]]:
    """The from->to matrix as a header and rows of text cells (outcomes that occur)."""
    outcomes = tally.outcomes()
    header = ["from ↓ to →", *(o.value for o in outcomes), "total"]
    rows = []
    for a in outcomes:
        counts = [tally.matrix.get((a, b), 0) for b in outcomes]
        rows.append([a.value, *(str(c) for c in counts), str(sum(counts))])
    totals = [sum(tally.matrix.get((a, b), 0) for a in outcomes) for b in outcomes]
    rows.append(["total", *(str(t) for t in totals), str(tally.total)])
    return header, rows


def _findings_text(items: list[str]) -> str:
    return ", ".join(items) if items else "-"


# -- table --------------------------------------------------------------------------------


class TableDiff:
    """Changed activities as they come, then the matrix and a summary."""

    def __init__(self, write: Writer, header: Header, *, width: int = 100) -> None:
        self._write = write
        self._width = width
        self._started = False
        write(f"impact: {header.before.describe()} → {header.after.describe()}\n")

    def add(self, change: Change) -> None:
        if not self._started:
            self._write(f"{'ID':<24} {'FROM':<15} {'TO':<15} CLAUSES\n")
            self._started = True
        clauses = "; ".join(
            part
            for part in (
                "+ " + ", ".join(change.added) if change.added else "",
                "- " + ", ".join(change.removed) if change.removed else "",
            )
            if part
        )
        line = (
            f"{_cut(change.label, 24):<24} {change.before.decision.value:<15} "
            f"{change.after.decision.value:<15} {clauses or '-'}"
        )
        self._write(_cut(line, self._width) + "\n")

    def finish(self, tally: Tally, failure: str | None = None) -> None:
        if self._started:
            self._write("\n")
        header, rows = matrix_rows(tally)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self._write("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + "\n")
        self._write(("stopped: " + failure if failure else summary_line(tally)) + "\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- json ---------------------------------------------------------------------------------


class JsonDiff:
    """One JSON object: what was compared, every change (streamed), then the counts."""

    def __init__(self, write: Writer, header: Header) -> None:
        self._write = write
        self._first = True
        head = {"from": _side_json(header.before), "to": _side_json(header.after)}
        write(json.dumps(head, ensure_ascii=False)[:-1] + ', "changes": [')

    def add(self, change: Change) -> None:
        self._write(("\n  " if self._first else ",\n  ") + json.dumps(change.to_json()))
        self._first = False

    def finish(self, tally: Tally, failure: str | None = None) -> None:
        tail = {
            "total": tally.total,
            "changed": tally.changed,
            "unchanged": tally.total - tally.changed,
            "findings_only": tally.findings_only,
            "matrix": tally.matrix_json(),
            "complete": failure is None,
        }
        if failure:
            tail["error"] = failure
        self._write("\n], " + json.dumps(tail)[1:] + "\n")


def _side_json(side: Side) -> dict[str, object]:
    return {
        "label": side.label,
        "kind": side.kind,
        "regime": side.regime,
        "bundle": str(side.bundle) if side.kind in ("directory", "archive") else None,
    }


# -- markdown -----------------------------------------------------------------------------


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (GitHub flavour)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "\\`")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("[", "\\[")
    )
    return " ".join(escaped.split())


@dataclass
class _Kept:
    changes: list[Change] = field(default_factory=list)
    more: int = 0


class MarkdownDiff:
    """A comment for a pull-request review: summary, matrix, then the changes (at most
    MARKDOWN_ROWS, inside a <details> block)."""

    def __init__(self, write: Writer, header: Header, *, limit: int = MARKDOWN_ROWS) -> None:
        self._write = write
        self._header = header
        self._limit = limit
        self._kept = _Kept()

    def add(self, change: Change) -> None:
        if len(self._kept.changes) < self._limit:
            self._kept.changes.append(change)
        else:
            self._kept.more += 1

    def finish(self, tally: Tally, failure: str | None = None) -> None:
        h = self._header
        out = [
            f"### Policy impact: `{md_cell(h.before.label)}` → `{md_cell(h.after.label)}`",
            "",
            f"From {md_cell(h.before.describe())} to {md_cell(h.after.describe())}. "
            + md_cell(summary_line(tally)),
            "",
        ]
        if failure:
            out += [f"**Stopped before the end:** {md_cell(failure)}", ""]
        header, rows = matrix_rows(tally)
        out.append("| " + " | ".join(md_cell(c) for c in header) + " |")
        out.append("|" + "---|" + "---:|" * (len(header) - 1))
        for row in rows:
            cells = [f"**{md_cell(row[0])}**"]
            for i, c in enumerate(row[1:], start=1):
                diagonal = i < len(row) - 1 and row[0] == header[i]
                cells.append(c if diagonal or c == "0" or row[0] == "total" else f"**{c}**")
            out.append("| " + " | ".join(cells) + " |")
        kept = self._kept.changes
        if kept:
            out += [
                "",
                f"<details><summary>{tally.changed} changed "
                f"activit{'y' if tally.changed == 1 else 'ies'}</summary>",
                "",
                "| activity | from | to | findings added | findings removed |",
                "|---|---|---|---|---|",
            ]
            out += [
                f"| {md_cell(c.label)} | {c.before.decision.value} | "
                f"{c.after.decision.value} | {md_cell(_findings_text(c.added))} | "
                f"{md_cell(_findings_text(c.removed))} |"
                for c in kept
            ]
            if self._kept.more:
                out += ["", f"… and {self._kept.more} more (`--format json` lists them all)."]
            out += ["", "</details>"]
        self._write("\n".join(out) + "\n")


def make_diff_renderer(
    fmt: DiffFormat, write: Writer, header: Header, *, width: int = 100
) -> DiffRenderer:
    if fmt == "table":
        return TableDiff(write, header, width=width)
    if fmt == "json":
        return JsonDiff(write, header)
    if fmt == "markdown":
        return MarkdownDiff(write, header)
    from bridge.impact_html import HtmlDiff  # noqa: PLC0415 - only when html is asked for

    return HtmlDiff(write, header, limit=HTML_ROWS)
