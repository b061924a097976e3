# METADATA
# title: Input checks — the activity document's contract
# description: |
#   The same rules as bridge/schemas/activity.schema.json, so that a service posting
#   straight to OPA gets the same `invalid` answer, with every error found, as the CLI.
#   Any field outside the contract is an error, at every level, so typos are caught.
# custom:
#   clause: INPUT
package apl.validation

actions := {"develop", "produce", "acquire", "research", "transfer", "use", "assist", "stockpile", "destroy"}

purposes := {
	"defense_of_rok", "mine_detection", "mine_clearance", "demining_training",
	"destruction", "military_operations", "other",
}

modes := {"assist", "encourage", "induce"}

categories := {"anti_personnel", "anti_vehicle", "mixed", "not_a_mine"}

activations := {"victim", "command", "vehicle"}

activity_fields := {
	"id", "action", "actor", "date", "munition", "location", "purpose", "recipient",
	"mode", "assisted_activity", "regional_security_assessment", "extensions",
}

munition_fields := {"model", "category", "activation", "anti_handling_device", "self_destructing", "quantity"}

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
activity_errors(doc, at, nested) := union({
	unknown_fields(doc, activity_fields, at),
	_action(doc, at, nested),
	_shape(doc, at, nested),
	_scalars(doc, at),
	_munition(doc, at),
	_location(doc, at),
})

unknown_fields(obj, known, at) := {_error(at, key, sprintf("unknown field %q: not part of the activity contract (a typo?)", [key])) |
	some key, _ in obj
	not key in known
}

_error(at, field, message) := {"field": concat("", [at, field]), "message": message}

_action(doc, at, _) := {_error(at, "action", "is required")} if not _has(doc, "action")

_action(doc, at, _) := {_error(at, "action", sprintf("must be one of %s", [_list(actions)]))} if {
	_has(doc, "action")
	not doc.action in actions
}

_action(doc, at, nested) := {_error(at, "action", "an assisted activity may not itself be an assist")} if {
	nested
	doc.action == "assist"
}

_action(doc, _, nested) := set() if {
	doc.action in actions
	not _nested_assist(doc, nested)
}

_nested_assist(doc, nested) if {
	nested
	doc.action == "assist"
}

# What an assist needs and what only an assist may have; everything else needs a munition.
_shape(doc, at, nested) := (({_error(at, "assisted_activity", "is required for an assist: the activity of the other party") |
	doc.action == "assist"
	not nested
	not _has(doc, "assisted_activity")
} | {_error(at, "assisted_activity", "must be an object (an activity document)") |
	doc.action == "assist"
	not nested
	_has(doc, "assisted_activity")
	not is_object(doc.assisted_activity)
}) | {_error(at, field, "is only for an assist") |
	not doc.action == "assist"
	some field in ["mode", "assisted_activity"]
	_has(doc, field)
}) | {_error(at, "munition", "is required (except for an assist)") |
	not doc.action == "assist"
	not _has(doc, "munition")
}

_scalars(doc, at) := {_error(at, field, message) |
	some field, check in _scalar_checks
	_has(doc, field)
	message := _scalar_message(check, doc[field])
}

_scalar_checks := {
	"id": "string",
	"actor": "country",
	"date": "date",
	"purpose": "purpose",
	"recipient": "country",
	"mode": "mode",
	"regional_security_assessment": "text",
	"extensions": "object",
}

_scalar_message("string", value) := "must be a string" if not is_string(value)

_scalar_message("text", value) := "must be a non-empty string" if not _text(value)

_scalar_message("object", value) := "must be an object" if not is_object(value)

_scalar_message("country", value) := "must be an ISO 3166-1 alpha-2 code in upper case, as a string (in YAML, quote it: \"NO\", not NO)" if {
	not _country(value)
}

_scalar_message("date", value) := "must be a date written YYYY-MM-DD" if not _date(value)

_scalar_message("purpose", value) := sprintf("must be one of %s", [_list(purposes)]) if not value in purposes

_scalar_message("mode", value) := sprintf("must be one of %s", [_list(modes)]) if not value in modes

_munition(doc, at) := {_error(at, "munition", "must be an object")} if {
	_has(doc, "munition")
	not is_object(doc.munition)
}

_munition(doc, at) := union({
	unknown_fields(doc.munition, munition_fields, where),
	{_error(where, "model", "must be a non-empty string") | _has(doc.munition, "model"); not _text(doc.munition.model)},
	{_error(where, "category", sprintf("must be one of %s", [_list(categories)])) | _has(doc.munition, "category"); not doc.munition.category in categories},
	{_error(where, "activation", sprintf("must be one of %s", [_list(activations)])) | _has(doc.munition, "activation"); not doc.munition.activation in activations},
	{_error(where, field, "must be true or false") | some field in ["anti_handling_device", "self_destructing"]; _has(doc.munition, field); not is_boolean(doc.munition[field])},
	{_error(where, "quantity", "must be a whole number of at least 1") | _has(doc.munition, "quantity"); not _count(doc.munition.quantity)},
}) if {
	is_object(doc.munition)
	where := concat("", [at, "munition."])
}

_munition(doc, _) := set() if not _has(doc, "munition")

_location(doc, at) := {_error(at, "location", "must be an object")} if {
	_has(doc, "location")
	not is_object(doc.location)
}

_location(doc, at) := union({
	unknown_fields(doc.location, location_fields, where),
	{_error(where, "country", "must be an ISO 3166-1 alpha-2 code in upper case, as a string (in YAML, quote it: \"NO\", not NO)") | _has(doc.location, "country"); not _country(doc.location.country)},
	{_error(where, "region", "must be a non-empty string") | _has(doc.location, "region"); not _text(doc.location.region)},
	_coordinates(doc.location, where),
}) if {
	is_object(doc.location)
	where := concat("", [at, "location."])
}

_location(doc, _) := set() if not _has(doc, "location")

_coordinates(location, _) := set() if not _has(location, "coordinates")

_coordinates(location, at) := {_error(at, "coordinates", "must be an object {lat, lon} in degrees")} if {
	_has(location, "coordinates")
	not is_object(location.coordinates)
}

_coordinates(location, at) := union({
	unknown_fields(location.coordinates, {"lat", "lon"}, where),
	{_error(where, axis, "is required") | some axis in ["lat", "lon"]; not _has(location.coordinates, axis)},
	{_error(where, axis, sprintf("must be a number from -%d to %d", [limit, limit])) |
		some axis, limit in {"lat": 90, "lon": 180}
		_has(location.coordinates, axis)
		not _within(location.coordinates[axis], limit)
	},
}) if {
	is_object(location.coordinates)
	where := concat("", [at, "coordinates."])
}

_text(value) if {
	is_string(value)
	value != ""
}

# Two upper-case ASCII letters, exactly (the JSON Schema also bounds the length to 2).
_country(value) if {
	is_string(value)
	regex.match(`^[A-Z]{2}$`, value)
}

# A real calendar date, year 0001 to 9999 (what Python's datetime.date accepts). Checked
# by hand: time.parse_ns holds only the years 1678 to 2262.
_date(value) if {
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

_list(values) := concat(", ", sort(values))

# The key is present, whatever its value (false and null included).
_has(obj, key) if _ = obj[key]
