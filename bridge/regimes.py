"""The policy's regimes (rego/apl/policy/data.yaml), read from the bundle through OPA.

The index of regimes lives once, in the bundle's data; this module asks OPA for it
(`opa eval --bundle BUNDLE data.apl.policy`), so a directory and a built `.tar.gz` are read
alike, and keeps nothing of its own. `pin` sets the `regime` of every valid document, as
`eval --regime` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge import schema
from bridge.errors import EvaluationError
from bridge.loading import Document
from bridge.server import bundle_value, existing_bundle


@dataclass(frozen=True, slots=True)
class Regime:
    """One regime: its id, its span (inclusive; `until` None while open) and its source."""

    id: str
    effective: str
    until: str | None
    text: str  # "official", or "reports": known only from reports
    persistence: str  # "decides" or "ignored"
    source: str
    package: str
    default: bool = False

    @property
    def span(self) -> str:
        return f"{self.effective} to {self.until or 'open'}"


def load_regimes(bundle: Path | str | None = None, *, timeout: float = 60.0) -> list[Regime]:
    """The bundle's regimes, in the order of its index (by date)."""
    path = existing_bundle(bundle)
    policy: Any = bundle_value("data.apl.policy", path, timeout=timeout)
    try:
        default = policy["default"]
        regimes = [
            Regime(
                id=r["id"],
                effective=r["effective"],
                until=r["until"],
                text=r["text"],
                persistence=r["persistence"],
                source=r["source"],
                package=r["package"],
                default=r["id"] == default,
            )
            for r in policy["regimes"]
        ]
    except (ValueError, KeyError, IndexError, TypeError):
        raise EvaluationError(f"the bundle {path} holds no index of regimes") from None
    if not regimes:
        raise EvaluationError(f"the bundle {path} holds no index of regimes")
    return regimes


def regime_ids() -> list[str]:
    """The regime ids the contract allows: the activity schema's `regime` enum (generated
    from the regimes index by `make generate`), read without starting OPA."""
    fields: dict[str, Any] = schema.load("activity")["$defs"]["fields"]["properties"]
    return [str(r) for r in fields["regime"]["enum"]]


def pin(documents: Iterable[Document], regime: str | None) -> Iterator[Document]:
    """Every document assessed under `regime`, whatever its own `regime` or date (None: as
    they are). One that is not an object, or that the limits refused, stays as it is."""
    for doc in documents:
        if regime is not None and doc.refused is None and isinstance(doc.activity, dict):
            yield dataclasses.replace(doc, activity={**doc.activity, "regime": regime})
        else:
            yield doc
