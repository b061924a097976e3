package apl.definitions_test

import data.apl.definitions

# --- classification (POLICY.md section 1) ---

test_m14_is_an_apl_by_its_design if {
	c := definitions.classify({"model": "M14"})
	c.is_apl == true
	contains(c.basis, "Ottawa Art. 2(1)")
}

test_model_names_match_without_regard_to_case if {
	definitions.classify({"model": " m16 "}).is_apl == true
}

test_mixed_systems_are_apl if {
	every model in ["GATOR", "Volcano", "MOPMS"] {
		definitions.classify({"model": model}).is_apl == true
	}
}

test_claymore_fired_by_an_operator_is_not_an_apl if {
	definitions.classify({"model": "M18A1", "activation": "command"}).is_apl == false
}

test_claymore_on_a_tripwire_is_an_apl if {
	definitions.classify({"model": "M18A1", "activation": "victim"}).is_apl == true
}

test_claymore_without_a_mode_is_undetermined if {
	c := definitions.classify({"model": "M18A1"})
	c.is_apl == null
	contains(c.basis, "activation mode decides")
}

test_anti_vehicle_mine_with_anti_handling_device_is_not_an_apl if {
	c := definitions.classify({"model": "M15", "anti_handling_device": true})
	c.is_apl == false
	contains(c.basis, "second sentence")
}

test_anti_vehicle_mine_set_off_by_a_person_is_an_apl if {
	definitions.classify({"category": "anti_vehicle", "activation": "victim"}).is_apl == true
}

test_command_detonated_anti_vehicle_mine_is_not_an_apl if {
	definitions.classify({"category": "anti_vehicle", "activation": "command"}).is_apl == false
}

test_anti_vehicle_mine_without_a_mode_is_undetermined if {
	definitions.classify({"category": "anti_vehicle"}).is_apl == null
}

test_anti_personnel_mine_set_off_by_a_vehicle_is_undetermined if {
	c := definitions.classify({"category": "anti_personnel", "activation": "vehicle"})
	c.is_apl == null
	contains(c.basis, "contradicts")
}

test_not_a_mine_is_not_an_apl if {
	definitions.classify({"category": "not_a_mine", "activation": "victim"}).is_apl == false
}

test_unknown_model_without_category_is_undetermined if {
	c := definitions.classify({"model": "XM-99"})
	c.is_apl == null
	contains(c.basis, "XM-99")
}

test_a_catalogued_model_whose_category_no_source_settles_is_undetermined_not_unknown if {
	c := definitions.classify({"model": "PTM-1"})
	c.is_apl == null
	contains(c.basis, "\"PTM-1\" is in the catalogue")
	not contains(c.basis, "unknown model")
	definitions.classify({"model": "PTM-1", "category": "anti_vehicle", "activation": "vehicle"}).is_apl == false
}

test_nothing_known_is_undetermined if {
	c := definitions.classify({})
	c.is_apl == null
	contains(c.basis, "no model and no category")
}

test_input_attributes_win_over_the_catalogue if {
	definitions.classify({"model": "M21", "activation": "victim"}).is_apl == true
	definitions.classify({"model": "M14", "category": "not_a_mine"}).is_apl == false
}

test_self_destruction_changes_nothing_but_is_named if {
	c := definitions.classify({"model": "ADAM"})
	c.is_apl == true
	contains(c.basis, "self-destruction changes nothing")
}

test_the_assisted_munition_is_the_subject_of_an_assist if {
	definitions.subject_munition == {"model": "M15"} with input as {
		"action": "assist",
		"munition": {"model": "M14"},
		"assisted_activity": {"action": "use", "munition": {"model": "M15"}},
	}
}

test_labels_name_quantity_and_model if {
	definitions.label({"model": "M14", "quantity": 500}) == "500 M14"
	definitions.label({"category": "mixed"}) == "mixed munition"
	definitions.label({}) == "unidentified munition"
}

# --- the Korean Peninsula (POLICY.md section 2) ---

seoul := {"lat": 37.57, "lon": 126.98}

test_places_on_the_peninsula_by_coordinates if {
	every place in [
		seoul,
		{"lat": 39.02, "lon": 125.75}, # Pyongyang
		{"lat": 37.96, "lon": 126.68}, # Panmunjom, in the DMZ
		{"lat": 35.18, "lon": 129.08}, # Busan
		{"lat": 40.09, "lon": 124.42}, # Sinuiju, on the Yalu
		{"lat": 41.39, "lon": 128.18}, # Hyesan, on the Yalu
		{"lat": 33.5, "lon": 126.53}, # Jeju
		{"lat": 37.97, "lon": 124.67}, # Baengnyeong
		{"lat": 37.5, "lon": 130.86}, # Ulleungdo
	] {
		definitions.inside(place)
	}
}

test_places_off_the_peninsula_by_coordinates if {
	every place in [
		{"lat": 40.13, "lon": 124.37}, # Dandong, China
		{"lat": 41.43, "lon": 128.19}, # Changbai, China
		{"lat": 42.43, "lon": 130.65}, # Khasan, Russia
		{"lat": 34.4, "lon": 129.3}, # Tsushima, Japan
		{"lat": 33.6, "lon": 130.4}, # Fukuoka, Japan
		{"lat": 37.24, "lon": 131.87}, # Dokdo, left out
		{"lat": 38.9, "lon": 121.6}, # Dalian, China
		{"lat": 52.5, "lon": 13.4}, # Berlin
	] {
		not definitions.inside(place)
	}
}

test_country_codes_and_the_dmz_put_a_place_on_the_peninsula if {
	definitions.location_status({"country": "KR"}) == "on"
	definitions.location_status({"country": "KP"}) == "on"
	definitions.location_status({"region": "dmz "}) == "on"
	definitions.location_status({"country": "KR", "coordinates": seoul}) == "on"
}

test_places_elsewhere_are_off if {
	definitions.location_status({"country": "DE"}) == "off"
	definitions.location_status({"coordinates": {"lat": 52.5, "lon": 13.4}}) == "off"
	definitions.location_status({"region": "Bavaria", "country": "DE"}) == "off"
}

test_a_location_that_shows_nothing_is_unknown if {
	definitions.location_status({}) == "unknown"
	definitions.location_status({"region": "the front"}) == "unknown"
}

test_country_and_coordinates_that_disagree_are_contested if {
	definitions.location_status({"country": "JP", "coordinates": seoul}) == "contested"
	definitions.location_status({"country": "KR", "coordinates": {"lat": 52.5, "lon": 13.4}}) == "contested"
}

test_a_dmz_elsewhere_is_contested if {
	definitions.location_status({"region": "DMZ", "country": "DE"}) == "contested"
	definitions.location_status({"region": "DMZ", "coordinates": {"lat": 52.5, "lon": 13.4}}) == "contested"
}

# --- reviews raised by the definitions ---

test_an_undetermined_munition_is_sent_to_review if {
	reviews := definitions.review with input as {"action": "destroy", "munition": {"model": "M18A1"}}
	count(reviews) == 1
	some r in reviews
	r.clause == "DEFINITIONS"
}

test_a_contested_assisted_location_is_sent_to_review if {
	reviews := definitions.review with input as {"action": "assist", "assisted_activity": {
		"action": "use",
		"munition": {"model": "M14"},
		"location": {"country": "DE", "coordinates": seoul},
	}}
	[r.message | some r in reviews][0] == concat("", [
		"assisted_activity.location is contested: the document names country DE, ",
		`coordinates {"lat": 37.57, "lon": 126.98}; they do not agree on whether this is the Korean Peninsula`,
	])
}

test_a_clear_document_raises_no_review if {
	count(definitions.review) == 0 with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}
}

test_each_bounding_box_holds_its_outline if {
	every area in data.apl.definitions.peninsula.areas {
		lons := [p[0] | some p in area.polygon]
		lats := [p[1] | some p in area.polygon]
		area.bbox == [min(lons), min(lats), max(lons), max(lats)]
	}
}
