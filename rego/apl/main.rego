# METADATA
# title: The 2022 United States anti-personnel mine policy (us-apl-2022)
# description: |
#   The entrypoints services call: data.apl.decision for one activity document, and
#   data.apl.batch for many. Each clause under data.apl.clauses exposes the same sets
#   (violation, review, exception, obligation); the decision gathers them by iterating over
#   the clause packages, so adding a clause touches nothing here.
# related_resources:
#   - ref: https://www.whitehouse.gov/briefing-room/statements-releases/2022/06/21/fact-sheet-changes-to-u-s-anti-personnel-landmine-apl-policy/
#     description: White House fact sheet, 21 June 2022
# custom:
#   clause: POLICY
package apl

import data.apl.definitions
import data.apl.policy
import data.apl.validation

# METADATA
# title: The decision on one activity document
# description: Never undefined, as the default answers whatever the input is.
# entrypoint: true
default decision := {
	"id": null,
	"decision": "invalid",
	"allowed": false,
	"policy": {"id": "us-apl-2022", "effective": "2022-06-21", "revision": "unknown"},
	"munition": {"is_apl": null, "basis": "not classified"},
	"reason": "no decision could be made: the policy found no answer for this input",
	"violations": [],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": [{"field": "(document)", "message": "no decision could be made for this input"}],
}

decision := _invalid if {
	count(validation.errors) > 0
} else := _not_applicable if {
	_out_of_scope
} else := _assessed

# METADATA
# title: Decisions on many activity documents, in the order given
# description: |
#   input.activities is an array of activity documents; the result has one decision per
#   document, in the same order. An input without such an array gets no decisions and an
#   error, never a permit.
# entrypoint: true
default batch := {
	"decisions": [],
	"errors": [{"field": "activities", "message": "input.activities must be an array of activity documents"}],
}

batch := {"decisions": [d |
	some activity in input.activities
	d := decision with input as activity
]} if {
	is_array(input.activities)
}

# --- the three kinds of decision ------------------------------------------------------------

_invalid := object.union(_document("invalid", {"is_apl": null, "basis": "not classified: the document is invalid"}), {
	"reason": sprintf("invalid input: %d error(s), first %s: %s", [count(_errors), _errors[0].field, _errors[0].message]),
	"errors": _errors,
})

_errors := [e | some e in validation.errors]

_not_applicable := object.union(_document("not_applicable", definitions.classification), {"reason": _scope_reason})

_assessed := object.union(_document(_outcome, definitions.classification), {
	"reason": _reason,
	"violations": _violations,
	"exceptions": _exceptions,
	"reviews": _reviews,
	"obligations": _obligations,
})

# What every decision has; an invalid document is not classified, since its munition may
# not even be an object.
_document(outcome, munition) := {
	"id": _id,
	"decision": outcome,
	"allowed": outcome == "permit",
	"policy": {"id": policy.id, "effective": policy.effective, "revision": _revision},
	"munition": munition,
	"reason": "",
	"violations": [],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": [],
}

_id := input.id if is_string(input.id)

else := null

# The bundle's revision, as OPA loaded it from the .manifest (or the signed bundle).
_revision := revision if {
	some bundle in data.system.bundles
	"apl" in bundle.manifest.roots
	revision := bundle.manifest.revision
} else := "unbundled"

# --- scope: US conduct from the effective date (POLICY.md section 4, step 2) ----------------

_actor := object.get(input, "actor", policy.actor)

# Interpretation: a document with no date is assessed as conduct under the policy now;
# one with no actor is US conduct (the contract's default).
_out_of_scope if _actor != policy.actor

_out_of_scope if input.date < policy.effective

_scope_reason := sprintf("outside the policy: it governs the conduct of the United States, not %s", [_actor]) if {
	_actor != policy.actor
} else := sprintf("outside the policy: dated %s, before it took effect on %s", [input.date, policy.effective])

# --- gathering every clause's findings ------------------------------------------------------

_violations := [v | some v in {v | some v in data.apl.clauses[_].violation}]

_exceptions := [e | some e in {e | some e in data.apl.clauses[_].exception}]

_obligations := [o | some o in {o | some o in data.apl.clauses[_].obligation}]

_reviews := [r | some r in ({r | some r in data.apl.clauses[_].review} | definitions.review)]

_outcome := "deny" if {
	count(_violations) > 0
} else := "review" if {
	count(_reviews) > 0
} else := "permit"

# --- one line that says why -----------------------------------------------------------------

_reason := sprintf("%s violated: %s%s", [_violations[0].clause, _violations[0].message, _more(_violations)]) if {
	_outcome == "deny"
} else := sprintf("review (%s): %s%s", [_reviews[0].clause, _reviews[0].message, _more(_reviews)]) if {
	_outcome == "review"
} else := sprintf("permitted under the Korean exception to %s", [concat(", ", [e.clause | some e in _exceptions])]) if {
	count(_exceptions) > 0
} else := sprintf("permitted, with an obligation: %s", [_obligations[0].message]) if {
	count(_obligations) > 0
} else := sprintf("permitted: no clause applies; the munition is %s", [definitions.classification.basis]) if {
	definitions.classification.is_apl == false
} else := "permitted: no clause is violated"

_more(findings) := sprintf(" (and %d more)", [count(findings) - 1]) if count(findings) > 1

else := ""
