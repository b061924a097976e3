# METADATA
# title: KOREA — the Korean exception
# description: |
#   Article: "the new U.S. policy treats the Korean peninsula as an exceptional situation."
#   Its points: use is prohibited "outside the Korean peninsula" (P3); no encouraging or
#   assisting what the Ottawa Convention prohibits, "again with the Korean peninsula as
#   an exception to that rule" (P4); destroy stockpiles "no longer deemed necessary for
#   defense or security purposes on the Korean peninsula" (P5).
#   White House fact sheet, 21 June 2022: the exception rests on "the unique circumstances
#   on the Korean Peninsula and the U.S. commitment to the defense of the Republic of
#   Korea"; it appears in P3 ("outside of the Korean Peninsula"), P4 ("outside of the
#   context of the Korean Peninsula") and P5 ("not required for the defense of the
#   Republic of Korea"). It does not reach P1 or P2.
#   The exception loosens the policy, so it applies only where the document shows it, and
#   every time it changes an outcome the decision lists it.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   exception: KOREA
#   regime: us-apl-2022
#   clauses: [P3, P4, P5]
#   article: "the new U.S. policy treats the Korean peninsula as an exceptional situation"
#   official: "the unique circumstances on the Korean Peninsula and the U.S. commitment to the defense of the Republic of Korea"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.korea

import data.apl.lib

# The exception entry a clause reports when the exception changed its outcome.
applied(clause, message) := lib.exception(rego.metadata.chain(), clause, message)
