# METADATA
# title: Floors for the instruction counts (bench only, never in the policy bundle)
# description: |
#   trivial: the least a decision can cost, one comparison on the input.
#   result: a policy that only builds a result of the decision's shape and size (the keys,
#   nesting and strings of a `use` denied under us-apl-2022), from the input, with no rule
#   of the policy: what any policy answering this contract must at least pay.
package floor

allow if input.action == "use"

decision := {
	"id": input.id,
	"decision": "deny",
	"allowed": input.action == "permit",
	"policy": {"id": "us-apl-2022", "effective": "2022-06-21", "until": "2025-12-01", "revision": "floor"},
	"munition": {
		"is_apl": true,
		"basis": "designed to be exploded by the presence, proximity or contact of a person (Ottawa Art. 2(1))",
	},
	"reason": concat("", ["P3 violated: use of anti-personnel mines (", input.munition.model, ") outside the Korean Peninsula"]),
	"violations": [{
		"clause": "P3",
		"title": "P3 — No use of APL outside the Korean Peninsula",
		"message": concat("", ["use of anti-personnel mines (", input.munition.model, ") outside the Korean Peninsula"]),
		"source": "White House fact sheet, 21 June 2022: \"Not use APL outside of the Korean Peninsula\". Article: \"Third, the policy prohibits use of antipersonnel mines outside the Korean peninsula, except where regional security interests require a different assessment.\"",
	}],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": [],
	"notices": [],
}
