# Unit tests of the decision-log mask: extensions are erased wherever an activity document
# carries them, in a single decision and in every activity of a batch, and nothing the
# policy reads is ever erased.
package system.log.mask_test

import data.system.log

activity := {
	"id": "act-1",
	"action": "transfer",
	"recipient": "UA",
	"purpose": "destruction",
	"munition": {"model": "M14", "quantity": 10},
	"extensions": {"ticket": "OPS-42", "requested_by": "someone@example.org"},
}

assist := {
	"id": "act-2",
	"action": "assist",
	"assisted_activity": {"action": "use", "actor": "UA", "extensions": {"note": "x"}},
}

bare := object.remove(activity, ["extensions"])

test_a_single_decision_loses_its_extensions if {
	log.mask == {"/input/extensions"} with input as {"path": "apl/decision", "input": activity}
}

test_an_assisted_activity_loses_its_extensions_too if {
	log.mask == {"/input/assisted_activity/extensions"} with input as {"path": "apl/decision", "input": assist}
}

test_an_activity_without_extensions_loses_nothing if {
	count(log.mask) == 0 with input as {"path": "apl/decision", "input": bare}
}

test_extensions_that_are_null_are_erased_all_the_same if {
	log.mask == {"/input/extensions"} with input as {"path": "apl/decision", "input": {"extensions": null}}
}

test_every_activity_of_a_batch_loses_its_extensions if {
	batch := {"activities": [activity, bare, assist, activity]}
	log.mask == {
		"/input/activities/0/extensions",
		"/input/activities/2/assisted_activity/extensions",
		"/input/activities/3/extensions",
	} with input as {"path": "apl/batch", "input": batch}
}

test_a_batch_of_odd_documents_masks_only_what_is_there if {
	batch := {"activities": [7, "text", null, {"assisted_activity": "not an object"}, activity]}
	log.mask == {"/input/activities/4/extensions"} with input as {"path": "apl/batch", "input": batch}
}

test_a_batch_without_an_activities_array_masks_nothing if {
	count(log.mask) == 0 with input as {"path": "apl/batch", "input": {"activities": {"0": activity}}}
}

test_an_input_that_is_not_an_object_masks_nothing if {
	count(log.mask) == 0 with input as {"path": "apl/decision", "input": [activity]}
}

test_other_paths_are_left_alone if {
	count(log.mask) == 0 with input as {"path": "apl/decision/violations", "input": activity}
}

test_no_field_the_policy_reads_is_ever_erased if {
	full := object.union(activity, {
		"actor": "US", "date": "2024-01-01", "location": {"country": "KR", "region": "DMZ"},
		"regional_security_assessment": "RSA-1", "mode": "assist",
	})
	pointers := log.mask with input as {"path": "apl/decision", "input": full}
	pointers == {"/input/extensions"}
}
