"""Typed decisions (after cedar-py's `Decision`/`AuthzResult`): what OPA's answer means.

`Decision.from_document` is the only way an OPA answer becomes a `Decision`. At run time it
checks what failing closed needs, cheaply: an object, a known `decision`, `allowed` true
exactly for a permit, and every field the type reads present with its type; anything else
raises `EvaluationError`, so a malformed answer can never be read as a permit. The full
decision schema is checked by the test suite, on every answer the tests get.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from bridge.errors import EvaluationError

T = TypeVar("T")


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
        """Type `document`; `EvaluationError` if it is not a decision the bridge can stand
        on, or if it answers for another activity than `expected_id`."""
        if not isinstance(document, dict):
            raise EvaluationError("OPA returned a decision that is not a JSON object; not used")
        try:
            decision = cls._typed(document)
        except (KeyError, TypeError, ValueError) as exc:
            raise EvaluationError(
                f"OPA returned a malformed decision ({type(exc).__name__}: {exc}); not used"
            ) from None
        if decision.allowed is not decision.decision.allowed:
            raise EvaluationError(
                f"OPA returned a malformed decision (allowed {decision.allowed} with "
                f"decision {decision.decision.value}); not used"
            )
        if expected_id is not None and decision.id != expected_id:
            raise EvaluationError(
                f"OPA answered for activity {decision.id!r} when asked about "
                f"{expected_id!r}; not used"
            )
        return decision

    @classmethod
    def _typed(cls, doc: dict[str, Any]) -> Decision:
        policy, munition = doc["policy"], doc["munition"]
        return cls(
            id=_typed(doc["id"], str, None),
            decision=Outcome(doc["decision"]),
            allowed=_typed(doc["allowed"], bool),
            policy=PolicyRef(
                _typed(policy["id"], str),
                _typed(policy["effective"], str),
                _typed(policy["until"], str, None),
                _typed(policy["revision"], str),
            ),
            munition=MunitionClass(
                _typed(munition["is_apl"], bool, None), _typed(munition["basis"], str)
            ),
            reason=_typed(doc["reason"], str),
            violations=_items(doc, "violations", Violation, "clause", "title", "message", "source"),
            exceptions=_items(
                doc, "exceptions", AppliedException, "exception", "clause", "message"
            ),
            reviews=_items(doc, "reviews", Finding, "clause", "message"),
            obligations=_items(doc, "obligations", Finding, "clause", "message"),
            errors=_items(doc, "errors", FieldError, "field", "message"),
            notices=_items(doc, "notices", Notice, "regime", "message"),
            raw=doc,
        )

    def refused(self, id: str | None, problem: str) -> Decision:  # noqa: A002 - the contract's name
        """This (invalid) decision, as the one for a document the limits refused and OPA
        never saw: its id, the problem as its one error, the rest as OPA wrote it."""
        if self.decision is not Outcome.INVALID:
            raise EvaluationError(
                f"OPA answered {self.decision.value} for a stand-in that must be invalid; not used"
            )
        document = dict(self.raw) | {
            "id": id,
            "reason": f"refused before evaluation: {problem}",
            "errors": [{"field": "(document)", "message": problem}],
        }
        return Decision.from_document(document)

    def to_document(self) -> dict[str, Any]:
        """The decision as the contract's JSON object (a copy of what OPA sent)."""
        return copy.deepcopy(dict(self.raw))


def _typed(value: Any, kind: type, *nullable: None) -> Any:  # noqa: ANN401 - returns its input
    if isinstance(value, kind) or (nullable and value is None):
        return value
    raise TypeError(f"{value!r} is not a {kind.__name__}")


def _items(doc: dict[str, Any], name: str, kind: Callable[..., T], *fields: str) -> tuple[T, ...]:
    items = doc[name]
    if not isinstance(items, list):
        raise TypeError(f"{name} is not a list")
    return tuple(kind(*(_typed(item[f], str) for f in fields)) for item in items)
