# METADATA
# title: P3 — Only non-persistent APL, and only in exceptional circumstances (2020)
# description: |
#   SecDef memo, 31 Jan 2020, as quoted by the Lieber Institute: combatant commanders may
#   employ non-persistent landmines, including anti-personnel landmines, "when necessary for
#   mission success in major contingencies or other exceptional circumstances." CRS:
#   "Persistent landmines, which the new policy forbids, lack these features." The memo has
#   no geographic limit and no Korean text. Persistent APL: violation, anywhere.
#   Non-persistent APL: review, anywhere, as the authority and the circumstances the memo
#   requires cannot be shown by the document (who approves use off the peninsula is reported
#   differently by CRS and DoD News).
# related_resources:
#   - ref: https://lieber.westpoint.edu/u-s-landmine-policy-complies-international-law
#     description: Lieber Institute, 2020 (quotes the memo)
# custom:
#   clause: P3
#   regime: us-apl-2020
#   official: "when necessary for mission success in major contingencies or other exceptional circumstances."
#   official_source: SecDef memo, 31 Jan 2020, as quoted by the Lieber Institute
package apl.regimes.us_apl_2020.p3_use

import data.apl.definitions
import data.apl.lib
import data.apl.topics

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.touches_p3
	definitions.persistence == "persistent"
	msg := sprintf("use of persistent anti-personnel mines (%s), which the 2020 policy forbids anywhere, the Korean Peninsula included", [definitions.subject_label])
}

# Interpretation: "when necessary for mission success in major contingencies or other
# exceptional circumstances" is a judgement on an authority the document cannot show (a
# combatant commander's, and off the peninsula perhaps the Secretary of Defense's):
# review, never permit, wherever the use is.
review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.touches_p3
	definitions.persistence == "non_persistent"
	msg := sprintf("use of non-persistent anti-personnel mines (%s) is allowed only when necessary for mission success in major contingencies or other exceptional circumstances, on an authority the document cannot show; a person must decide", [definitions.subject_label])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.touches_p3
	definitions.persistence == "unknown"
	msg := sprintf("whether these anti-personnel mines (%s) self-destruct is not known, and under us-apl-2020 it decides (persistent: forbidden; non-persistent: exceptional circumstances only)", [definitions.subject_label])
}
