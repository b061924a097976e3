# METADATA
# title: P2 — Transfer of APL (2014, no text)
# description: |
#   No 2014 text has a transfer clause of the United States' own; the US's own transfers
#   fell under the 1997 executive "permanent ban" and the statutory moratorium, whose status
#   after 2008 is not sourced (REGIMES.md sections 3 and 9). Every transfer of APL is
#   review under this regime, whatever its purpose.
# custom:
#   clause: P2
#   regime: us-apl-2014
#   silent: "No transfer clause of its own in any 2014 text found."
#   silent_source: REGIMES.md section 3, clause table
#   official: "No transfer clause of its own in any 2014 text found."
#   official_source: REGIMES.md section 3, clause table
package apl.regimes.us_apl_2014.p2_transfer

import data.apl.definitions
import data.apl.lib
import data.apl.topics

# Interpretation: a transfer for detection, clearance or destruction is still review: the
# 2022 exceptions are new in 2022, and no 2014 text says whether the 1997 ban had any.
review contains lib.silent(rego.metadata.chain(), sprintf("the transfer of anti-personnel mines (%s) for %s", [definitions.subject_label, topics.purpose])) if {
	input.action == "transfer"
	topics.touches_p2
}
