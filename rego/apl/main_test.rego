package apl.main_test

import data.apl

m14_in_germany := {"id": "a-1", "action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}

test_use_of_m14_in_germany_is_denied_with_the_clause_explained if {
	d := apl.decision with input as m14_in_germany
	d.id == "a-1"
	d.decision == "deny"
	d.allowed == false
	d.munition.is_apl == true
	[v.clause | some v in d.violations] == ["P3"]
	d.violations[0].title == "P3 — No use of APL outside the Korean Peninsula"
	contains(d.violations[0].source, "Not use APL outside of the Korean Peninsula")
	startswith(d.reason, "P3 violated: ")
	d.policy.id == "us-apl-2022"
	d.policy.effective == "2022-06-21"
	count(d.errors) == 0
}

test_every_decision_has_the_five_lists if {
	every doc in [m14_in_germany, {}, [], {"action": "use", "actor": "FR", "munition": {}}] {
		d := apl.decision with input as doc
		every field in ["violations", "exceptions", "reviews", "obligations", "errors"] {
			is_array(d[field])
		}
	}
}

test_the_korean_exception_is_reported_when_it_permits if {
	d := apl.decision with input as {"action": "use", "munition": {"model": "M14"}, "location": {"country": "KP"}}
	d.decision == "permit"
	d.allowed == true
	[[e.exception, e.clause] | some e in d.exceptions] == [["KOREA", "P3"]]
	d.reason == "permitted under the Korean exception to P3"
}

test_invalid_input_lists_every_error_and_is_never_allowed if {
	d := apl.decision with input as {"action": "fly", "munition": 3}
	d.decision == "invalid"
	d.allowed == false
	count(d.errors) == 2
	d.munition.is_apl == null
	startswith(d.reason, "invalid input: 2 error(s)")
}

test_a_non_object_input_is_invalid_not_undefined if {
	d := apl.decision with input as "use M14"
	d.decision == "invalid"
	d.id == null
}

test_foreign_conduct_is_not_applicable if {
	d := apl.decision with input as object.union(m14_in_germany, {"actor": "FR"})
	d.decision == "not_applicable"
	count(d.violations) == 0
	d.reason == "outside the policy: it governs the conduct of the United States, not FR"
}

test_conduct_before_the_earliest_regime_is_not_applicable_and_names_it if {
	d := apl.decision with input as object.union(m14_in_germany, {"date": "2014-09-22"})
	d.decision == "not_applicable"
	d.reason == "outside every regime: dated 2014-09-22, before the earliest, us-apl-2014, took effect on 2014-09-23"
	d.policy.id == "us-apl-2014"
	d.notices == []
}

test_conduct_on_the_effective_date_is_assessed if {
	d := apl.decision with input as object.union(m14_in_germany, {"date": "2022-06-21"})
	d.decision == "deny"
}

test_deny_wins_over_review if {
	d := apl.decision with input as {"action": "produce", "munition": {"model": "M14"}, "location": {"country": "JP", "region": "DMZ"}}
	d.decision == "deny"
	count(d.reviews) == 1
}

test_review_when_only_reviews_are_found if {
	d := apl.decision with input as {"action": "use", "munition": {"model": "M18A1"}, "location": {"country": "DE"}}
	d.decision == "review"
	d.allowed == false
	d.munition.is_apl == null
	startswith(d.reason, "review (DEFINITIONS): ")
}

test_reasons_for_permits if {
	obligation := apl.decision with input as {"action": "transfer", "munition": {"model": "M14"}, "purpose": "destruction"}
	startswith(obligation.reason, "permitted, with an obligation: ")
	not_apl := apl.decision with input as {"action": "use", "munition": {"model": "M15"}}
	startswith(not_apl.reason, "permitted: no clause applies; the munition is designed to be detonated by a vehicle")
	plain := apl.decision with input as {"action": "destroy", "munition": {"model": "M14"}}
	plain.reason == "permitted: no clause is violated"
}

test_several_violations_are_counted_in_the_reason if {
	d := apl.decision with input as {
		"action": "assist",
		"assisted_activity": {"action": "use", "munition": {"model": "M14"}},
	}
	d.decision == "deny"
	count(d.violations) == 1
	d.reason == "P4 violated: to assist another party to use M14 in what the Ottawa Convention prohibits: Article 1(1)(a) prohibits the use of anti-personnel mines"
}

test_more_than_one_finding_is_counted if {
	d := apl.decision with input as {"action": "stockpile", "purpose": "demining_training", "munition": {"model": "M14"}, "location": {"country": "JP", "coordinates": {"lat": 37.57, "lon": 126.98}}}
	count(d.reviews) == 2
	endswith(d.reason, "(and 1 more)")
}

test_an_unclassified_munition_that_does_not_decide_is_reported_in_a_notice if {
	# Review either way (the place is contested): the classification did not decide it.
	d := apl.decision with input as {"action": "use", "munition": {"model": "M18A1"}, "location": {"country": "JP", "coordinates": {"lat": 37.57, "lon": 126.98}}}
	d.decision == "review"
	d.munition.is_apl == null
	[r.clause | some r in d.reviews] == ["DEFINITIONS"]
	d.notices == [{"regime": "us-apl-2022", "message": "the munition's classification (an anti-personnel mine or not) did not decide the outcome: it is review either way"}]
}

test_the_revision_comes_from_the_bundle_manifest if {
	d := apl.decision with input as m14_in_germany
		with data.system.bundles as {"apl": {"manifest": {"revision": "abc123", "roots": ["apl"]}}}
	d.policy.revision == "abc123"
}

test_without_a_bundle_the_revision_says_so if {
	d := apl.decision with input as m14_in_germany with data.system.bundles as {}
	d.policy.revision == "unbundled"
}

test_the_batch_answers_each_activity_in_order if {
	b := apl.batch with input as {"activities": [
		m14_in_germany,
		{"action": "use", "munition": {"model": "M14"}, "location": {"country": "KR"}},
		{"action": "nope"},
	]}
	[d.decision | some d in b.decisions] == ["deny", "permit", "invalid"]
	b.decisions[0].id == "a-1"
}

test_a_batch_without_activities_has_no_decisions_and_an_error if {
	b := apl.batch with input as {"activity": []}
	count(b.decisions) == 0
	b.errors[0].field == "activities"
}

test_the_default_decision_is_invalid_and_never_allowed if {
	# With the policy's own data gone, no branch of the decision can be built.
	d := apl.decision with data.apl.policy as {} with input as m14_in_germany
	d.decision == "invalid"
	d.allowed == false
}

test_extensions_and_key_order_do_not_change_the_decision if {
	a := apl.decision with input as m14_in_germany
	b := apl.decision with input as object.union(m14_in_germany, {"extensions": {"note": "x", "decision": "permit"}})
	a == b
}
