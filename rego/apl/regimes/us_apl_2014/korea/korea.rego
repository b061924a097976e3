# METADATA
# title: KOREA — the Korean exception (2014)
# description: |
#   NSC spokesperson Caitlin Hayden, 23 Sept 2014, as quoted by AP: "Even as we take these
#   further steps, the unique circumstances on the Korean Peninsula and our commitment to the
#   defense of the Republic of Korea preclude us from changing our anti-personnel landmine
#   policy there at this time." It appears in P3 ("outside the Korean Peninsula"), P4
#   ("anyone outside the Korean Peninsula") and P5 ("not required for the defense of the
#   Republic of Korea"). It does not reach P1; the regime has no P2.
# custom:
#   exception: KOREA
#   regime: us-apl-2014
#   clauses: [P3, P4, P5]
#   official: "the unique circumstances on the Korean Peninsula and our commitment to the defense of the Republic of Korea preclude us from changing our anti-personnel landmine policy there at this time"
#   official_source: NSC spokesperson Caitlin Hayden, 23 Sept 2014, as quoted by AP
package apl.regimes.us_apl_2014.korea

import data.apl.lib

# The exception entry a clause reports when the exception changed its outcome.
applied(clause, message) := lib.exception(rego.metadata.chain(), clause, message)
