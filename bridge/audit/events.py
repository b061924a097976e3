"""OPA's decision-log uploads, read strictly and turned into the rows the store keeps.

An upload (`POST /logs`) is a gzip-compressed JSON array of events, each the record of
one query OPA answered. A call to `data.apl.decision` is one event and one row; a call to
`data.apl.batch` is one event whose activities become one row each, keyed by the event's
`decision_id` and the activity's index in the batch. A single decision has index 0.

Everything here is pure: bytes in, rows or a `UploadError` out. An upload with any event
the store could not key or date is refused whole, so that a 4xx always means "nothing
of this was stored".
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

#: The paths (OPA's `path` field: the data API route without /v1/data/) of the policy's
#: two entrypoints.
SINGLE_PATH = "apl/decision"
BATCH_PATH = "apl/batch"

#: The label that names a replica, then the ones tried when it is missing. OPA always
#: sets `id` (a fresh UUID per process), so a replica without a name is still told apart.
REPLICA_LABELS = ("replica", "name", "id")

_FRACTION = re.compile(r"(\.\d{1,6})\d*")


class UploadError(ValueError):
    """An upload that is not what OPA sends; the message says what and where. `status` is
    the HTTP status to answer with (400, or 413 for one too large)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Row:
    """One stored decision: a single decision, or one activity of a batch."""

    decision_id: str
    index: int  # 0 for a single decision; the activity's position in a batch
    batch: bool
    timestamp: datetime  # when OPA made the decision (UTC)
    path: str
    activity_id: str | None
    decision: str | None  # None when OPA gave no result (an evaluation error)
    allowed: bool | None
    clauses: tuple[str, ...]
    revision: str | None
    replica: str | None
    instance_id: str | None
    requested_by: str | None
    erased: tuple[str, ...]
    masked: tuple[str, ...]
    error: Any  # OPA's `error` object, or None
    input: Any  # what was decided on, after the mask
    result: Any  # the decision document
    labels: Mapping[str, str]


def gunzip(body: bytes, max_bytes: int) -> bytes:
    """The decompressed body, refusing anything that is not gzip or that would grow past
    `max_bytes` (a gzip bomb is stopped after max_bytes + 1 bytes, never held whole)."""
    if body[:2] != b"\x1f\x8b":
        raise UploadError("the body is not gzip: OPA sends decision logs gzip-compressed")
    out = bytearray()
    data = body
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, max_bytes + 1 - len(out))
            if inflater.unconsumed_tail:
                raise UploadError(f"the body decompresses to more than {max_bytes} bytes", 413)
            out += inflater.flush()
        except zlib.error as exc:
            raise UploadError(f"the body is not valid gzip: {exc}") from None
        if len(out) > max_bytes:
            raise UploadError(f"the body decompresses to more than {max_bytes} bytes", 413)
        if not inflater.eof:
            raise UploadError("the gzip stream is truncated")
        # gzip allows several members one after the other; anything else is garbage.
        data = inflater.unused_data
        if data and data[:2] != b"\x1f\x8b":
            raise UploadError("the body has bytes after the end of its gzip stream")
    return bytes(out)


def _no_constants(name: str) -> NoReturn:
    raise UploadError(f"the JSON holds {name}, which is not JSON")


def parse_json(text: bytes, what: str) -> object:
    """Strict JSON: UTF-8, no NaN or Infinity."""
    try:
        return json.loads(text.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise UploadError(f"{what} is not UTF-8: {exc.reason} at byte {exc.start}") from None
    except RecursionError:
        raise UploadError(f"{what} nests too deeply") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise UploadError(f"{what} is not JSON: {exc.msg} at {where}") from None


def parse_timestamp(value: object) -> datetime:
    """OPA's RFC 3339 timestamp (nanoseconds allowed), as an aware UTC datetime."""
    if not isinstance(value, str):
        raise TypeError("is not a string")
    text = _FRACTION.sub(r"\1", value.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("has no time zone")
    return parsed.astimezone(UTC)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UploadError(f"{where}: must be an array of strings")
    return tuple(value)


def _labels(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UploadError(f"{where}.labels: must be an object of strings")
    return dict(value)


def replica_of(labels: Mapping[str, str]) -> str | None:
    """The replica's name: the first of REPLICA_LABELS the event carries."""
    for key in REPLICA_LABELS:
        if labels.get(key):
            return labels[key]
    return None


def clauses_of(decision: object) -> tuple[str, ...]:
    """The clauses a decision document cites, in first-seen order across violations,
    exceptions, reviews and obligations (the order of the CLI's CLAUSES column)."""
    if not isinstance(decision, dict):
        return ()
    seen: dict[str, None] = {}
    for group in ("violations", "exceptions", "reviews", "obligations"):
        items = decision.get(group)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("clause"), str):
                    seen.setdefault(item["clause"], None)
    return tuple(seen)


def _revision(result: object, bundles: object) -> str | None:
    """The revision the decision was made under: the decision's own `policy.revision`,
    else the one bundle's revision OPA recorded (sorted `name=revision` pairs if several)."""
    if isinstance(result, dict):
        policy = result.get("policy")
        if isinstance(policy, dict) and isinstance(policy.get("revision"), str):
            revision: str = policy["revision"]
            return revision
    if isinstance(bundles, dict) and bundles:
        revisions: dict[str, str] = {
            str(name): str(info["revision"])
            for name, info in bundles.items()
            if isinstance(info, dict) and isinstance(info.get("revision"), str)
        }
        if len(revisions) == 1:
            return next(iter(revisions.values()))
        if revisions:
            return ",".join(f"{name}={rev}" for name, rev in sorted(revisions.items()))
    return None


def _for_activity(pointers: Sequence[str], index: int) -> tuple[str, ...]:
    """The erased (or masked) pointers that concern activity `index` of a batch, and those
    that concern the event as a whole."""
    prefix = "/input/activities/"
    own = f"{prefix}{index}/"
    return tuple(
        p for p in pointers if not p.startswith(prefix) or p.startswith(own) or p == own[:-1]
    )


def rows_of_event(event: object, where: str) -> list[Row]:
    """The rows one event becomes; `UploadError` naming `where` if it cannot be stored."""
    if not isinstance(event, dict):
        raise UploadError(f"{where}: an event must be a JSON object")
    decision_id = event.get("decision_id")
    if not isinstance(decision_id, str) or not decision_id.strip():
        raise UploadError(f"{where}.decision_id: missing or empty; every event needs one")
    if len(decision_id) > 200:
        raise UploadError(f"{where}.decision_id: longer than 200 characters")
    try:
        timestamp = parse_timestamp(event.get("timestamp"))
    except (TypeError, ValueError) as exc:
        raise UploadError(f"{where}.timestamp: {exc} (expected RFC 3339, as OPA writes)") from None
    path = event.get("path", "")
    if not isinstance(path, str):
        raise UploadError(f"{where}.path: must be a string")
    labels = _labels(event.get("labels"), where)
    erased = _strings(event.get("erased"), f"{where}.erased")
    masked = _strings(event.get("masked"), f"{where}.masked")
    requested_by = event.get("requested_by")
    common: dict[str, Any] = {
        "decision_id": decision_id,
        "timestamp": timestamp,
        "path": path,
        "replica": replica_of(labels),
        "instance_id": labels.get("id"),
        "requested_by": requested_by if isinstance(requested_by, str) else None,
        "error": event.get("error"),
        "labels": labels,
    }
    data_in = event.get("input")
    result = event.get("result")
    bundles = event.get("bundles")

    if path == BATCH_PATH:
        activities = data_in.get("activities") if isinstance(data_in, dict) else None
        decisions = result.get("decisions") if isinstance(result, dict) else None
        inputs = activities if isinstance(activities, list) else []
        outputs = decisions if isinstance(decisions, list) else []
        if inputs or outputs:
            return [
                _row(
                    common,
                    index=i,
                    batch=True,
                    data_in=inputs[i] if i < len(inputs) else None,
                    result=outputs[i] if i < len(outputs) else None,
                    revision=_revision(outputs[i] if i < len(outputs) else None, bundles),
                    erased=_for_activity(erased, i),
                    masked=_for_activity(masked, i),
                )
                for i in range(max(len(inputs), len(outputs)))
            ]
        # Interpretation: a batch call with no activities (or an input OPA answered with
        # an error) is still a call someone made; it is kept as one row with no decision.
    return [
        _row(
            common,
            index=0,
            batch=path == BATCH_PATH,
            data_in=data_in,
            result=result,
            revision=_revision(result, bundles),
            erased=erased,
            masked=masked,
        )
    ]


def _row(  # noqa: PLR0913 - the per-row fields beside the event's common ones
    common: dict[str, Any],
    *,
    index: int,
    batch: bool,
    data_in: object,
    result: object,
    revision: str | None,
    erased: tuple[str, ...],
    masked: tuple[str, ...],
) -> Row:
    decision = result.get("decision") if isinstance(result, dict) else None
    allowed = result.get("allowed") if isinstance(result, dict) else None
    activity_id: str | None = None
    for source in (result, data_in):
        if isinstance(source, dict) and isinstance(source.get("id"), str):
            activity_id = str(source["id"])
            break
    return Row(
        index=index,
        batch=batch,
        activity_id=activity_id,
        decision=decision if isinstance(decision, str) else None,
        allowed=allowed if isinstance(allowed, bool) else None,
        clauses=clauses_of(result),
        revision=revision,
        erased=erased,
        masked=masked,
        input=data_in,
        result=result,
        **common,
    )


def rows_of_upload(events: object) -> list[Row]:
    """Every row of a decoded upload (a JSON array of events), or `UploadError`."""
    if not isinstance(events, list):
        raise UploadError("the body must be a JSON array of decision-log events")
    rows: list[Row] = []
    for n, event in enumerate(events):
        rows.extend(rows_of_event(event, f"event {n}"))
    return rows


def iter_unique(rows: Sequence[Row]) -> Iterator[Row]:
    """The rows with each (decision_id, index) once: OPA may put an event in two chunks
    of the same upload after a retry, and the first one wins, as it does in the store."""
    seen: set[tuple[str, int]] = set()
    for row in rows:
        key = (row.decision_id, row.index)
        if key not in seen:
            seen.add(key)
            yield row
