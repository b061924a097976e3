# METADATA
# title: Where the Korean context is shown (shared by every regime's Korean exception)
# description: |
#   The facts a Korean exception turns on, whatever the regime: use on the peninsula,
#   assistance in the context of the peninsula, a stockpile for the defense of the Republic
#   of Korea. Each regime that has a Korean exception reports it from its own package
#   (rego/apl/regimes/<regime>/korea), quoting its own text; a regime without one has none.
#   The exception loosens the policy, so it applies only where the document shows it.
# custom:
#   clause: LIB
package apl.korea

import data.apl.definitions

# Use on the peninsula (the place decides, whatever the purpose).
covers_use if definitions.place == "on"

# "outside of the context of the Korean Peninsula": the assisted activity happens on the
# peninsula, or serves the defense of the Republic of Korea.
# Interpretation: a contested location does not show the peninsula; only the purpose can.
covers_assistance if definitions.assisted_place == "on"

covers_assistance if input.assisted_activity.purpose == "defense_of_rok"

# A stockpile "required for the defense of the Republic of Korea" (the purpose decides,
# wherever the stock is kept).
covers_stockpile if input.purpose == "defense_of_rok"
