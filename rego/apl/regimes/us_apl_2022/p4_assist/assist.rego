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

import data.apl.definitions
import data.apl.korea as korean_context
import data.apl.lib
import data.apl.ottawa
import data.apl.regimes.us_apl_2022.korea

violation contains lib.violation(rego.metadata.chain(), msg) if {
	_prohibited
	not korean_context.covers_assistance
	definitions.assisted_place != "contested"
	msg := sprintf("to %s %s in what the Ottawa Convention prohibits: %s", [_mode, _party, _assessment.why])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "assist"
	_assessment.prohibited == null
	definitions.is_apl
	msg := sprintf("cannot tell whether the assisted activity is prohibited by the Ottawa Convention: %s", [_assessment.why])
}

exception contains korea.applied("P4", msg) if {
	_prohibited
	korean_context.covers_assistance
	msg := sprintf("to %s %s is in the context of the Korean Peninsula (%s), outside P4's prohibition", [_mode, _party, _context])
}

_assisted := input.assisted_activity

_assessment := ottawa.assessment(_assisted, definitions.classification) if input.action == "assist"

_prohibited if _assessment.prohibited == true

# Interpretation: assist, encourage and induce are judged alike; the mode only names it.
_mode := object.get(input, "mode", "assist")

_party := sprintf("%s to %s %s", [object.get(_assisted, "actor", "another party"), _assisted.action, definitions.subject_label])

_context := "its purpose is the defense of the Republic of Korea" if {
	_assisted.purpose == "defense_of_rok"
} else := "it takes place on the Korean Peninsula"
