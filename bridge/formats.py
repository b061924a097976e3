"""The input formats: YAML streams, JSON (an object or an array), JSONL, and sniffing.

`Reader.read` turns one source into `(number, unit, value, node, problem)` items in input
order: the 1-based number of the document (YAML, JSON) or line (JSONL), the parsed value,
the YAML node it came from (for `loading` to read country codes back as written) and, for a
JSONL line or YAML document refused by the limits, the problem instead of a value. A source
that cannot be read at all raises `InputError` naming the file. JSONL is read lazily, a
line at a time, so a file of any length costs the memory of one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, NamedTuple, Protocol

import yaml
from yaml.nodes import Node

from bridge import limits
from bridge.errors import InputError

InputFormat = Literal["auto", "yaml", "json", "jsonl"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("auto", "yaml", "json", "jsonl")
STDIN_NAME = "<stdin>"

_SUFFIXES: dict[str, InputFormat] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class Item(NamedTuple):
    """One document as read: `value` when it could be read, else `problem`."""

    number: int
    unit: str  # "document" or "line": what `number` counts
    value: object
    node: Node | None = None
    problem: str | None = None


class _LineReader(Protocol):
    def readline(self, limit: int = -1, /) -> bytes: ...


@dataclass
class Reader:
    """Reads sources in one format (or "auto": by extension, stdin sniffed); `on_bytes`
    hears how far the reading got. `yaml_only` reads everything as YAML (fixtures)."""

    input_format: InputFormat = "auto"
    on_bytes: Callable[[int], None] | None = None
    yaml_only: bool = False

    def read(self, source: str, stream: IO[bytes]) -> Iterator[Item]:
        fmt: str = self.input_format
        if fmt == "auto" and source != STDIN_NAME:
            fmt = _SUFFIXES.get(Path(source).suffix.lower(), "auto")
        if self.yaml_only:
            fmt = "yaml"
        if fmt == "jsonl":
            yield from self._jsonl(source, stream)
            return
        head = _first_line(stream) if fmt == "auto" else b""
        if fmt == "auto":
            fmt = _sniff(head)
            if fmt == "jsonl":
                yield from self._jsonl(source, _Prefixed(head, stream))
                return
        data = head + limits.read_bounded(stream, source, limits.MAX_FILE_BYTES - len(head))
        self._progress(len(data))
        if b"\x00" in data:
            raise InputError(f"{source}: a binary file, not YAML, JSON or JSONL")
        text = limits.decode_utf8(data, source)
        if not text.strip():
            raise InputError(f"{source}: empty, no activity document in it")
        if fmt == "json":
            yield from _json(source, text)
        elif fmt == "sniffed-json":
            # Starts like JSON: read it as JSON, or else as YAML (a flow mapping, say).
            try:
                items = list(_json(source, text))
            except InputError as json_error:
                try:
                    items = list(_yaml(source, text))
                except InputError:
                    raise json_error from None
            yield from items
        else:
            yield from _yaml(source, text)

    def _progress(self, n: int) -> None:
        if self.on_bytes is not None and n:
            self.on_bytes(n)

    def _jsonl(self, source: str, stream: _LineReader) -> Iterator[Item]:
        number = offset = 0
        any_line = False
        while True:
            # +2: the longest line allowed, its newline, and one byte to tell "too long".
            raw = stream.readline(limits.MAX_LINE_BYTES + 2)
            if not raw:
                break
            number += 1
            start, offset = offset, offset + len(raw)
            self._progress(len(raw))
            line = raw.rstrip(b"\r\n")
            if len(line) > limits.MAX_LINE_BYTES:
                skipped = _skip_line(stream, raw)
                offset += skipped
                self._progress(skipped)
                any_line = True
                problem = (
                    f"line longer than the {limits.MAX_LINE_BYTES // limits.MIB} MiB limit "
                    "for one activity; not read"
                )
                yield Item(number, "line", None, problem=problem)
                continue
            if not line.strip():
                continue
            any_line = True
            if number == 1 and b"\x00" in line:
                raise InputError(f"{source}: a binary file, not YAML, JSON or JSONL")
            try:
                value = limits.parse_jsonl_line(line, source, number, start)
            except InputError as exc:
                problem = str(exc).removeprefix(f"{source}, line {number}: ")
                yield Item(number, "line", None, problem=problem)
                continue
            yield Item(number, "line", value)
        if not any_line:
            raise InputError(f"{source}: empty, no activity document in it")


def _json(source: str, text: str) -> Iterator[Item]:
    # Strict JSON (no NaN, no duplicate keys), every item within the size and depth
    # limits; a file that breaks them is refused whole, as its parse cannot be trusted.
    value = limits.parse_json_document(text, source)
    for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
        yield Item(number, "document", item)


def _yaml(source: str, text: str) -> Iterator[Item]:
    """Each non-empty document of a YAML stream, checked against the limits; the documents
    before a syntax error are kept, and the error names its document."""
    loader = limits.LimitedSafeLoader(text)
    number = 0
    seen = 0
    try:
        while loader.check_node():
            number += 1
            node = loader.get_node()
            value = None if node is None else loader.construct_document(node)
            if value is None:
                continue
            seen += 1
            try:
                limits.check_document(value, source, number)
                limits.check_size(value, source, number)
            except InputError as exc:
                problem = str(exc).removeprefix(f"{source}, document {number}: ")
                yield Item(number, "document", None, problem=problem)
                continue
            yield Item(number, "document", value, node)
    except yaml.YAMLError as exc:
        raise InputError(
            f"{source}, document {number}: not accepted YAML: {limits.yaml_problem(exc)}"
        ) from None
    except RecursionError:
        raise InputError(
            f"{source}, document {number}: nested deeper than {limits.MAX_DEPTH} levels"
        ) from None
    finally:
        loader.dispose()
    if seen == 0:
        raise InputError(f"{source}: empty, no activity document in it")


class _Prefixed:
    """A binary stream with bytes already read put back in front (for sniffed stdin)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readline(self, limit: int = -1) -> bytes:
        if self._head:
            cut = self._head.find(b"\n")
            end = len(self._head) if cut < 0 else cut + 1
            if 0 <= limit < end:
                end = limit
            line, self._head = self._head[:end], self._head[end:]
            if line.endswith(b"\n") or (0 <= limit <= len(line)):
                return line
            more = self._rest.readline(-1 if limit < 0 else limit - len(line))
            return line + more
        return self._rest.readline(limit)


def _skip_line(stream: _LineReader, first: bytes) -> int:
    """Read past the rest of an over-long line without holding it; bytes skipped."""
    skipped = 0
    chunk = first
    while chunk and not chunk.endswith(b"\n"):
        chunk = stream.readline(limits.MIB)
        skipped += len(chunk)
    return skipped


def _first_line(stream: IO[bytes]) -> bytes:
    """The leading blank lines and the first line with text (bounded), without waiting
    for more: a pipe that sends one line at a time must not stall the sniffing."""
    head = b""
    while len(head) <= limits.MAX_LINE_BYTES:
        line = stream.readline(limits.MAX_LINE_BYTES + 2)
        head += line
        if not line or line.strip():
            break
    return head


def _sniff(head: bytes) -> str:
    """JSON array -> json; an object whose first line is a whole JSON value -> jsonl;
    anything else is read as YAML (of which JSON is a subset)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "sniffed-json"
    if text.startswith(b"{"):
        try:
            json.loads(text)
        except ValueError:
            return "sniffed-json"
        return "jsonl"
    return "yaml"
