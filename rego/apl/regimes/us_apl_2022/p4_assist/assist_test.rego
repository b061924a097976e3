package apl.regimes_test.us_apl_2022.p4_assist

import data.apl.regimes.us_apl_2022.p4_assist

assist(activity) := {"action": "assist", "assisted_activity": activity}

test_assisting_use_of_m16_in_ukraine_is_denied if {
	v := p4_assist.violation with input as assist({"action": "use", "actor": "UA", "munition": {"model": "M16"}, "location": {"country": "UA"}})
	[x.message | some x in v] == ["to assist UA to use M16 in what the Ottawa Convention prohibits: Article 1(1)(a) prohibits the use of anti-personnel mines"]
}

test_encourage_and_induce_are_judged_like_assist if {
	every mode in ["encourage", "induce"] {
		doc := object.union(assist({"action": "produce", "munition": {"model": "M14"}}), {"mode": mode})
		v := p4_assist.violation with input as doc
		some x in v
		startswith(x.message, sprintf("to %s another party to produce M14", [mode]))
	}
}

test_assisting_what_article_3_permits_complies if {
	every activity in [
		{"action": "transfer", "munition": {"model": "M14"}, "purpose": "destruction"},
		{"action": "transfer", "munition": {"model": "M14"}, "purpose": "mine_clearance"},
		{"action": "stockpile", "munition": {"model": "M14"}, "purpose": "demining_training"},
		{"action": "destroy", "munition": {"model": "M14"}},
		{"action": "research", "munition": {"model": "M14"}, "purpose": "mine_detection"},
	] {
		count(p4_assist.violation) + count(p4_assist.review) == 0 with input as assist(activity)
	}
}

test_assisting_activities_with_non_apl_complies if {
	count(p4_assist.violation) == 0 with input as assist({"action": "use", "munition": {"model": "M15"}})
}

test_assisting_on_the_peninsula_applies_the_korean_exception if {
	doc := assist({"action": "use", "actor": "KR", "munition": {"model": "M16"}, "location": {"country": "KR"}})
	count(p4_assist.violation) == 0 with input as doc
	e := p4_assist.exception with input as doc
	[[x.exception, x.clause] | some x in e] == [["KOREA", "P4"]]
	some x in e
	contains(x.message, "on the Korean Peninsula")
}

test_assisting_the_defense_of_korea_elsewhere_applies_the_exception if {
	e := p4_assist.exception with input as assist({"action": "stockpile", "actor": "KR", "munition": {"model": "M14"}, "purpose": "defense_of_rok", "location": {"country": "US"}})
	some x in e
	contains(x.message, "defense of the Republic of Korea")
}

test_assisting_research_for_operations_goes_to_review if {
	count(p4_assist.review) == 1 with input as assist({"action": "research", "munition": {"model": "M14"}, "purpose": "other"})
}

test_assisting_at_a_contested_place_is_no_violation if {
	doc := assist({"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE", "region": "DMZ"}})
	count(p4_assist.violation) + count(p4_assist.exception) == 0 with input as doc
}
