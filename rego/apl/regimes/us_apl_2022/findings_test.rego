# Whole findings of the 2022 policy's clauses, compared as a whole (clause, title, message,
# source), as Regal's own tests compare whole violations: a changed title or a quotation
# that drifts from its source fails here, not only a changed message.
package apl.regimes_test.us_apl_2022.findings

import data.apl.regimes.us_apl_2022.p2_transfer
import data.apl.regimes.us_apl_2022.p3_use
import data.apl.regimes.us_apl_2022.p4_assist
import data.apl.regimes.us_apl_2022.p5_stockpile

test_a_transfer_for_military_operations_violates_p2 if {
	v := p2_transfer.violation with input as {"action": "transfer", "recipient": "UA", "munition": {"model": "M14", "quantity": 5}, "purpose": "military_operations"}
	v == {{
		"clause": "P2",
		"title": "P2 — No export or transfer of APL, except for detection, removal or destruction",
		"message": "transfer of anti-personnel mines (5 M14) to UA for military_operations: only detection, clearance, demining training or destruction allow it",
		"source": `White House fact sheet, 21 June 2022: "Not export or transfer APL, except when necessary for activities related to mine detection or removal, and for the purpose of destruction". Article: "Second, exports and transfers of such mines are restricted unless strictly necessary for activities related to detection, clearance, or demining missions within established safety and legal frameworks."`,
	}}
}

test_use_in_germany_violates_p3 if {
	v := p3_use.violation with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}
	v == {{
		"clause": "P3",
		"title": "P3 — No use of APL outside the Korean Peninsula",
		"message": "use of anti-personnel mines (M14) outside the Korean Peninsula (country DE)",
		"source": `White House fact sheet, 21 June 2022: "Not use APL outside of the Korean Peninsula". Article: "Third, the policy prohibits use of antipersonnel mines outside the Korean peninsula, except where regional security interests require a different assessment."`,
	}}
}

test_use_in_the_dmz_is_the_korean_exception_to_p3 if {
	e := p3_use.exception with input as {"action": "use", "munition": {"model": "M14"}, "location": {"region": "DMZ"}}
	e == {{
		"clause": "P3",
		"exception": "KOREA",
		"message": "use of anti-personnel mines (M14) on the Korean Peninsula is outside P3's prohibition",
	}}
}

test_assisting_ukraine_to_use_m16_violates_p4 if {
	v := p4_assist.violation with input as {"action": "assist", "assisted_activity": {"action": "use", "actor": "UA", "munition": {"model": "M16"}, "location": {"country": "UA"}}}
	v == {{
		"clause": "P4",
		"title": "P4 — No assistance, outside the Korean context, to what the Ottawa Convention prohibits",
		"message": "to assist UA to use M16 in what the Ottawa Convention prohibits: Article 1(1)(a) prohibits the use of anti-personnel mines",
		"source": `White House fact sheet, 21 June 2022: "Not assist, encourage, or induce anyone, outside of the context of the Korean Peninsula, to engage in any activity that would be prohibited by the Ottawa Convention". Article: "Fourth, the United States will not encourage or assist activities prohibited by the Ottawa Convention, again with the Korean peninsula as an exception to that rule."`,
	}}
}

test_a_stockpile_for_military_operations_violates_p5 if {
	v := p5_stockpile.violation with input as {"action": "stockpile", "munition": {"model": "M14", "quantity": 100}, "purpose": "military_operations"}
	v == {{
		"clause": "P5",
		"title": "P5 — Destroy APL stockpiles not required for the defense of the Republic of Korea",
		"message": "a stockpile of anti-personnel mines (100 M14) for military_operations is not required for the defense of the Republic of Korea",
		"source": `White House fact sheet, 21 June 2022: "Undertake to destroy all APL stockpiles not required for the defense of the Republic of Korea". Article: "Finally, there is a commitment to destroy stockpiles of antipersonnel mines no longer deemed necessary for defense or security purposes on the Korean peninsula or elsewhere as appropriate, ensuring alignment with humanitarian aims and risk reduction."`,
	}}
}
