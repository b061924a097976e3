# METADATA
# title: P3 — No use of APL outside the Korean Peninsula
# description: |
#   Article: "Third, the policy prohibits use of antipersonnel mines outside the Korean
#   peninsula, except where regional security interests require a different assessment."
#   White House fact sheet, 21 June 2022: "Not use APL outside of the Korean Peninsula".
#   The article's hedge ("except where regional security interests require a different
#   assessment") has no counterpart in the official text; an activity that carries a
#   regional_security_assessment goes to review, never to permit.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   clause: P3
#   regime: us-apl-2022
#   article: "Third, the policy prohibits use of antipersonnel mines outside the Korean peninsula, except where regional security interests require a different assessment."
#   official: "Not use APL outside of the Korean Peninsula"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.p3_use

import data.apl.definitions
import data.apl.korea as korean_context
import data.apl.lib
import data.apl.regimes.us_apl_2022.korea

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "use"
	_use_of_apl
	_status in {"off", "unknown"}
	not _assessed
	msg := sprintf("use of anti-personnel mines (%s) %s", [definitions.subject_label, _where])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	_use_of_apl
	_status in {"off", "unknown"}
	_assessed
	msg := sprintf("use of anti-personnel mines %s, with regional security assessment %q: the article allows a different assessment, the official text does not; a person must decide", [_where, input.regional_security_assessment])
}

exception contains korea.applied("P3", msg) if {
	input.action == "use"
	_use_of_apl
	korean_context.covers_use
	msg := sprintf("use of anti-personnel mines (%s) on the Korean Peninsula is outside P3's prohibition", [definitions.subject_label])
}

# A contested location is neither on nor off the peninsula: the definitions send it to
# review, and P3 neither applies the exception nor finds a violation.
_status := definitions.place

# Interpretation: use with no location, or a location that does not say where (a region
# other than the DMZ), is use outside the peninsula: the exception applies only where the
# document shows the peninsula.
_use_of_apl if {
	input.action == "use"
	definitions.is_apl
}

_assessed if is_string(input.regional_security_assessment)

_where := sprintf("outside the Korean Peninsula (%s)", [concat(", ", definitions.place_parts(input.location))]) if {
	_status == "off"
} else := "with no location on the Korean Peninsula shown: the exception applies only where the document shows it"
