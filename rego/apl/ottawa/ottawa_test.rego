package apl.ottawa_test

import data.apl.definitions
import data.apl.ottawa

prohibited(activity) := ottawa.assessment(activity, definitions.classify(object.get(activity, "munition", {}))).prohibited

test_article_1_prohibits_use_production_stockpiling_and_transfer if {
	every action in ["use", "develop", "produce", "acquire", "stockpile", "transfer"] {
		prohibited({"action": action, "munition": {"model": "M14"}, "purpose": "other"}) == true
	}
}

test_article_3_permits_retention_for_training_detection_and_clearance if {
	every purpose in ["demining_training", "mine_detection", "mine_clearance"] {
		prohibited({"action": "stockpile", "munition": {"model": "M14"}, "purpose": purpose}) == false
	}
}

test_article_3_permits_transfer_for_destruction if {
	prohibited({"action": "transfer", "munition": {"model": "M14"}, "purpose": "destruction"}) == false
}

test_destruction_is_not_prohibited if {
	prohibited({"action": "destroy", "munition": {"model": "M14"}}) == false
}

test_non_apl_activities_are_not_prohibited if {
	prohibited({"action": "use", "munition": {"model": "M15"}}) == false
}

test_an_undetermined_munition_leaves_it_open if {
	prohibited({"action": "use", "munition": {"model": "M18A1"}}) == null
}

test_research_depends_on_its_purpose if {
	prohibited({"action": "research", "munition": {"model": "M14"}, "purpose": "mine_clearance"}) == false
	prohibited({"action": "research", "munition": {"model": "M14"}, "purpose": "other"}) == null
}
