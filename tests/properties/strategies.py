"""Hypothesis strategies for activity documents, written by hand from the contract's
schema (bridge/schemas/activity.schema.json) and POLICY.md: valid documents that reach
every clause, and near-valid ones that break exactly one rule of the contract."""

from __future__ import annotations

import datetime
from typing import Any

import yaml
from hypothesis import strategies as st

from bridge.server import project_root

ACTIONS = [
    "develop",
    "produce",
    "acquire",
    "research",
    "transfer",
    "use",
    "assist",
    "stockpile",
    "destroy",
]
NON_ASSIST_ACTIONS = [a for a in ACTIONS if a != "assist"]
CATEGORIES = ["anti_personnel", "anti_vehicle", "mixed", "not_a_mine"]
ACTIVATIONS = ["victim", "command", "vehicle"]
PURPOSES = [
    "defense_of_rok",
    "mine_detection",
    "mine_clearance",
    "demining_training",
    "destruction",
    "military_operations",
    "other",
]
MODES = ["assist", "encourage", "induce"]
# The catalogue of POLICY.md section 1, in the spellings a user might write.
KNOWN_MODELS = [
    "M14",
    "M16",
    "M18A1",
    "ADAM",
    "GATOR",
    "Volcano",
    "MOPMS",
    "M15",
    "M21",
    "m14",
    " M16 ",
    # other names and foreign models of the catalogue, written as records write them
    "cbu 89/b",
    "M87A1",
    "m-131",
    "Claymore",
    "PFM-1",
    "pom 3",
    "OZM-72",
    "TM-62M",
]
# The regimes, from their one index (rego/apl/policy/data.yaml).
INDEX = yaml.safe_load((project_root() / "rego" / "apl" / "policy" / "data.yaml").read_text())
REGIME_IDS = [r["id"] for r in INDEX["regimes"]]
FIRST_DAY = datetime.date.fromisoformat(INDEX["regimes"][0]["effective"])
LAST_2022_DAY = datetime.date.fromisoformat(
    next(r["until"] for r in INDEX["regimes"] if r["id"] == "us-apl-2022")
)
# Codes that matter to the policy (US, the peninsula), YAML's trap (NO), and others.
COUNTRIES = ["US", "KR", "KP", "DE", "NO", "JP", "CN", "FR", "UA", "GB"]
EFFECTIVE = datetime.date(2022, 6, 21)

countries = st.one_of(
    st.sampled_from(COUNTRIES),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
)
models = st.one_of(
    st.sampled_from(KNOWN_MODELS),
    st.from_regex(r"\A[A-Z]{1,3}-[0-9]{1,4}\Z"),  # unknown models
)
dates = st.one_of(
    st.just(EFFECTIVE),
    st.dates(min_value=EFFECTIVE, max_value=datetime.date(2030, 12, 31)),
    st.dates(min_value=FIRST_DAY, max_value=datetime.date(2030, 12, 31)),
    st.sampled_from([d for r in INDEX["regimes"] for d in (r["effective"], r["until"]) if d]).map(
        datetime.date.fromisoformat
    ),
    st.dates(min_value=datetime.date(2021, 1, 1), max_value=datetime.date(2030, 12, 31)),
    st.dates(),  # years 1-9999, beyond what int64 nanoseconds can hold
).map(datetime.date.isoformat)

# Points on the peninsula, off it nearby (Japan, China, the sea), and anywhere.
coordinates = st.fixed_dictionaries(
    {
        "lat": st.one_of(
            st.floats(min_value=33.0, max_value=43.0, allow_nan=False),
            st.floats(min_value=-90, max_value=90, allow_nan=False),
            st.integers(min_value=-90, max_value=90),
        ),
        "lon": st.one_of(
            st.floats(min_value=124.0, max_value=131.0, allow_nan=False),
            st.floats(min_value=-180, max_value=180, allow_nan=False),
            st.integers(min_value=-180, max_value=180),
        ),
    }
)

# `extensions` is free-form and ignored by the policy: any JSON, bounded in size and depth.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=10), inner, max_size=4),
    ),
    max_leaves=12,
)
extensions = st.dictionaries(st.text(max_size=12), json_values, max_size=5)


def optional(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


# Weighted towards munitions the table of POLICY.md section 1 settles (a catalogue model,
# or a category with an activation), so that the invariants about APL are reached often.
munitions = st.one_of(
    st.fixed_dictionaries({"model": st.sampled_from(KNOWN_MODELS)}),
    st.fixed_dictionaries(
        {"category": st.sampled_from(CATEGORIES), "activation": st.sampled_from(ACTIVATIONS)},
        optional={"model": models, "quantity": st.integers(min_value=1, max_value=10**9)},
    ),
    optional(
        {
            "model": models,
            "category": st.sampled_from(CATEGORIES),
            "activation": st.sampled_from(ACTIVATIONS),
            "anti_handling_device": st.booleans(),
            "self_destructing": st.booleans(),
            "remotely_delivered": st.booleans(),
            "quantity": st.integers(min_value=1, max_value=10**9),
        }
    ),
)
locations = optional(
    {
        "country": countries,
        "region": st.one_of(
            st.just("DMZ"),
            st.sampled_from(["Bavaria", "Donbas", "Gyeonggi"]),
            st.text(min_size=1, max_size=12),
        ),
        "coordinates": coordinates,
    }
)

# What every activity may carry, besides action, munition, mode and assisted_activity.
common_fields: dict[str, st.SearchStrategy[Any]] = {
    "id": st.text(max_size=16),
    "actor": st.one_of(st.just("US"), st.just("US"), st.just("US"), countries),
    "date": dates,
    "location": locations,
    "purpose": st.sampled_from(PURPOSES),
    "recipient": countries,
    "regional_security_assessment": st.text(min_size=1, max_size=24),
    "extensions": extensions,
}
# Only the top-level activity may pin a regime.
top_fields: dict[str, st.SearchStrategy[Any]] = {
    **common_fields,
    "regime": st.sampled_from(REGIME_IDS),
}


@st.composite
def plain_activities(
    draw: st.DrawFn, actions: list[str] = NON_ASSIST_ACTIONS, *, top: bool = True
) -> dict[str, Any]:
    """A valid activity that is not an assist: it always has a munition."""
    doc = draw(optional(top_fields if top else common_fields))
    doc["action"] = draw(st.sampled_from(actions))
    doc["munition"] = draw(munitions)
    return doc


@st.composite
def assists(draw: st.DrawFn) -> dict[str, Any]:
    doc = draw(optional({**top_fields, "mode": st.sampled_from(MODES), "munition": munitions}))
    doc["action"] = "assist"
    doc["assisted_activity"] = draw(plain_activities(top=False))
    return doc


valid_activities = st.one_of(plain_activities(), plain_activities(), assists())


# --- near-valid: one rule of the contract broken ------------------------------------------------

# A value of the wrong JSON type for each kind of field.
wrong_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just([]),
    st.just({}),
)


def _wrong_for(kind: str) -> st.SearchStrategy[Any]:
    if kind == "string":
        return wrong_scalars.filter(lambda v: not isinstance(v, str))
    if kind == "object":
        return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just([]))
    if kind == "boolean":
        return st.one_of(
            st.none(), st.integers(), st.sampled_from(["true", "yes", "false"]), st.just([])
        )
    return wrong_scalars


TOP_TYPES = {
    "id": "string",
    "action": "string",
    "actor": "string",
    "date": "string",
    "munition": "object",
    "location": "object",
    "purpose": "string",
    "recipient": "string",
    "regional_security_assessment": "string",
    "regime": "string",
    "extensions": "object",
}
MUNITION_TYPES = {
    "model": "string",
    "category": "string",
    "activation": "string",
    "anti_handling_device": "boolean",
    "self_destructing": "boolean",
    "remotely_delivered": "boolean",
    "quantity": "integer",
}

bad_countries = st.one_of(
    st.sampled_from(["us", "USA", "U", "", "kr", "Kr", "U1", "US ", " US", "US\n", "ÜS"]),
    st.booleans(),  # what YAML 1.1 makes of a plain NO
)
bad_dates = st.sampled_from(
    [
        "2022/06/21",
        "21-06-2022",
        "2022-6-21",
        "2022-02-30",
        "2022-13-01",
        "0000-01-01",
        "2022-06-21T00:00:00",
        "",
        "2022-06-21\n",
    ]
)
bad_enums = st.one_of(
    st.sampled_from(["", "USE", "Use", "mine", "none", "anti-personnel"]), st.text(max_size=10)
)


@st.composite
def near_valid_activities(draw: st.DrawFn) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - one branch per rule
    """A valid activity with exactly one kind of contract break."""
    doc = draw(valid_activities)
    rule = draw(
        st.sampled_from(
            [
                "wrong_type",
                "munition_wrong_type",
                "unknown_enum",
                "unknown_field",
                "unknown_munition_field",
                "missing_action",
                "missing_munition",
                "missing_assisted",
                "nested_assist",
                "assist_only_field",
                "bad_country",
                "bad_date",
                "bad_quantity",
                "bad_coordinates",
                "empty_text",
                "bad_regime",
                "nested_regime",
            ]
        )
    )
    if rule == "wrong_type":
        field = draw(st.sampled_from(sorted(TOP_TYPES)))
        doc[field] = draw(_wrong_for(TOP_TYPES[field]))
    elif rule == "munition_wrong_type":
        munition = dict(doc.get("munition") or {})
        field = draw(st.sampled_from(sorted(MUNITION_TYPES)))
        kind = MUNITION_TYPES[field]
        munition[field] = draw(
            st.one_of(st.just(1.5), st.just("3"), st.booleans(), st.none())
            if kind == "integer"
            else _wrong_for(kind)
        )
        doc["munition"] = munition
    elif rule == "unknown_enum":
        field = draw(st.sampled_from(["action", "purpose", "mode", "category", "activation"]))
        allowed = {
            "action": ACTIONS,
            "purpose": PURPOSES,
            "mode": MODES,
            "category": CATEGORIES,
            "activation": ACTIVATIONS,
        }
        value = draw(bad_enums.filter(lambda v: v not in allowed[field]))
        if field in {"category", "activation"}:
            doc["munition"] = {**(doc.get("munition") or {}), field: value}
        else:
            doc[field] = value
    elif rule == "unknown_field":
        doc[
            draw(st.sampled_from(["Action", "munitions", "purpos", "country", "assessment", "ext"]))
        ] = draw(json_scalars)
    elif rule == "unknown_munition_field":
        doc["munition"] = {
            **(doc.get("munition") or {}),
            draw(st.sampled_from(["Model", "type", "activated_by"])): 1,
        }
    elif rule == "missing_action":
        doc.pop("action")
    elif rule == "missing_munition":
        doc["action"] = draw(st.sampled_from(NON_ASSIST_ACTIONS))
        doc.pop("munition", None)
        doc.pop("assisted_activity", None)
        doc.pop("mode", None)
    elif rule == "missing_assisted":
        doc["action"] = "assist"
        doc.pop("assisted_activity", None)
    elif rule == "nested_assist":
        doc["action"] = "assist"
        doc["assisted_activity"] = {
            "action": "assist",
            "assisted_activity": draw(plain_activities(top=False)),
        }
    elif rule == "assist_only_field":
        doc["action"] = draw(st.sampled_from(NON_ASSIST_ACTIONS))
        doc.setdefault("munition", {})
        field = draw(st.sampled_from(["mode", "assisted_activity"]))
        doc[field] = (
            draw(st.sampled_from(MODES)) if field == "mode" else draw(plain_activities(top=False))
        )
    elif rule == "bad_country":
        value = draw(bad_countries)
        where = draw(st.sampled_from(["actor", "recipient", "location"]))
        if where == "location":
            doc["location"] = {**(doc.get("location") or {}), "country": value}
        else:
            doc[where] = value
    elif rule == "bad_regime":
        doc["regime"] = draw(
            st.one_of(st.sampled_from(["us-apl-1997", "2022", "US-APL-2022", ""]), bad_enums)
        )
    elif rule == "nested_regime":
        doc["action"] = "assist"
        doc.pop("munition", None)
        doc["assisted_activity"] = {
            **draw(plain_activities(top=False)),
            "regime": draw(st.sampled_from(REGIME_IDS)),
        }
    elif rule == "bad_date":
        doc["date"] = draw(bad_dates)
    elif rule == "bad_quantity":
        doc["munition"] = {
            **(doc.get("munition") or {}),
            "quantity": draw(st.sampled_from([0, -1, 2.5, 0.5, -(10**20)])),
        }
    elif rule == "bad_coordinates":
        coords = draw(
            st.sampled_from(
                [
                    {"lat": 91, "lon": 0},
                    {"lat": 0, "lon": -180.5},
                    {"lat": 37},
                    {"lon": 127},
                    {"lat": "37", "lon": 127},
                    [37, 127],
                    {"lat": 1, "lon": 2, "alt": 3},
                ]
            )
        )
        doc["location"] = {**(doc.get("location") or {}), "coordinates": coords}
    else:  # empty_text
        field = draw(st.sampled_from(["regional_security_assessment", "model", "region"]))
        if field == "model":
            doc["munition"] = {**(doc.get("munition") or {}), "model": ""}
        elif field == "region":
            doc["location"] = {**(doc.get("location") or {}), "region": ""}
        else:
            doc[field] = ""
    # Near-valid documents live inside an assist too.
    if (
        draw(st.booleans())
        and doc.get("action") != "assist"
        and "action" in doc
        and rule not in {"assist_only_field", "bad_regime"}
    ):
        return {"action": "assist", "mode": "assist", "assisted_activity": doc}
    return doc


activities = st.one_of(valid_activities, valid_activities, near_valid_activities())


# --- focused: in scope, an APL, and an action section 5 forbids to permit --------------------

apl_munitions = st.one_of(
    st.fixed_dictionaries(
        {"model": st.sampled_from(["M14", "M16", "ADAM", "GATOR", "Volcano", "MOPMS", "m16"])}
    ),
    st.fixed_dictionaries({"category": st.just("mixed")}, optional={"model": models}),
    st.fixed_dictionaries(
        {
            "category": st.sampled_from(["anti_personnel", "anti_vehicle"]),
            "activation": st.just("victim"),
        }
    ),
    # an anti-vehicle model turned into an APL by how it is set off
    st.fixed_dictionaries(
        {"model": st.sampled_from(["M15", "M21"]), "activation": st.just("victim")}
    ),
).flatmap(
    lambda m: st.fixed_dictionaries(
        {},
        optional={
            "anti_handling_device": st.booleans(),
            "self_destructing": st.booleans(),
            "quantity": st.integers(min_value=1, max_value=10**6),
        },
    ).map(lambda extra: {**m, **extra})
)
off_peninsula = optional(
    {
        "country": st.sampled_from(["DE", "US", "UA", "JP", "CN", "FR", "NO"]),
        "region": st.sampled_from(["Bavaria", "Donbas"]),
        "coordinates": st.fixed_dictionaries(
            {
                "lat": st.floats(min_value=-60, max_value=25, allow_nan=False),
                "lon": st.floats(min_value=-180, max_value=100, allow_nan=False),
            }
        ),
    }
)


@st.composite
def forbidden_apl_activities(draw: st.DrawFn) -> dict[str, Any]:
    """develop/produce/acquire of APL anywhere, use of APL off the peninsula, transfer of
    APL for a purpose P2 does not name, under the 2022 policy (undated, dated inside its
    span, or pinned to it): in scope, valid, never to be permitted."""
    action = draw(st.sampled_from(["develop", "produce", "acquire", "use", "transfer"]))
    doc = draw(
        optional(
            {
                "id": st.text(max_size=8),
                "actor": st.just("US"),
                "date": st.dates(min_value=EFFECTIVE, max_value=LAST_2022_DAY).map(
                    datetime.date.isoformat
                ),
                "recipient": countries,
                "extensions": extensions,
            }
        )
    )
    doc["action"] = action
    doc["munition"] = draw(apl_munitions)
    if draw(st.booleans()):
        doc["regime"] = "us-apl-2022"
    if action == "use":
        doc.update(
            draw(optional({"location": off_peninsula, "purpose": st.sampled_from(PURPOSES)}))
        )
    elif action == "transfer":
        doc.update(
            draw(
                optional(
                    {
                        "location": locations,
                        "purpose": st.sampled_from(
                            ["defense_of_rok", "military_operations", "other"]
                        ),
                    }
                )
            )
        )
    else:
        doc.update(draw(optional({"location": locations, "purpose": st.sampled_from(PURPOSES)})))
    return doc
