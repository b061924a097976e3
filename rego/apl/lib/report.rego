# METADATA
# title: Decision entries built from a clause's METADATA
# description: |
#   Violations carry the clause id, title and source text of the package that raised
#   them, read from rego.metadata.chain() at the raising rule, so the law's wording lives
#   once, in the clause file's METADATA, and never in strings copied into the logic.
# custom:
#   clause: LIB
package apl.lib

# The package annotation of the clause that called: the one carrying custom.clause.
clause_info(chain) := info if {
	some entry in chain
	entry.annotations.scope == "package"
	info := entry.annotations
}

# The source a violation quotes: the official wording first, then the article's, where
# the regime has one (only the 2022 policy is the article's subject).
source(info) := sprintf(
	"%s: %q. Article: %q",
	[info.custom.official_source, info.custom.official, info.custom.article],
) if {
	info.custom.article
} else := sprintf("%s: %q", [info.custom.official_source, info.custom.official])

violation(chain, message) := {
	"clause": info.custom.clause,
	"title": info.title,
	"message": message,
	"source": source(info),
} if {
	info := clause_info(chain)
}

review(chain, message) := {"clause": info.custom.clause, "message": message} if {
	info := clause_info(chain)
}

obligation(chain, message) := {"clause": info.custom.clause, "message": message} if {
	info := clause_info(chain)
}

# The exception entry a regime's Korean exception reports, if the exception reaches the
# clause (its METADATA lists the clauses it reaches).
exception(chain, clause, message) := {"exception": info.custom.exception, "clause": clause, "message": message} if {
	some entry in chain
	entry.annotations.scope == "package"
	info := entry.annotations
	clause in info.custom.clauses
}

# The review a regime raises on a topic its text does not cover (POLICY.md section 6): the
# clause is the topic, the message says the regime has no text on it and what the sources
# say instead (the clause's METADATA `official`, quoted from REGIMES.md).
silent(chain, what) := {"clause": info.custom.clause, "message": msg} if {
	info := clause_info(chain)
	msg := sprintf("%s has no text on %s; where a regime is silent a person must decide (%s: %s)", [info.custom.regime, what, info.custom.silent_source, info.custom.silent])
}
