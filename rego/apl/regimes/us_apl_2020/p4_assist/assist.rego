# METADATA
# title: P4 — Assistance to others (2020, no text)
# description: |
#   REGIMES.md section 4: "The 2014 assist restriction fell with PPD-37; the 2020 memo has no
#   assist clause (as far as the excerpts show)." Assistance with
#   APL is review under this regime (assisting their destruction, or research on detection,
#   clearance or destruction, is restricted by no regime).
# custom:
#   clause: P4
#   regime: us-apl-2020
#   silent: "The 2014 assist restriction fell with PPD-37; the 2020 memo has no assist clause (as far as the excerpts show)."
#   silent_source: REGIMES.md section 4, clause table
#   official: "The 2014 assist restriction fell with PPD-37; the 2020 memo has no assist clause (as far as the excerpts show)."
#   official_source: REGIMES.md section 4, clause table
package apl.regimes.us_apl_2020.p4_assist

import data.apl.definitions
import data.apl.lib
import data.apl.topics

review contains lib.silent(rego.metadata.chain(), sprintf("assisting another party to %s anti-personnel mines (%s)", [input.assisted_activity.action, definitions.subject_label])) if {
	input.action == "assist"
	topics.touches_p4
}
