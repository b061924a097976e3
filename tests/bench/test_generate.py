"""The bench's workload generator: contract-valid documents (but the invalid share),
the whole mix, and the same file for the same seed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "bridge" / "schemas" / "activity.schema.json"
SAMPLE = 3000


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def sample(generate: ModuleType) -> list[tuple[dict[str, Any], bool]]:
    return list(generate.generate(SAMPLE))


def test_documents_meant_valid_are_valid_and_the_rest_are_not(sample, validator):
    wrong = [
        (doc, [e.message for e in validator.iter_errors(doc)])
        for doc, valid in sample
        if validator.is_valid(doc) != valid
    ]
    assert wrong == []


def test_a_small_share_is_invalid(sample):
    invalid = sum(1 for _, valid in sample if not valid)
    assert 0.01 * SAMPLE <= invalid <= 0.06 * SAMPLE


def _subjects(sample):
    """Every activity, and the assisted one inside each assist."""
    for doc, valid in sample:
        if not valid:
            continue
        yield doc
        if doc["action"] == "assist":
            yield doc["assisted_activity"]


def test_the_mix_covers_every_action_model_category_activation_and_purpose(sample, generate):
    valid = [doc for doc, ok in sample if ok]
    actions = Counter(doc["action"] for doc in valid)
    assert set(actions) == {a for a, _ in generate.ACTIONS}
    munitions = [d["munition"] for d in _subjects(sample) if "munition" in d]
    models = {m["model"] for m in munitions if "model" in m}
    assert {"M14", "M16", "M18A1", "ADAM", "GATOR", "Volcano", "MOPMS", "M15", "M21"} <= models
    assert any(
        m not in {"M14", "M16", "M18A1", "ADAM", "GATOR", "Volcano", "MOPMS", "M15", "M21"}
        for m in models
    )  # models the catalogue does not know
    assert {m.get("category") for m in munitions} >= {
        "anti_personnel",
        "anti_vehicle",
        "mixed",
        "not_a_mine",
        None,
    }
    assert {m.get("activation") for m in munitions} >= {"victim", "command", "vehicle", None}
    purposes = {d.get("purpose") for d in _subjects(sample)}
    assert purposes >= {
        "defense_of_rok",
        "mine_detection",
        "mine_clearance",
        "demining_training",
        "destruction",
        "military_operations",
        "other",
        None,
    }
    assert {d.get("mode") for d in valid if d["action"] == "assist"} >= {
        "assist",
        "encourage",
        "induce",
        None,
    }


def test_places_are_on_and_off_the_peninsula_by_every_means(sample):
    locations = [d["location"] for d in _subjects(sample) if "location" in d]
    countries = {loc.get("country") for loc in locations}
    assert {"KR", "KP", "DE", "US", "JP"} <= countries
    assert any(loc.get("region") == "DMZ" for loc in locations)
    lats = [loc["coordinates"]["lat"] for loc in locations if "coordinates" in loc]
    lons = [loc["coordinates"]["lon"] for loc in locations if "coordinates" in loc]
    on_korea = [
        (lat, lon) for lat, lon in zip(lats, lons, strict=True) if 33 < lat < 43 and 124 < lon < 131
    ]
    assert on_korea
    assert len(on_korea) < len(lats)  # and some elsewhere
    assert any(
        loc.get("country") == "KR"
        and "coordinates" in loc
        and not 124 < loc["coordinates"]["lon"] < 131
        for loc in locations
    )  # a country and coordinates that disagree


def test_assists_carry_an_assisted_activity_of_another_party(sample):
    assists = [doc for doc, ok in sample if ok and doc["action"] == "assist"]
    assert assists
    for doc in assists:
        inner = doc["assisted_activity"]
        assert inner["action"] != "assist"
        assert inner["actor"] != "US"


def test_the_same_seed_gives_the_same_file_and_another_seed_another(generate, tmp_path):
    first = generate.write_jsonl(tmp_path / "a.jsonl", 200, 7).read_bytes()
    again = generate.write_jsonl(tmp_path / "b.jsonl", 200, 7).read_bytes()
    other = generate.write_jsonl(tmp_path / "c.jsonl", 200, 8).read_bytes()
    assert first == again
    assert first != other
    lines = first.decode().splitlines()
    assert len(lines) == 200
    assert [json.loads(line)["id"] for line in lines] == [f"bench-{i:06d}" for i in range(200)]
