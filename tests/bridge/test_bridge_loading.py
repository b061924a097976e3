"""Reading activity documents: formats, country codes, every refusal with file and number,
one Document per document in input order, and a lazy JSONL reader. (Whether a document
keeps the contract is the policy's to say: tests/properties.)"""

from __future__ import annotations

import io
import json

import pytest

from bridge import limits
from bridge.errors import InputError
from bridge.loading import Document, iter_documents, scenario_files

USE_M14 = {"action": "use", "munition": {"model": "M14"}}


def read(*paths, **kwargs) -> list[Document]:
    return list(iter_documents([str(p) for p in paths], **kwargs))


def test_yaml_keeps_country_codes_as_written(tmp_path):
    path = tmp_path / "norway.yaml"
    path.write_text(
        "id: 001\naction: transfer\nactor: US\nrecipient: NO\n"
        "munition: {model: M14, anti_handling_device: no}\n"
        "location: {country: ON, region: DMZ}\n"
        "assisted_activity_absent: null\n"
    )
    (doc,) = read(path)
    assert doc.activity["recipient"] == "NO"
    assert doc.activity["location"]["country"] == "ON"
    assert doc.activity["id"] == "001"
    # Only the code fields are kept as written: a boolean elsewhere stays a boolean.
    assert doc.activity["munition"]["anti_handling_device"] is False


def test_yaml_keeps_country_codes_in_an_assisted_activity_and_a_scenario(tmp_path):
    path = tmp_path / "assist.yaml"
    path.write_text(
        "action: assist\nassisted_activity: {action: use, actor: NO, munition: {model: M14},"
        " location: {country: NO}}\n"
    )
    (doc,) = read(path)
    assert doc.refused is None
    assert doc.activity["assisted_activity"]["actor"] == "NO"
    assert doc.activity["assisted_activity"]["location"]["country"] == "NO"
    scenario = tmp_path / "norway_case.yaml"
    scenario.write_text(
        "name: x\ninput: {action: use, munition: {model: M14}, location: {country: NO}}\n"
        "expect: {decision: deny}\n"
    )
    (doc,) = read(scenario, scenarios=True)
    assert doc.activity["location"]["country"] == "NO"
    assert doc.activity["id"] == "norway_case"
    assert doc.scenario == {"name": "x", "expect": {"decision": "deny"}}


def test_a_date_stays_the_string_written(tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text("action: use\ndate: 2022-06-21\nmunition: {model: M14}\n")
    (doc,) = read(path)
    assert doc.activity["date"] == "2022-06-21"


def test_every_document_comes_out_once_in_order_across_formats(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "id: y1\n" + "action: use\nmunition: {model: M14}\n---\nid: y2\naction: nonsense\n"
    )
    (tmp_path / "b.json").write_text(json.dumps([USE_M14 | {"id": "j1"}, USE_M14 | {"id": "j2"}]))
    (tmp_path / "c.jsonl").write_text(
        json.dumps(USE_M14 | {"id": "l1"}) + "\n\n{broken\n" + json.dumps(USE_M14 | {"id": "l4"})
    )
    docs = read(tmp_path / "a.yaml", tmp_path / "b.json", tmp_path / "c.jsonl")
    assert [d.where for d in docs] == [
        f"{tmp_path}/a.yaml, document 1",
        f"{tmp_path}/a.yaml, document 2",
        f"{tmp_path}/b.json, document 1",
        f"{tmp_path}/b.json, document 2",
        f"{tmp_path}/c.jsonl, line 1",
        f"{tmp_path}/c.jsonl, line 3",
        f"{tmp_path}/c.jsonl, line 4",
    ]
    # Only what the limits refuse is held back; the contract is the policy's to judge.
    assert [d.refused is None for d in docs] == [True, True, True, True, True, False, True]
    assert [d.label for d in docs][:2] == ["y1", "y2"]
    assert docs[5].label.endswith("c.jsonl, line 3")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.yaml", b"", "empty"),
        ("blank.json", b"  \n\n", "empty"),
        ("only-dashes.yaml", b"---\n---\n", "empty"),
        ("blank.jsonl", b"\n\n", "empty"),
        ("binary.json", b"\x00\x01\x02\x89PNG", "binary"),
        ("binary.jsonl", b"\x00\x01\x02\n", "binary"),
        ("latin1.yaml", "action: use\nmodel: caf\xe9\n".encode("latin-1"), "not UTF-8"),
        ("broken.yaml", b"action: [use\n", "not accepted YAML"),
        ("broken.json", b'{"action": ', "not valid JSON"),
        ("dupes.json", b'{"action": "use", "action": "destroy"}', "duplicate key"),
        ("nan.json", b'{"action": "use", "x": NaN}', "NaN"),
        ("alias.yaml", b"a: &x [1]\nb: *x\n", "aliases"),
    ],
)
def test_an_unreadable_file_is_an_input_error_naming_it(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=words) as info:
        read(path)
    assert str(info.value).startswith(str(path))


def test_missing_files_and_folders_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        read(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="a folder"):
        read(tmp_path)


def test_with_a_callback_a_bad_file_is_reported_and_the_rest_still_read(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(USE_M14))
    bad = tmp_path / "bad.yaml"
    bad.write_text("")
    seen: list[InputError] = []
    docs = read(bad, good, tmp_path / "missing.json", good, on_error=seen.append)
    assert len(docs) == 2
    assert [str(e).split(":")[0] for e in seen] == [str(bad), str(tmp_path / "missing.json")]


def test_a_yaml_error_keeps_the_documents_before_it(tmp_path):
    path = tmp_path / "half.yaml"
    path.write_text("action: use\nmunition: {model: M14}\n---\naction: [\n")
    seen: list[InputError] = []
    docs = read(path, on_error=seen.append)
    assert len(docs) == 1
    assert "document 2" in str(seen[0])


def test_an_over_long_jsonl_line_is_an_invalid_document_and_reading_goes_on(tmp_path):
    path = tmp_path / "long.jsonl"
    huge = json.dumps(USE_M14 | {"extensions": {"pad": "x" * (limits.MAX_LINE_BYTES + 10)}})
    path.write_text(json.dumps(USE_M14) + "\n" + huge + "\n" + json.dumps(USE_M14) + "\n")
    docs = read(path)
    assert [d.number for d in docs] == [1, 2, 3]
    assert [d.refused is None for d in docs] == [True, False, True]
    assert "limit" in docs[1].refused


class CountingStream(io.RawIOBase):
    """An endless JSONL stream that counts the lines handed out."""

    def __init__(self) -> None:
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        line = (json.dumps(USE_M14 | {"id": f"n{self.lines}"}) + "\n").encode()
        self.lines += 1
        buffer[: len(line)] = line
        return len(line)


def test_jsonl_on_stdin_is_read_lazily(monkeypatch):
    stream = CountingStream()
    buffered = io.BufferedReader(stream, buffer_size=4096)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(buffered))
    documents = iter_documents(["-"])
    first = [next(documents) for _ in range(5)]
    assert [d.id for d in first] == ["n0", "n1", "n2", "n3", "n4"]
    assert first[0].source == "<stdin>"
    # An endless input, and yet no more than a buffer's worth (4 KiB) was read.
    assert stream.lines < 100


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('{"action": "use", "munition": {"model": "M14"}}\n', 1),
        ('[{"action": "use", "munition": {}}, {"action": "use", "munition": {}}]', 2),
        ('{\n  "action": "use",\n  "munition": {}\n}\n', 1),
        ("action: use\nmunition: {}\n---\naction: use\nmunition: {}\n", 2),
        ("{action: use, munition: {}}\n", 1),
    ],
)
def test_stdin_format_is_sniffed(monkeypatch, text, count):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    docs = list(iter_documents(["-"]))
    assert len(docs) == count
    assert all(d.refused is None for d in docs), [d.refused for d in docs]


def test_scenario_folders_are_every_yaml_below_sorted(tmp_path):
    for rel in ["b/2.yaml", "b/1.yaml", "a/z.yaml", "a/notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x: 1\n")
    assert scenario_files([tmp_path]) == [
        str(tmp_path / "a/z.yaml"),
        str(tmp_path / "b/1.yaml"),
        str(tmp_path / "b/2.yaml"),
    ]


def test_a_scenario_without_input_is_invalid(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: nothing\nexpect: {decision: permit}\n")
    (doc,) = read(path, scenarios=True)
    assert "input" in doc.refused
