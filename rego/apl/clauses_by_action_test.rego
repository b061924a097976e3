package apl.clauses_by_action_test

import data.apl.policy

# The decision reads findings from the one clause that judges the document's action
# (policy.clauses_by_action). That is only sound if no other clause ever finds anything for
# it: every action, under every regime, with anti-personnel mines and without, on and off
# the peninsula, for every purpose that changes an outcome.
documents contains doc if {
	some action in ["develop", "produce", "acquire", "research", "transfer", "use", "stockpile", "destroy"]
	some regime in policy.regimes
	some purpose in ["defense_of_rok", "mine_clearance", "demining_training", "destruction", "military_operations"]
	some place in [{"country": "KR"}, {"country": "DE"}, {"region": "DMZ", "country": "JP"}]
	some munition in [{"model": "M14"}, {"model": "ADAM"}, {"model": "M15"}, {"category": "anti_personnel"}]
	doc := {"action": action, "regime": regime.id, "purpose": purpose, "location": place, "munition": munition}
}

documents contains doc if {
	some regime in policy.regimes
	some assisted in ["use", "stockpile", "transfer", "destroy", "research"]
	some purpose in ["defense_of_rok", "mine_clearance", "military_operations"]
	some place in [{"country": "KR"}, {"country": "DE"}]
	doc := {
		"action": "assist", "regime": regime.id,
		"assisted_activity": {"action": assisted, "actor": "UA", "purpose": purpose, "location": place, "munition": {"model": "PMN-2"}},
	}
}

# [action, regime, clause] for every clause that found something for an action it does not judge.
strays contains [doc.action, doc.regime, name] if {
	some doc in documents
	found := _finders with input as doc
	some name in found
	name != object.get(policy.clauses_by_action, doc.action, "no clause")
}

_finders contains name if {
	some r in policy.regimes
	r.id == input.regime
	some name, clause in data.apl.regimes[r.package]
	some kind in ["violation", "exception", "obligation", "review"]
	count(object.get(clause, kind, set())) > 0
}

test_only_the_clause_that_judges_an_action_finds_anything_for_it if {
	count(documents) > 1000
	strays == set()
}

test_a_clause_judging_the_wrong_action_would_be_found if {
	count(strays) > 0 with policy.clauses_by_action as object.union(policy.clauses_by_action, {"use": "p1_develop"})
}
