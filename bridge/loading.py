"""Activity documents from files and stdin, one `Document` each, in input order.

The formats are `bridge.formats`' and the hostile-input limits `bridge.limits'`; this
module names where each document came from, reads fixture scenarios, and keeps country
codes as written. It does not judge the contract: the policy does (`data.apl.validation`),
so a document that breaks it is still sent and comes back `invalid` with every error in
the policy's words. Only a document the limits refuse (too large, too deep, not UTF-8,
not JSON) is held back, with the reason, and gets an `invalid` decision in its place.

A source that cannot be read at all (missing, empty, binary, not UTF-8, broken YAML or
JSON) raises `InputError` naming the file; iteration can instead report it to a callback
and go on with the next source.

Country codes: YAML 1.1 reads a plain `NO` (Norway) as false. The loader keeps a plain
scalar written for `actor`, `recipient` or `location.country` (and `id`, which reads
`001` as 1) as the string it was written as, so `actor: NO` means Norway.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from yaml.nodes import MappingNode, Node, ScalarNode

from bridge.errors import InputError
from bridge.formats import STDIN_NAME, InputFormat, Item, Reader

STDIN = "-"

# Fields whose plain YAML scalars stay the string written: codes and identifiers, never
# booleans or numbers. Keyed by where they sit in an activity.
_KEEP_AS_WRITTEN: dict[str, frozenset[str]] = {
    "": frozenset({"id", "actor", "recipient"}),
    "location": frozenset({"country"}),
}
_IMPLICIT_TAGS = frozenset(
    {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
)
_NESTED = ("location", "assisted_activity")


@dataclass(frozen=True, slots=True)
class Document:
    """One activity document as read: where it came from, and the activity, or why the
    limits refused it (then it is not sent, and `activity` is None)."""

    source: str  # the path as given, or "<stdin>"
    number: int  # 1-based: the document in a YAML stream or JSON array, the line in JSONL
    unit: str  # "document" or "line": what `number` counts
    activity: Any  # the parsed document (possibly not even an object)
    refused: str | None = None
    scenario: dict[str, Any] | None = field(default=None, compare=False)

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


def _keep_as_written(data: object, node: Node | None, where: str = "") -> None:
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
        elif where == "" and key in _NESTED:
            _keep_as_written(data[key], value_node, "location" if key == "location" else "")


def _document(source: str, item: Item, scenarios: bool | Literal["auto"]) -> Document:
    number, unit, value, node, problem = item
    if problem is not None:
        return Document(source, number, unit, None, problem)
    if scenarios is True or (scenarios == "auto" and _looks_like_scenario(value)):
        return _scenario_document(source, number, value, node)
    _keep_as_written(value, node)
    return Document(source, number, unit, value)


def _scenario_document(source: str, number: int, value: object, node: Node | None) -> Document:
    """A fixture scenario ({name, input, expect}): its `input` is the activity, with the
    file's stem as its id when it has none."""
    if not isinstance(value, dict) or "input" not in value:
        return Document(source, number, "document", None, "a scenario needs an `input`")
    activity = value["input"]
    input_node = next(
        (v for k, v in getattr(node, "value", []) if getattr(k, "value", None) == "input"), None
    )
    _keep_as_written(activity, input_node)
    if isinstance(activity, dict) and "id" not in activity:
        activity = {"id": Path(source).stem, **activity}
    scenario = {k: v for k, v in value.items() if k != "input"}
    return Document(source, number, "document", activity, scenario=scenario)


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
    reader = Reader(input_format, on_bytes, yaml_only=scenarios is True)
    for raw in sources:
        source = str(raw)
        try:
            if source == STDIN:
                for item in reader.read(STDIN_NAME, sys.stdin.buffer):
                    yield _document(STDIN_NAME, item, scenarios)
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
                for item in reader.read(source, handle):
                    yield _document(source, item, scenarios)
        except InputError as exc:
            if on_error is None:
                raise
            on_error(exc)
