package apl.regimes_test.us_apl_2022.p3_use

import data.apl.regimes.us_apl_2022.p3_use

test_use_of_m14_in_germany_is_denied if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}
	[x.message | some x in v] == ["use of anti-personnel mines (M14) outside the Korean Peninsula (country DE)"]
}

test_use_without_a_location_is_denied if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14"}}
	some x in v
	contains(x.message, "the exception applies only where the document shows it")
}

test_use_on_the_peninsula_applies_the_korean_exception if {
	doc := {"action": "use", "munition": {"model": "M14"}, "location": {"region": "DMZ"}}
	count(p3_use.violation) == 0 with input as doc
	e := p3_use.exception with input as doc
	[[x.exception, x.clause] | some x in e] == [["KOREA", "P3"]]
}

test_a_regional_security_assessment_sends_use_to_review_not_permit if {
	doc := {"action": "use", "munition": {"model": "M14"}, "location": {"country": "PL"}, "regional_security_assessment": "RSA-7"}
	count(p3_use.violation) == 0 with input as doc
	count(p3_use.review) == 1 with input as doc
}

test_a_contested_location_is_neither_violation_nor_exception if {
	doc := {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE", "coordinates": {"lat": 37.57, "lon": 126.98}}}
	(count(p3_use.violation) + count(p3_use.exception)) + count(p3_use.review) == 0 with input as doc
}

test_use_of_a_command_detonated_claymore_does_not_touch_p3 if {
	count(p3_use.violation) == 0 with input as {"action": "use", "munition": {"model": "M18A1", "activation": "command"}, "location": {"country": "DE"}}
}
