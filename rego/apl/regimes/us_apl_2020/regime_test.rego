package apl.regimes_test.us_apl_2020

import data.apl.regimes.us_apl_2020.p1_develop
import data.apl.regimes.us_apl_2020.p2_transfer
import data.apl.regimes.us_apl_2020.p3_use
import data.apl.regimes.us_apl_2020.p4_assist
import data.apl.regimes.us_apl_2020.p5_stockpile

findings(pkg) := {"violation": pkg.violation, "review": object.get(pkg, "review", set()), "exception": object.get(pkg, "exception", set())}

# --- P1 ------------------------------------------------------------------------------------

test_production_of_persistent_m14_violates_p1 if {
	v := p1_develop.violation with input as {"action": "produce", "munition": {"model": "M14"}}
	v == {{
		"clause": "P1",
		"title": "P1 — Only non-persistent landmines may be developed, produced or acquired (2020)",
		"message": "the Department may only produce landmines that are non-persistent; these anti-personnel mines (M14) do not self-destruct",
		"source": `SecDef memo, 31 Jan 2020, as quoted by the Washington Times: "The (Defense) Department will only employ, develop, produce or otherwise acquire landmines that are \"nonpersistent,\""`,
	}}
}

test_acquiring_self_destructing_gator_complies if {
	doc := {"action": "acquire", "munition": {"model": "GATOR"}}
	count(p1_develop.violation) + count(p1_develop.review) == 0 with input as doc
}

test_developing_a_mine_of_unknown_persistence_goes_to_review if {
	r := p1_develop.review with input as {"action": "develop", "munition": {"category": "mixed"}}
	r == {{"clause": "P1", "message": "whether these anti-personnel mines (mixed munition) self-destruct is not known, and under us-apl-2020 it decides (only non-persistent landmines may be developed, produced or acquired)"}}
}

test_research_on_persistent_m16_goes_to_review_and_on_adam_complies if {
	r := p1_develop.review with input as {"action": "research", "purpose": "other", "munition": {"model": "M16"}}
	r == {{"clause": "P1", "message": "research on persistent anti-personnel mines (M16) for other may be development, which the memo allows only for non-persistent landmines; a person must decide"}}
	count(p1_develop.review) == 0 with input as {"action": "research", "purpose": "other", "munition": {"model": "ADAM"}}
}

# --- P2: no text -----------------------------------------------------------------------------

test_a_transfer_goes_to_review if {
	r := p2_transfer.review with input as {"action": "transfer", "recipient": "UA", "purpose": "military_operations", "munition": {"model": "ADAM"}}
	r == {{"clause": "P2", "message": "us-apl-2020 has no text on the transfer of anti-personnel mines (ADAM) for military_operations; where a regime is silent a person must decide (REGIMES.md section 4, clause table: No clause found. The 2014 texts had none either.)"}}
}

# --- P3 ------------------------------------------------------------------------------------

test_persistent_m14_is_forbidden_even_in_korea if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "KR"}}
	v == {{
		"clause": "P3",
		"title": "P3 — Only non-persistent APL, and only in exceptional circumstances (2020)",
		"message": "use of persistent anti-personnel mines (M14), which the 2020 policy forbids anywhere, the Korean Peninsula included",
		"source": `SecDef memo, 31 Jan 2020, as quoted by the Lieber Institute: "when necessary for mission success in major contingencies or other exceptional circumstances."`,
	}}
}

test_non_persistent_adam_anywhere_goes_to_review if {
	every place in [{"country": "DE"}, {"country": "KR"}] {
		r := p3_use.review with input as {"action": "use", "munition": {"model": "ADAM"}, "location": place}
		r == {{"clause": "P3", "message": "use of non-persistent anti-personnel mines (ADAM) is allowed only when necessary for mission success in major contingencies or other exceptional circumstances, on an authority the document cannot show; a person must decide"}}
	}
}

test_use_of_unknown_persistence_goes_to_review if {
	r := p3_use.review with input as {"action": "use", "munition": {"category": "mixed"}, "location": {"country": "DE"}}
	r == {{"clause": "P3", "message": "whether these anti-personnel mines (mixed munition) self-destruct is not known, and under us-apl-2020 it decides (persistent: forbidden; non-persistent: exceptional circumstances only)"}}
}

test_the_2020_regime_has_no_korean_exception if {
	f := findings(p3_use) with input as {"action": "use", "munition": {"model": "ADAM"}, "location": {"country": "KR"}}
	f.exception == set()
}

# --- P4: no text -----------------------------------------------------------------------------

test_assisting_use_goes_to_review if {
	r := p4_assist.review with input as {"action": "assist", "assisted_activity": {"action": "use", "munition": {"model": "M16"}}}
	r == {{"clause": "P4", "message": "us-apl-2020 has no text on assisting another party to use anti-personnel mines (M16); where a regime is silent a person must decide (REGIMES.md section 4, clause table: The 2014 assist restriction fell with PPD-37; the 2020 memo has no assist clause (as far as the excerpts show).)"}}
}

test_assisting_destruction_touches_nothing if {
	count(p4_assist.review) == 0 with input as {"action": "assist", "assisted_activity": {"action": "destroy", "munition": {"model": "M16"}}}
}

# --- P5 ------------------------------------------------------------------------------------

test_a_persistent_stock_goes_to_review if {
	r := p5_stockpile.review with input as {"action": "stockpile", "purpose": "other", "munition": {"model": "M14"}}
	r == {{"clause": "P5", "message": "us-apl-2020 has no text on a stockpile of persistent anti-personnel mines (M14); where a regime is silent a person must decide (REGIMES.md section 4, clause table: The 2014 duty to destroy stock not needed for Korea fell with PPD-37 (inference).)"}}
}

test_a_non_persistent_stock_complies if {
	count(p5_stockpile.review) == 0 with input as {"action": "stockpile", "purpose": "other", "munition": {"model": "ADAM"}}
}

test_a_stock_of_unknown_persistence_goes_to_review if {
	r := p5_stockpile.review with input as {"action": "stockpile", "munition": {"category": "mixed"}}
	r == {{"clause": "P5", "message": "whether these anti-personnel mines (mixed munition) self-destruct is not known, and under us-apl-2020 it decides (a non-persistent stock complies; on a persistent one the regime has no text)"}}
}

test_assisting_research_on_clearance_touches_nothing if {
	count(p4_assist.review) == 0 with input as {"action": "assist", "assisted_activity": {"action": "research", "purpose": "mine_clearance", "munition": {"model": "M16"}}}
}
