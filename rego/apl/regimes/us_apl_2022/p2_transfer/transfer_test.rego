package apl.regimes_test.us_apl_2022.p2_transfer

import data.apl.regimes.us_apl_2022.p2_transfer

test_transfer_of_500_m14_for_destruction_complies_with_an_obligation if {
	doc := {"action": "transfer", "munition": {"model": "M14", "quantity": 500}, "recipient": "UA", "purpose": "destruction"}
	count(p2_transfer.violation) == 0 with input as doc
	o := p2_transfer.obligation with input as doc
	[x.clause | some x in o] == ["P2"]
}

test_every_purpose_p2_names_complies if {
	every purpose in ["mine_detection", "mine_clearance", "demining_training", "destruction"] {
		count(p2_transfer.violation) == 0 with input as {"action": "transfer", "munition": {"model": "M16"}, "purpose": purpose}
	}
}

test_transfer_for_military_operations_violates_p2 if {
	v := p2_transfer.violation with input as {"action": "transfer", "munition": {"model": "M14"}, "recipient": "PL", "purpose": "military_operations"}
	[x.message | some x in v] == ["transfer of anti-personnel mines (M14) to PL for military_operations: only detection, clearance, demining training or destruction allow it"]
}

test_transfer_for_the_defense_of_korea_still_violates_p2 if {
	v := p2_transfer.violation with input as {"action": "transfer", "munition": {"model": "M14"}, "recipient": "KR", "purpose": "defense_of_rok"}
	some x in v
	endswith(x.message, "the Korean exception does not reach P2")
}

test_transfer_without_purpose_violates_p2 if {
	v := p2_transfer.violation with input as {"action": "transfer", "munition": {"model": "M14"}}
	[x.message | some x in v] == ["transfer of anti-personnel mines (M14) for no stated purpose: only detection, clearance, demining training or destruction allow it"]
}

test_transfer_of_non_apl_does_not_touch_p2 if {
	doc := {"action": "transfer", "munition": {"model": "M15"}, "purpose": "military_operations"}
	count(p2_transfer.violation) + count(p2_transfer.obligation) == 0 with input as doc
}
