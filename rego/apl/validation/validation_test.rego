package apl.validation_test

import data.apl.validation

fields(doc) := result if {
	errors := validation.errors with input as doc
	result := {e.field | some e in errors}
}

test_a_valid_document_has_no_errors if {
	count(validation.errors) == 0 with input as {
		"id": "a-1", "action": "transfer", "actor": "US", "date": "2024-02-29",
		"munition": {"model": "M14", "category": "anti_personnel", "activation": "victim", "anti_handling_device": false, "self_destructing": false, "quantity": 500},
		"location": {"country": "UA", "region": "Kyiv", "coordinates": {"lat": 50.45, "lon": 30.52}},
		"purpose": "destruction", "recipient": "UA", "regional_security_assessment": "RSA-1",
		"extensions": {"anything": [1, 2, {"goes": true}]},
	}
}

test_a_valid_assist_has_no_errors if {
	count(validation.errors) == 0 with input as {
		"action": "assist", "mode": "induce",
		"assisted_activity": {"action": "use", "actor": "UA", "munition": {"model": "M16"}},
	}
}

test_a_document_that_is_not_an_object_is_invalid if {
	fields([1]) == {"(document)"}
	fields("use") == {"(document)"}
}

test_every_error_is_listed_not_only_the_first if {
	fields({
		"action": "bogus", "actor": "us", "date": "2022-02-30", "foo": 1,
		"munition": {"categroy": "x", "quantity": 0},
		"location": {"coordinates": {"lat": 100}},
	}) == {
		"action", "actor", "date", "foo", "munition.categroy", "munition.quantity",
		"location.coordinates.lat", "location.coordinates.lon",
	}
}

test_action_is_required if {
	fields({"munition": {}}) == {"action"}
}

test_munition_is_required_except_for_assist if {
	fields({"action": "use"}) == {"munition"}
}

test_assist_needs_an_assisted_activity if {
	fields({"action": "assist"}) == {"assisted_activity"}
	fields({"action": "assist", "assisted_activity": "use"}) == {"assisted_activity"}
}

test_a_nested_assist_is_invalid if {
	errors := validation.errors with input as {"action": "assist", "assisted_activity": {"action": "assist"}}
	errors == {{"field": "assisted_activity.action", "message": "an assisted activity may not itself be an assist"}}
}

test_the_assisted_activity_is_checked_like_any_activity if {
	fields({"action": "assist", "assisted_activity": {"action": "use", "actor": 7, "munition": {"quantity": 1.5}}}) == {
		"assisted_activity.actor", "assisted_activity.munition.quantity",
	}
}

test_mode_and_assisted_activity_are_only_for_assist if {
	fields({"action": "use", "munition": {}, "mode": "assist", "assisted_activity": {}}) == {"mode", "assisted_activity"}
}

test_wrong_types_at_every_field if {
	fields({
		"id": 1, "action": "use", "actor": "USA", "date": 20220621, "purpose": "fun",
		"recipient": false, "mode": "x", "regional_security_assessment": "",
		"extensions": [], "location": "Seoul", "munition": {
			"model": "", "category": "tank", "activation": "remote",
			"anti_handling_device": "yes", "self_destructing": 1, "quantity": "5",
		},
	}) == {
		"id", "actor", "date", "purpose", "recipient", "mode", "regional_security_assessment",
		"extensions", "location", "munition.model", "munition.category", "munition.activation",
		"munition.anti_handling_device", "munition.self_destructing", "munition.quantity",
	}
}

test_munition_and_location_must_be_objects if {
	fields({"action": "use", "munition": "M14", "location": ["KR"]}) == {"munition", "location"}
}

test_location_fields_are_checked if {
	fields({"action": "use", "munition": {}, "location": {"country": "kr", "region": "", "city": "Seoul", "coordinates": {"lat": "37", "lon": 200, "alt": 0}}}) == {
		"location.country", "location.region", "location.city",
		"location.coordinates.lat", "location.coordinates.lon", "location.coordinates.alt",
	}
	fields({"action": "use", "munition": {}, "location": {"coordinates": [37, 127]}}) == {"location.coordinates"}
}

test_dates_must_be_real_calendar_dates if {
	fields({"action": "use", "munition": {}, "date": "2023-02-29"}) == {"date"}
	fields({"action": "use", "munition": {}, "date": "0000-01-01"}) == {"date"}
	fields({"action": "use", "munition": {}, "date": "2022-6-21"}) == {"date"}
	fields({"action": "use", "munition": {}, "date": "2022-13-01"}) == {"date"}
	fields({"action": "use", "munition": {}, "date": "2022-04-31"}) == {"date"}
	fields({"action": "use", "munition": {}, "date": "1900-02-29"}) == {"date"}
	every date in ["2024-02-29", "2000-02-29", "0001-01-01", "1500-06-21", "9999-12-31"] {
		count(fields({"action": "use", "munition": {}, "date": date})) == 0
	}
}

test_country_codes_are_two_upper_case_letters if {
	fields({"action": "use", "munition": {}, "actor": "US\n"}) == {"actor"}
	fields({"action": "use", "munition": {}, "recipient": false}) == {"recipient"}
}

test_contract_2_fields_are_checked if {
	validation.errors == {
		{"field": "munition.remotely_delivered", "message": "must be true or false"},
		{"field": "regime", "message": "must be one of us-apl-2014, us-apl-2020, us-apl-2022, us-apl-2025-interim"},
	} with input as {"action": "use", "regime": "2014", "munition": {"model": "M14", "remotely_delivered": "yes"}}
	count(validation.errors) == 0 with input as {"action": "use", "regime": "us-apl-2020", "munition": {"model": "M14", "remotely_delivered": false}}
}
