package apl.validation_valid_test

import data.apl.validation

# `valid` holds exactly when `errors` is empty: documents at the edges of each rule.
documents := [
	{"action": "use", "munition": {"model": "M14"}},
	{"action": "use", "munition": {"model": "M14"}, "location": {"coordinates": {"lat": 37.5, "lon": 127}}},
	{"action": "use", "munition": {"model": "M14"}, "location": {"coordinates": {"lat": 37.5}}},
	{"action": "use", "munition": {"model": "M14"}, "location": {"coordinates": {"lat": 91, "lon": 0}}},
	{"action": "use", "munition": {"model": "M14"}, "location": {"country": "de"}},
	{"action": "use", "munition": {"model": ""}},
	{"action": "use", "munition": {"model": "M14", "quantity": 1.5}},
	{"action": "use", "munition": {"model": "M14", "colour": "green"}},
	{"action": "use", "munition": null},
	{"action": "use"},
	{"munition": {"model": "M14"}},
	{"action": "use", "munition": {"model": "M14"}, "mode": "assist"},
	{"action": "use", "munition": {"model": "M14"}, "date": "2023-02-29"},
	{"action": "use", "munition": {"model": "M14"}, "date": "2024-02-29", "regime": "us-apl-2014"},
	{"action": "use", "munition": {"model": "M14"}, "regime": "us-apl-1999"},
	{"action": "assist", "mode": "induce", "assisted_activity": {"action": "use", "munition": {"model": "M14"}}},
	{"action": "assist", "assisted_activity": {"action": "use", "munition": {"model": "M14"}, "regime": "us-apl-2014"}},
	{"action": "assist", "assisted_activity": {"action": "assist", "munition": {"model": "M14"}}},
	{"action": "assist", "assisted_activity": {"action": "use"}},
	{"action": "assist", "assisted_activity": {"action": "use", "munition": {"model": "M14"}, "mode": "assist"}},
	{"action": "assist", "assisted_activity": "a use"},
	{"action": "assist"},
	{"action": "assist", "munition": {"model": "M14", "category": "mine"}, "assisted_activity": {"action": "use", "munition": {}}},
	"not an object",
]

test_valid_holds_exactly_when_there_is_no_error if {
	disagreements := [i |
		some i, doc in documents
		pair := [count(validation.errors), _valid_or_not] with input as doc
		pair[0] == 0 != pair[1]
	]
	disagreements == []
}

test_the_sample_has_both_kinds if {
	count([doc | some doc in documents; _valid with input as doc]) >= 4
	count([doc | some doc in documents; not _valid with input as doc]) >= 15
}

_valid if validation.valid

_valid_or_not if validation.valid

else := false
