package apl.regimes_test.us_apl_2022.p5_stockpile

import data.apl.regimes.us_apl_2022.p5_stockpile

test_a_stockpile_for_operations_violates_p5_and_must_be_destroyed if {
	doc := {"action": "stockpile", "munition": {"model": "M16", "quantity": 3000}, "purpose": "military_operations"}
	v := p5_stockpile.violation with input as doc
	[x.clause | some x in v] == ["P5"]
	o := p5_stockpile.obligation with input as doc
	[x.message | some x in o] == ["destroy this stockpile (3000 M16)"]
}

test_a_stockpile_without_purpose_violates_p5 if {
	v := p5_stockpile.violation with input as {"action": "stockpile", "munition": {"model": "GATOR"}}
	some x in v
	contains(x.message, "no stated purpose")
}

test_a_stockpile_for_detection_violates_p5 if {
	count(p5_stockpile.violation) == 1 with input as {"action": "stockpile", "munition": {"model": "M14"}, "purpose": "mine_detection"}
}

test_a_stockpile_for_the_defense_of_korea_applies_the_exception if {
	doc := {"action": "stockpile", "munition": {"model": "M14"}, "purpose": "defense_of_rok", "location": {"country": "US"}}
	count(p5_stockpile.violation) + count(p5_stockpile.obligation) == 0 with input as doc
	e := p5_stockpile.exception with input as doc
	[[x.exception, x.clause] | some x in e] == [["KOREA", "P5"]]
}

test_retention_for_training_goes_to_review if {
	doc := {"action": "stockpile", "munition": {"model": "M14"}, "purpose": "demining_training"}
	count(p5_stockpile.violation) == 0 with input as doc
	count(p5_stockpile.review) == 1 with input as doc
}

test_destruction_complies_with_p5 if {
	doc := {"action": "destroy", "munition": {"model": "ADAM"}}
	(count(p5_stockpile.violation) + count(p5_stockpile.review)) + count(p5_stockpile.obligation) == 0 with input as doc
}
