"""The impact run as one self-contained HTML page in the project's page style (the report's
stylesheet, Jinja2 autoescaping, and a Content-Security-Policy that allows no script and
no network): bridge/report/templates/diff.html.j2."""

from __future__ import annotations

from bridge.impact import Change, Tally
from bridge.impact_render import Header, Writer, matrix_rows, summary_line
from bridge.report.page import render_page


class HtmlDiff:
    """Summary, matrix, then the changed activities (at most `limit` rows)."""

    def __init__(self, write: Writer, header: Header, *, limit: int) -> None:
        self._write = write
        self._header = header
        self._limit = limit
        self._changes: list[Change] = []
        self._more = 0

    def add(self, change: Change) -> None:
        if len(self._changes) < self._limit:
            self._changes.append(change)
        else:
            self._more += 1

    def finish(self, tally: Tally, failure: str | None = None) -> None:
        h = self._header
        header, rows = matrix_rows(tally)
        matrix = [
            {
                "label": row[0],
                "cells": [
                    {
                        "count": count,
                        # A changed decision: off the diagonal, neither total row nor column.
                        "off": row[0] not in ("total", header[i])
                        and i < len(row) - 1
                        and count != "0",
                    }
                    for i, count in enumerate(row[1:], start=1)
                ],
            }
            for row in rows
        ]
        changes = [
            {
                "label": c.label,
                "before": c.before.decision.value,
                "after": c.after.decision.value,
                "added": c.added,
                "removed": c.removed,
                "reason_before": c.before.summary,
                "reason_after": c.after.summary,
            }
            for c in self._changes
        ]
        self._write(
            render_page(
                "diff.html.j2",
                title=f"Policy impact: {h.title()}",
                before=h.before.describe(),
                after=h.after.describe(),
                summary_line=summary_line(tally),
                failure=failure,
                matrix_header=header,
                matrix_rows=matrix,
                changed=tally.changed,
                changes=changes,
                more=self._more,
            )
        )
