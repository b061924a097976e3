"""Limits on hostile input, enforced while reading, before anything is sent to OPA.

An activity file may come from anyone. Each limit below turns an input that would cost
unbounded memory or time (a 50 MB line, a billion-laughs YAML, a million nested arrays)
or that JSON and OPA would read differently from Python (NaN, duplicate keys, bytes that
are not UTF-8) into an `InputError` whose message names the file, the document and the
problem. The loader (`bridge.loading`) calls the functions here; OPA is started with a
matching request-body cap (`opa_server_args`), so a service posting straight to OPA
meets the same kind of wall.

Every figure is a module constant so that the README and the tests quote the same one.
"""

from __future__ import annotations

import json
import math
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeAlias, cast

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode

from bridge import fastjson
from bridge.errors import InputError

MIB = 1024 * 1024

#: Largest activity document, as compact UTF-8 JSON (what goes on the wire). A real
#: activity is well under 2 KiB; 1 MiB leaves room for generous `extensions`.
MAX_DOCUMENT_BYTES = 1 * MIB

#: Longest JSONL line, newline excluded. Lines are read with a bounded reader, so a longer
#: line is refused after MAX_LINE_BYTES + 1 bytes, never held whole.
MAX_LINE_BYTES = MAX_DOCUMENT_BYTES

#: Largest JSON or YAML file (or stdin), which must be parsed whole. JSONL has no file
#: cap: it is streamed line by line. 16 MiB is some 50,000 activities; parsing it whole
#: costs about 15 s and 250 MiB for YAML (with libyaml), 1 s and 100 MiB for JSON, which
#: is as far as a file that might be hostile should be allowed to push the CLI.
MAX_FILE_BYTES = 16 * MIB

#: Deepest nesting of objects and arrays in one document (the document itself is level 1).
#: The contract needs 4 (activity > assisted_activity > location > coordinates); the rest
#: is for `extensions`.
MAX_DEPTH = 32

#: OPA's cap on a request body (`server.decoding.max_length`), also applied to the size
#: after gzip decompression (`server.decoding.gzip.max_length`). A single decision is
#: at most MAX_DOCUMENT_BYTES plus the envelope; a batch must be split so that its body
#: stays under MAX_BATCH_BYTES.
OPA_MAX_REQUEST_BYTES = 8 * MIB

#: The largest `{"input": {"activities": [...]}}` body a client should send in one batch:
#: the OPA cap less room for the envelope.
MAX_BATCH_BYTES = OPA_MAX_REQUEST_BYTES - 64 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"

#: What the parsers here return: plain JSON values (a YAML document is held to the same).
JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None


def opa_server_args() -> tuple[str, ...]:
    """The `opa run` arguments that cap request bodies to OPA_MAX_REQUEST_BYTES (OPA's own
    default is 256 MiB raw and 512 MiB after gzip). OPA answers a larger body with 400."""
    return (
        "--set",
        f"server.decoding.max_length={OPA_MAX_REQUEST_BYTES}",
        "--set",
        f"server.decoding.gzip.max_length={OPA_MAX_REQUEST_BYTES}",
    )


# -- errors -------------------------------------------------------------------------


def _place(where: str, document: int | None, kind: str = "document") -> str:
    return where if document is None else f"{where}, {kind} {document}"


def _fail(where: str, document: int | None, problem: str, kind: str = "document") -> NoReturn:
    raise InputError(f"{_place(where, document, kind)}: {problem}")


# -- bytes ----------------------------------------------------------------------------


def read_bounded(stream: IO[bytes], where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a whole binary stream, refusing it once it passes `limit` bytes (at most
    limit + 1 bytes are ever held)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        _fail(
            where,
            None,
            f"larger than the {_size(limit)} limit for a JSON or YAML file "
            "(split it, or use JSONL, which is read one line at a time)",
        )
    return data


def decode_utf8(
    data: bytes,
    where: str,
    *,
    document: int | None = None,
    offset: int = 0,
    kind: str = "document",
) -> str:
    """Decode UTF-8 strictly (a leading BOM is dropped). On a bad byte the message gives its
    offset in the file (`offset` is where `data` starts in it)."""
    skip = len(_UTF8_BOM) if offset == 0 and data.startswith(_UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = offset + skip + exc.start
        bad = data[skip + exc.start : skip + exc.start + 1].hex()
        _fail(
            where,
            document,
            f"not UTF-8: byte 0x{bad} at byte offset {at} (save the file as UTF-8)",
            kind,
        )


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n % MIB == 0 else f"{n} bytes"


# -- the shape of a parsed document ----------------------------------------------------


def check_document(
    obj: object, where: str, document: int | None = None, kind: str = "document"
) -> None:
    """Refuse a parsed document that nests deeper than MAX_DEPTH, holds a float that is not
    finite (1e999 parses as infinity), a non-string key, or a value JSON has no type for
    (YAML's binary, sets and the like). Iterative, so depth costs no Python stack."""
    stack: list[tuple[object, int, str]] = [(obj, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            _fail(
                where,
                document,
                f"nested deeper than {MAX_DEPTH} levels at "
                f"{path or 'the top'} (the limit on objects within objects)",
                kind,
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    _fail(
                        where,
                        document,
                        f"key {key!r} at {path or 'the top'} is not a string (quote it)",
                        kind,
                    )
                stack.append((item, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                _fail(
                    where,
                    document,
                    f"{path or 'the value'} is {value!r}: NaN and "
                    "infinite numbers are not JSON and are refused",
                    kind,
                )
        elif value is not None and not isinstance(value, str | int | bool):
            _fail(
                where,
                document,
                f"{path or 'the value'} is a {type(value).__name__}, which JSON has no type for",
                kind,
            )


def encoded_size(obj: object) -> int:
    """Bytes of `obj` as compact UTF-8 JSON: what it adds to a request body."""
    return len(fastjson.compact(obj))


def check_size(
    obj: object, where: str, document: int | None = None, kind: str = "document"
) -> None:
    """Refuse a document larger than MAX_DOCUMENT_BYTES once encoded for OPA."""
    size = encoded_size(obj)
    if size > MAX_DOCUMENT_BYTES:
        _fail(
            where,
            document,
            f"{size} bytes as JSON, over the {_size(MAX_DOCUMENT_BYTES)} limit for one activity",
            kind,
        )


# -- JSON --------------------------------------------------------------------------------


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON and is refused")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} (JSON readers disagree on which wins)")
        result[key] = value
    return result


def _loads(text: str, where: str, document: int | None, kind: str) -> JSONValue:
    try:
        value: JSONValue = json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates
        )
    except json.JSONDecodeError as exc:
        _fail(
            where,
            document,
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            kind,
        )
    except RecursionError:
        _fail(where, document, f"nested deeper than {MAX_DEPTH} levels", kind)
    except ValueError as exc:
        # Raised by the hooks above, and by int() for a number of more than 4300 digits,
        # whose own message suggests raising a Python setting: not advice for a user.
        problem = str(exc)
        if "integer string conversion" in problem:
            problem = "a number with more than 4300 digits is refused"
        _fail(where, document, problem, kind)
    return value


def parse_json_document(text: str, where: str) -> JSONValue:
    """Parse a whole JSON file (already bounded and decoded): one activity (an object) or
    an array of them. Each one is checked with `check_document` and `check_size`; in an
    array, errors name the document by its 1-based position."""
    value = _loads(text.removeprefix("\ufeff"), where, None, "document")
    for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
        at = number if isinstance(value, list) else None
        check_document(item, where, at)
        check_size(item, where, at)
    return value


def parse_jsonl_line(line: bytes, where: str, number: int, offset: int = 0) -> JSONValue:
    """Parse one JSONL line (already bounded by its reader); `number` is its 1-based line
    number, `offset` the byte offset of its start in the file."""
    fast = fastjson.loads_exact(line)
    if fast is not None and _fits(*fast) and encoded_size(fast[0]) <= MAX_DOCUMENT_BYTES:
        return cast("JSONValue", fast[0])
    # Anything the quick path cannot vouch for is read again the careful way, which refuses
    # what must be refused and words the problem.
    text = decode_utf8(line, where, document=number, offset=offset, kind="line")
    value = _loads(text, where, number, "line")
    check_document(value, where, number, "line")
    check_size(value, where, number, "line")
    return value


def _fits(value: object, keys: int) -> bool:
    """Whether a value orjson parsed (so holding only JSON's types, no non-finite float)
    nests at most MAX_DEPTH deep and has exactly `keys` object keys (no key repeated in
    the text). False sends the line down the careful path."""
    count = 0
    stack: list[tuple[object, int]] = [(value, 1)] if type(value) in _CONTAINERS else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if type(item) is dict:
            count += len(item)
            children: Any = item.values()
        else:
            children = item
        stack.extend((child, depth + 1) for child in children if type(child) in _CONTAINERS)
    return count == keys


_CONTAINERS = (dict, list)


# -- YAML ----------------------------------------------------------------------------------

_MERGE_TAG = "tag:yaml.org,2002:merge"

# libyaml (PyYAML's C extension, in its wheels) parses about five times faster than the
# pure-Python parser; without it the loader falls back to the pure one. Type checkers see
# the pure one, whose interface both share.
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST = _BaseLoader is not yaml.SafeLoader


def _too_deep(mark: Mark | None) -> ComposerError:
    return ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)


def _alias(mark: Mark | None) -> ComposerError:
    return ComposerError(
        None,
        None,
        "aliases (*name) are not accepted: they can expand a small file without bound",
        mark,
    )


def _too_long(mark: Mark | None) -> ComposerError:
    return ComposerError(
        None,
        None,
        f"document longer than the {_size(MAX_DOCUMENT_BYTES)} limit for one activity",
        mark,
    )


def _start(event: yaml.Event) -> Mark | None:
    return cast("Mark | None", event.start_mark)


def _index(mark: object) -> int:
    index = getattr(mark, "index", 0)
    return index if isinstance(index, int) else 0


def _prescan(text: str | bytes) -> tuple[int, ComposerError] | None:
    """The first alias, over-deep nesting or over-long document of a YAML stream, as
    (1-based document number, error), found from libyaml's events before any node is
    built. A syntax error ends the scan: the parser reports it itself at that document."""
    document = 0
    depth = 0
    start = 0
    found: ComposerError | None = None
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.DocumentStartEvent):
                document += 1
                start = _index(event.start_mark)
            elif isinstance(event, yaml.AliasEvent):
                found = _alias(_start(event))
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    found = _too_deep(_start(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif (
                isinstance(event, yaml.DocumentEndEvent)
                and _index(event.end_mark) - start > MAX_DOCUMENT_BYTES
            ):
                found = _too_long(_start(event))
            if found is not None:
                return document, found
    except yaml.MarkedYAMLError as exc:
        # libyaml's scanner runs ahead inside flow collections and stops at its own
        # nesting limit (1000) before the events reach ours: the same refusal.
        if "nesting depth" in str(exc.problem):
            return max(document, 1), _too_deep(exc.problem_mark)
    except yaml.YAMLError:
        pass
    return None


def _plain_style_as_none(node: Node | None) -> Node | None:
    """libyaml marks a plain scalar's style '' where the pure parser says None: make them
    agree, so that code reading nodes (a plain `NO` kept as written) sees one spelling."""
    if not _FAST or node is None:
        return node
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ScalarNode):
            if item.style == "":
                item.style = None
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                stack.extend((key, value))
        elif isinstance(item.value, list):
            stack.extend(item.value)
    return node


class LimitedSafeLoader(_BaseLoader):
    """PyYAML's SafeLoader (libyaml's when installed), with:

    - no aliases (`*name`): alias expansion is how billion-laughs YAML grows a few hundred
      bytes into gigabytes; activity files never need them. Merge keys (`<<`) go too.
    - nesting bounded by MAX_DEPTH, checked before any node of the document is built;
    - each document at most MAX_DOCUMENT_BYTES of text;
    - duplicate keys refused (YAML says they are an error; PyYAML keeps the last);
    - `.nan` and `.inf` refused, as in JSON;
    - dates and times left as the strings written (`date: 2022-06-21` is a string in the
      contract, and a datetime object has no JSON form).

    With libyaml, whose composer cannot be hooked, the events of the whole stream are
    scanned first (cheap: no nodes); a problem is raised when the document that holds it
    is asked for, so the documents before it are read as usual. Without libyaml the
    pure-Python composer is bounded node by node.
    """

    # PyYAML looks resolvers up on the class; this copy drops only the timestamp one.
    yaml_implicit_resolvers = {  # noqa: RUF012
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str | bytes | IO[str] | IO[bytes]) -> None:
        if _FAST and not isinstance(stream, str | bytes):
            stream = stream.read()  # scanned twice: once for events, once to compose
        super().__init__(stream)
        self._depth = 0
        self._text = stream if _FAST else None
        self._problem: tuple[int, ComposerError] | None = None
        self._scanned = False
        self._next_document = 1

    # -- libyaml: the pre-scan, raised at its document ------------------------------------

    def _check_next_document(self) -> None:
        if not _FAST:
            return
        if not self._scanned:
            assert isinstance(self._text, str | bytes)  # noqa: S101 - set in __init__ when _FAST
            self._problem = _prescan(self._text)
            self._scanned = True
            self._text = None
        if self._problem is not None and self._problem[0] == self._next_document:
            raise self._problem[1]

    def get_node(self) -> Node | None:
        self._check_next_document()
        node = _plain_style_as_none(super().get_node())
        self._next_document += 1
        return node

    def get_single_node(self) -> Node | None:
        self._check_next_document()
        return _plain_style_as_none(super().get_single_node())

    # -- pure Python: bounded node by node -----------------------------------------------

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _alias(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _too_deep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Node | None:
        node = super().compose_document()
        if node is not None and node.end_mark.index - node.start_mark.index > MAX_DOCUMENT_BYTES:
            raise _too_long(node.start_mark)
        return node

    # -- both: what the constructor accepts ----------------------------------------------

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise ConstructorError(
                    None, None, "merge keys (<<) are not accepted", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark
                ) from None
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(
                None,
                None,
                f"{node.value} is not a finite number (NaN and infinity are refused)",
                node.start_mark,
            )
        return value


LimitedSafeLoader.add_constructor("tag:yaml.org,2002:float", LimitedSafeLoader.construct_yaml_float)


def yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        return f"{exc.problem or exc.context or 'bad YAML'}{at}"
    return str(exc)
