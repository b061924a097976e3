package apl.korea_test

import data.apl.korea

test_use_is_covered_only_on_the_peninsula if {
	korea.covers_use with input as {"location": {"country": "KR"}}
	not korea.covers_use with input as {"location": {"country": "JP"}}
	not korea.covers_use with input as {}
}

test_assistance_is_covered_by_place_or_by_purpose if {
	korea.covers_assistance with input as {"action": "assist", "assisted_activity": {"location": {"region": "DMZ"}}}
	korea.covers_assistance with input as {"action": "assist", "assisted_activity": {"purpose": "defense_of_rok", "location": {"country": "US"}}}
	not korea.covers_assistance with input as {"action": "assist", "assisted_activity": {"purpose": "military_operations", "location": {"country": "US"}}}
}

test_a_contested_place_does_not_show_the_korean_context if {
	not korea.covers_assistance with input as {"action": "assist", "assisted_activity": {"location": {"region": "DMZ", "country": "DE"}}}
}

test_stockpiles_are_covered_by_purpose_only if {
	korea.covers_stockpile with input as {"purpose": "defense_of_rok"}
	not korea.covers_stockpile with input as {"location": {"country": "KR"}, "purpose": "other"}
}
