"""Typed decisions (after cedar-py's `Decision`/`AuthzResult`): what OPA's answer means.

`Decision.from_document` is the only way an OPA answer becomes a `Decision`, and it
checks the answer against the contract's decision schema first: anything that does not
fit raises `EvaluationError`, so a malformed answer can never be read as a permit.
`Decision.invalid` builds the same shape in Python for a document the bridge refused to
send (it failed the activity schema).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import jsonschema

from bridge import schema
from bridge.errors import EvaluationError

# The default regime (rego/apl/policy/data.yaml), named by decisions the bridge makes itself
# (an invalid document never reaches OPA); a test checks these against that file.
POLICY_ID = "us-apl-2022"
POLICY_EFFECTIVE = "2022-06-21"
POLICY_UNTIL = "2025-12-01"
# The revision of a decision the bridge made itself without asking OPA (see Decision.invalid).
UNKNOWN_REVISION = "unknown"


class Outcome(StrEnum):
    """The five values of a decision document's `decision` field."""

    PERMIT = "permit"
    DENY = "deny"
    REVIEW = "review"
    NOT_APPLICABLE = "not_applicable"
    INVALID = "invalid"

    @property
    def allowed(self) -> bool:
        return self is Outcome.PERMIT


@dataclass(frozen=True, slots=True)
class PolicyRef:
    id: str
    effective: str
    until: str | None  # the regime's last day, inclusive; None while it is open
    revision: str


@dataclass(frozen=True, slots=True)
class MunitionClass:
    """Whether the munition is an APL (True, False, or None: undetermined) and why."""

    is_apl: bool | None
    basis: str


@dataclass(frozen=True, slots=True)
class Violation:
    clause: str
    title: str
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class AppliedException:
    exception: str
    clause: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A review or an obligation: a clause and what it asks for."""

    clause: str
    message: str


@dataclass(frozen=True, slots=True)
class Notice:
    """What a reader must know that is not a finding (contract 2.0)."""

    regime: str
    message: str


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision document, typed. `raw` is the document as OPA (or the bridge) wrote
    it, for output that must be byte-for-byte the contract's JSON."""

    id: str | None
    decision: Outcome
    allowed: bool
    policy: PolicyRef
    munition: MunitionClass
    reason: str = ""
    violations: tuple[Violation, ...] = ()
    exceptions: tuple[AppliedException, ...] = ()
    reviews: tuple[Finding, ...] = ()
    obligations: tuple[Finding, ...] = ()
    errors: tuple[FieldError, ...] = ()
    notices: tuple[Notice, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def clauses(self) -> tuple[str, ...]:
        """The clauses this decision cites, in first-seen order, without repeats."""
        seen: dict[str, None] = {}
        for group in (self.violations, self.exceptions, self.reviews, self.obligations):
            for item in group:
                seen.setdefault(item.clause, None)
        return tuple(seen)

    @property
    def summary(self) -> str:
        """One line saying why: OPA's `reason`, else the first error, violation, review or
        exception, else the munition's classification."""
        if self.reason:
            return self.reason
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            return f"invalid input: {first.field}: {first.message}{more}"
        for group in (self.violations, self.reviews, self.exceptions):
            if group:
                return f"{group[0].clause}: {group[0].message}"
        return self.munition.basis

    @classmethod
    def from_document(cls, document: object, *, expected_id: str | None = None) -> Decision:
        """Check `document` against the decision schema and type it; `EvaluationError`
        if it does not fit, or if it answers for another activity than `expected_id`."""
        if not isinstance(document, dict):
            raise EvaluationError("OPA returned a decision that is not a JSON object; not used")
        problems = sorted(
            schema.validator("decision").iter_errors(document),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
        if problems:
            detail = "; ".join(_describe(e) for e in problems[:3])
            raise EvaluationError(f"OPA returned a malformed decision ({detail}); not used")
        if expected_id is not None and document["id"] != expected_id:
            raise EvaluationError(
                f"OPA answered for activity {document['id']!r} when asked about "
                f"{expected_id!r}; not used"
            )
        return cls(
            id=document["id"],
            decision=Outcome(document["decision"]),
            allowed=document["allowed"],
            policy=PolicyRef(
                **{k: document["policy"][k] for k in ("id", "effective", "until", "revision")}
            ),
            munition=MunitionClass(document["munition"]["is_apl"], document["munition"]["basis"]),
            reason=reason if isinstance(reason := document.get("reason"), str) else "",
            violations=tuple(
                Violation(v["clause"], v["title"], v["message"], v["source"])
                for v in document["violations"]
            ),
            exceptions=tuple(
                AppliedException(x["exception"], x["clause"], x["message"])
                for x in document["exceptions"]
            ),
            reviews=tuple(Finding(r["clause"], r["message"]) for r in document["reviews"]),
            obligations=tuple(Finding(o["clause"], o["message"]) for o in document["obligations"]),
            errors=tuple(FieldError(e["field"], e["message"]) for e in document["errors"]),
            notices=tuple(Notice(n["regime"], n["message"]) for n in document["notices"]),
            raw=document,
        )

    @classmethod
    def invalid(
        cls,
        id: str | None,  # noqa: A002 - the contract's field name
        errors: Iterable[tuple[str, str]],
        *,
        revision: str = UNKNOWN_REVISION,
    ) -> Decision:
        """The `invalid` decision for a document the bridge did not send to OPA, in the
        same shape as OPA's own `invalid` answers."""
        error_list = [{"field": f, "message": m} for f, m in errors]
        if not error_list:
            raise ValueError("an invalid decision needs at least one error")
        document: dict[str, Any] = {
            "id": id,
            "decision": Outcome.INVALID.value,
            "allowed": False,
            "policy": {
                "id": POLICY_ID,
                "effective": POLICY_EFFECTIVE,
                "until": POLICY_UNTIL,
                "revision": revision,
            },
            "munition": {"is_apl": None, "basis": "not classified: the document is invalid"},
            "violations": [],
            "exceptions": [],
            "reviews": [],
            "obligations": [],
            "errors": error_list,
            "notices": [],
        }
        if "reason" in schema.load("decision")["properties"]:
            first = error_list[0]
            document["reason"] = (
                f"invalid input: {len(error_list)} error(s), first {first['field']}: "
                f"{first['message']}"
            )
        return cls.from_document(document)

    def to_document(self) -> dict[str, Any]:
        """The decision as the contract's JSON object (a copy of what OPA sent)."""
        return copy.deepcopy(dict(self.raw))


def _describe(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path) or "(document)"
    return f"{path}: {error.message}"
