# METADATA
# title: What the Ottawa Convention prohibits (used by P4)
# description: |
#   Article 1(1): "Each State Party undertakes never under any circumstances: a) To use
#   anti-personnel mines; b) To develop, produce, otherwise acquire, stockpile, retain or
#   transfer to anyone, directly or indirectly, anti-personnel mines; c) To assist,
#   encourage or induce, in any way, anyone to engage in any activity prohibited to a State
#   Party under this Convention."
#   Article 3(1): "Notwithstanding the general obligations under Article 1, the retention
#   or transfer of a number of anti-personnel mines for the development of and training in
#   mine detection, mine clearance, or mine destruction techniques is permitted."
#   Article 3(2): "The transfer of anti-personnel mines for the purpose of destruction is
#   permitted." Destruction itself is not prohibited: Article 4 requires it.
# related_resources:
#   - ref: https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26
#     description: Ottawa Convention (1997)
# custom:
#   clause: OTTAWA
package apl.ottawa

import data.apl.ottawa.articles

# assessment(activity, c).prohibited is true, false, or null (cannot tell), with the
# reason; c is the classification of the activity's munition (for P4, the decision's own
# definitions.classification, so that a decision taken both ways classifies it both ways).
assessment(activity, c) := {"prohibited": c.is_apl, "why": c.basis} if {
	c.is_apl != true
} else := _apl_assessment(activity)

_apl_assessment(activity) := {
	"prohibited": false,
	"why": "destroying anti-personnel mines is not prohibited (Article 4 requires it)",
} if {
	activity.action == "destroy"
} else := {
	"prohibited": false,
	"why": sprintf("Article 3(1) permits retention for %s", [activity.purpose]),
} if {
	activity.action == "stockpile"
	activity.purpose in articles.retention_purposes
} else := {
	"prohibited": false,
	"why": sprintf("Article 3 permits transfer for %s", [activity.purpose]),
} if {
	activity.action == "transfer"
	activity.purpose in articles.transfer_purposes
} else := {
	"prohibited": true,
	"why": articles.prohibited_actions[activity.action],
} if {
	activity.action in object.keys(articles.prohibited_actions)
} else := {
	"prohibited": false,
	"why": "research into detection, clearance or destruction techniques is not development of APL",
} if {
	activity.purpose in articles.research_purposes
} else := {
	# Interpretation: research whose purpose is not demining may be development
	# (Article 1(1)(b)); the document cannot tell, so it goes to review.
	"prohibited": null,
	"why": "research on anti-personnel mines for a purpose other than detection, clearance or destruction may be development (Article 1(1)(b))",
}
