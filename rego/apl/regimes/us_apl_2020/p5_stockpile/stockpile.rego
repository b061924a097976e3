# METADATA
# title: P5 — Stockpiles (2020, non-persistent only)
# description: |
#   No 2020 text on stockpiles or their destruction was found: the 2014 duty to destroy
#   stock not needed for the Republic of Korea fell with PPD-37, by inference (REGIMES.md
#   section 4): "The 2014 duty to destroy stock not needed for Korea fell with PPD-37
#   (inference)." The memo lets the Department "employ, develop, produce or otherwise
#   acquire" non-persistent landmines only, so a stock of non-persistent APL complies; on
#   persistent stock the regime is silent (review); destruction is restricted by no regime.
# custom:
#   clause: P5
#   regime: us-apl-2020
#   silent: "The 2014 duty to destroy stock not needed for Korea fell with PPD-37 (inference)."
#   silent_source: REGIMES.md section 4, clause table
#   official: "The 2014 duty to destroy stock not needed for Korea fell with PPD-37 (inference)."
#   official_source: REGIMES.md section 4, clause table
package apl.regimes.us_apl_2020.p5_stockpile

import data.apl.definitions
import data.apl.lib
import data.apl.topics

# Interpretation: a stock of non-persistent APL complies (the memo lets the Department
# acquire and use them, and keeping them is what that requires); a persistent stock is a
# topic the texts do not cover.
review contains lib.silent(rego.metadata.chain(), sprintf("a stockpile of persistent anti-personnel mines (%s)", [definitions.subject_label])) if {
	input.action == "stockpile"
	topics.touches_p5
	definitions.persistence == "persistent"
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "stockpile"
	topics.touches_p5
	definitions.persistence == "unknown"
	msg := sprintf("whether these anti-personnel mines (%s) self-destruct is not known, and under us-apl-2020 it decides (a non-persistent stock complies; on a persistent one the regime has no text)", [definitions.subject_label])
}
