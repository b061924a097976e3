"""opa-python-client's OpaClient as the client's requests path: for `https://` URLs, URLs
behind a proxy, and the tests' fake transports (`bridge.client` uses it lazily: importing
requests and opa-python-client costs more CPU than a plain-HTTP run of 1,000 decisions)."""

from __future__ import annotations

import requests
import requests.adapters
from opa_client import OpaClient


class SessionClient(OpaClient):  # type: ignore[misc] # OpaClient is untyped
    """OpaClient with a pool sized for our threads, and an optional transport (a requests
    adapter) mounted in place of the network, which is how the unit tests fake OPA."""

    def __init__(  # noqa: PLR0913 - OpaClient's own keywords, plus the transport
        self,
        *,
        host: str,
        port: int,
        ssl: bool,
        token: str | None,
        headers: dict[str, str],
        timeout: float,
        transport: requests.adapters.BaseAdapter | None,
    ) -> None:
        self._transport = transport
        self._base_url = f"{'https' if ssl else 'http'}://{host}:{port}/"
        super().__init__(
            host=host, port=port, ssl=ssl, token=token, headers=headers, retries=0, timeout=timeout
        )

    def _init_session(self) -> requests.Session:
        session: requests.Session = super()._init_session()
        # Retries are ours (bounded by time, with backoff); urllib3's would multiply them.
        adapter: requests.adapters.BaseAdapter = self._transport or requests.adapters.HTTPAdapter(
            max_retries=0, pool_connections=1, pool_maxsize=4
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.hooks["response"].append(_only_200)
        # What requests reads from the environment on every call (proxies, a CA bundle),
        # read once here instead: that look-up cost about 330 us a request (make bench's
        # profile). Without it, ~/.netrc can no longer replace the bearer token either.
        settings = session.merge_environment_settings(self._base_url, {}, None, None, None)
        session.proxies.update(settings["proxies"])
        session.verify = settings["verify"]
        session.trust_env = False
        return session


def _only_200(response: requests.Response, *args: object, **kwargs: object) -> None:
    """OPA answers a decision with 200 and nothing else; any other status, even a 2xx
    that opa-python-client would pass through, is an error."""
    if response.status_code != 200:
        raise requests.HTTPError(f"HTTP {response.status_code}", response=response)
