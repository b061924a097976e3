# METADATA
# title: P3 — No use of APL outside the Korean Peninsula (2014)
# description: |
#   State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual:
#   "This means that [the] United States will: not use APL outside the Korean Peninsula".
#   There is no hedge for a regional security assessment. On the peninsula, the 2014 texts
#   change nothing ("preclude us from changing our anti-personnel landmine policy there");
#   the earlier commitments carry on by inference only: "It follows previous steps to end
#   the use of all non-detectable mines and all persistent mines". So non-persistent APL
#   fall under the Korean exception there, and persistent APL (or APL whose persistence
#   is not known) go to review.
# related_resources:
#   - ref: https://geneva.usmission.gov/2014/09/23/landmine-policy-u-s-underscores-commitment-to-the-spirit-and-humanitarian-aims-of-the-ottawa-convention/
#     description: State Department press statement, 23 Sept 2014
# custom:
#   clause: P3
#   regime: us-apl-2014
#   official: "not use APL outside the Korean Peninsula"
#   official_source: State Department fact sheet, 23 Sept 2014, as quoted in the DoD Law of War Manual
package apl.regimes.us_apl_2014.p3_use

import data.apl.definitions
import data.apl.lib
import data.apl.regimes.us_apl_2014.korea
import data.apl.topics

# Interpretation: the article's assessment hedge belongs to the 2022 article only; under
# 2014 a regional_security_assessment changes nothing.
violation contains lib.violation(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.use_off_the_peninsula
	msg := sprintf("use of anti-personnel mines (%s) %s", [definitions.subject_label, topics.where])
}

exception contains korea.applied("P3", msg) if {
	input.action == "use"
	topics.use_on_the_peninsula
	definitions.persistence == "non_persistent"
	msg := sprintf("use of non-persistent anti-personnel mines (%s) on the Korean Peninsula is outside P3's prohibition", [definitions.subject_label])
}

# Interpretation: the ban on persistent mines after 2010 carries into 2014 by inference
# only (REGIMES.md section 3): a person must decide, never a permit nor a deny.
review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.use_on_the_peninsula
	definitions.persistence == "persistent"
	msg := sprintf("use of persistent anti-personnel mines (%s) on the Korean Peninsula: the 2004 ban on persistent mines after 2010 carries into 2014 by inference only; a person must decide", [definitions.subject_label])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	input.action == "use"
	topics.use_on_the_peninsula
	definitions.persistence == "unknown"
	msg := sprintf("use of anti-personnel mines (%s) on the Korean Peninsula: whether they self-destruct is not known, and it decides here (non-persistent: the Korean exception; persistent: review)", [definitions.subject_label])
}
