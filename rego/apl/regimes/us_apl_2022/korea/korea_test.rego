package apl.regimes_test.us_apl_2022.korea

import data.apl.regimes.us_apl_2022.korea

test_the_exception_names_the_clause_it_changed if {
	korea.applied("P3", "m") == {"exception": "KOREA", "clause": "P3", "message": "m"}
}

test_the_exception_never_reaches_p1_or_p2 if {
	not korea.applied("P1", "m")
	not korea.applied("P2", "m")
}
