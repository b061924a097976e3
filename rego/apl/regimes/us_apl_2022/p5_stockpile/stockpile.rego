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

import data.apl.lib
import data.apl.regimes.us_apl_2022.korea
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
	msg := "retention for demining training: the Ottawa Convention allows it (Art. 3(1)), the 2022 policy is silent; a person must decide"
}

exception contains korea.applied("P5", msg) if {
	input.action == "stockpile"
	some msg in topics.stockpile_exceptions
}
