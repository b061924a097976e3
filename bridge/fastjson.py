"""JSON on the hot paths, with orjson where it gives exactly what the json module gives.

orjson encodes and parses several times faster than the json module, but differs from it
in a few corners, and each function here falls back to the json module in those:

- orjson writes NaN and infinity as `null`; json refuses them (`dumps`) or writes `NaN`.
- orjson writes some floats otherwise: `0.00001` and `1e-7` where json writes `1e-05`
  and `1e-07`.
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


def _float_may_differ(out: bytes) -> bool:
    """orjson writes a float otherwise than json only with a negative exponent (`1e-7` for
    `1e-07`) or as a small number written out (`0.00001` for `1e-05`): every such output
    holds a digit then `e-`, or `.0000` (checked over a million floats of every magnitude,
    and by the tests). Strings can hold them too: then the json module writes it, which
    is only slower."""
    if b".0000" in out:
        return True
    at = out.find(b"e-")
    while at > 0:
        if 0x30 <= out[at - 1] <= 0x39:
            return True
        at = out.find(b"e-", at + 2)
    return False


# Every digit as 0, to find a run of digits long enough to be an integer that orjson
# would read as a float (a regular expression costs six times as much).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19

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
    if out and not _float_may_differ(out):
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
    if _LONG_DIGITS in data.translate(_DIGITS_AS_ZERO):
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return value, len(_KEY_END.findall(data))


def _not_json(name: str) -> float:
    raise ValueError(f"{name} is not JSON")
