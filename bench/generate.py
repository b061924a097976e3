"""Generate the bench's activity documents: a realistic, reproducible JSONL workload.

The mix covers every action, every catalogued munition model (and some the catalogue does
not know), every category and activation, places on and off the Korean Peninsula (by
country, by the DMZ region, by coordinates, and with country and coordinates that
disagree), every purpose, assistance with an assisted activity, and a small share of
documents that break the contract (about 3%), so the bench pays for the same validation
work a real inventory or log would cause.

    python bench/generate.py --docs 100000 --seed 20220621 --out bench/work/activities.jsonl

The same seed and count always give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

DEFAULT_SEED = 20220621  # the policy's effective date, so the default is easy to recognise
INVALID_SHARE = 0.03

Activity = dict[str, Any]
T = TypeVar("T")

# Weights say how often each action appears in a day of inventory and operations records:
# stock-keeping and use dominate, development and production are rare.
ACTIONS: tuple[tuple[str, int], ...] = (
    ("use", 20),
    ("stockpile", 14),
    ("transfer", 12),
    ("destroy", 10),
    ("assist", 10),
    ("research", 9),
    ("acquire", 9),
    ("develop", 8),
    ("produce", 8),
)

# (munition as the input states it, weight). Some name a catalogued model only, some give
# attributes that win over the catalogue, some are unknown models, some are not mines.
MUNITIONS: tuple[tuple[dict[str, Any], int], ...] = (
    ({"model": "M14"}, 10),
    ({"model": "M16"}, 10),
    ({"model": "M16", "category": "anti_personnel", "activation": "victim"}, 4),
    ({"model": "M18A1"}, 6),
    ({"model": "M18A1", "category": "anti_personnel", "activation": "command"}, 5),
    ({"model": "M18A1", "category": "anti_personnel", "activation": "victim"}, 3),
    ({"model": "ADAM", "self_destructing": True}, 5),
    ({"model": "GATOR"}, 6),
    ({"model": "Volcano"}, 5),
    ({"model": "MOPMS"}, 4),
    ({"model": "M15"}, 6),
    ({"model": "M15", "anti_handling_device": True}, 3),
    ({"model": "M21", "category": "anti_vehicle", "activation": "vehicle"}, 4),
    ({"model": "M21", "category": "anti_vehicle", "activation": "victim"}, 2),
    ({"model": "PMN-2"}, 3),
    ({"model": "PMN-2", "category": "anti_personnel", "activation": "victim"}, 2),
    ({"model": "TM-62M", "category": "anti_vehicle", "activation": "vehicle"}, 2),
    ({"model": "XM-7 Spider", "category": "anti_personnel", "activation": "command"}, 2),
    ({"model": "M67", "category": "not_a_mine"}, 2),
    ({"category": "mixed"}, 1),
    ({"category": "anti_personnel"}, 1),
    ({"category": "anti_vehicle", "activation": "vehicle", "anti_handling_device": True}, 1),
)

# (location, weight). Coordinates are real places: Seoul, Camp Humphreys, Panmunjom,
# Pyongyang, Busan, Jeju (offshore), then Grafenwoehr, Fort Leonard Wood, Okinawa,
# Tsushima (the strait, just off the peninsula), Tapa (Estonia), near Kharkiv.
PENINSULA_POINTS = (
    (37.5665, 126.9780),
    (36.9630, 127.0310),
    (37.9560, 126.6770),
    (39.0392, 125.7625),
    (35.1796, 129.0756),
    (33.3846, 126.5535),
)
OFF_POINTS = (
    (49.6980, 11.9400, "DE"),
    (37.7420, -92.1400, "US"),
    (26.3344, 127.8056, "JP"),
    (34.4170, 129.3300, "JP"),
    (59.2600, 25.9600, "EE"),
    (49.9935, 36.2304, "UA"),
)
PLACES: tuple[tuple[str, int], ...] = (
    ("none", 14),
    ("country_off", 20),
    ("country_kr", 12),
    ("country_kp", 2),
    ("dmz", 6),
    ("coords_peninsula", 8),
    ("coords_off", 8),
    ("country_and_coords_kr", 8),
    ("country_and_coords_off", 12),
    ("disagree", 4),
)
OFF_COUNTRIES = ("DE", "PL", "EE", "LT", "JP", "US", "UA", "GB", "NO", "RO")

PURPOSES_BY_ACTION: dict[str, tuple[tuple[str | None, int], ...]] = {
    "develop": (("military_operations", 5), ("defense_of_rok", 2), ("other", 2), (None, 2)),
    "produce": (("military_operations", 5), ("defense_of_rok", 3), ("other", 1), (None, 2)),
    "acquire": (("military_operations", 4), ("defense_of_rok", 3), ("demining_training", 1),
                (None, 2)),
    "research": (("mine_detection", 4), ("mine_clearance", 3), ("destruction", 2),
                 ("military_operations", 2), ("other", 1)),
    "transfer": (("mine_detection", 2), ("mine_clearance", 2), ("demining_training", 2),
                 ("destruction", 2), ("defense_of_rok", 2), ("military_operations", 2),
                 ("other", 1)),
    "use": (("military_operations", 6), ("defense_of_rok", 4), ("demining_training", 1),
            (None, 3)),
    "stockpile": (("defense_of_rok", 5), ("demining_training", 3), ("military_operations", 3),
                  ("other", 1), (None, 1)),
    "destroy": (("destruction", 8), (None, 2)),
}
RECIPIENTS = ("UA", "KR", "PL", "EE", "GB", "DE", "JP", "TW")
OTHER_ACTORS = ("GB", "KR", "UA", "PL", "DE")
ASSISTED_ACTORS = ("KR", "UA", "PL", "GB", "EE", "JP", "TW", "FI")


def _pick(rng: random.Random, weighted: tuple[tuple[T, int], ...]) -> T:
    items = [item for item, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(items, weights=weights, k=1)[0]


def _point(lat: float, lon: float, rng: random.Random) -> dict[str, float]:
    # A little jitter (about a kilometre) so documents differ, never enough to cross a
    # coastline or the DMZ.
    return {
        "lat": round(lat + rng.uniform(-0.01, 0.01), 4),
        "lon": round(lon + rng.uniform(-0.01, 0.01), 4),
    }


def _location(rng: random.Random) -> dict[str, Any] | None:  # noqa: PLR0911 - one return per kind of place
    kind = _pick(rng, PLACES)
    if kind == "none":
        return None
    if kind == "country_off":
        return {"country": rng.choice(OFF_COUNTRIES)}
    if kind == "country_kr":
        return {"country": "KR"}
    if kind == "country_kp":
        return {"country": "KP"}
    if kind == "dmz":
        return {"region": "DMZ"} if rng.random() < 0.5 else {"country": "KR", "region": "DMZ"}
    if kind == "coords_peninsula":
        return {"coordinates": _point(*rng.choice(PENINSULA_POINTS), rng)}
    if kind == "coords_off":
        lat, lon, _ = rng.choice(OFF_POINTS)
        return {"coordinates": _point(lat, lon, rng)}
    if kind == "country_and_coords_kr":
        return {"country": "KR", "region": "Gyeonggi",
                "coordinates": _point(*rng.choice(PENINSULA_POINTS[:3]), rng)}
    if kind == "country_and_coords_off":
        lat, lon, country = rng.choice(OFF_POINTS)
        return {"country": country, "coordinates": _point(lat, lon, rng)}
    # "disagree": the country says one thing and the coordinates another.
    if rng.random() < 0.5:
        lat, lon, _ = rng.choice(OFF_POINTS)
        return {"country": "KR", "coordinates": _point(lat, lon, rng)}
    return {"country": "US", "coordinates": _point(*rng.choice(PENINSULA_POINTS), rng)}


def _date(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.22:  # before the policy took effect: not_applicable
        return f"{rng.randint(2015, 2021)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    year = rng.randint(2022, 2026)
    month = rng.randint(7 if year == 2022 else 1, 12)
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _munition(rng: random.Random) -> dict[str, Any]:
    munition = dict(_pick(rng, MUNITIONS))
    if rng.random() < 0.7:
        munition["quantity"] = rng.choice((1, 4, 12, 50, 200, 1000, 25000))
    return munition


def _plain_activity(rng: random.Random, action: str, actor: str) -> Activity:
    """An activity of any action but `assist`."""
    doc: Activity = {"action": action}
    if actor != "US" or rng.random() < 0.8:  # the actor defaults to US when absent
        doc["actor"] = actor
    date = _date(rng)
    if date is not None:
        doc["date"] = date
    doc["munition"] = _munition(rng)
    location = _location(rng)
    if location is not None:
        doc["location"] = location
    purpose = _pick(rng, PURPOSES_BY_ACTION[action])
    if purpose is not None:
        doc["purpose"] = purpose
    if action == "transfer":
        doc["recipient"] = rng.choice(RECIPIENTS)
    if action == "use" and rng.random() < 0.08:
        year, number = rng.randint(2022, 2026), rng.randint(1, 99)
        doc["regional_security_assessment"] = f"RSA-{year}-{number:02d}"
    if rng.random() < 0.1:
        doc["extensions"] = {"source": "inventory", "unit": f"unit-{rng.randint(1, 40)}"}
    return doc


def _actor(rng: random.Random) -> str:
    return "US" if rng.random() < 0.9 else rng.choice(OTHER_ACTORS)


def valid_activity(rng: random.Random) -> Activity:
    action = _pick(rng, ACTIONS)
    actor = _actor(rng)
    if action != "assist":
        return _plain_activity(rng, action, actor)
    assisted_action = _pick(rng, tuple((a, w) for a, w in ACTIONS if a != "assist"))
    doc: Activity = {"action": "assist", "actor": actor}
    mode = rng.choice(("assist", "assist", "encourage", "induce", None))
    if mode is not None:
        doc["mode"] = mode
    date = _date(rng)
    if date is not None:
        doc["date"] = date
    doc["assisted_activity"] = _plain_activity(rng, assisted_action, rng.choice(ASSISTED_ACTORS))
    return doc


# Each breaks exactly one rule of the contract, the kinds of mistakes people make.
def _invalid_activity(rng: random.Random) -> Activity:
    doc = valid_activity(rng)
    kind = rng.randrange(10)
    target = doc["assisted_activity"] if doc["action"] == "assist" else doc
    if kind == 0:
        doc["action"] = "deploy"
    elif kind == 1:
        doc["actor"] = "USA"
    elif kind == 2:
        doc["purpse"] = "defense_of_rok"  # a typo'd field name
    elif kind == 3:
        target["munition"] = {**target["munition"], "quantity": 0}
    elif kind == 4:
        target["munition"] = {**target["munition"], "category": "claymore"}
    elif kind == 5:
        target["location"] = {"country": "KR", "coordinates": {"lat": 127.0, "lon": 37.5}}
    elif kind == 6:
        doc["date"] = "21/06/2022"
    elif kind == 7:
        doc["action"] = "use"
        doc.pop("munition", None)
        doc.pop("mode", None)
        doc.pop("assisted_activity", None)
    elif kind == 8:
        doc["action"] = "assist"
        doc.pop("munition", None)
        doc["assisted_activity"] = {"action": "assist", "assisted_activity": {"action": "use"}}
    else:
        doc["location"] = {"country": "kr"}
    return doc


def generate(count: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[Activity, bool]]:
    """Yield `count` (activity, meant_to_be_valid) pairs, the same ones for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    for index in range(count):
        valid = rng.random() >= INVALID_SHARE
        doc = valid_activity(rng) if valid else _invalid_activity(rng)
        # The id first, so a reader of the JSONL sees it at the start of every line.
        yield {"id": f"bench-{index:06d}", **doc}, valid


def write_jsonl(path: Path, count: int, seed: int = DEFAULT_SEED) -> Path:
    """Write the workload to `path` (through a temporary file, so a crash leaves none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        for doc, _ in generate(count, seed):
            out.write(json.dumps(doc, separators=(",", ":")))
            out.write("\n")
    partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="how many documents")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="JSONL file (default: stdout)")
    args = parser.parse_args(argv)
    if args.out is None:
        for doc, _ in generate(args.docs, args.seed):
            sys.stdout.write(json.dumps(doc, separators=(",", ":")) + "\n")
    else:
        write_jsonl(args.out, args.docs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
