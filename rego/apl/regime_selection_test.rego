package apl.regime_selection_test

import data.apl
import data.apl.definitions
import data.apl.policy

m14_in_germany := {"action": "use", "munition": {"model": "M14"}, "location": {"country": "DE"}}

decide(doc) := d if {
	d := apl.decision with input as doc
}

dated(date) := decide(object.union(m14_in_germany, {"date": date}))

pinned(regime) := decide(object.union(m14_in_germany, {"regime": regime}))

# --- the regime by date: first and last day of every span ---------------------------------

test_each_span_holds_its_first_and_last_day if {
	every pair in [
		["2014-09-23", "us-apl-2014"], ["2020-01-30", "us-apl-2014"],
		["2020-01-31", "us-apl-2020"], ["2022-06-20", "us-apl-2020"],
		["2022-06-21", "us-apl-2022"], ["2025-12-01", "us-apl-2022"],
		["2025-12-02", "us-apl-2025-interim"], ["9999-12-31", "us-apl-2025-interim"],
	] {
		dated(pair[0]).policy.id == pair[1]
	}
}

test_the_spans_are_in_order_and_follow_one_another if {
	every i, r in array.slice(policy.regimes, 1, count(policy.regimes)) {
		earlier := policy.regimes[i]
		time.add_date(time.parse_ns("2006-01-02", earlier.until), 0, 0, 1) == time.parse_ns("2006-01-02", r.effective)
	}
	policy.regimes[count(policy.regimes) - 1].until == null
}

test_the_policy_names_the_span_from_the_data if {
	dated("2016-01-01").policy == {"id": "us-apl-2014", "effective": "2014-09-23", "until": "2020-01-30", "revision": "source-tree"}
	dated("2026-01-01").policy == {"id": "us-apl-2025-interim", "effective": "2025-12-02", "until": null, "revision": "source-tree"}
}

test_an_undated_document_is_assessed_under_2022 if {
	decide(m14_in_germany).policy.id == "us-apl-2022"
	policy.default == "us-apl-2022"
}

test_a_date_before_every_regime_is_not_applicable_and_names_the_earliest if {
	d := dated("2014-09-22")
	d.decision == "not_applicable"
	d.reason == "outside every regime: dated 2014-09-22, before the earliest, us-apl-2014, took effect on 2014-09-23"
	d.violations == []
}

# --- pinning ------------------------------------------------------------------------------

test_pinning_a_regime_equals_dating_the_document_inside_its_span if {
	every pair in [["us-apl-2014", "2016-01-01"], ["us-apl-2020", "2021-01-01"], ["us-apl-2022", "2023-01-01"], ["us-apl-2025-interim", "2026-01-01"]] {
		pinned(pair[0]) == dated(pair[1])
	}
}

test_a_pinned_regime_wins_over_the_date_and_says_so_in_a_notice if {
	d := decide(object.union(m14_in_germany, {"regime": "us-apl-2014", "date": "2023-01-01"}))
	d.policy.id == "us-apl-2014"
	d.notices == [{"regime": "us-apl-2014", "message": "assessed under us-apl-2014 as the document pins it; its date, 2023-01-01, falls under us-apl-2022"}]
}

test_a_pinned_regime_applies_even_before_every_regime if {
	d := decide(object.union(m14_in_germany, {"regime": "us-apl-2022", "date": "2001-01-01"}))
	d.decision == "deny"
	d.notices == [{"regime": "us-apl-2022", "message": "assessed under us-apl-2022 as the document pins it; its date, 2001-01-01, falls before every regime"}]
}

test_an_unknown_regime_is_invalid if {
	d := decide(object.union(m14_in_germany, {"regime": "us-apl-1997"}))
	d.decision == "invalid"
	d.errors == [{"field": "regime", "message": "must be one of us-apl-2014, us-apl-2020, us-apl-2022, us-apl-2025-interim"}]
	d.policy.id == "us-apl-2022"
}

test_a_regime_inside_the_assisted_activity_is_invalid if {
	d := decide({"action": "assist", "assisted_activity": object.union(m14_in_germany, {"regime": "us-apl-2014"})})
	d.errors == [{"field": "assisted_activity.regime", "message": "is only for the top-level activity: the assisted activity is judged under the document's regime"}]
}

test_every_regime_has_the_p1_review_set_that_shows_its_clauses_are_there if {
	every r in policy.regimes {
		is_set(data.apl.regimes[r.package].p1_develop.review)
	}
}

test_a_regime_listed_without_its_clauses_fails_closed if {
	d := decide(object.union(m14_in_germany, {"date": "2030-01-01"})) with data.apl.policy.regimes as [{"id": "us-apl-2030", "package": "nowhere", "effective": "2030-01-01", "until": null, "text": "official", "persistence": "ignored", "source": "x"}]
	d.decision == "invalid"
	d.allowed == false
}

# --- notices ------------------------------------------------------------------------------

test_every_decision_under_a_reported_regime_carries_a_notice if {
	every regime in ["us-apl-2020", "us-apl-2025-interim"] {
		d := pinned(regime)
		some n in d.notices
		n.regime == regime
		startswith(n.message, sprintf("the text of %s is known only from reports (", [regime]))
	}
}

test_decisions_under_an_official_text_carry_no_notice if {
	pinned("us-apl-2014").notices == []
	pinned("us-apl-2022").notices == []
}

test_a_foreign_actor_under_a_reported_regime_still_gets_the_notice if {
	d := decide(object.union(m14_in_germany, {"actor": "FR", "regime": "us-apl-2025-interim"}))
	d.decision == "not_applicable"
	count(d.notices) == 1
}

# --- what no regime restricts -------------------------------------------------------------

test_destruction_is_permitted_under_every_regime if {
	every regime in ["us-apl-2014", "us-apl-2020", "us-apl-2022", "us-apl-2025-interim"] {
		decide({"action": "destroy", "munition": {"model": "M14"}, "regime": regime}).decision == "permit"
	}
}

test_non_apl_and_demining_research_are_restricted_by_no_regime if {
	every regime in ["us-apl-2014", "us-apl-2020", "us-apl-2022", "us-apl-2025-interim"] {
		decide({"action": "transfer", "munition": {"model": "M15"}, "regime": regime}).decision == "permit"
		decide({"action": "research", "purpose": "mine_clearance", "munition": {"model": "M16"}, "regime": regime}).decision == "permit"
	}
}

# --- a munition the document leaves undecided ---------------------------------------------

test_destroying_unidentified_mines_is_permitted_with_a_notice if {
	d := decide({"action": "destroy", "munition": {"model": "XYZ-9"}})
	d.decision == "permit"
	d.munition.is_apl == null
	d.notices == [{"regime": "us-apl-2022", "message": "the munition's classification (an anti-personnel mine or not) did not decide the outcome: it is permit either way"}]
}

test_an_undetermined_munition_that_decides_still_goes_to_review if {
	d := decide({"action": "use", "munition": {"model": "M18A1"}, "location": {"country": "DE"}})
	d.decision == "review"
	[r.clause | some r in d.reviews] == ["DEFINITIONS"]
	d.notices == []
}

test_unknown_persistence_that_does_not_decide_is_noted if {
	# Production is banned under 2014 whether or not the mine self-destructs.
	d := decide({"action": "produce", "munition": {"category": "anti_personnel", "activation": "victim"}, "regime": "us-apl-2014"})
	d.decision == "deny"
	d.notices == [{"regime": "us-apl-2014", "message": "the munition's persistence (whether it self-destructs) did not decide the outcome: it is deny either way"}]
}

test_unknown_persistence_that_decides_goes_to_review if {
	d := decide({"action": "use", "munition": {"category": "anti_personnel", "activation": "victim"}, "location": {"country": "KR"}, "regime": "us-apl-2014"})
	d.decision == "review"
	d.notices == []
}

test_both_questions_open_and_not_deciding_are_named_together if {
	d := decide({"action": "destroy", "munition": {"model": "XYZ-9"}, "regime": "us-apl-2020"})
	d.decision == "permit"
	some n in d.notices
	n.message == "the munition's classification and persistence did not decide the outcome: it is permit either way"
}

test_persistence_changes_nothing_under_2022 if {
	d := decide({"action": "use", "munition": {"category": "anti_personnel", "activation": "victim"}, "location": {"country": "KR"}})
	d.decision == "permit"
	d.notices == []
}

# --- stock held for destruction (2022) ------------------------------------------------------

test_stock_held_for_destruction_is_permitted_with_the_obligation_to_destroy if {
	d := decide({"action": "stockpile", "purpose": "destruction", "munition": {"model": "M14", "quantity": 40}})
	d.decision == "permit"
	d.obligations == [{"clause": "P5", "message": "destroy this stockpile (40 M14), which is held for destruction; the policy sets no deadline"}]
	d.reason == "permitted, with an obligation: destroy this stockpile (40 M14), which is held for destruction; the policy sets no deadline"
}

# --- the catalogue --------------------------------------------------------------------------

test_every_name_of_a_model_finds_it_whatever_its_case_spaces_or_hyphens if {
	every pair in [
		["cbu 89/b", "GATOR"], ["CBU-78/B", "GATOR"], ["m87a1", "VOLCANO"], ["M-87", "VOLCANO"],
		["M131", "MOPMS"], ["m 692", "ADAM"], ["M731", "ADAM"], ["claymore", "M18A1"],
		["M18 Claymore", "M18A1"], ["pfm-1", "PFM1"], ["POM 2", "POM2"], ["pom-3", "POM3"],
		["PMN-2", "PMN2"], ["ozm-72", "OZM72"], ["MON 50", "MON50"], ["tm-62m", "TM62M"],
		["PTM-1", "PTM1"],
	] {
		definitions.catalogue_entry({"model": pair[0]}) == data.apl.definitions.munitions.models[pair[1]]
	}
}

test_the_catalogue_holds_at_least_25_models_each_with_a_reference if {
	count(data.apl.definitions.munitions.models) >= 25
	every key, model in data.apl.definitions.munitions.models {
		is_string(model.reference)
		model.reference != ""
		definitions.normalised_name(key) == key
	}
}

test_no_name_belongs_to_two_models if {
	names := [definitions.normalised_name(n) |
		some key, model in data.apl.definitions.munitions.models
		some n in array.concat([key], model.names)
	]
	count(names) == count({n | some n in names})
}

test_an_unknown_name_is_not_in_the_catalogue if {
	definitions.catalogue_entry({"model": "XYZ-9"}) == {}
}

test_persistence_comes_from_the_input_then_the_catalogue if {
	definitions.persistence == "persistent" with input as {"munition": {"model": "M14"}}
	definitions.persistence == "non_persistent" with input as {"munition": {"model": "M14", "self_destructing": true}}
	definitions.persistence == "non_persistent" with input as {"munition": {"model": "GATOR"}}
	definitions.persistence == "unknown" with input as {"munition": {"model": "M18A1"}}
}
