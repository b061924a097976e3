# METADATA
# title: P1 — Only non-persistent landmines may be developed, produced or acquired (2020)
# description: |
#   SecDef memo, 31 Jan 2020, as quoted by the Washington Times: "The (Defense) Department
#   will only employ, develop, produce or otherwise acquire landmines that are"
#   non-persistent. CRS reads it the same way: "Persistent landmines, which the new
#   policy forbids, lack these features." Persistent APL: violation; non-persistent APL:
#   complies; persistence not known: review.
# related_resources:
#   - ref: https://www.washingtontimes.com/news/2020/jan/31/trump-eases-obama-era-landmine-regulations/
#     description: Washington Times, 31 Jan 2020
# custom:
#   clause: P1
#   regime: us-apl-2020
#   official: 'The (Defense) Department will only employ, develop, produce or otherwise acquire landmines that are "nonpersistent,"'
#   official_source: SecDef memo, 31 Jan 2020, as quoted by the Washington Times
package apl.regimes.us_apl_2020.p1_develop

import data.apl.definitions
import data.apl.lib
import data.apl.topics

violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action in {"develop", "produce", "acquire"}
	definitions.is_apl
	definitions.persistence == "persistent"
	msg := sprintf("the Department may only %s landmines that are non-persistent; these anti-personnel mines (%s) do not self-destruct", [input.action, definitions.subject_label])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	topics.touches_p1
	definitions.persistence == "unknown"
	msg := sprintf("whether these anti-personnel mines (%s) self-destruct is not known, and under us-apl-2020 it decides (only non-persistent landmines may be developed, produced or acquired)", [definitions.subject_label])
}

# Interpretation: research that may be development of persistent APL may be what the memo
# forbids; the document cannot tell, so a person decides. Research on non-persistent APL
# is allowed, as their development is.
review contains lib.review(rego.metadata.chain(), msg) if {
	topics.research_may_be_development
	definitions.persistence == "persistent"
	msg := sprintf("research on persistent anti-personnel mines (%s) for %s may be development, which the memo allows only for non-persistent landmines; a person must decide", [definitions.subject_label, topics.purpose])
}
