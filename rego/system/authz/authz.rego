# METADATA
# title: Who may call the OPA server that serves the policy
# description: |
#   Loaded by OPA when it runs with --authorization=basic. The server is a read-only
#   decision point: callers may ask for decisions and health, nothing else. No one can
#   write policies or data, read policy source, or run ad-hoc queries.
#   When the OPA process has APL_OPA_TOKEN in its environment, every request must carry
#   it as a bearer token (OPA puts it in input.identity with --authentication=token).
# custom:
#   clause: AUTHZ
package system.authz

default allow := false

# The only routes a caller ever needs: one decision, a batch, and health checks.
decision_routes := {
	["v1", "data", "apl", "decision"],
	["v1", "data", "apl", "batch"],
}

allow if {
	input.method == "POST"
	input.path in decision_routes
	authenticated
}

allow if {
	input.method == "GET"
	input.path[0] == "health"
}

# Interpretation: without a configured token the server still refuses every write and
# every read of policy source; only the decision routes are open, to whoever reaches
# the loopback address it is bound to.
authenticated if not token_required

authenticated if {
	token_required
	input.identity == opa.runtime().env.APL_OPA_TOKEN
}

token_required if opa.runtime().env.APL_OPA_TOKEN != ""
