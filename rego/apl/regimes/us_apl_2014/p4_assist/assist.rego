# METADATA
# title: P4 — No assistance, outside the Korean Peninsula, to what the Ottawa Convention prohibits (2014)
# description: |
#   State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual: the
#   United States will "not assist, encourage, or induce anyone outside the Korean Peninsula
#   to engage in activity prohibited by the Ottawa Convention". The 2022 text reads "anyone,
#   outside of the context of the Korean Peninsula"; the rule is the same (the assisted
#   activity judged against Ottawa Articles 1 and 3; the Korean context is its location on
#   the peninsula or its purpose, the defense of the Republic of Korea).
# related_resources:
#   - ref: https://geneva.usmission.gov/2014/09/23/landmine-policy-u-s-underscores-commitment-to-the-spirit-and-humanitarian-aims-of-the-ottawa-convention/
#     description: State Department press statement, 23 Sept 2014
# custom:
#   clause: P4
#   regime: us-apl-2014
#   official: "not assist, encourage, or induce anyone outside the Korean Peninsula to engage in activity prohibited by the Ottawa Convention"
#   official_source: State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual
package apl.regimes.us_apl_2014.p4_assist

import data.apl.lib
import data.apl.regimes.us_apl_2014.korea
import data.apl.topics

# Interpretation: "anyone outside the Korean Peninsula" (2014) and "anyone, outside of the
# context of the Korean Peninsula" (2022) are read alike: a purpose of defending the
# Republic of Korea puts the assisted activity in the peninsula's context in both.
violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "assist"
	some msg in topics.assist_violations
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "assist"
	some msg in topics.assist_reviews
}

exception contains korea.applied("P4", msg) if {
	input.action == "assist"
	some msg in topics.assist_exceptions
}
