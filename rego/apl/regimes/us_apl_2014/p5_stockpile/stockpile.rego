# METADATA
# title: P5 — Destroy APL stockpiles not required for the defense of the Republic of Korea (2014)
# description: |
#   State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual: the
#   United States will "undertake to destroy APL stockpiles not required for the defense of
#   the Republic of Korea". The 2022 text adds "all"; the rule is the same: stock for the
#   defense of the Republic of Korea falls under the Korean exception, stock for demining
#   training goes to review, stock held for destruction complies with the duty to destroy
#   it, any other stock violates P5 and must be destroyed. Destruction complies.
# related_resources:
#   - ref: https://geneva.usmission.gov/2014/09/23/landmine-policy-u-s-underscores-commitment-to-the-spirit-and-humanitarian-aims-of-the-ottawa-convention/
#     description: State Department press statement, 23 Sept 2014
# custom:
#   clause: P5
#   regime: us-apl-2014
#   official: "undertake to destroy APL stockpiles not required for the defense of the Republic of Korea"
#   official_source: State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual
package apl.regimes.us_apl_2014.p5_stockpile

import data.apl.lib
import data.apl.regimes.us_apl_2014.korea
import data.apl.topics

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "stockpile"
	some msg in topics.stockpile_violations
}

obligation contains lib.obligation(rego.metadata.chain(), msg) if {
	input.action == "stockpile"
	some msg in topics.stockpile_obligations
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "stockpile"
	topics.stockpile_training
	msg := "retention for demining training: the Ottawa Convention allows it (Art. 3(1)), the 2014 policy is silent; a person must decide"
}

exception contains korea.applied("P5", msg) if {
	input.action == "stockpile"
	some msg in topics.stockpile_exceptions
}
