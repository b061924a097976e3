"""Fixtures for the security tests: keys made by openssl. The OPA they attack is the
session's (tests/conftest.py): the one `apl-policy serve` and the embedded default run,
token authentication, the bundle's system.authz and the request-body cap, so that these
tests see what a service or an attacker on the host would see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bridge.server import project_root

from .support import KeyPair, make_rsa_keypair


@pytest.fixture(scope="session")
def openssl() -> str:
    found = shutil.which("openssl")
    if found is None:
        pytest.skip("openssl is needed to make the test's signing keys")
    return found


@pytest.fixture(scope="session")
def signing_keys(openssl: str, tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_rsa_keypair(openssl, tmp_path_factory.mktemp("keys"), "signing")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return project_root()
