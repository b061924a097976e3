# METADATA
# title: P2 — Transfer of APL (2020, no text)
# description: |
#   The 2020 memo, as far as its quoted fragments show, has no transfer clause: "No clause
#   found. The 2014 texts had none either." (REGIMES.md section 4); the export moratorium's status after 2008
#   is not sourced. Every transfer of APL is review under this regime.
# custom:
#   clause: P2
#   regime: us-apl-2020
#   silent: "No clause found. The 2014 texts had none either."
#   silent_source: REGIMES.md section 4, clause table
#   official: "No clause found. The 2014 texts had none either."
#   official_source: REGIMES.md section 4, clause table
package apl.regimes.us_apl_2020.p2_transfer

import data.apl.definitions
import data.apl.lib
import data.apl.topics

review contains lib.silent(rego.metadata.chain(), sprintf("the transfer of anti-personnel mines (%s) for %s", [definitions.subject_label, topics.purpose])) if {
	input.action == "transfer"
	topics.touches_p2
}
