# METADATA
# title: The bench's conftest peer — the same APL decision, reported the conftest way
# description: |
#   conftest evaluates each document file as input against this policy; it asks the
#   project's own data.apl.decision (loaded with `-p rego -d rego`) and fails the file
#   when the decision is anything but permit, so conftest does the same work per document
#   as OPA behind the CLI. Used by bench/run.py only.
package main

import data.apl

deny contains msg if {
	decision := apl.decision
	decision.decision != "permit"
	msg := sprintf("%s: %s", [decision.decision, object.get(decision, "reason", "")])
}
