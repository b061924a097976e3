# METADATA
# title: Topics — what an activity touches, shared by the regimes
# description: |
#   The facts every regime's clauses turn on, computed once a query whatever the regime:
#   which topic (P1 ... P5) an activity touches, the assistance rule that the 2014 and 2022
#   texts share (no assistance, outside the Korean context, to what the Ottawa Convention
#   prohibits), and the stockpile rule they share (destroy stockpiles not required for the
#   defense of the Republic of Korea). A regime's clause package reports these with the

#   annotations of its own package, so each finding quotes the regime's own text.
#   Only anti-personnel mines bring a topic into play; destruction, and research whose
#   purpose is detection, clearance or destruction, are restricted by no regime.
# custom:
#   clause: LIB
package apl.topics

import data.apl.definitions
import data.apl.korea as korean_context
import data.apl.ottawa
import data.apl.ottawa.articles

# --- which topic an activity touches (POLICY.md section 6) ---------------------------------

# P1: develop, produce or acquire APL; research on APL for a purpose other than
# detection, clearance or destruction (it may be development).
touches_p1 if {
	input.action in {"develop", "produce", "acquire"}
	definitions.is_apl
}

touches_p1 if research_may_be_development

research_may_be_development if {
	input.action == "research"
	definitions.is_apl
	not purpose in articles.research_purposes
}

touches_p2 if {
	input.action == "transfer"
	definitions.is_apl
}

touches_p3 if {
	input.action == "use"
	definitions.is_apl
}

# Interpretation: assisting another party to destroy APL, or to research detection,
# clearance or destruction techniques, is restricted by no regime, as destruction and
# such research are not; any other assistance with APL touches P4.
touches_p4 if {
	input.action == "assist"
	definitions.is_apl
	not _assisting_what_no_regime_restricts
}

_assisting_what_no_regime_restricts if input.assisted_activity.action == "destroy"

_assisting_what_no_regime_restricts if {
	input.assisted_activity.action == "research"
	input.assisted_activity.purpose in articles.research_purposes
}

# P5: keeping APL in stock (destroying them is restricted by no regime).
touches_p5 if {
	input.action == "stockpile"
	definitions.is_apl
}

# A missing purpose is named, and is no purpose any clause allows.
purpose := object.get(input, "purpose", "no stated purpose")

# --- assistance, as the 2014 and 2022 texts word it ----------------------------------------

assist_violations contains msg if {
	_prohibited
	not korean_context.covers_assistance
	definitions.assisted_place != "contested"
	msg := sprintf("to %s %s in what the Ottawa Convention prohibits: %s", [_mode, _party, _assessment.why])
}

assist_reviews contains msg if {
	input.action == "assist"
	_assessment.prohibited == null
	definitions.is_apl
	msg := sprintf("cannot tell whether the assisted activity is prohibited by the Ottawa Convention: %s", [_assessment.why])
}

assist_exceptions contains msg if {
	_prohibited
	korean_context.covers_assistance
	msg := sprintf("to %s %s is in the context of the Korean Peninsula (%s), outside P4's prohibition", [_mode, _party, _context])
}

_assisted := input.assisted_activity

_assessment := ottawa.assessment(_assisted, definitions.classification) if input.action == "assist"

_prohibited if _assessment.prohibited == true

# Interpretation: assist, encourage and induce are judged alike; the mode only names it.
_mode := object.get(input, "mode", "assist")

_party := sprintf("%s to %s %s", [object.get(_assisted, "actor", "another party"), _assisted.action, definitions.subject_label])

_context := "its purpose is the defense of the Republic of Korea" if {
	_assisted.purpose == "defense_of_rok"
} else := "it takes place on the Korean Peninsula"

# --- stockpiles, as the 2014 and 2022 texts word them --------------------------------------

# Interpretation: every purpose other than the defense of the Republic of Korea, demining
# training and destruction violates the duty to destroy, mine_detection and
# mine_clearance included, although Ottawa Art. 3(1) would permit retention for them; the
# policy is the stricter text.
stockpile_violations contains msg if {
	touches_p5
	not korean_context.covers_stockpile
	not purpose in {"demining_training", "destruction"}
	msg := sprintf("a stockpile of anti-personnel mines (%s) for %s is not required for the defense of the Republic of Korea", [definitions.subject_label, purpose])
}

stockpile_obligations contains msg if {
	count(stockpile_violations) > 0
	msg := sprintf("destroy this stockpile (%s)", [definitions.subject_label])
}

# Interpretation: stock held until it is destroyed complies with the duty to destroy, an
# undertaking with no deadline; what it owes is the destruction itself, so the obligation
# stays, and nothing in the text sets a date by which it must be done.
stockpile_obligations contains msg if {
	touches_p5
	input.purpose == "destruction"
	msg := sprintf("destroy this stockpile (%s), which is held for destruction; the policy sets no deadline", [definitions.subject_label])
}

stockpile_training if {
	touches_p5
	input.purpose == "demining_training"
}

stockpile_exceptions contains msg if {
	touches_p5
	korean_context.covers_stockpile
	msg := sprintf("a stockpile (%s) required for the defense of the Republic of Korea is outside P5's duty to destroy", [definitions.subject_label])
}

# --- use --------------------------------------------------------------------------------

# Interpretation: use with no location, or a location that does not say where (a region
# other than the DMZ), is use outside the peninsula: the exception applies only where the
# document shows it. A contested location is neither on nor off: the definitions send it
# to review.
use_off_the_peninsula if {
	touches_p3
	definitions.place in {"off", "unknown"}
}

use_on_the_peninsula if {
	touches_p3
	korean_context.covers_use
}

where := sprintf("outside the Korean Peninsula (%s)", [concat(", ", definitions.place_parts(input.location))]) if {
	definitions.place == "off"
} else := "with no location on the Korean Peninsula shown: the exception applies only where the document shows it"
