# METADATA
# title: P3 — Remotely delivered APL only if they self-destruct and self-deactivate (2025 interim)
# description: |
#   Washington Post, 19 Dec 2025, on the memo of 2 Dec 2025: "The interim policy says the
#   United States will use" remotely delivered antipersonnel land mines "only if the mines
#   have" "compliant self-destruction mechanisms and self-deactivation features." One of the
#   five objectives the memo outlines for the new policy is "lifting geographic limits on the
#   use of land mines", reported as an objective, not as the interim rule. Remotely
#   delivered persistent APL: violation. Any other use (hand-emplaced APL, non-persistent
#   remotely delivered APL, or a document that does not say how they are delivered):
#   review, as the excerpts do not say whether or where it is allowed.
# related_resources:
#   - ref: https://www.dailyherald.com/20251219/nation-and-world/hegseth-reverses-land-mine-policy-to-allow-use-of-controversial-weapon
#     description: Washington Post, 19 Dec 2025, syndicated by the Daily Herald
# custom:
#   clause: P3
#   regime: us-apl-2025-interim
#   official: 'The interim policy says the United States will use "remotely delivered" antipersonnel land mines only if the mines have "compliant self-destruction mechanisms and self-deactivation features."'
#   official_source: Hegseth memo, 2 Dec 2025, as reported by the Washington Post, 19 Dec 2025
package apl.regimes.us_apl_2025_interim.p3_use

import data.apl.definitions
import data.apl.lib
import data.apl.topics

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "use"
	_remotely_delivered
	definitions.persistence == "persistent"
	msg := sprintf("use of remotely delivered anti-personnel mines (%s) that do not self-destruct and self-deactivate: the interim policy allows them only if they do", [definitions.subject_label])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	_remotely_delivered
	definitions.persistence == "unknown"
	msg := sprintf("whether these remotely delivered anti-personnel mines (%s) self-destruct and self-deactivate is not known, and under us-apl-2025-interim it decides", [definitions.subject_label])
}

# Interpretation: the excerpts give one rule (remotely delivered APL only if they
# self-destruct and self-deactivate); that they then may be used is not said, and lifting
# geographic limits is reported as an objective of the policy to come. Every other use,
# compliant remotely delivered mines included, is review, wherever it is.
review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.touches_p3
	not _remotely_delivered_persistent_or_unknown
	msg := sprintf("use of anti-personnel mines (%s) %s: the interim policy's reported text forbids only remotely delivered mines that do not self-destruct and self-deactivate, says nothing on where or when other use is allowed, and reports lifting geographic limits as an objective, not a rule; a person must decide", [definitions.subject_label, _how])
}

_remotely_delivered if {
	topics.touches_p3
	definitions.remotely_delivered == true
}

_remotely_delivered_persistent_or_unknown if {
	_remotely_delivered
	definitions.persistence in {"persistent", "unknown"}
}

_how := "remotely delivered, self-destructing" if {
	_remotely_delivered
} else := "not remotely delivered" if {
	definitions.remotely_delivered == false
} else := "with no word on how they are delivered"
