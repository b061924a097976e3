"""`apl-policy report`: the decisions as one self-contained HTML page.

`HtmlRenderer` is a renderer like the others in `bridge.render` (`add` once per decision,
in input order, then `finish`), so the report runs eval's own pipeline and keeps its
memory flat: each activity's row is rendered as it arrives and spooled to a temporary
file; what the page's head needs (counts, clauses, policies, notices, map markers, places)
is tallied in structures whose size is capped, not proportional to the input.

Interpretations, where a reader of the page needs a choice made:
- The table keeps the first TABLE_ROWS_PER_DECISION activities of each decision, in input
  order, and says how many of each it leaves out: a deny late in a long run is still
  shown, and the page stays small enough to open.
- An activity is placed by its own `location`, or, for an assist without one, by the
  assisted activity's (the place P4 looks at). Coordinates win over country and region
  for the map; country and region alone are listed beside it.
- Activities with the same decision within 0.01 degrees (about 1 km, under a pixel at the
  map's scale) share one marker, which counts them; at most MAX_MARKERS markers are drawn,
  and the activities past that are counted in the legend.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bridge.metadata import Clause, load_clauses
from bridge.models import Decision, Outcome
from bridge.render import Row, Summary, Writer, clause_findings
from bridge.report import geo
from bridge.report.page import environment, generate_page

TABLE_ROWS_PER_DECISION = 500
MAX_MARKERS = 5000
MAX_PLACES = 300
MAX_POLICIES = 50
MAX_NOTICES = 100
MAX_SOURCES = 3
MARKER_IDS = 5
OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)


@dataclass
class Marker:
    point: geo.Point
    decision: Outcome
    count: int = 0
    labels: list[str] = field(default_factory=list)
    anchor: str | None = None  # the first of its activities kept in the table


@dataclass
class Place:
    """Activities placed only by country and/or region."""

    country: str
    region: str
    counts: Counter[Outcome] = field(default_factory=Counter)


def _text(value: object) -> str:
    """A document's value as text (it may be anything in an invalid document)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return repr(value)[:200]


def _short(text: str, limit: int = 200) -> str:
    """Text kept beyond a row (in a marker or a place) is cut, so what is held stays small."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def munition_text(munition: object) -> str:
    m = _dict(munition)
    name = _text(m.get("model")) or _text(m.get("category")).replace("_", " ")
    quantity = m.get("quantity")
    counted = isinstance(quantity, int) and not isinstance(quantity, bool)
    parts = [f"{quantity:,}" if counted else "", name]
    extra = [_text(m.get("activation"))] if m.get("activation") and m.get("model") else []
    text = " ".join(p for p in parts if p)
    return f"{text} ({', '.join(extra)})" if extra else text


def location_text(location: object) -> str:
    loc = _dict(location)
    parts = []
    if loc.get("country") is not None:
        parts.append(_text(loc.get("country")))
    if loc.get("region") is not None:
        parts.append(_text(loc.get("region")))
    point = geo.coordinates_of(loc)
    if point is not None:
        parts.append(f"{point[1]:g}, {point[0]:g}")
    return " · ".join(parts)


def _place(activity: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The location the map uses, and whether it is the assisted activity's."""
    own = _dict(activity.get("location"))
    if own or activity.get("action") != "assist":
        return own, False
    return _dict(_dict(activity.get("assisted_activity")).get("location")), True


def _version() -> str:
    try:
        return version("apl-policy")
    except PackageNotFoundError:
        return "unknown"


class HtmlRenderer:
    """Writes the report page to `write` when `finish` is called; `add` spools a row."""

    def __init__(  # noqa: PLR0913 - the page's sources, given by tests, else the bundle's
        self,
        write: Writer,
        *,
        scenarios: bool = False,
        clauses: list[Clause] | None = None,
        peninsula: geo.Peninsula | None = None,
        rows_per_decision: int = TABLE_ROWS_PER_DECISION,
        max_markers: int = MAX_MARKERS,
    ) -> None:
        self.write = write
        self.scenarios = scenarios
        self.clauses = clauses if clauses is not None else load_clauses()
        self.peninsula = peninsula if peninsula is not None else geo.load_peninsula()
        self.rows_per_decision = rows_per_decision
        self.max_markers = max_markers
        self._row_template = environment().get_template("activity.html.j2")
        self._rows = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+")  # noqa: SIM115 - closed in finish
        self.n = 0
        self.counts: Counter[Outcome] = Counter()
        self.kept: Counter[Outcome] = Counter()
        # (regime, clause) -> how many decisions found what, by kind
        self.clause_counts: dict[tuple[str, str], Counter[str]] = {}
        self.policies: Counter[tuple[str, str, str]] = Counter()  # (id, effective, until)
        self.policies_left_out = 0
        self.revisions: Counter[str] = Counter()
        self.revisions_left_out = 0
        self.notices: Counter[tuple[str, str]] = Counter()
        self.notices_left_out = 0
        self.markers: dict[tuple[float, float, Outcome], Marker] = {}
        self.markers_left_out = 0
        self.located = 0
        self.places: dict[tuple[str, str], Place] = {}
        self.places_left_out: Counter[Outcome] = Counter()
        self.unlocated: Counter[Outcome] = Counter()
        self.sources: list[str] = []
        self.more_sources = 0
        self.source_count = 0
        self.common_dir: str | None = None
        self._last_source: str | None = None

    # -- per decision ----------------------------------------------------------------------

    def add(self, row: Row) -> None:
        self.n += 1
        decision = row.decision
        outcome = decision.decision
        self.counts[outcome] += 1
        doc = row.result.document
        self._note_source(doc.source)
        self._tally_clauses(decision)
        self._tally_policy(decision)
        anchor = None
        if self.kept[outcome] < self.rows_per_decision:
            self.kept[outcome] += 1
            anchor = f"a-{self.n}"
            self._rows.write(self._row_template.render(a=self._view(row, anchor)))
        activity = doc.activity if isinstance(doc.activity, dict) else {}
        self._tally_place(activity, outcome, doc.label, anchor)

    def _note_source(self, source: str) -> None:
        if source == self._last_source:
            return
        self._last_source = source
        if source in self.sources:
            return
        self.source_count += 1
        folder = str(Path(source).parent)
        self.common_dir = (
            folder if self.common_dir is None else _common_dir(self.common_dir, folder)
        )
        if len(self.sources) < MAX_SOURCES:
            self.sources.append(source)
        else:
            self.more_sources += 1

    def _tally_clauses(self, decision: Decision) -> None:
        groups = {
            "violation": {v.clause for v in decision.violations},
            "review": {r.clause for r in decision.reviews},
            "exception": {x.clause for x in decision.exceptions},
            "obligation": {o.clause for o in decision.obligations},
        }
        for kind, clauses in groups.items():
            for clause in clauses:
                key = (decision.policy.id, clause)
                self.clause_counts.setdefault(key, Counter())[kind] += 1

    def _tally_policy(self, decision: Decision) -> None:
        policy = decision.policy
        key = (policy.id, policy.effective, policy.until or "")
        if key in self.policies or len(self.policies) < MAX_POLICIES:
            self.policies[key] += 1
        else:
            self.policies_left_out += 1
        if policy.revision in self.revisions or len(self.revisions) < MAX_POLICIES:
            self.revisions[policy.revision] += 1
        else:
            self.revisions_left_out += 1
        for notice in _notices(decision):
            if notice in self.notices or len(self.notices) < MAX_NOTICES:
                self.notices[notice] += 1
            else:
                self.notices_left_out += 1

    def _tally_place(
        self, activity: dict[str, Any], outcome: Outcome, label: str, anchor: str | None
    ) -> None:
        location, _assisted = _place(activity)
        point = geo.coordinates_of(location)
        if point is not None:
            self.located += 1
            key = (round(point[0], 2), round(point[1], 2), outcome)
            marker = self.markers.get(key)
            if marker is None:
                if len(self.markers) >= self.max_markers:
                    self.markers_left_out += 1
                    return
                marker = self.markers[key] = Marker(point, outcome)
            marker.count += 1
            if len(marker.labels) < MARKER_IDS:
                marker.labels.append(_short(label))
            if marker.anchor is None:
                marker.anchor = anchor
            return
        country = _short(_text(location.get("country")))
        region = _short(_text(location.get("region")))
        if not country and not region:
            self.unlocated[outcome] += 1
            return
        place = self.places.get((country, region))
        if place is None:
            if len(self.places) >= MAX_PLACES:
                self.places_left_out[outcome] += 1
                return
            place = self.places[(country, region)] = Place(country, region)
        place.counts[outcome] += 1

    def _view(self, row: Row, anchor: str) -> dict[str, Any]:
        """What the row template shows of one activity and its decision."""
        doc, decision = row.result.document, row.decision
        activity = doc.activity if isinstance(doc.activity, dict) else {}
        assisted = _dict(activity.get("assisted_activity"))
        action = _text(activity.get("action"))
        munition = munition_text(activity.get("munition"))
        if action == "assist" and assisted:
            munition = " ".join(
                p
                for p in (_text(assisted.get("action")), munition_text(assisted.get("munition")))
                if p
            )
        location, assisted_place = _place(activity)
        scenario = doc.scenario or {}
        return {
            "anchor": anchor,
            "n": self.n,
            "label": doc.label,
            "where": doc.where,
            "scenario": _text(scenario.get("name")) if self.scenarios else "",
            "mismatch": row.mismatch,
            "action": action,
            "munition": munition,
            "location": location_text(location),
            "assisted_place": assisted_place,
            "decision": decision.decision.value,
            "clauses": decision.clauses,
            "reason": decision.summary,
            "is_apl": decision.munition.is_apl,
            "basis": decision.munition.basis,
            "policy": decision.policy,
            "until": decision.policy.until or "",
            "errors": decision.errors,
            "exceptions": decision.exceptions,
            "obligations": decision.obligations,
            "notices": _notices(decision),
            "accounts": self._accounts(decision),
        }

    def _accounts(self, decision: Decision) -> list[dict[str, Any]]:
        """Each clause's finding, as `explain` gives it; the wording of the clauses the
        decision cites is repeated in the row, the others link to the clauses section."""
        if decision.decision in (Outcome.INVALID, Outcome.NOT_APPLICABLE):
            return []
        cited = set(decision.clauses) | {x.exception for x in decision.exceptions}
        return [
            {
                "clause": clause,
                "findings": clause_findings(decision, clause),
                "cited": clause.id in cited,
                "anchor": _anchor(clause),
            }
            for clause in self.clauses
            if _regime(clause) in (None, decision.policy.id)
        ]

    # -- the page --------------------------------------------------------------------------

    def finish(self, summary: Summary) -> None:
        try:
            for chunk in generate_page("report.html.j2", "report.js", **self._context(summary)):
                self.write(chunk)
        finally:
            self._rows.close()

    def _spooled_rows(self) -> Iterator[Markup]:
        self._rows.seek(0)
        while chunk := self._rows.read(256 * 1024):
            yield Markup(chunk)  # noqa: S704 - rows rendered by our autoescaping template

    def _context(self, summary: Summary) -> dict[str, Any]:
        counts = {o: summary.counts.get(o, 0) for o in OUTCOMES}
        total = summary.total
        return {
            "title": "APL policy report",
            "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "version": _version(),
            "summary": summary,
            "summary_line": summary.line(),
            "noun": "scenario" if self.scenarios else "document",
            "total": total,
            "counts": counts,
            "max_count": max([1, *counts.values()]),
            "sources": self.sources,
            "more_sources": self.more_sources,
            "source_count": self.source_count,
            "common_dir": self.common_dir or "",
            "clause_rows": self._clause_rows(),
            "policies": sorted(self.policies.items(), key=lambda kv: (kv[0][1], kv[0][0])),
            "policies_left_out": self.policies_left_out,
            "revisions": self.revisions.most_common(),
            "revisions_left_out": self.revisions_left_out,
            "notices": self.notices.most_common(),
            "notices_left_out": self.notices_left_out,
            "map": self._map(),
            "places": sorted(
                self.places.values(), key=lambda p: (-sum(p.counts.values()), p.country, p.region)
            ),
            "places_left_out": sum(self.places_left_out.values()),
            "unlocated": self.unlocated,
            "unlocated_total": sum(self.unlocated.values()),
            "outcomes": OUTCOMES,
            "kept": self.kept,
            "kept_total": sum(self.kept.values()),
            "left_out": {o: counts[o] - self.kept[o] for o in OUTCOMES},
            "left_out_total": total - sum(self.kept.values()),
            "rows_per_decision": self.rows_per_decision,
            "rows": self._spooled_rows(),
            "clauses": [
                {"clause": c, "anchor": _anchor(c), "regime": _regime(c)}
                for c in self.clauses
                if _regime(c) in self._regimes_seen()
            ],
            "scenarios": self.scenarios,
        }

    def _regimes_seen(self) -> set[str | None]:
        return {None, *(policy_id for policy_id, *_ in self.policies)}

    def _clause_rows(self) -> list[dict[str, Any]]:
        """A row per (regime, clause) cited, regimes by date, clauses in METADATA order."""
        by_date = sorted(self.policies, key=lambda p: (p[1], p[0]))
        regime_rank = {policy_id: rank for rank, (policy_id, _, _) in enumerate(by_date)}
        clause_rank: dict[str, int] = {}
        for clause in self.clauses:
            clause_rank.setdefault(clause.id, len(clause_rank))
        keys = sorted(
            self.clause_counts,
            key=lambda k: (regime_rank.get(k[0], 99), clause_rank.get(k[1], 99), k),
        )
        several = len({regime for regime, _ in keys}) > 1
        kinds = ("violation", "review", "exception", "obligation")
        most = max([1, *(sum(self.clause_counts[k].values()) for k in keys)])
        rows = []
        for regime, ident in keys:
            counts = self.clause_counts[(regime, ident)]
            x = 0.0
            segments = []
            for kind in kinds:
                width = 48 * counts[kind] / most
                if counts[kind]:
                    segments.append({"kind": kind, "x": round(x, 1), "w": round(max(width, 1), 1)})
                x += width
            anchor = next(
                (
                    _anchor(c)
                    for c in self.clauses
                    if c.id == ident and _regime(c) in (None, regime)
                ),
                None,
            )
            rows.append(
                {
                    "id": ident,
                    "regime": regime if several else "",
                    "counts": counts,
                    "segments": segments,
                    "anchor": anchor,
                }
            )
        return rows

    def _map(self) -> dict[str, Any]:
        pen = self.peninsula
        markers = sorted(self.markers.values(), key=lambda m: _DRAW_ORDER[m.decision])
        frame = geo.frame_for(pen, (m.point for m in markers))
        # Markers of different decisions at one place: the ones drawn first are bigger, so
        # each shows as a ring around the next.
        above = Counter((round(m.point[0], 2), round(m.point[1], 2)) for m in markers)
        drawn = []
        for m in markers:
            place = (round(m.point[0], 2), round(m.point[1], 2))
            above[place] -= 1
            ring = 3.0 * above[place]
            inside = frame.contains(m.point)
            x, y = frame.xy(m.point if inside else frame.pin(m.point))
            if not inside:  # the whole hollow dot on the page, at the edge
                x = min(max(x, 6.0), frame.width - 6.0)
                y = min(max(y, 6.0), frame.height - 6.0)
            more = m.count - len(m.labels)
            drawn.append(
                {
                    "x": x,
                    "y": y,
                    "r": ring + _radius(m.count),
                    "decision": m.decision.value,
                    "count": m.count,
                    "labels": m.labels,
                    "more": more,
                    "lat": m.point[1],
                    "lon": m.point[0],
                    "anchor": m.anchor,
                    "off_frame": not inside,
                }
            )
        meridians, parallels = frame.graticule()
        return {
            "width": frame.width,
            "height": frame.height,
            "areas": [{"name": a.name, "d": frame.path(a.polygon, closed=True)} for a in pen.areas],
            "dmz": frame.path(pen.dmz_line, closed=False) if pen.dmz_line else "",
            "dmz_name": pen.dmz_name,
            "dmz_label": frame.xy(pen.dmz_line[-1]) if pen.dmz_line else (0, 0),
            "meridians": meridians,
            "parallels": parallels,
            "markers": drawn,
            "off_frame": [d for d in drawn if d["off_frame"]],
            "located": self.located,
            "left_out": self.markers_left_out,
            "codes": pen.codes,
            "regions": pen.regions,
        }


# Markers of the decisions a reader looks for are drawn last, so they are on top.
_DRAW_ORDER = {
    Outcome.PERMIT: 0,
    Outcome.NOT_APPLICABLE: 1,
    Outcome.INVALID: 2,
    Outcome.REVIEW: 3,
    Outcome.DENY: 4,
}


def _regime(clause: Clause) -> str | None:
    """The regime a clause belongs to; None for what every regime shares (definitions)."""
    return clause.regime or None


def _anchor(clause: Clause) -> str:
    regime = _regime(clause)
    return f"clause-{clause.id}-{regime}" if regime else f"clause-{clause.id}"


def _radius(count: int) -> float:
    return 5.0 if count == 1 else min(10.0, 5.0 + count.bit_length() * 0.6)


def _common_dir(a: str, b: str) -> str:
    try:
        return os.path.commonpath([a, b])
    except ValueError:  # one absolute, one relative
        return ""


def _notices(decision: Decision) -> list[tuple[str, str]]:
    """The decision's notices as (regime, message)."""
    return [(n.regime, n.message) for n in decision.notices]
