"""Reading activity documents from files and stdin, and checking them before OPA sees them.

One `Document` comes out per activity document read, in input order: YAML streams
(several documents a file), JSON (an object, or an array of them), JSONL (one a line,
read lazily, so a file of any length costs the memory of one line) and stdin (format
sniffed). Each is checked against `bridge/schemas/activity.schema.json` with every error
collected; a document that fails still comes out, carrying its errors, so that it gets an
`invalid` decision in its place and the others are still evaluated.

A source that cannot be read at all (missing, empty, binary, not UTF-8, broken YAML or
JSON) raises `InputError` naming the file; iteration can instead report it to a callback
and go on with the next source. Hostile-input limits (sizes, depth, aliases, NaN,
duplicate keys) are `bridge.limits`'.

Country codes: YAML 1.1 reads a plain `NO` (Norway) as false. The loader keeps a plain
scalar written for `actor`, `recipient` or `location.country` (and `id`, which reads
`001` as 1) as the string it was written as, so `actor: NO` means Norway.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import jsonschema
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from bridge import limits, schema
from bridge.errors import InputError

InputFormat = Literal["auto", "yaml", "json", "jsonl"]
STDIN = "-"
STDIN_NAME = "<stdin>"

_SUFFIXES: dict[str, InputFormat] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

# Fields whose plain YAML scalars stay the string written: codes and identifiers, never
# booleans or numbers. Keyed by where they sit in an activity.
_KEEP_AS_WRITTEN: dict[str, frozenset[str]] = {
    "": frozenset({"id", "actor", "recipient"}),
    "location": frozenset({"country"}),
}
_IMPLICIT_TAGS = frozenset(
    {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
)


@dataclass(frozen=True, slots=True)
class Document:
    """One activity document as read: where it came from, and either the activity (when
    it passed the schema) or the errors that make it invalid."""

    source: str  # the path as given, or "<stdin>"
    number: int  # 1-based: the document in a YAML stream or JSON array, the line in JSONL
    unit: str  # "document" or "line": what `number` counts
    activity: Any  # the parsed document (possibly not even an object, when invalid)
    errors: tuple[tuple[str, str], ...] = ()
    scenario: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def id(self) -> str | None:
        value = self.activity.get("id") if isinstance(self.activity, dict) else None
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        """ "fixtures/p3/x.yaml, document 2" or "big.jsonl, line 17"."""
        return f"{self.source}, {self.unit} {self.number}"

    @property
    def label(self) -> str:
        """What a person calls this document: its id, or where it was read."""
        return self.id or (
            self.source if self.number == 1 and self.unit == "document" else self.where
        )


# -- validation --------------------------------------------------------------------------


_COUNTRY = (
    "must be an ISO 3166-1 alpha-2 code in upper case, as a string "
    '(in YAML, quote it: "NO", not NO)'
)
_MESSAGES = {
    # (last path element, validator) -> message in the policy's own words (validation.rego)
    ("date", "pattern"): "must be a date written YYYY-MM-DD",
    ("date", "format"): "must be a date written YYYY-MM-DD",
    ("date", "type"): "must be a date written YYYY-MM-DD",
    ("quantity", "type"): "must be a whole number of at least 1",
    ("quantity", "minimum"): "must be a whole number of at least 1",
    ("lat", "type"): "must be a number from -90 to 90",
    ("lat", "minimum"): "must be a number from -90 to 90",
    ("lat", "maximum"): "must be a number from -90 to 90",
    ("lon", "type"): "must be a number from -180 to 180",
    ("lon", "minimum"): "must be a number from -180 to 180",
    ("lon", "maximum"): "must be a number from -180 to 180",
    ("coordinates", "type"): "must be an object {lat, lon} in degrees",
}
_NESTED_REGIME = (
    "is only for the top-level activity: the assisted activity is judged under the document's "
    "regime"
)
_COUNTRY_FIELDS = frozenset({"actor", "recipient", "country"})


def validate_activity(activity: object) -> list[tuple[str, str]]:
    """Every way `activity` breaks the contract, as (field, message) pairs in document
    order, worded as the policy's own input checks word them. Empty when valid."""
    if not isinstance(activity, dict):
        return [("(document)", "an activity must be a JSON object")]
    found: dict[tuple[str, str], None] = {}
    is_assist = activity.get("action") == "assist"
    for error in schema.validator("activity").iter_errors(activity):
        path = [str(p) for p in error.absolute_path]
        # The schema checks assisted_activity whatever the action; the policy reads it only
        # for an assist, and reports its presence elsewhere as "only for an assist".
        if path[:1] == ["assisted_activity"] and not is_assist:
            continue
        for item in _explain(error, path, activity):
            found.setdefault(item, None)
    return sorted(found, key=lambda fm: _field_order(fm[0], activity))


def _explain(  # noqa: PLR0911 - one return per kind of schema error reads best
    error: jsonschema.ValidationError, path: list[str], activity: dict[str, Any]
) -> list[tuple[str, str]]:
    at = ".".join(path)
    prefix = f"{at}." if at else ""
    kind = error.validator if isinstance(error.validator, str) else None
    expected: Any = error.validator_value
    instance: Any = error.instance
    rule: Any = error.schema
    if kind is None and _is_nested_regime(error, path, activity):
        return [(f"{prefix}regime", _NESTED_REGIME)]
    if kind is None:  # a `false` subschema: a field that only an assist may carry
        parent = error.instance if not path else _get(activity, path[:-1])
        holder = _get(activity, path) if path else activity
        where = holder if isinstance(holder, dict) else parent
        if isinstance(where, dict):
            return [
                (f"{prefix}{name}", "is only for an assist")
                for name in ("mode", "assisted_activity")
                if name in where
            ]
        return [(at or "(document)", "is only for an assist")]
    if kind == "required":
        missing = [n for n in expected if n not in instance]
        if path[-1:] == ["assisted_activity"] and "assisted_activity" in missing:
            return []  # a nested assist: reported as such by the `not` below
        return [(f"{prefix}{n}", _required_message(n)) for n in missing]
    if kind == "additionalProperties":
        known = set(rule.get("properties", {}))
        return [
            (f"{prefix}{n}", f'unknown field "{n}": not part of the activity contract (a typo?)')
            for n in instance
            if n not in known
        ]
    if kind == "not":
        return [(at, "an assisted activity may not itself be an assist")]
    last = path[-1] if path else ""
    if last in _COUNTRY_FIELDS and kind in ("type", "pattern"):
        return [(at, _COUNTRY)]
    if (last, kind) in _MESSAGES:
        return [(at, _MESSAGES[(last, kind)])]
    if kind == "enum":
        return [(at, "must be one of " + ", ".join(sorted(map(str, expected))))]
    if kind == "minLength":
        return [(at, "must be a non-empty string")]
    if kind == "type":
        return [(at or "(document)", _type_message(expected))]
    return [(at or "(document)", error.message)]


def _is_nested_regime(
    error: jsonschema.ValidationError, path: list[str], activity: dict[str, Any]
) -> bool:
    """The `false` subschema that keeps `regime` out of an assisted activity (jsonschema
    reports it at the assisted activity, with the regime's value as the instance)."""
    holder = _get(activity, path) if path[-1:] == ["assisted_activity"] else None
    return (
        isinstance(holder, dict)
        and "regime" in holder
        and error.instance == holder["regime"]
        and list(error.relative_schema_path)[-2:] == ["assisted_activity", "properties"]
    )


def _required_message(name: str) -> str:
    if name == "munition":
        return "is required (except for an assist)"
    if name == "assisted_activity":
        return "is required for an assist: the activity of the other party"
    return "is required"


def _type_message(expected: object) -> str:
    return {
        "string": "must be a string",
        "object": "must be an object",
        "boolean": "must be true or false",
        "integer": "must be a whole number",
        "number": "must be a number",
    }.get(str(expected), f"must be of type {expected}")


def _get(obj: object, path: list[str]) -> object:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _field_order(name: str, activity: dict[str, Any]) -> tuple[int, str]:
    keys = list(activity)
    head = name.split(".", 1)[0]
    return (keys.index(head) if head in keys else len(keys), name)


# -- YAML --------------------------------------------------------------------------------


class _ActivityLoader(limits.LimitedSafeLoader):
    """The limited loader, composing node by node so that country codes can be read back
    from the node as written."""


def _keep_as_written(data: object, node: Node, where: str = "") -> None:
    """Put back, as strings, the plain scalars written for the fields in _KEEP_AS_WRITTEN
    (where YAML 1.1 would have made NO false or 001 the number 1)."""
    if not isinstance(data, dict) or not isinstance(node, MappingNode):
        return
    keep = _KEEP_AS_WRITTEN.get(where, frozenset())
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str) or key not in data:
            continue
        if (
            key in keep
            and isinstance(value_node, ScalarNode)
            and value_node.style is None
            and value_node.tag in _IMPLICIT_TAGS
        ):
            data[key] = value_node.value
        elif where == "" and key == "location":
            _keep_as_written(data[key], value_node, "location")
        elif where == "" and key == "assisted_activity":
            _keep_as_written(data[key], value_node, "")


def _yaml_documents(text: str, where: str) -> Iterator[tuple[int, object, Node]]:
    """(number, value, node) for each non-empty document of a YAML stream."""
    loader = _ActivityLoader(text)
    number = 0
    try:
        while loader.check_node():
            number += 1
            node = loader.get_node()
            if node is None:
                continue
            value = loader.construct_document(node)
            if value is None:
                continue
            yield number, value, node
    except yaml.YAMLError as exc:
        raise InputError(
            f"{where}, document {number}: not accepted YAML: {limits.yaml_problem(exc)}"
        ) from None
    except RecursionError:
        raise InputError(
            f"{where}, document {number}: nested deeper than {limits.MAX_DEPTH} levels"
        ) from None
    finally:
        loader.dispose()


# -- sources -----------------------------------------------------------------------------


@dataclass
class _Reader:
    """Turns one source into Documents; `on_bytes` hears how far the reading got."""

    scenarios: bool | Literal["auto"]
    input_format: InputFormat
    on_bytes: Callable[[int], None] | None

    def read(self, source: str, stream: IO[bytes]) -> Iterator[Document]:
        fmt: str = self.input_format
        if fmt == "auto" and source != STDIN_NAME:
            fmt = _SUFFIXES.get(Path(source).suffix.lower(), "auto")
        if self.scenarios is True:
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
            yield from self._json(source, text)
        elif fmt == "sniffed-json":
            # Starts like JSON: read it as JSON, or else as YAML (a flow mapping, say).
            try:
                documents = list(self._json(source, text))
            except InputError as json_error:
                try:
                    documents = list(self._yaml(source, text))
                except InputError:
                    raise json_error from None
            yield from documents
        else:
            yield from self._yaml(source, text)

    def _progress(self, n: int) -> None:
        if self.on_bytes is not None and n:
            self.on_bytes(n)

    def _yaml(self, source: str, text: str) -> Iterator[Document]:
        seen = 0
        for number, value, node in _yaml_documents(text, source):
            seen += 1
            if self.scenarios is True or (self.scenarios == "auto" and _looks_like_scenario(value)):
                yield _scenario_document(source, number, value, node)
                continue
            _keep_as_written(value, node)
            yield _checked(source, number, "document", value)
        if seen == 0:
            raise InputError(f"{source}: empty, no activity document in it")

    def _json(self, source: str, text: str) -> Iterator[Document]:
        # Strict JSON (no NaN, no duplicate keys), every item within the size and depth
        # limits; a file that breaks them is refused whole, as its parse cannot be trusted.
        value = limits.parse_json_document(text, source)
        items = value if isinstance(value, list) else [value]
        for number, item in enumerate(items, start=1):
            yield _checked(source, number, "document", item, prechecked=True)

    def _jsonl(self, source: str, stream: _LineReader) -> Iterator[Document]:
        number = 0
        any_line = False
        while True:
            raw = stream.readline(limits.MAX_LINE_BYTES + 2)
            if not raw:
                break
            number += 1
            self._progress(len(raw))
            line = raw.rstrip(b"\r\n")
            if len(line) > limits.MAX_LINE_BYTES:
                skipped = _skip_line(stream, raw)
                self._progress(skipped)
                any_line = True
                yield Document(
                    source,
                    number,
                    "line",
                    None,
                    (
                        (
                            "(document)",
                            f"line longer than the {limits.MAX_LINE_BYTES // limits.MIB} MiB "
                            "limit for one activity; not read",
                        ),
                    ),
                )
                continue
            if not line.strip():
                continue
            any_line = True
            if number == 1 and b"\x00" in line:
                raise InputError(f"{source}: a binary file, not YAML, JSON or JSONL")
            try:
                value = limits.parse_jsonl_line(line, source, number)
            except InputError as exc:
                message = str(exc).removeprefix(f"{source}, line {number}: ")
                yield Document(source, number, "line", None, (("(document)", message),))
                continue
            yield _checked(source, number, "line", value, prechecked=True)
        if not any_line:
            raise InputError(f"{source}: empty, no activity document in it")


class _LineReader(Protocol):
    def readline(self, limit: int = -1, /) -> bytes: ...


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
        chunk = stream.readline(1024 * 1024)
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


def _checked(
    source: str, number: int, unit: str, value: object, *, prechecked: bool = False
) -> Document:
    if not prechecked:
        try:
            limits.check_document(value, source, number, unit)
            limits.check_size(value, source, number, unit)
        except InputError as exc:
            message = str(exc).removeprefix(f"{source}, {unit} {number}: ")
            return Document(source, number, unit, None, (("(document)", message),))
    return Document(source, number, unit, value, tuple(validate_activity(value)))


def _scenario_document(source: str, number: int, value: object, node: Node) -> Document:
    """A fixture scenario ({name, input, expect}): its `input` is the activity, with the
    file's stem as its id when it has none."""
    if not isinstance(value, dict) or "input" not in value:
        return Document(
            source, number, "document", None, (("(document)", "a scenario needs an `input`"),)
        )
    activity = value["input"]
    input_node = next(
        (v for k, v in getattr(node, "value", []) if getattr(k, "value", None) == "input"), None
    )
    if input_node is not None:
        _keep_as_written(activity, input_node)
    if isinstance(activity, dict) and "id" not in activity:
        activity = {"id": Path(source).stem, **activity}
    scenario = {k: v for k, v in value.items() if k != "input"}
    checked = _checked(source, number, "document", activity)
    return Document(
        checked.source, checked.number, checked.unit, checked.activity, checked.errors, scenario
    )


def _looks_like_scenario(value: object) -> bool:
    return isinstance(value, dict) and {"input", "expect"} <= set(value) <= {
        "name",
        "input",
        "expect",
    }


def scenario_files(paths: Iterable[str | Path]) -> list[str]:
    """Fixture scenario files: a file as given, a folder as every *.yaml below it, sorted."""
    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(str(p) for p in sorted(path.rglob("*.yaml")) if p.is_file())
        else:
            out.append(str(raw))
    return out


def iter_documents(
    sources: Iterable[str | Path],
    *,
    scenarios: bool | Literal["auto"] = False,
    input_format: InputFormat = "auto",
    on_error: Callable[[InputError], None] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Document]:
    """Every document of every source, in order, read lazily. `-` is stdin. A source that
    cannot be read raises InputError, or, with `on_error`, is reported there and skipped
    (its documents read before the problem are kept). `scenarios`: True reads every
    source as fixture scenarios; "auto" takes a YAML document with `input` and `expect`
    (and nothing but those and `name`) as one."""
    reader = _Reader(scenarios, input_format, on_bytes)
    for raw in sources:
        source = str(raw)
        try:
            if source == STDIN:
                yield from reader.read(STDIN_NAME, sys.stdin.buffer)
                continue
            try:
                handle = Path(source).open("rb")  # noqa: SIM115 - closed below, after a lazy read
            except IsADirectoryError:
                raise InputError(
                    f"{source}: a folder; give the files in it (or use --scenarios)"
                ) from None
            except OSError as exc:
                raise InputError(f"{source}: cannot be read: {exc.strerror}") from None
            with handle:
                yield from reader.read(source, handle)
        except InputError as exc:
            if on_error is None:
                raise
            on_error(exc)
