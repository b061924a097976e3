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

# The source a violation quotes: the official wording first, then the article's.
source(info) := sprintf(
	"%s: %q. Article: %q",
	[info.custom.official_source, info.custom.official, info.custom.article],
)

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
