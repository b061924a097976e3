package apl.regimes_test.us_apl_2025_interim

import data.apl.regimes.us_apl_2025_interim.p1_develop
import data.apl.regimes.us_apl_2025_interim.p2_transfer
import data.apl.regimes.us_apl_2025_interim.p3_use
import data.apl.regimes.us_apl_2025_interim.p4_assist
import data.apl.regimes.us_apl_2025_interim.p5_stockpile

silent_note := "(REGIMES.md section 11, open questions: only excerpts; develop, transfer, assist and hand-emplaced mines are unknown)"

other_use := "the interim policy's reported text forbids only remotely delivered mines that do not self-destruct and self-deactivate, says nothing on where or when other use is allowed, and reports lifting geographic limits as an objective, not a rule; a person must decide"

test_production_goes_to_review_as_the_excerpts_are_silent if {
	r := p1_develop.review with input as {"action": "produce", "munition": {"model": "M14"}}
	r == {{"clause": "P1", "message": concat(" ", ["us-apl-2025-interim has no text on the production of anti-personnel mines (M14); where a regime is silent a person must decide", silent_note])}}
}

test_research_that_may_be_development_goes_to_review if {
	r := p1_develop.review with input as {"action": "research", "munition": {"model": "M14"}}
	r == {{"clause": "P1", "message": concat(" ", ["us-apl-2025-interim has no text on the research, which may be development, of anti-personnel mines (M14); where a regime is silent a person must decide", silent_note])}}
}

test_a_transfer_for_destruction_goes_to_review if {
	r := p2_transfer.review with input as {"action": "transfer", "purpose": "destruction", "munition": {"model": "M14"}}
	r == {{"clause": "P2", "message": concat(" ", ["us-apl-2025-interim has no text on the transfer of anti-personnel mines (M14) for destruction; where a regime is silent a person must decide", silent_note])}}
}

test_assisting_use_goes_to_review if {
	r := p4_assist.review with input as {"action": "assist", "assisted_activity": {"action": "use", "munition": {"model": "M16"}}}
	r == {{"clause": "P4", "message": concat(" ", ["us-apl-2025-interim has no text on assisting another party to use anti-personnel mines (M16); where a regime is silent a person must decide", silent_note])}}
}

test_remotely_delivered_persistent_mines_violate_p3 if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14", "remotely_delivered": true}, "location": {"country": "DE"}}
	v == {{
		"clause": "P3",
		"title": "P3 — Remotely delivered APL only if they self-destruct and self-deactivate (2025 interim)",
		"message": "use of remotely delivered anti-personnel mines (M14) that do not self-destruct and self-deactivate: the interim policy allows them only if they do",
		"source": `Hegseth memo, 2 Dec 2025, as reported by the Washington Post, 19 Dec 2025: "The interim policy says the United States will use \"remotely delivered\" antipersonnel land mines only if the mines have \"compliant self-destruction mechanisms and self-deactivation features.\""`,
	}}
}

test_remotely_delivered_mines_of_unknown_persistence_go_to_review if {
	doc := {"action": "use", "munition": {"category": "anti_personnel", "activation": "victim", "remotely_delivered": true}}
	r := p3_use.review with input as doc
	r == {{"clause": "P3", "message": "whether these remotely delivered anti-personnel mines (anti_personnel munition) self-destruct and self-deactivate is not known, and under us-apl-2025-interim it decides"}}
	count(p3_use.violation) == 0 with input as doc
}

test_compliant_remotely_delivered_gator_goes_to_review_wherever_it_is if {
	r := p3_use.review with input as {"action": "use", "munition": {"model": "GATOR"}, "location": {"country": "DE"}}
	r == {{"clause": "P3", "message": concat(": ", ["use of anti-personnel mines (GATOR) remotely delivered, self-destructing", other_use])}}
}

test_hand_emplaced_mines_in_korea_go_to_review if {
	r := p3_use.review with input as {"action": "use", "munition": {"model": "M14", "remotely_delivered": false}, "location": {"country": "KR"}}
	r == {{"clause": "P3", "message": concat(": ", ["use of anti-personnel mines (M14) not remotely delivered", other_use])}}
}

test_a_persistent_mine_with_no_word_on_delivery_goes_to_review_not_deny if {
	doc := {"action": "use", "munition": {"model": "M16"}}
	r := p3_use.review with input as doc
	r == {{"clause": "P3", "message": concat(": ", ["use of anti-personnel mines (M16) with no word on how they are delivered", other_use])}}
	count(p3_use.violation) == 0 with input as doc
}

test_a_stockpile_complies_and_carries_no_obligation if {
	count(p5_stockpile.violation) == 0 with input as {"action": "stockpile", "munition": {"model": "M14"}}
	not p5_stockpile.obligation
}
