# METADATA
# title: P2 — No export or transfer of APL, except for detection, removal or destruction
# description: |
#   Article: "Second, exports and transfers of such mines are restricted unless strictly
#   necessary for activities related to detection, clearance, or demining missions within
#   established safety and legal frameworks."
#   White House fact sheet, 21 June 2022: "Not export or transfer APL, except when
#   necessary for activities related to mine detection or removal, and for the purpose of
#   destruction".
#   The article names "detection, clearance, or demining"; the official text "detection or
#   removal" and adds destruction. Both are honoured: the allowed purposes
#   (purposes/data.yaml) are detection, clearance, demining training and destruction.
#   The Korean exception does not reach P2.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   clause: P2
#   regime: us-apl-2022
#   article: "Second, exports and transfers of such mines are restricted unless strictly necessary for activities related to detection, clearance, or demining missions within established safety and legal frameworks."
#   official: "Not export or transfer APL, except when necessary for activities related to mine detection or removal, and for the purpose of destruction"
#   official_source: White House fact sheet, 21 June 2022
package apl.regimes.us_apl_2022.p2_transfer

import data.apl.definitions
import data.apl.lib
import data.apl.regimes.us_apl_2022.p2_transfer.purposes

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "transfer"
	_transfer_of_apl
	not _purpose in purposes.allowed
	msg := sprintf("transfer of anti-personnel mines (%s)%s for %s: only detection, clearance, demining training or destruction allow it%s", [definitions.subject_label, _to, _purpose, _korea_note])
}

obligation contains lib.obligation(rego.metadata.chain(), msg) if {
	input.action == "transfer"
	_transfer_of_apl
	input.purpose in purposes.allowed
	msg := sprintf("the transfer for %s must stay within established safety and legal frameworks, and its number within the minimum absolutely necessary (Ottawa Art. 3)", [input.purpose])
}

_transfer_of_apl if {
	input.action == "transfer"
	definitions.is_apl
}

_to := sprintf(" to %s", [input.recipient]) if is_string(input.recipient)

else := ""

# A transfer for the defense of the Republic of Korea is still a P2 violation: say why.
_korea_note := "; the Korean exception does not reach P2" if input.purpose == "defense_of_rok"

else := ""

# A missing purpose is named, and is no purpose P2 allows.
_purpose := object.get(input, "purpose", "no stated purpose")
