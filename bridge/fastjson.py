"""JSON on the hot paths, with orjson where it gives exactly what the json module gives.

orjson encodes and parses several times faster than the json module, but differs from it
in a few corners, and each function here falls back to the json module in those:

- orjson writes NaN and infinity as `null`; json refuses them (`dumps`) or writes `NaN`.
- orjson writes a float under 1e-4 as `0.00001` or `1e-10`; json writes `1e-05`, `1e-10`.
- orjson reads an integer beyond 64 bits (20 digits, or 19 when negative) as a float;
  json reads it as the integer it is.
- orjson keeps the last of two equal keys; the limits refuse a duplicate key.
- orjson refuses an integer beyond 64 bits, a non-string key, a lone surrogate.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Dates and dataclasses are left to the json module (which refuses them), as before.
_JSON_MODULE_DECIDES = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

# Where orjson's float may be written otherwise than json's (a digit before an exponent,
# or a small number written out): conservative, as strings can match too (then the json
# module writes it, which is only slower).
_FLOAT_MAY_DIFFER = re.compile(rb"[0-9][eE]|\.0000")

# A run of digits long enough to be an integer orjson would read as a float.
_LONG_DIGITS = re.compile(rb"[0-9]{19}")

# A key's closing quote and its colon. Every key of a JSON text has one, and strings can
# add more, never fewer: as many of them as keys in what was parsed means no key repeats.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')


def dumps(value: object) -> bytes:
    """`value` as compact JSON for a request body, with the json module's refusals: NaN and
    infinity raise ValueError. An orjson output with no `null` in it can hold no non-finite
    float; any other (or what orjson refuses) is encoded again by the json module."""
    try:
        out = orjson.dumps(value, option=_JSON_MODULE_DECIDES)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        out = b"null"
    if b"null" not in out:
        return out
    return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def compact(value: object) -> bytes:
    """Exactly `json.dumps(value, separators=(",", ":"), ensure_ascii=False)` as UTF-8, for
    a value read from JSON or checked by the limits (so holding no NaN or infinity)."""
    try:
        out = orjson.dumps(value, option=_JSON_MODULE_DECIDES)
    except TypeError:
        out = b""
    if out and not _FLOAT_MAY_DIFFER.search(out):
        return out
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes) -> Any:  # noqa: ANN401 - any JSON value
    """Parse an answer's JSON bytes: orjson, or the json module (NaN and infinity refused)
    for what orjson refuses. ValueError if it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data, parse_constant=_not_json)


def loads_exact(data: bytes) -> tuple[Any, int] | None:
    """What `json.loads` would read from `data`, with the number of object keys in it, when
    orjson can tell it for sure (no repeated key, no integer it would read as a float);
    None when it cannot, and then the caller parses with the json module (which also words
    the errors)."""
    if _LONG_DIGITS.search(data):
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return value, len(_KEY_END.findall(data))


def _not_json(name: str) -> float:
    raise ValueError(f"{name} is not JSON")
