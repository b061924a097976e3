# METADATA
# title: United States anti-personnel mine policy, by regime (us-apl-2014 to us-apl-2025-interim)
# description: |
#   The entrypoints services call: data.apl.decision for one activity document, and
#   data.apl.batch for many. The regime is chosen by the document's `regime`, else by its
#   date, else it is the default (policy/data.yaml). Each clause of a regime, under
#   data.apl.regimes.<package>, exposes the same sets (violation, review, exception,
#   obligation); the decision reads them from the clause that judges the document's action
#   (policy/data.yaml), so adding a clause or a regime touches nothing here.
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
	"policy": {"id": "us-apl-2022", "effective": "2022-06-21", "until": "2025-12-01", "revision": "unknown"},
	"munition": {"is_apl": null, "basis": "not classified"},
	"reason": "no decision could be made: the policy found no answer for this input",
	"violations": [],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": [{"field": "(document)", "message": "no decision could be made for this input"}],
	"notices": [],
}

# The error list is built only for a document the fast check does not pass as valid.
decision := _invalid if {
	not validation.valid
	count(validation.errors) > 0
} else := _not_applicable if {
	_out_of_scope
} else := _assessed if {
	# Fail closed: a regime listed in policy/data.yaml without its clauses gets the default.
	_has_clauses
}

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

# Each is written out in full, the same twelve fields (bridge/schemas/decision.schema.json;
# the property tests check every decision against it): one object is built, where a shared
# function and an object.union cost an invalid document about 260,000 instructions more.

# An invalid document names the default regime (its fields cannot be trusted to choose)
# and is not classified, since its munition may not even be an object.
_invalid := {
	"id": _id,
	"decision": "invalid",
	"allowed": false,
	"policy": {"id": named.id, "effective": named.effective, "until": named.until, "revision": _revision},
	"munition": {"is_apl": null, "basis": "not classified: the document is invalid"},
	"reason": sprintf("invalid input: %d error(s), first %s: %s", [count(errors), errors[0].field, errors[0].message]),
	"violations": [],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": errors,
	"notices": [],
} if {
	errors := [e | some e in validation.errors]
	named := _default
}

# Out of scope: not US conduct, or dated before every regime.
_not_applicable := {
	"id": _id,
	"decision": "not_applicable",
	"allowed": false,
	"policy": {"id": named.id, "effective": named.effective, "until": named.until, "revision": _revision},
	"munition": definitions.classification,
	"reason": _scope_reason,
	"violations": [],
	"exceptions": [],
	"reviews": [],
	"obligations": [],
	"errors": [],
	"notices": _notices,
} if {
	named := _regime_or_earliest
}

# A date before every regime is named by the earliest.
_regime_or_earliest := r if {
	r := regime
} else := _earliest

_earliest := policy.regimes[0]

_assessed := {
	"id": _id,
	"decision": final.outcome,
	"allowed": final.outcome == "permit",
	"policy": {"id": chosen.id, "effective": chosen.effective, "until": chosen.until, "revision": _revision},
	"munition": definitions.classification,
	"reason": _why(final.outcome, final.findings),
	"violations": final.findings.violations,
	"exceptions": final.findings.exceptions,
	"reviews": final.findings.reviews,
	"obligations": final.findings.obligations,
	"errors": [],
	"notices": _notices_and(final.notices),
} if {
	final := _final
	chosen := regime
}

# The regime's notices, then those of the final outcome (an undecided munition's).
_notices_and(more) := _notices if {
	count(more) == 0
} else := array.concat(_notices, more)

_id := input.id if is_string(input.id)

else := null

# The bundle's revision, as OPA loaded it from the .manifest (or the signed bundle).
_revision := revision if {
	some bundle in data.system.bundles
	"apl" in bundle.manifest.roots
	revision := bundle.manifest.revision
} else := "unbundled"

# --- the regime (POLICY.md section 6) -------------------------------------------------------

# The regime the document is assessed under: the one it pins, else the one whose span
# holds its date, else the default. Undefined for a date before every regime. One chain,
# so that a document is only asked what decides its regime. (A pinned id that no regime
# has, or a date that is no string, makes the document invalid, and an invalid decision
# names the default regime without asking this rule.)
#
# Interpretation: a pinned regime is applied whatever the date, even one before every
# regime: pinning asks what that regime says (a notice names the date's own regime).
regime := _pinned if {
	is_string(input.regime)
} else := _dated if {
	is_string(input.date)
} else := _default if {
	not _dating
}

# (Rules, so that `not` reads a missing field as one not given: with the date missing,
# `not is_string(input.date)` is undefined, not true.)
_pinning if is_string(input.regime)

_dating if is_string(input.date)

_pinned := r if {
	some r in policy.regimes
	r.id == input.regime
}

# The spans are in order and follow one another (regime_selection_test.rego checks it), so
# the date's regime is the last to take effect on or before it, if its span still holds
# the date: one comparison a regime, and no rule called for each.
_dated := r if {
	regimes := policy.regimes
	r := regimes[count([1 | some s in regimes; s.effective <= input.date]) - 1]
	_until_or_open(r, input.date)
}

_until_or_open(r, _) if r.until == null

_until_or_open(r, date) if date <= r.until

_default := r if {
	some r in policy.regimes
	r.id == policy.default
}

# The chosen regime's folder. Its clause packages are only ever reached through the sets
# they expose (data.apl.regimes[_package][_].violation ...): taking the folder as a whole
# would evaluate every rule under it.
_package := regime.package

# Every regime has a P1 package (tests/policy/test_quotes.py checks each has P1 to P5),
# and every P1 a review set (regime_selection_test.rego checks it). The set, not the
# package: naming a package evaluates every rule in it, while the set is evaluated anyway
# to gather the findings.
_has_clauses if data.apl.regimes[_package].p1_develop.review

# --- scope: US conduct within a regime's span (POLICY.md section 4, step 2) -----------------

# Interpretation: a document with no date is assessed under the default regime; one with
# no actor is US conduct (the contract's default), so only an actor given and not the US
# puts it out of scope.
_out_of_scope if input.actor != policy.actor

_out_of_scope if not regime

_scope_reason := sprintf("outside the policy: it governs the conduct of the United States, not %s", [input.actor]) if {
	input.actor != policy.actor
} else := sprintf("outside every regime: dated %s, before the earliest, %s, took effect on %s", [input.date, policy.regimes[0].id, policy.regimes[0].effective])

# --- notices (CONTRACT.md 2.0) ------------------------------------------------------------

# What a reader must know that is not a finding: a regime known only from reports, a
# pinned regime whose span does not hold the document's date.
_notices := [] if {
	regime.text == "official"
	not _pinning
} else := array.concat(_reported, _pinned_elsewhere)

_reported := [{"regime": regime.id, "message": sprintf("the text of %s is known only from reports (%s), not from an official text; this decision rests on them", [regime.id, regime.source])}] if {
	regime.text == "reports"
} else := []

_pinned_elsewhere := [{"regime": regime.id, "message": sprintf("assessed under %s as the document pins it; its date, %s, falls %s", [regime.id, input.date, _date_regime])}] if {
	is_string(input.regime)
	is_string(input.date)
	not _dated.id == regime.id
} else := []

_date_regime := sprintf("under %s", [_dated.id]) if _dated

else := "before every regime"

# --- gathering the chosen regime's findings -------------------------------------------------

# Only the clause that judges the document's action can find anything
# (policy.clauses_by_action), so the sets are read from that package alone rather than
# from every package of the regime.
# A clause without a set (P2 of us-apl-2022 raises no review) gives an empty list, as an
# action no clause judges (destroy) does. (The folder and the clause are looked up once for
# the three sets, not once a set.)
_findings := {
	"violations": [v | some v in data.apl.regimes[folder][clause].violation],
	"exceptions": [e | some e in data.apl.regimes[folder][clause].exception],
	"obligations": [o | some o in data.apl.regimes[folder][clause].obligation],
	"reviews": _raised_reviews,
} if {
	folder := _package
	clause := _clause
} else := {"violations": [], "exceptions": [], "obligations": [], "reviews": _raised_reviews}

# The definitions' reviews (an undetermined munition, a contested place) join the clause's;
# most documents raise none.
_raised_reviews := [r | some r in data.apl.regimes[_package][_clause].review] if {
	count(definitions.review) == 0
} else := [r | some r in ({r | some r in data.apl.regimes[_package][_clause].review} | definitions.review)]

_clause := policy.clauses_by_action[input.action]

_outcome_of(findings) := "deny" if {
	count(findings.violations) > 0
} else := "review" if {
	count(findings.reviews) > 0
} else := "permit"

# --- a munition the document leaves undecided (POLICY.md section 1) --------------------------

# An undetermined munition (or an unknown persistence, where the regime turns on it) makes
# the decision review, unless the outcome is the same whichever way it is taken: then that
# outcome stands, and a notice says the question did not decide it. The decision is then
# taken every way (`with` overrides), the first way's findings reported: APL before not APL,
# persistent before non-persistent. (`with` sets aside every value computed so far; the
# regime and the place do not turn on the classification, so each way is given them rather
# than computing them again. Not the munition's label: most ways never ask for it, and
# handing it over costs more than computing it when asked.)
_final := {"outcome": alternatives[0].outcome, "findings": alternatives[0].findings, "notices": [{"regime": regime.id, "message": msg}]} if {
	_undecided
	chosen := regime
	place := definitions.place
	alternatives := [{"outcome": _outcome_of(f), "findings": f} |
		some c in _classifications
		some p in _persistences
		f := _findings with definitions.classification as c
			with definitions.persistence as p
			with regime as chosen
			with definitions.place as place
	]
	count({a.outcome | some a in alternatives}) == 1
	msg := sprintf("%s did not decide the outcome: it is %s either way", [_what_undecided, alternatives[0].outcome])
} else := {"outcome": _outcome_of(findings), "findings": findings, "notices": []} if {
	findings := _findings
}

_undecided if definitions.undetermined

_undecided if _persistence_undecided

_persistence_undecided if {
	regime.persistence == "decides"
	definitions.persistence == "unknown"
	definitions.classification.is_apl != false
}

_classifications := [
	{"is_apl": true, "basis": sprintf("taken as an anti-personnel mine (%s)", [definitions.classification.basis])},
	{"is_apl": false, "basis": sprintf("taken as not an anti-personnel mine (%s)", [definitions.classification.basis])},
] if definitions.undetermined

else := [definitions.classification]

_persistences := ["persistent", "non_persistent"] if _persistence_undecided

else := [definitions.persistence]

_what_undecided := "the munition's classification (an anti-personnel mine or not)" if {
	definitions.undetermined
	not _persistence_undecided
} else := "the munition's persistence (whether it self-destructs)" if {
	not definitions.undetermined
} else := "the munition's classification and persistence"

# --- one line that says why -----------------------------------------------------------------

# The reason, from the final outcome and its findings.
_why("deny", findings) := sprintf("%s violated: %s%s", [findings.violations[0].clause, findings.violations[0].message, _more(findings.violations)])

_why("review", findings) := sprintf("review (%s): %s%s", [findings.reviews[0].clause, findings.reviews[0].message, _more(findings.reviews)])

_why("permit", findings) := sprintf("permitted under the Korean exception to %s", [concat(", ", [e.clause | some e in findings.exceptions])]) if {
	count(findings.exceptions) > 0
} else := sprintf("permitted, with an obligation: %s", [findings.obligations[0].message]) if {
	count(findings.obligations) > 0
} else := sprintf("permitted: no clause applies; the munition is %s", [definitions.classification.basis]) if {
	definitions.classification.is_apl == false
} else := "permitted: no clause is violated"

_more(findings) := sprintf(" (and %d more)", [count(findings) - 1]) if count(findings) > 1

else := ""
