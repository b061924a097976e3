"""The limits on hostile input, through the reader production runs (`bridge.formats`): each
one is refused with a message that names the file, the document (or line) and the
problem, before anything could reach OPA."""

from __future__ import annotations

import importlib.util
import io
import json

import pytest
import yaml

from bridge import formats, limits
from bridge.errors import InputError

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def nested(depth: int) -> dict[str, object]:
    doc: dict[str, object] = {}
    inner = doc
    for _ in range(depth - 1):
        child: dict[str, object] = {}
        inner["x"] = child
        inner = child
    return doc


def read(content: str | bytes, name: str) -> list[object]:
    """What the production reader makes of `content` read as the file `name`: the values,
    or a refusal, as "name, document N: problem" (raised as InputError)."""
    data = content.encode() if isinstance(content, str) else content
    items = list(formats.Reader().read(name, io.BytesIO(data)))
    for item in items:
        if item.problem is not None:
            raise InputError(f"{name}, {item.unit} {item.number}: {item.problem}")
    return [item.value for item in items]


def refused(content: str | bytes, name: str) -> str:
    with pytest.raises(InputError) as info:
        read(content, name)
    return str(info.value)


# --- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(constant):
    message = refused(f'{{"action": "use", "x": {constant}}}', "a.json")
    assert message.startswith("a.json: ")
    assert constant.lstrip("-") in message


def test_json_number_that_overflows_to_infinity_is_refused():
    message = refused('{"extensions": {"n": 1e999}}', "a.json")
    assert "extensions.n" in message
    assert "inf" in message


def test_json_duplicate_keys_are_refused_even_when_nested():
    message = refused('{"munition": {"model": "M14", "model": "M15"}}', "d.json")
    assert "duplicate key 'model'" in message


def test_json_array_errors_name_the_document():
    text = json.dumps([{"action": "use"}, {"action": "use", "extensions": nested(40)}])
    message = refused(text, "many.json")
    assert message.startswith("many.json, document 2: nested deeper than 32 levels")


def test_json_depth_limit_is_exact():
    assert read(json.dumps(nested(limits.MAX_DEPTH)), "ok.json") is not None
    refused(json.dumps(nested(limits.MAX_DEPTH + 1)), "deep.json")


def test_json_nesting_beyond_the_recursion_limit_is_refused_not_crashed():
    message = refused("[" * 200_000, "deep.json")
    assert "nested deeper than" in message


def test_json_non_utf8_is_refused_with_its_byte_offset():
    message = refused(b'{"id": "caf\xe9"}', "latin1.json")
    assert message == "latin1.json: not UTF-8: byte 0xe9 at byte offset 11 (save the file as UTF-8)"


def test_json_utf8_bom_is_accepted():
    assert read(b'\xef\xbb\xbf{"action": "use"}', "bom.json") == [{"action": "use"}]


def test_json_huge_integer_is_refused_in_plain_words():
    message = refused('{"q": ' + "9" * 5000 + "}", "big.json")
    assert "4300 digits" in message
    assert "set_int_max_str_digits" not in message


def test_json_document_over_the_size_limit_is_refused():
    doc = {"action": "use", "extensions": {"blob": "x" * limits.MAX_DOCUMENT_BYTES}}
    message = refused(json.dumps(doc), "big.json")
    assert "over the 1 MiB limit" in message


def test_json_file_over_the_file_limit_is_refused_before_parsing():
    stream = io.BytesIO(b" " * (limits.MAX_FILE_BYTES + 10))
    with pytest.raises(InputError) as info:
        list(formats.Reader().read("huge.json", stream))
    message = str(info.value)
    assert message.startswith("huge.json: larger than the 16 MiB limit")
    assert stream.tell() == limits.MAX_FILE_BYTES + 1


# --- JSONL ------------------------------------------------------------------------------------


def test_jsonl_yields_line_numbers_and_skips_blank_lines():
    text = b'{"action": "use"}\n\n  \r\n{"action": "destroy"}\r\n{"action": "develop"}'
    items = list(formats.Reader().read("a.jsonl", io.BytesIO(text)))
    assert [(i.number, i.value) for i in items] == [
        (1, {"action": "use"}),
        (4, {"action": "destroy"}),
        (5, {"action": "develop"}),
    ]


def test_jsonl_bad_line_is_named_by_its_number():
    message = refused(b'{"action": "use"}\n{"action": "use", "x": NaN}\n', "b.jsonl")
    assert message.startswith("b.jsonl, line 2: NaN")


def test_jsonl_non_utf8_offset_counts_from_the_start_of_the_file():
    message = refused(b'{"a": 1}\n{"a": "\xff"}\n', "c.jsonl")
    assert message == (
        "c.jsonl, line 2: not UTF-8: byte 0xff at byte offset 16 (save the file as UTF-8)"
    )


def test_jsonl_line_at_the_limit_is_read_and_one_byte_over_is_refused():
    at_limit = b" " * (limits.MAX_LINE_BYTES - 2) + b"{}"
    assert read(at_limit + b"\n", "ok.jsonl") == [{}]
    message = refused(b" " + at_limit + b"\n", "long.jsonl")
    assert message.startswith("long.jsonl, line 1: line longer than the 1 MiB limit")


def test_jsonl_long_line_is_refused_without_holding_it_whole():
    class Counting(io.BytesIO):
        """Counts the bytes the reader asked for in one call, at most."""

        largest = 0

        def readline(self, size: int | None = -1) -> bytes:
            line = super().readline(size)
            Counting.largest = max(Counting.largest, len(line))
            return line

    stream = Counting(b"[" + b"1," * (5 * limits.MAX_LINE_BYTES) + b"1]\n" + b"{}\n")
    items = list(formats.Reader().read("long.jsonl", stream))
    assert [(i.number, i.problem is None) for i in items] == [(1, False), (2, True)]
    assert Counting.largest <= limits.MAX_LINE_BYTES + 2


# --- YAML ------------------------------------------------------------------------------------


def test_yaml_billion_laughs_is_refused_at_the_first_alias():
    message = refused(BILLION_LAUGHS, "laughs.yaml")
    assert message.startswith(
        "laughs.yaml, document 1: not accepted YAML: aliases (*name) are not accepted"
    )
    assert "line 2" in message


def test_yaml_merge_keys_are_refused():
    message = refused("<<: {action: use}\nid: x\n", "m.yaml")
    assert "merge keys" in message


def test_yaml_duplicate_keys_are_refused_with_their_document_number():
    text = "action: use\n---\naction: use\naction: develop\n"
    message = refused(text, "dup.yaml")
    assert message.startswith("dup.yaml, document 2: not accepted YAML: duplicate key 'action'")


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1.0e+999"])
def test_yaml_nan_and_infinity_are_refused(value):
    message = refused(f"action: use\nx: {value}\n", "n.yaml")
    assert message.startswith("n.yaml")
    assert "refused" in message


def test_yaml_deep_nesting_is_refused_while_composing():
    message = refused("x: " + "[" * 100_000, "deep.yaml")
    assert "nested deeper than 32 levels" in message


def test_yaml_dates_stay_strings():
    assert read("date: 2022-06-21\n", "d.yaml") == [{"date": "2022-06-21"}]


def test_yaml_binary_and_sets_have_no_json_form():
    assert "bytes" in refused("x: !!binary aGVsbG8=\n", "b.yaml")
    assert "set" in refused("x: !!set {a, b}\n", "s.yaml")


def test_yaml_non_string_keys_are_refused():
    assert "not a string" in refused("1: a\n", "k.yaml")


def test_yaml_python_tags_are_refused():
    message = refused("x: !!python/object/apply:os.system [echo]\n", "p.yaml")
    assert message.startswith("p.yaml, document 1: not accepted YAML")


def test_yaml_empty_documents_are_dropped_and_numbering_kept():
    text = "action: use\n---\n---\naction: use\nx: .nan\n"
    assert refused(text, "e.yaml").startswith("e.yaml, document 3")


# --- what OPA is told ---------------------------------------------------------------------------


def test_opa_is_capped_at_the_request_limit():
    args = limits.opa_server_args()
    assert f"server.decoding.max_length={limits.OPA_MAX_REQUEST_BYTES}" in args
    assert f"server.decoding.gzip.max_length={limits.OPA_MAX_REQUEST_BYTES}" in args
    # one document of the largest size, in its envelope, must fit
    assert limits.MAX_DOCUMENT_BYTES + 64 < limits.OPA_MAX_REQUEST_BYTES
    assert limits.MAX_BATCH_BYTES < limits.OPA_MAX_REQUEST_BYTES


# --- both YAML parsers -------------------------------------------------------------------------


def test_yaml_documents_before_a_bad_one_are_still_read():
    text = b"action: use\n---\naction: destroy\n---\nx: &a [1]\ny: *a\n"
    items = formats.Reader().read("k.yaml", io.BytesIO(text))
    assert next(items).value == {"action": "use"}
    assert next(items).value == {"action": "destroy"}
    with pytest.raises(InputError, match=r"k\.yaml, document 3: .*aliases"):
        next(items)


def test_yaml_plain_scalars_look_the_same_to_both_parsers():
    loader = limits.LimitedSafeLoader("actor: NO\nrecipient: 'NO'\n")
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    assert node is not None
    assert [value.style for _, value in node.value] == [None, "'"]


@pytest.fixture
def pure_python_limits(monkeypatch):
    """bridge.limits loaded afresh as it is on a machine without libyaml."""
    monkeypatch.delattr(yaml, "CSafeLoader")
    spec = importlib.util.spec_from_file_location("limits_without_libyaml", limits.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._FAST is False
    return module


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (BILLION_LAUGHS, "aliases"),
        ("x: " + "[" * 100_000, "nested deeper than 32 levels"),
        ("action: use\naction: develop\n", "duplicate key"),
        ("x: .nan\n", "not a finite number"),
        ("<<: {a: 1}\n", "merge keys"),
    ],
)
def test_the_pure_python_parser_keeps_the_same_limits(
    pure_python_limits, monkeypatch, text, problem
):
    monkeypatch.setattr(formats, "limits", pure_python_limits)
    with pytest.raises(InputError, match=problem):
        read(text, "pure.yaml")
    assert read("date: 2022-06-21\n", "ok.yaml") == [{"date": "2022-06-21"}]
