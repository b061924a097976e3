# METADATA
# title: Input checks — the activity document's contract
# description: |
#   The same rules as bridge/schemas/activity.schema.json, so that a service posting
#   straight to OPA gets the same `invalid` answer, with every error found, as the CLI.
#   Any field outside the contract is an error, at every level, so typos are caught.
# custom:
#   clause: INPUT
package apl.validation

import data.apl.policy

actions := {"develop", "produce", "acquire", "research", "transfer", "use", "assist", "stockpile", "destroy"}

purposes := {
	"defense_of_rok", "mine_detection", "mine_clearance", "demining_training",
	"destruction", "military_operations", "other",
}

modes := {"assist", "encourage", "induce"}

categories := {"anti_personnel", "anti_vehicle", "mixed", "not_a_mine"}

activations := {"victim", "command", "vehicle"}

# The regime ids, from the one index of regimes (policy/data.yaml).
regimes := {r.id | some r in policy.regimes}

activity_fields := {
	"id", "action", "actor", "date", "munition", "location", "purpose", "recipient",
	"mode", "assisted_activity", "regional_security_assessment", "regime", "extensions",
}

munition_fields := {"model", "category", "activation", "anti_handling_device", "self_destructing", "remotely_delivered", "quantity"}

location_fields := {"country", "region", "coordinates"}

# Every error in the document, as {"field", "message"}; empty when the document is valid.
errors contains {"field": "(document)", "message": "an activity must be a JSON object"} if not is_object(input)

errors contains e if {
	is_object(input)
	some e in activity_errors(input, "", false)
}

errors contains e if {
	input.action == "assist"
	is_object(input.assisted_activity)
	some e in activity_errors(input.assisted_activity, "assisted_activity.", true)
}

# nested: the document is an assisted_activity, which may not itself be an assist.
# Each field the document has is checked on its own, so the work grows with the
# document, not with the contract.
activity_errors(doc, at, nested) := (_required(doc, at, nested) | {e |
	assist := object.get(doc, "action", null) == "assist"
	some key, value in doc
	some e in _field(key, value, at, assist)
}) | {_error(at, "regime", "is only for the top-level activity: the assisted activity is judged under the document's regime") |
	nested
	_has(doc, "regime")
}

# What a document must have: an action; for an assist, the assisted activity; for every
# other action (or none), a munition. An assisted activity may not be an assist.
_required(doc, at, nested) := ({_error(at, "action", "is required") |
	not _has(doc, "action")
} | {_error(at, "assisted_activity", "is required for an assist: the activity of the other party") |
	doc.action == "assist"
	not nested
	not _has(doc, "assisted_activity")
}) | ({_error(at, "munition", "is required (except for an assist)") |
	object.get(doc, "action", null) != "assist"
	not _has(doc, "munition")
} | {_error(at, "action", "an assisted activity may not itself be an assist") |
	nested
	doc.action == "assist"
})

_field(key, _, at, _) := {_error(at, key, sprintf("unknown field %q: not part of the activity contract (a typo?)", [key]))} if {
	not key in activity_fields
}

_field("id", value, at, _) := {_error(at, "id", "must be a string")} if not is_string(value)

_field("action", value, at, _) := {_error(at, "action", _one_of(actions))} if not value in actions

_field("actor", value, at, _) := {_error(at, "actor", _country_message)} if not _country(value)

_field("recipient", value, at, _) := {_error(at, "recipient", _country_message)} if not _country(value)

_field("date", value, at, _) := {_error(at, "date", "must be a date written YYYY-MM-DD")} if not _date(value)

_field("purpose", value, at, _) := {_error(at, "purpose", _one_of(purposes))} if not value in purposes

_field("munition", value, at, _) := _munition(value, at)

_field("location", value, at, _) := _location(value, at)

_field("mode", _, at, false) := {_error(at, "mode", "is only for an assist")}

_field("mode", value, at, true) := {_error(at, "mode", _one_of(modes))} if not value in modes

_field("assisted_activity", _, at, false) := {_error(at, "assisted_activity", "is only for an assist")}

_field("assisted_activity", value, at, true) := {_error(at, "assisted_activity", "must be an object (an activity document)")} if {
	not is_object(value)
}

_field("regional_security_assessment", value, at, _) := {_error(at, "regional_security_assessment", "must be a non-empty string")} if {
	not _text(value)
}

_field("regime", value, at, _) := {_error(at, "regime", _one_of(regimes))} if not value in regimes

_field("extensions", value, at, _) := {_error(at, "extensions", "must be an object")} if not is_object(value)

_munition(value, at) := {_error(at, "munition", "must be an object")} if not is_object(value)

_munition(value, at) := {e |
	some key, v in value
	some e in _munition_field(key, v, concat("", [at, "munition."]))
} if {
	is_object(value)
}

_munition_field(key, _, at) := {_error(at, key, sprintf("unknown field %q: not part of the activity contract (a typo?)", [key]))} if {
	not key in munition_fields
}

_munition_field("model", value, at) := {_error(at, "model", "must be a non-empty string")} if not _text(value)

_munition_field("category", value, at) := {_error(at, "category", _one_of(categories))} if not value in categories

_munition_field("activation", value, at) := {_error(at, "activation", _one_of(activations))} if not value in activations

_munition_field("anti_handling_device", value, at) := {_error(at, "anti_handling_device", "must be true or false")} if {
	not is_boolean(value)
}

_munition_field("self_destructing", value, at) := {_error(at, "self_destructing", "must be true or false")} if {
	not is_boolean(value)
}

_munition_field("remotely_delivered", value, at) := {_error(at, "remotely_delivered", "must be true or false")} if {
	not is_boolean(value)
}

_munition_field("quantity", value, at) := {_error(at, "quantity", "must be a whole number of at least 1")} if {
	not _count(value)
}

_location(value, at) := {_error(at, "location", "must be an object")} if not is_object(value)

_location(value, at) := {e |
	some key, v in value
	some e in _location_field(key, v, concat("", [at, "location."]))
} if {
	is_object(value)
}

_location_field(key, _, at) := {_error(at, key, sprintf("unknown field %q: not part of the activity contract (a typo?)", [key]))} if {
	not key in location_fields
}

_location_field("country", value, at) := {_error(at, "country", _country_message)} if not _country(value)

_location_field("region", value, at) := {_error(at, "region", "must be a non-empty string")} if not _text(value)

_location_field("coordinates", value, at) := {_error(at, "coordinates", "must be an object {lat, lon} in degrees")} if {
	not is_object(value)
}

_location_field("coordinates", value, at) := {_error(where, axis, "is required") |
	some axis in ["lat", "lon"]
	not _has(value, axis)
} | {e |
	some key, v in value
	some e in _coordinate(key, v, where)
} if {
	is_object(value)
	where := concat("", [at, "coordinates."])
}

_coordinate(key, _, at) := {_error(at, key, sprintf("unknown field %q: not part of the activity contract (a typo?)", [key]))} if {
	not key in {"lat", "lon"}
}

_coordinate("lat", value, at) := {_error(at, "lat", "must be a number from -90 to 90")} if not _within(value, 90)

_coordinate("lon", value, at) := {_error(at, "lon", "must be a number from -180 to 180")} if not _within(value, 180)

_error(at, field, message) := {"field": concat("", [at, field]), "message": message}

# "must be one of ..." for an enum, built only for a document that breaks it.
_one_of(values) := sprintf("must be one of %s", [concat(", ", sort(values))])

_country_message := "must be an ISO 3166-1 alpha-2 code in upper case, as a string (in YAML, quote it: \"NO\", not NO)"

_text(value) if {
	is_string(value)
	value != ""
}

# Two upper-case ASCII letters, exactly (the JSON Schema also bounds the length to 2).
_country(value) if {
	is_string(value)
	regex.match(`^[A-Z]{2}$`, value)
}

# A real calendar date, year 0001 to 9999 (what Python's datetime.date accepts).
# time.parse_ns holds only the years 1678 to 2262, and checks the calendar within them
# for a fraction of the cost of checking it by hand; any other year is checked by hand.
_date(value) if time.parse_ns("2006-01-02", value)

_date(value) if {
	not time.parse_ns("2006-01-02", value)
	_calendar_date(value)
}

_calendar_date(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, value)
	year := to_number(substring(value, 0, 4))
	month := to_number(substring(value, 5, 2))
	day := to_number(substring(value, 8, 2))
	year >= 1
	day >= 1
	day <= _days_in_month(year, month)
}

_days_in_month(_, month) := 31 if month in {1, 3, 5, 7, 8, 10, 12}

_days_in_month(_, month) := 30 if month in {4, 6, 9, 11}

_days_in_month(year, 2) := 29 if _leap(year)

_days_in_month(year, 2) := 28 if not _leap(year)

_leap(year) if {
	year % 4 == 0
	year % 100 != 0
}

_leap(year) if year % 400 == 0

_count(value) if {
	is_number(value)
	floor(value) == value
	value >= 1
}

_within(value, limit) if {
	is_number(value)
	value >= 0 - limit
	value <= limit
}

# The key is present, whatever its value (false and null included).
_has(obj, key) if _ = obj[key]

# --- the fast path: is the document valid? ------------------------------------------------

# True when the document has no error at all, found without building the error list: most
# documents are valid, and the list (each field checked into a set of messages) costs far
# more than a yes. `valid` implies that `errors` is empty; where it does not hold, the
# decision computes `errors` and that list alone decides (so a document `valid` misjudged
# would still get its list).
#
# Most documents carry only the common fields (_valid_common): they are checked in one
# body, a built-in on each value (or on a stand-in that passes, when the field is absent).
# Any other document (a regime, a regional security assessment, a date outside the years
# 1678 to 2262, a field out of place) takes the general check, one call per field. Each
# call OPA makes costs more than the check it wraps, so the common path makes none for the
# document's own fields; the munition's and the location's fields are still checked one
# call each (written out with stand-ins, they cost more: docs/performance.md has the counts).
valid if {
	input.action != "assist"
	is_object(input.munition)
	_valid_common(input)
} else if {
	input.action == "assist"
	object.get(input, "mode", "assist") in modes
	nested := input.assisted_activity
	nested.action != "assist"
	is_object(nested.munition)
	_valid_common(nested)
	_valid_common(object.remove(input, {"mode", "assisted_activity"}))
} else if {
	is_object(input)
	assist := input.action == "assist"
	_valid_top(input, assist)
	_valid_fields(input, assist)
}

# The fields nearly every document is made of, each as `errors` checks it. (The set of
# names is written out, as a rule would cost more than the check: tests/policy/
# test_validation_fast_path.py checks that every name in it is a field of the contract.)
_valid_common(doc) if {
	count(object.remove(doc, {"id", "action", "actor", "date", "munition", "location", "purpose", "recipient", "extensions"})) == 0
	doc.action in actions
	is_string(object.get(doc, "id", ""))
	regex.match(`^[A-Z]{2}$`, object.get(doc, "actor", "US"))
	regex.match(`^[A-Z]{2}$`, object.get(doc, "recipient", "US"))
	time.parse_ns("2006-01-02", object.get(doc, "date", "2000-01-01"))
	object.get(doc, "purpose", "other") in purposes
	is_object(object.get(doc, "extensions", {}))
	munition := object.get(doc, "munition", {})
	is_object(munition)
	every key, value in munition {
		_munition_ok(key, value)
	}
	location := object.get(doc, "location", {})
	is_object(location)
	every key, value in location {
		_location_ok(key, value)
	}
}

# The general check. What the document must have (see _required): a munition for every
# action but an assist; for an assist, a valid assisted activity: itself no assist, with a
# munition, and no regime.
_valid_top(doc, false) if _has(doc, "munition")

_valid_top(doc, true) if {
	nested := doc.assisted_activity
	nested.action != "assist"
	_has(nested, "munition")
	not _has(nested, "regime")
	_valid_fields(nested, false)
}

_valid_fields(doc, assist) if {
	every key, value in doc {
		_ok(key, value, assist)
	}
}

_ok("id", value, _) if is_string(value)

_ok("action", value, _) if value in actions

_ok("actor", value, _) if _country(value)

_ok("recipient", value, _) if _country(value)

_ok("date", value, _) if _date(value)

_ok("purpose", value, _) if value in purposes

_ok("munition", value, _) if {
	is_object(value)
	every key, v in value {
		_munition_ok(key, v)
	}
}

_ok("location", value, _) if {
	is_object(value)
	every key, v in value {
		_location_ok(key, v)
	}
}

_ok("mode", value, true) if value in modes

_ok("assisted_activity", value, true) if is_object(value)

_ok("regional_security_assessment", value, _) if _text(value)

_ok("regime", value, _) if value in regimes

_ok("extensions", value, _) if is_object(value)

# The munition's and the location's fields are checked for nearly every document (the
# common path calls these too), so _text, _count and _country are written out here: each
# call OPA makes costs more than the check it wraps.
_munition_ok("model", value) if {
	is_string(value)
	value != ""
}

_munition_ok("category", value) if value in categories

_munition_ok("activation", value) if value in activations

_munition_ok("anti_handling_device", value) if is_boolean(value)

_munition_ok("self_destructing", value) if is_boolean(value)

_munition_ok("remotely_delivered", value) if is_boolean(value)

_munition_ok("quantity", value) if {
	is_number(value)
	floor(value) == value
	value >= 1
}

_location_ok("country", value) if regex.match(`^[A-Z]{2}$`, value)

_location_ok("region", value) if _text(value)

# Exactly lat and lon, numbers within range, checked in line: this runs for every
# document that gives coordinates.
_location_ok("coordinates", value) if {
	count(value) == 2
	is_number(value.lat)
	is_number(value.lon)
	value.lat >= -90
	value.lat <= 90
	value.lon >= -180
	value.lon <= 180
}
