# METADATA
# title: Who may call the OPA server that serves the policy
# description: |
#   Loaded by OPA when it runs with --authorization=basic (OPA asks data.system.authz.allow
#   before every request). The server is a read-only decision point: callers may ask for
#   a decision, a batch of decisions, and health, nothing else. No one can write policies
#   or data, read policy source or data (data.system.bundles included), run ad-hoc queries
#   (/v1/query, /v1/compile), read the configuration, status or metrics, or ask for
#   evaluation traces (?explain) that would reveal the policy's expressions.
#   When the OPA process has APL_OPA_TOKEN in its environment, every request except the
#   health checks must carry it as a bearer token (OPA puts it in input.identity with
#   --authentication=token). A second, separate token in APL_OPA_MONITOR_TOKEN, when set,
#   lets a monitoring system read /metrics and the status plugin's /v1/status, and
#   nothing else; the decision token never can.
# related_resources:
#   - https://www.openpolicyagent.org/docs/security#authentication-and-authorization
# custom:
#   clause: AUTHZ
package system.authz

default allow := false

# The only routes a caller ever needs: one decision and a batch. Matched as whole paths,
# so a sub-path (/v1/data/apl/decision/violations), a trailing slash, the v0 API or an
# encoded slash (apl%2Fdecision stays one segment in OPA's data API) never matches.
decision_routes := {
	["v1", "data", "apl", "decision"],
	["v1", "data", "apl", "batch"],
}

# Interpretation: OPA's official SDKs (TypeScript @open-policy-agent/opa, Java com.styra:opa)
# ask POST /v1/batch/data/<rule> first, which only Enterprise OPA serves, and fall back to
# one call per input only when the answer is 404. The batch form of the two decision
# routes is let through, token and parameters as for the routes themselves, so that OPA
# answers its own 404; nothing is evaluated there, and every other batch path stays 401.
batch_routes := {array.concat(["v1", "batch"], array.slice(route, 1, count(route))) |
	some route in decision_routes
}

# Interpretation: health stays open without the token, as in OPA's own token example,
# so that supervisors and liveness probes need no secret; it answers only "up or not".
# /health/<name> evaluates data.system.health.<name>, so only OPA's two conventional
# names are let through, never an arbitrary rule under data.system.
health_routes := {
	["health"],
	["health", "live"],
	["health", "ready"],
}

# Query parameters that change only the layout of a decision. explain, instrument,
# metrics, provenance and strict-builtin-errors are refused: traces quote the policy's
# expressions, and the others expose internals a decision client has no use for.
decision_params := {"pretty"}

# Health's own switches (wait for bundles and plugins) say nothing about the policy.
health_params := {"bundles", "plugins", "exclude-plugin"}

allow if {
	input.method == "POST"
	some routes in [decision_routes, batch_routes]
	input.path in routes
	params_within(decision_params)
	authenticated
}

allow if {
	input.method == "GET"
	input.path in health_routes
	params_within(health_params)
}

# Monitoring (Prometheus, `apl-policy fleet status`) reads metrics and OPA's own status
# report: bundle revisions, activation times and errors, never policy source or data.
monitor_routes := {
	["metrics"],
	["v1", "status"],
}

# Interpretation: monitoring gets its own credential, so that the token every service
# holds still reaches nothing but decisions; without APL_OPA_MONITOR_TOKEN these routes
# stay shut to everyone, as before.
allow if {
	input.method == "GET"
	input.path in monitor_routes
	count(object.get(input, "params", {})) == 0
	monitor_authenticated
}

params_within(allowed) if {
	every name, _ in object.get(input, "params", {}) {
		name in allowed
	}
}

# Interpretation: without a configured token the server still refuses every write and
# every read of policy source; only the decision routes are open, to whoever reaches
# the loopback address it is bound to.
authenticated if not token_required

# The token is compared through its SHA-256 so that the time the comparison takes says
# nothing about how many leading characters of a guess were right.
authenticated if {
	token_required
	is_string(input.identity)
	crypto.sha256(input.identity) == crypto.sha256(configured_token)
}

token_required if configured_token != ""

monitor_authenticated if {
	configured_monitor_token != ""
	is_string(input.identity)
	crypto.sha256(input.identity) == crypto.sha256(configured_monitor_token)
}

configured_monitor_token := object.get(opa.runtime().env, "APL_OPA_MONITOR_TOKEN", "")

configured_token := opa.runtime().env.APL_OPA_TOKEN
