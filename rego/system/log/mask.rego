# METADATA
# title: What a decision log keeps of a request
# description: |
#   OPA evaluates data.system.log.mask on every decision-log event before the event
#   leaves the replica; the event is the input (input.path, input.input, input.result).
#   Each string in the set is a JSON pointer that OPA erases from the event and records
#   in the event's "erased" list, so the audit store keeps what the decision rested on
#   and says what it did not keep. A pointer naming nothing in the event is not recorded.
# related_resources:
#   - https://www.openpolicyagent.org/docs/management-decision-logs#masking-sensitive-data
package system.log

# Interpretation: the audit record keeps every field the policy reads (they are the
# evidence for the decision) and erases `extensions`, the contract's free-form object
# that the policy ignores: it may hold whatever a service attaches (names, tickets,
# internal references), none of which explains a decision. An assisted activity is an
# activity document of its own, so its extensions go too.
activity_fields := [["extensions"], ["assisted_activity", "extensions"]]

# The decision routes whose input is one activity document, or a list of them.
single_path := "apl/decision"

batch_path := "apl/batch"

# A single decision: the input is one activity document.
mask contains pointer if {
	input.path == single_path
	some field in present(input.input)
	pointer := concat("/", array.concat(["", "input"], field))
}

# A batch: input.activities holds one activity document per decision, in order.
mask contains pointer if {
	input.path == batch_path
	some i, activity in input.input.activities
	some field in present(activity)
	pointer := concat("/", array.concat(["", "input", "activities", format_int(i, 10)], field))
}

# The activity fields a document carries, whatever their value (null included).
present(document) := {field |
	is_object(document)
	some field in activity_fields
	parent := object.get(document, array.slice(field, 0, count(field) - 1), null)
	is_object(parent)
	field[count(field) - 1] in object.keys(parent)
}
