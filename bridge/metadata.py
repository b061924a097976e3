"""The policy's clauses, their titles and legal texts, read from the bundle's METADATA.

The Rego is the one place the law's wording lives (STYLE.md): this module asks OPA to
read it (`opa inspect -a --format json BUNDLE`) and keeps nothing of its own. A package
annotation whose `custom` names a `clause` or an `exception` and quotes the `official`
text is one entry; the rest (library, validation, authz) are machinery, not law.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.errors import EvaluationError
from bridge.server import existing_bundle, opa_output

_CLAUSE_ID = re.compile(r"^P(\d+)$")


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause, the exception, or the definitions, as its METADATA states it."""

    id: str  # "P3", "KOREA", "DEFINITIONS"
    kind: str  # "clause", "exception" or "definitions"
    title: str
    description: str
    official: str
    official_source: str
    article: str
    package: str  # "data.apl.clauses.p3_use"
    file: str
    references: tuple[tuple[str, str], ...] = ()  # (url, what it is)
    applies_to: tuple[str, ...] = ()  # for the exception: the clauses it reaches
    regime: str = ""  # "us-apl-2014" ...; empty for what every regime shares (definitions)
    silent: str = ""  # what the sources say where the regime has no text on the topic

    @property
    def short_title(self) -> str:
        """The title without its leading "P3 — " (the id is shown beside it)."""
        for sep in (" — ", " - ", ": "):
            head, found, tail = self.title.partition(sep)
            if found and head.strip().casefold() == self.id.casefold():
                return tail.strip()
        return self.title


def _sort_key(clause: Clause) -> tuple[str, int, int, str]:
    match = _CLAUSE_ID.match(clause.id)
    rank = {"clause": 0, "exception": 1, "definitions": 2}.get(clause.kind, 3)
    # Regime by regime (ids sort by date), the shared definitions last.
    return (clause.regime or "~", rank, int(match.group(1)) if match else 0, clause.id)


def inspect_bundle(bundle: Path | str | None = None, *, timeout: float = 60.0) -> dict[str, Any]:
    """What `opa inspect -a --format json` says about the bundle."""
    path = existing_bundle(bundle)
    out = opa_output(["inspect", "-a", "--format", "json", str(path)], path, timeout=timeout)
    try:
        info: dict[str, Any] = json.loads(out)
    except ValueError:
        raise EvaluationError(f"`opa inspect` on {path} did not print JSON") from None
    return info


def load_clauses(bundle: Path | str | None = None, *, regime: str | None = None) -> list[Clause]:
    """The clauses (P1...), then the exception(s), regime by regime, then the definitions,
    from METADATA. With `regime`, that regime's clauses and the definitions only."""
    info = inspect_bundle(bundle)
    clauses: list[Clause] = []
    for entry in info.get("annotations") or []:
        notes = entry.get("annotations") or {}
        custom = notes.get("custom") or {}
        if notes.get("scope") != "package" or "official" not in custom:
            continue
        if "exception" in custom:
            ident, kind = str(custom["exception"]), "exception"
        elif "clause" in custom:
            ident = str(custom["clause"])
            kind = "clause" if _CLAUSE_ID.match(ident) else "definitions"
        else:
            continue
        path = entry.get("path") or []
        package = ".".join(str(p.get("value")) for p in path if isinstance(p, dict))
        clauses.append(
            Clause(
                id=ident,
                kind=kind,
                title=str(notes.get("title") or ident),
                description=str(notes.get("description") or "").strip(),
                official=str(custom.get("official") or ""),
                official_source=str(custom.get("official_source") or ""),
                article=str(custom.get("article") or ""),
                package=package,
                file=str((entry.get("location") or {}).get("file") or ""),
                references=tuple(
                    (str(r.get("ref", "")), str(r.get("description", "")))
                    for r in notes.get("related_resources") or []
                    if isinstance(r, dict)
                ),
                applies_to=tuple(str(c) for c in custom.get("clauses") or []),
                regime=str(custom.get("regime") or ""),
                silent=str(custom.get("silent") or ""),
            )
        )
    if not clauses:
        raise EvaluationError(
            "the bundle's METADATA names no clause: is it the APL policy, built without -O?"
        )
    if regime is not None:
        clauses = [c for c in clauses if c.regime in ("", regime)]
        if all(c.kind == "definitions" for c in clauses):
            raise EvaluationError(f"the bundle's METADATA has no clause of regime {regime!r}")
    return sorted(clauses, key=_sort_key)
