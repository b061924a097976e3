"""Hypothesis profiles for the property tests (the OPA they post to is tests/conftest.py's).

Profiles (pick with HYPOTHESIS_PROFILE): `default` runs 200 examples per test so that
`make test` stays within minutes; `ci` is the same, derandomized, so that a CI run
checks the same examples every time (a new counterexample shows up locally or in
`make fuzz`, not as a red CI on an unrelated change); `fuzz` runs 5,000 per test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,  # each example is a round trip to a real server: time says nothing
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", parent=settings.get_profile("default"), derandomize=True, database=None
)
settings.register_profile("fuzz", parent=settings.get_profile("default"), max_examples=5000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)
