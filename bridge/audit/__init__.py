"""The audit store: OPA's decision logs and status reports, collected and queried.

`events` turns OPA's uploads into rows (one per decision, one per activity of a batch),
`store` writes and reads them in SQLite or PostgreSQL, `collector` is the HTTP service OPA
uploads to, `process` starts and stops that service as a child process, `query` filters
and counts what was stored, and `cli` is `apl-policy audit serve|query`.
"""
