# METADATA
# title: P1 — No development, production or acquisition of APL
# description: |
#   Article: "First, the United States will not develop, manufacture, or purchase
#   antipersonnel mines."
#   White House fact sheet, 21 June 2022: "Not develop, produce, or acquire APL" (the NSC
#   statement: "anti-personnel landmines prohibited under the Ottawa Convention").
#   Whatever the place or purpose: the Korean exception does not reach P1.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   clause: P1
#   regime: us-apl-2022
#   article: "First, the United States will not develop, manufacture, or purchase antipersonnel mines."
#   official: "Not develop, produce, or acquire APL"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.p1_develop

import data.apl.definitions
import data.apl.lib
import data.apl.ottawa.articles

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action in {"develop", "produce", "acquire"}
	definitions.is_apl
	msg := sprintf("the United States may not %s anti-personnel mines (%s), whatever the place or purpose", [input.action, definitions.subject_label])
}

# Interpretation: research into detection, clearance or destruction techniques is not
# development and does not touch P1; research on APL for any other purpose, or none, may
# be development, which the document cannot settle: review.
review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "research"
	definitions.is_apl
	not _purpose in articles.research_purposes
	msg := sprintf("research on anti-personnel mines (%s) for %s may be development: it is P1's only if it serves detection, clearance or destruction techniques", [definitions.subject_label, _purpose])
}

# A missing purpose is named, and is no demining purpose.
_purpose := object.get(input, "purpose", "no stated purpose")
