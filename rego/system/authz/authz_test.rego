# Unit tests of the server's authorization policy: every route a caller needs is open to
# the token holder, and every management, read-back or ad-hoc route is shut to everyone.
package system.authz.authz_test

import data.system.authz

token := "a-service-token-of-reasonable-length"

runtime_with_token := {"env": {"APL_OPA_TOKEN": token}}

runtime_without_token := {"env": {"HOME": "/root"}}

decision_request := {
	"method": "POST",
	"path": ["v1", "data", "apl", "decision"],
	"params": {},
	"identity": token,
}

batch_request := object.union(decision_request, {"path": ["v1", "data", "apl", "batch"]})

# --- what the token holder may do ---------------------------------------------------

test_token_holder_may_ask_for_a_decision if {
	authz.allow with input as decision_request with opa.runtime as runtime_with_token
}

test_token_holder_may_ask_for_a_batch if {
	authz.allow with input as batch_request with opa.runtime as runtime_with_token
}

# The batch API's form of the two decision routes reaches OPA, which answers 404 (it has no
# batch API): the official SDKs then fall back to one decision per input.
sdk_batch_requests := [object.union(decision_request, {"path": path}) |
	some path in [["v1", "batch", "data", "apl", "decision"], ["v1", "batch", "data", "apl", "batch"]]
]

test_token_holder_may_reach_the_batch_form_of_the_decision_routes if {
	every request in sdk_batch_requests {
		authz.allow with input as request with opa.runtime as runtime_with_token
	}
}

test_the_batch_form_needs_the_token_and_takes_no_trace_parameters if {
	every request in sdk_batch_requests {
		authz.allow == false with input as object.remove(request, ["identity"])
			with opa.runtime as runtime_with_token
		authz.allow == false with input as object.union(request, {"params": {"explain": ["full"]}})
			with opa.runtime as runtime_with_token
	}
}

test_pretty_printing_a_decision_is_allowed if {
	authz.allow with input as object.union(decision_request, {"params": {"pretty": ["true"]}})
		with opa.runtime as runtime_with_token
}

test_health_is_open_without_a_token if {
	every path in [["health"], ["health", "live"], ["health", "ready"]] {
		authz.allow with input as {"method": "GET", "path": path, "params": {}}
			with opa.runtime as runtime_with_token
	}
}

test_health_may_wait_for_bundles_and_plugins if {
	authz.allow with input as {"method": "GET", "path": ["health"], "params": {"bundles": [""], "plugins": [""]}}
		with opa.runtime as runtime_with_token
}

# --- the token -------------------------------------------------------------------------

test_a_decision_without_a_token_is_refused if {
	authz.allow == false with input as object.remove(decision_request, ["identity"])
		with opa.runtime as runtime_with_token
}

test_a_decision_with_a_wrong_token_is_refused if {
	authz.allow == false with input as object.union(decision_request, {"identity": "guess"})
		with opa.runtime as runtime_with_token
}

test_a_token_that_only_starts_like_the_right_one_is_refused if {
	authz.allow == false with input as object.union(decision_request, {"identity": concat("", [token, "x"])})
		with opa.runtime as runtime_with_token
}

test_an_empty_token_is_refused if {
	authz.allow == false with input as object.union(decision_request, {"identity": ""})
		with opa.runtime as runtime_with_token
}

test_a_non_string_identity_is_refused if {
	authz.allow == false with input as object.union(decision_request, {"identity": ["a", "b"]})
		with opa.runtime as runtime_with_token
}

test_without_a_configured_token_decisions_are_open if {
	authz.allow with input as object.remove(decision_request, ["identity"])
		with opa.runtime as runtime_without_token
}

test_an_empty_configured_token_counts_as_none if {
	authz.allow with input as object.remove(decision_request, ["identity"])
		with opa.runtime as {"env": {"APL_OPA_TOKEN": ""}}
}

test_without_a_configured_token_management_stays_shut if {
	every request in management_requests {
		authz.allow == false with input as object.remove(request, ["identity"])
			with opa.runtime as runtime_without_token
	}
}

# --- what no one may do, token or not ------------------------------------------------------

management_requests := [
	{"method": "PUT", "path": ["v1", "policies", "x"], "params": {}, "identity": token},
	{"method": "DELETE", "path": ["v1", "policies", "authz"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "policies"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "policies", "system", "authz", "authz.rego"], "params": {}, "identity": token},
	{"method": "PUT", "path": ["v1", "data", "x"], "params": {}, "identity": token},
	{"method": "PUT", "path": ["v1", "data"], "params": {}, "identity": token},
	{"method": "PATCH", "path": ["v1", "data", "apl"], "params": {}, "identity": token},
	{"method": "DELETE", "path": ["v1", "data", "apl"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "data"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "data", "apl", "decision"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "data", "system", "bundles"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "system", "bundles"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "system", "authz", "allow"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "apl"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "apl", "decision", "violations"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "apl", "decision", ""], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "data", "apl%2Fdecision"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v0", "data", "apl", "decision"], "params": {}, "identity": token},
	{"method": "POST", "path": [""], "params": {}, "identity": token},
	{"method": "GET", "path": [""], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "query"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "query"], "params": {"q": ["data"]}, "identity": token},
	{"method": "POST", "path": ["v1", "compile"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "compile", "apl", "decision"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "config"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "status"], "params": {}, "identity": token},
	{"method": "GET", "path": ["metrics"], "params": {}, "identity": token},
	{"method": "GET", "path": ["debug", "pprof", "heap"], "params": {}, "identity": token},
	{"method": "GET", "path": ["health", "authz"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "batch", "data"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "batch", "data", "apl"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "batch", "data", "system", "authz", "allow"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "batch", "data", "apl", "decision", "violations"], "params": {}, "identity": token},
	{"method": "GET", "path": ["v1", "batch", "data", "apl", "decision"], "params": {}, "identity": token},
	{"method": "POST", "path": ["v1", "batch", "apl", "decision"], "params": {}, "identity": token},
	{"method": "POST", "path": ["health"], "params": {}, "identity": token},
]

test_every_management_and_read_back_route_is_refused_to_the_token_holder if {
	every request in management_requests {
		authz.allow == false with input as request with opa.runtime as runtime_with_token
	}
}

test_evaluation_traces_and_internals_are_refused if {
	every param in ["explain", "instrument", "metrics", "provenance", "strict-builtin-errors"] {
		authz.allow == false with input as object.union(decision_request, {"params": {param: ["full"]}})
			with opa.runtime as runtime_with_token
	}
}

test_health_refuses_unknown_parameters if {
	authz.allow == false with input as {"method": "GET", "path": ["health"], "params": {"explain": ["full"]}}
		with opa.runtime as runtime_with_token
}

test_a_request_without_params_is_judged_on_its_route if {
	authz.allow with input as object.remove(decision_request, ["params"])
		with opa.runtime as runtime_with_token
}

test_with_no_runtime_environment_the_token_is_not_required if {
	authz.allow with input as object.remove(decision_request, ["identity"])
		with opa.runtime as {}
}

# --- monitoring: its own token, metrics and status only ------------------------------

monitor_token := "a-monitoring-token-not-the-services-one"

runtime_with_both_tokens := {"env": {"APL_OPA_TOKEN": token, "APL_OPA_MONITOR_TOKEN": monitor_token}}

test_the_monitor_token_reads_metrics_and_status if {
	every path in [["metrics"], ["v1", "status"]] {
		authz.allow with input as {"method": "GET", "path": path, "params": {}, "identity": monitor_token}
			with opa.runtime as runtime_with_both_tokens
	}
}

test_the_decision_token_never_reads_metrics_or_status if {
	every path in [["metrics"], ["v1", "status"]] {
		not authz.allow with input as {"method": "GET", "path": path, "params": {}, "identity": token}
			with opa.runtime as runtime_with_both_tokens
	}
}

test_without_a_monitor_token_configured_metrics_stay_shut if {
	every identity in [token, "", monitor_token] {
		not authz.allow with input as {"method": "GET", "path": ["metrics"], "params": {}, "identity": identity}
			with opa.runtime as runtime_with_token
	}
}

test_the_monitor_token_reaches_nothing_else if {
	every request in [
		object.union(decision_request, {"identity": monitor_token}),
		{"method": "GET", "path": ["v1", "data", "system", "bundles"], "params": {}, "identity": monitor_token},
		{"method": "GET", "path": ["v1", "config"], "params": {}, "identity": monitor_token},
		{"method": "GET", "path": ["v1", "status"], "params": {"pretty": ["true"]}, "identity": monitor_token},
		{"method": "POST", "path": ["v1", "status"], "params": {}, "identity": monitor_token},
	] {
		not authz.allow with input as request with opa.runtime as runtime_with_both_tokens
	}
}

test_metrics_without_any_token_are_refused if {
	not authz.allow with input as {"method": "GET", "path": ["metrics"], "params": {}}
		with opa.runtime as runtime_with_both_tokens
}
