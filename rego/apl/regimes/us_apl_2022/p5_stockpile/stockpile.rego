# METADATA
# title: P5 — Destroy APL stockpiles not required for the defense of the Republic of Korea
# description: |
#   Article: "Finally, there is a commitment to destroy stockpiles of antipersonnel mines no
#   longer deemed necessary for defense or security purposes on the Korean peninsula or
#   elsewhere as appropriate, ensuring alignment with humanitarian aims and risk reduction."
#   White House fact sheet, 21 June 2022: "Undertake to destroy all APL stockpiles not
#   required for the defense of the Republic of Korea".
#   The article's "or elsewhere as appropriate" is not read as a second exception: the
#   official text keeps only stocks for the defense of the Republic of Korea.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   clause: P5
#   regime: us-apl-2022
#   article: "Finally, there is a commitment to destroy stockpiles of antipersonnel mines no longer deemed necessary for defense or security purposes on the Korean peninsula or elsewhere as appropriate, ensuring alignment with humanitarian aims and risk reduction."
#   official: "Undertake to destroy all APL stockpiles not required for the defense of the Republic of Korea"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.p5_stockpile

import data.apl.definitions
import data.apl.korea as korean_context
import data.apl.lib
import data.apl.regimes.us_apl_2022.korea

# Interpretation: POLICY.md makes every purpose other than the defense of the Republic of
# Korea, demining training and destruction a violation, mine_detection and mine_clearance
# included, although Ottawa Art. 3(1) would permit retention for them; the policy is the
# stricter text.
violation contains lib.violation(rego.metadata.chain(), msg) if {
	_stockpile_of_apl
	not korean_context.covers_stockpile
	not _purpose in {"demining_training", "destruction"}
	msg := sprintf("a stockpile of anti-personnel mines (%s) for %s is not required for the defense of the Republic of Korea", [definitions.subject_label, _purpose])
}

obligation contains lib.obligation(rego.metadata.chain(), msg) if {
	count(violation) > 0
	msg := sprintf("destroy this stockpile (%s)", [definitions.subject_label])
}

# Interpretation: stock held until it is destroyed complies with P5, which is an
# undertaking to destroy with no deadline; what it owes is the destruction itself, so the
# obligation stays and nothing in the text sets a date by which it must be done.
obligation contains lib.obligation(rego.metadata.chain(), msg) if {
	_stockpile_of_apl
	input.purpose == "destruction"
	msg := sprintf("destroy this stockpile (%s), as it is held for: P5 sets no deadline", [definitions.subject_label])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	_stockpile_of_apl
	input.purpose == "demining_training"
	msg := "retention for demining training: the Ottawa Convention allows it (Art. 3(1)), the 2022 policy is silent; a person must decide"
}

exception contains korea.applied("P5", msg) if {
	_stockpile_of_apl
	korean_context.covers_stockpile
	msg := sprintf("a stockpile (%s) required for the defense of the Republic of Korea is outside P5's duty to destroy", [definitions.subject_label])
}

_stockpile_of_apl if {
	input.action == "stockpile"
	definitions.is_apl
}

_purpose := object.get(input, "purpose", "no stated purpose")
