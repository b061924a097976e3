# METADATA
# title: P2 — Transfer of APL (2025 interim, no text)
# description: |
#   The interim policy is known only from the Washington Post's excerpts of the memo of
#   2 Dec 2025 (REGIMES.md section 7), and its open questions say: "only excerpts; develop,
#   transfer, assist and hand-emplaced mines are unknown". Where the excerpts are silent the
#   decision is review.
# custom:
#   clause: P2
#   regime: us-apl-2025-interim
#   silent: "only excerpts; develop, transfer, assist and hand-emplaced mines are unknown"
#   silent_source: REGIMES.md section 11, open questions
#   official: "only excerpts; develop, transfer, assist and hand-emplaced mines are unknown"
#   official_source: REGIMES.md section 11, open questions
package apl.regimes.us_apl_2025_interim.p2_transfer

import data.apl.definitions
import data.apl.lib
import data.apl.topics

review contains lib.silent(rego.metadata.chain(), sprintf("the transfer of anti-personnel mines (%s) for %s", [definitions.subject_label, topics.purpose])) if {
	input.action == "transfer"
	topics.touches_p2
}
