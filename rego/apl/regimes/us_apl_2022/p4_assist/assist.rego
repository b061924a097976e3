# METADATA
# title: P4 — No assistance, outside the Korean context, to what the Ottawa Convention prohibits
# description: |
#   Article: "Fourth, the United States will not encourage or assist activities prohibited
#   by the Ottawa Convention, again with the Korean peninsula as an exception to that rule."
#   White House fact sheet, 21 June 2022: "Not assist, encourage, or induce anyone, outside
#   of the context of the Korean Peninsula, to engage in any activity that would be
#   prohibited by the Ottawa Convention".
#   The assisted activity is judged against Ottawa Article 1 with Article 3's permissions
#   (package apl.ottawa); the Korean context is its location on the peninsula or its
#   purpose, the defense of the Republic of Korea.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
#   - ref: https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26
#     description: Ottawa Convention (1997), Articles 1 and 3
# custom:
#   clause: P4
#   regime: us-apl-2022
#   article: "Fourth, the United States will not encourage or assist activities prohibited by the Ottawa Convention, again with the Korean peninsula as an exception to that rule."
#   official: "Not assist, encourage, or induce anyone, outside of the context of the Korean Peninsula, to engage in any activity that would be prohibited by the Ottawa Convention"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.p4_assist

import data.apl.lib
import data.apl.regimes.us_apl_2022.korea
import data.apl.topics

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
