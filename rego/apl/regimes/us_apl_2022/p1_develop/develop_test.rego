package apl.regimes_test.us_apl_2022.p1_develop

import data.apl.regimes.us_apl_2022.p1_develop

test_production_of_m16_violates_p1 if {
	v := p1_develop.violation with input as {"action": "produce", "munition": {"model": "M16", "quantity": 1000}}
	v == {{
		"clause": "P1",
		"title": "P1 — No development, production or acquisition of APL",
		"message": "the United States may not produce anti-personnel mines (1000 M16), whatever the place or purpose",
		"source": `White House fact sheet, 21 June 2022: "Not develop, produce, or acquire APL". Article: "First, the United States will not develop, manufacture, or purchase antipersonnel mines."`,
	}}
}

test_development_and_acquisition_violate_p1_even_for_korea if {
	every action in ["develop", "acquire"] {
		v := p1_develop.violation with input as {"action": action, "munition": {"model": "ADAM"}, "location": {"country": "KR"}, "purpose": "defense_of_rok"}
		count(v) == 1
	}
}

test_production_of_anti_tank_mines_does_not_touch_p1 if {
	count(p1_develop.violation) == 0 with input as {"action": "produce", "munition": {"model": "M15"}}
}

test_research_on_detection_does_not_touch_p1 if {
	every purpose in ["mine_detection", "mine_clearance", "demining_training", "destruction"] {
		count(p1_develop.violation) + count(p1_develop.review) == 0 with input as {"action": "research", "munition": {"model": "M14"}, "purpose": purpose}
	}
}

test_research_for_other_purposes_goes_to_review if {
	r := p1_develop.review with input as {"action": "research", "munition": {"model": "M14"}, "purpose": "military_operations"}
	count(r) == 1
	count(p1_develop.violation) == 0 with input as {"action": "research", "munition": {"model": "M14"}}
	count(p1_develop.review) == 1 with input as {"action": "research", "munition": {"model": "M14"}}
}
