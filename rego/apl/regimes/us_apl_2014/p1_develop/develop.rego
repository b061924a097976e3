# METADATA
# title: P1 — No production or acquisition of APL (2014)
# description: |
#   NSC spokesperson Caitlin Hayden, 23 Sept 2014, as quoted by AP: the June 2014
#   announcement "that the United States will not produce or otherwise acquire any
#   anti-personnel munitions that are not compliant with the Ottawa Convention, including to
#   replace such munitions as they expire in the coming years."
#   White House fact sheet, 27 June 2014: "it will not produce or otherwise acquire any
#   anti-personnel landmines (APL) in the future, including to replace expiring stockpiles."
#   Both say "produce or otherwise acquire"; "Develop" is not named, so development (and
#   research that may be development) is a topic this regime is silent on: review.
# related_resources:
#   - ref: https://obamawhitehouse.archives.gov/realitycheck/the-press-office/2014/06/27/fact-sheet-changes-us-anti-personnel-landmine-policy
#     description: White House fact sheet, 27 June 2014
# custom:
#   clause: P1
#   regime: us-apl-2014
#   official: "will not produce or otherwise acquire any anti-personnel munitions that are not compliant with the Ottawa Convention"
#   official_source: NSC spokesperson Caitlin Hayden, 23 Sept 2014, as quoted by AP
#   silent: '"Develop" is not named.'
#   silent_source: REGIMES.md section 3, clause table
package apl.regimes.us_apl_2014.p1_develop

import data.apl.definitions
import data.apl.lib
import data.apl.topics

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action in {"produce", "acquire"}
	definitions.is_apl
	msg := sprintf("the United States may not %s anti-personnel mines (%s), whatever the place or purpose", [input.action, definitions.subject_label])
}

# Interpretation: the 2014 texts name production and acquisition, never development; a
# careful reader does not stretch "otherwise acquire" to development, so it is review.
review contains lib.silent(rego.metadata.chain(), sprintf("the development of anti-personnel mines (%s)", [definitions.subject_label])) if {
	input.action == "develop"
	definitions.is_apl
}

review contains lib.silent(rego.metadata.chain(), sprintf("research on anti-personnel mines (%s) for %s, which may be development", [definitions.subject_label, topics.purpose])) if {
	topics.research_may_be_development
}
