package apl.regimes_test.us_apl_2014

import data.apl.regimes.us_apl_2014.korea
import data.apl.regimes.us_apl_2014.p1_develop
import data.apl.regimes.us_apl_2014.p2_transfer
import data.apl.regimes.us_apl_2014.p3_use
import data.apl.regimes.us_apl_2014.p4_assist
import data.apl.regimes.us_apl_2014.p5_stockpile

source_p3 := `State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual: "not use APL outside the Korean Peninsula"`

# --- P1 ------------------------------------------------------------------------------------

test_production_of_m16_violates_p1 if {
	v := p1_develop.violation with input as {"action": "produce", "munition": {"model": "M16", "quantity": 10}}
	v == {{
		"clause": "P1",
		"title": "P1 — No production or acquisition of APL (2014)",
		"message": "the United States may not produce anti-personnel mines (10 M16), whatever the place or purpose",
		"source": `NSC spokesperson Caitlin Hayden, 23 Sept 2014, as quoted by AP: "will not produce or otherwise acquire any anti-personnel munitions that are not compliant with the Ottawa Convention"`,
	}}
}

test_acquisition_of_self_destructing_adam_violates_p1_too if {
	v := p1_develop.violation with input as {"action": "acquire", "munition": {"model": "ADAM"}, "purpose": "defense_of_rok"}
	[x.message | some x in v] == ["the United States may not acquire anti-personnel mines (ADAM), whatever the place or purpose"]
}

test_development_is_not_named_so_it_goes_to_review if {
	doc := {"action": "develop", "munition": {"model": "M14"}}
	count(p1_develop.violation) == 0 with input as doc
	r := p1_develop.review with input as doc
	r == {{"clause": "P1", "message": `us-apl-2014 has no text on the development of anti-personnel mines (M14); where a regime is silent a person must decide (REGIMES.md section 3, clause table: "Develop" is not named.)`}}
}

test_research_that_may_be_development_goes_to_review if {
	r := p1_develop.review with input as {"action": "research", "munition": {"model": "M14"}}
	r == {{"clause": "P1", "message": `us-apl-2014 has no text on research on anti-personnel mines (M14) for no stated purpose, which may be development; where a regime is silent a person must decide (REGIMES.md section 3, clause table: "Develop" is not named.)`}}
}

test_research_on_detection_touches_nothing if {
	doc := {"action": "research", "purpose": "mine_detection", "munition": {"model": "M14"}}
	count(p1_develop.review) + count(p1_develop.violation) == 0 with input as doc
}

# --- P2: no text -----------------------------------------------------------------------------

test_a_transfer_even_for_destruction_goes_to_review if {
	r := p2_transfer.review with input as {"action": "transfer", "purpose": "destruction", "munition": {"model": "M14"}}
	r == {{"clause": "P2", "message": "us-apl-2014 has no text on the transfer of anti-personnel mines (M14) for destruction; where a regime is silent a person must decide (REGIMES.md section 3, clause table: No transfer clause of its own in any 2014 text found.)"}}
}

test_a_transfer_of_anti_tank_mines_touches_nothing if {
	count(p2_transfer.review) == 0 with input as {"action": "transfer", "munition": {"model": "M15"}}
}

# --- P3 ------------------------------------------------------------------------------------

test_use_in_germany_violates_p3_even_with_an_assessment if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}, "regional_security_assessment": "RSA-1"}
	v == {{
		"clause": "P3",
		"title": "P3 — No use of APL outside the Korean Peninsula (2014)",
		"message": "use of anti-personnel mines (M14) outside the Korean Peninsula (country DE)",
		"source": source_p3,
	}}
	count(p3_use.review) == 0 with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}, "regional_security_assessment": "RSA-1"}
}

test_non_persistent_adam_in_the_dmz_is_under_the_korean_exception if {
	doc := {"action": "use", "munition": {"model": "ADAM"}, "location": {"region": "DMZ"}}
	e := p3_use.exception with input as doc
	e == {{"exception": "KOREA", "clause": "P3", "message": "use of non-persistent anti-personnel mines (ADAM) on the Korean Peninsula is outside P3's prohibition"}}
	count(p3_use.violation) + count(p3_use.review) == 0 with input as doc
}

test_persistent_m16_in_korea_goes_to_review_by_inference_only if {
	doc := {"action": "use", "munition": {"model": "M16"}, "location": {"country": "KP"}}
	r := p3_use.review with input as doc
	r == {{"clause": "P3", "message": "use of persistent anti-personnel mines (M16) on the Korean Peninsula: the 2004 ban on persistent mines after 2010 carries into 2014 by inference only; a person must decide"}}
	count(p3_use.exception) + count(p3_use.violation) == 0 with input as doc
}

test_unknown_persistence_in_korea_goes_to_review if {
	r := p3_use.review with input as {"action": "use", "munition": {"category": "anti_personnel", "activation": "victim"}, "location": {"country": "KR"}}
	r == {{"clause": "P3", "message": "use of anti-personnel mines (anti_personnel munition) on the Korean Peninsula: whether they self-destruct is not known, and it decides here (non-persistent: the Korean exception; persistent: review)"}}
}

test_use_with_no_location_is_use_outside_the_peninsula if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "ADAM"}}
	[x.message | some x in v] == ["use of anti-personnel mines (ADAM) with no location on the Korean Peninsula shown: the exception applies only where the document shows it"]
}

# --- P4 ------------------------------------------------------------------------------------

test_assisting_ukraine_to_use_m16_violates_p4 if {
	v := p4_assist.violation with input as {"action": "assist", "assisted_activity": {"action": "use", "actor": "UA", "munition": {"model": "M16"}, "location": {"country": "UA"}}}
	v == {{
		"clause": "P4",
		"title": "P4 — No assistance, outside the Korean Peninsula, to what the Ottawa Convention prohibits (2014)",
		"message": "to assist UA to use M16 in what the Ottawa Convention prohibits: Article 1(1)(a) prohibits the use of anti-personnel mines",
		"source": `State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual: "not assist, encourage, or induce anyone outside the Korean Peninsula to engage in activity prohibited by the Ottawa Convention"`,
	}}
}

test_assisting_a_stockpile_for_the_defense_of_korea_is_under_the_exception if {
	e := p4_assist.exception with input as {"action": "assist", "assisted_activity": {"action": "stockpile", "purpose": "defense_of_rok", "munition": {"model": "M16"}}}
	e == {{"exception": "KOREA", "clause": "P4", "message": "to assist another party to stockpile M16 is in the context of the Korean Peninsula (its purpose is the defense of the Republic of Korea), outside P4's prohibition"}}
}

test_assisting_research_for_operations_goes_to_review if {
	r := p4_assist.review with input as {"action": "assist", "assisted_activity": {"action": "research", "purpose": "other", "munition": {"model": "M16"}}}
	[x.clause | some x in r] == ["P4"]
}

# --- P5 ------------------------------------------------------------------------------------

test_a_stockpile_for_another_purpose_violates_p5_and_must_be_destroyed if {
	doc := {"action": "stockpile", "purpose": "other", "munition": {"model": "M14"}}
	v := p5_stockpile.violation with input as doc
	v == {{
		"clause": "P5",
		"title": "P5 — Destroy APL stockpiles not required for the defense of the Republic of Korea (2014)",
		"message": "a stockpile of anti-personnel mines (M14) for other is not required for the defense of the Republic of Korea",
		"source": `State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual: "undertake to destroy APL stockpiles not required for the defense of the Republic of Korea"`,
	}}
	o := p5_stockpile.obligation with input as doc
	o == {{"clause": "P5", "message": "destroy this stockpile (M14)"}}
}

test_stock_held_for_destruction_complies_with_the_duty_to_destroy_it if {
	doc := {"action": "stockpile", "purpose": "destruction", "munition": {"model": "M14"}}
	count(p5_stockpile.violation) == 0 with input as doc
	o := p5_stockpile.obligation with input as doc
	o == {{"clause": "P5", "message": "destroy this stockpile (M14), which is held for destruction; the policy sets no deadline"}}
}

test_retention_for_training_goes_to_review if {
	r := p5_stockpile.review with input as {"action": "stockpile", "purpose": "demining_training", "munition": {"model": "M14"}}
	r == {{"clause": "P5", "message": "retention for demining training: the Ottawa Convention allows it (Art. 3(1)), the 2014 policy is silent; a person must decide"}}
}

test_a_stockpile_for_the_defense_of_korea_is_under_the_exception if {
	e := p5_stockpile.exception with input as {"action": "stockpile", "purpose": "defense_of_rok", "munition": {"model": "M14"}}
	e == {{"exception": "KOREA", "clause": "P5", "message": "a stockpile (M14) required for the defense of the Republic of Korea is outside P5's duty to destroy"}}
}

# --- KOREA -------------------------------------------------------------------------------

test_the_2014_exception_reaches_p3_p4_and_p5_only if {
	every clause in ["P3", "P4", "P5"] {
		korea.applied(clause, "m") == {"exception": "KOREA", "clause": clause, "message": "m"}
	}
	not korea.applied("P1", "m")
	not korea.applied("P2", "m")
}
