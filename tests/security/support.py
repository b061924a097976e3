"""Helpers the security tests share: raw HTTP requests that add nothing the caller did not
ask for, a sample activity, and throwaway RSA keys made with openssl."""

from __future__ import annotations

import http.client
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bridge.server import LocalOpa

# An activity the policy always has an answer for; security tests care that an answer
# came back, not what it says.
SAMPLE_ACTIVITY = {
    "id": "sec-1",
    "action": "use",
    "munition": {"model": "M14"},
    "location": {"country": "DE"},
}


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def http_request(
    server: LocalOpa,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: bytes | object | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Reply:
    """One request on a fresh connection, with nothing added that the caller did not ask for."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    payload: bytes | None
    if body is None or isinstance(body, bytes):
        payload = body
    else:
        payload = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=payload, headers=sent)
        resp = conn.getresponse()
        return Reply(resp.status, resp.read())
    finally:
        conn.close()


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path


def make_rsa_keypair(openssl: str, folder: Path, name: str) -> KeyPair:
    """A fresh RSA key pair made with openssl for this test run only (none is committed)."""
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub.pem"
    subprocess.run(
        [openssl, "genrsa", "-out", str(private), "2048"], check=True, capture_output=True
    )
    subprocess.run(
        [openssl, "rsa", "-in", str(private), "-pubout", "-out", str(public)],
        check=True,
        capture_output=True,
    )
    return KeyPair(private, public)
