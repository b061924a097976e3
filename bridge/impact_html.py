"""The impact run as one self-contained HTML page: no script, no network, every piece of
text escaped. All of its markup and styles live here, so that they can be unified with
the other HTML pages of the project in one place."""

from __future__ import annotations

from html import escape

from bridge.impact import Change, Tally
from bridge.impact_render import Header, Writer, matrix_rows, summary_line

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1b1b}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #bbb;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}
.permit{color:#116611}.deny{color:#aa1111}.review{color:#8a6100}
.not_applicable{color:#1f4e99}.invalid{color:#7a1f7a}.off{font-weight:bold;background:#fff3d6}
.add{color:#aa1111}.rem{color:#116611}
"""


def _outcome(value: str) -> str:
    return f'<span class="{escape(value)}">{escape(value)}</span>'


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
        title = f"Policy impact: {h.title()}"
        out = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            # No network: nothing is fetched, not even a favicon; no script runs.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\">",
            '<link rel="icon" href="data:,">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>From {escape(h.before.describe())} to {escape(h.after.describe())}. "
            f"{escape(summary_line(tally))}</p>",
        ]
        if failure:
            out.append(f"<p><strong>Stopped before the end:</strong> {escape(failure)}</p>")
        header, rows = matrix_rows(tally)
        out.append('<table class="matrix"><tr>')
        out.append("".join(f'<th scope="col">{escape(c)}</th>' for c in header) + "</tr>")
        for row in rows:
            cells = [f'<th scope="row">{escape(row[0])}</th>']
            for i, count in enumerate(row[1:], start=1):
                off = row[0] not in ("total", header[i]) and i < len(row) - 1 and count != "0"
                cells.append(f'<td class="n{" off" if off else ""}">{escape(count)}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
        if self._changes:
            out.append(f'<h2>{tally.changed} changed</h2><table class="changes"><tr>')
            out.append(
                "<th>activity</th><th>from</th><th>to</th><th>findings added</th>"
                "<th>findings removed</th><th>reason before</th><th>reason after</th></tr>"
            )
            for c in self._changes:
                out.append(
                    f"<tr><td>{escape(c.label)}</td>"
                    f"<td>{_outcome(c.before.decision.value)}</td>"
                    f"<td>{_outcome(c.after.decision.value)}</td>"
                    f'<td class="add">{escape(", ".join(c.added) or "-")}</td>'
                    f'<td class="rem">{escape(", ".join(c.removed) or "-")}</td>'
                    f"<td>{escape(c.before.summary)}</td><td>{escape(c.after.summary)}</td></tr>"
                )
            out.append("</table>")
            if self._more:
                out.append(
                    f"<p>… and {self._more} more (<code>--format json</code> lists all).</p>"
                )
        out.append("</body></html>")
        self._write("\n".join(out) + "\n")
