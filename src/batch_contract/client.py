"""The HTTP client of the contract suite: httpx with explicit timeouts and the official SDK's
retry policy (5 retries, exponential backoff from 0.5 s to 8 s with jitter, `Retry-After` honoured,
retries on 408, 409, 429, 5xx and connection errors). Requests are shown with the key masked."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpcore
import httpx

from batch_contract import ENDPOINT_PATH
from batch_contract.errors import BatchContractError
from batch_contract.http_defaults import DEFAULT_TIMEOUT, MAX_RETRIES

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRY_STATUSES = frozenset({408, 409, 429})
WRONG_KEY = "batch-contract-deliberately-wrong-key"
"""The key sent by the wrong-key test: not a secret, so it may show in output and cassettes."""

Auth = Literal["key", "none", "wrong"]
_TRANSPORT_ERRORS = (httpx.TransportError, httpcore.NetworkError, httpcore.TimeoutException)
"""Errors of a request that got no response; under vcrpy's httpx patch httpcore's show unmapped."""


class ServerUnreachable(BatchContractError):
    """The endpoint could not be reached at all, even after every retry."""


def mask(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by `***`."""
    return text.replace(secret, "***") if secret else text


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait a response asks for (`retry-after-ms`, `Retry-After` seconds or date), if any."""
    try:
        return float(headers.get("retry-after-ms", "")) / 1000
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:  # pragma: no cover - parsedate_to_datetime raises instead on 3.11
        return None
    return max(parsed.timestamp() - time.time(), 0.0)


def backoff_seconds(retry: int, headers: httpx.Headers | None) -> float:
    """The SDK's wait before retry number `retry` (0-based): `Retry-After` if sane, else backoff."""
    if headers is not None:
        try:
            asked = retry_after_seconds(headers)
        except (TypeError, ValueError):
            asked = None
        if asked is not None and 0 < asked <= 60:
            return asked
    delay = min(INITIAL_RETRY_DELAY * 2.0**retry, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def should_retry(response: httpx.Response) -> bool:
    """Whether the SDK would retry this response (`x-should-retry` wins, then the status code)."""
    hint = response.headers.get("x-should-retry")
    if hint in ("true", "false"):
        return bool(hint == "true")
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def new_http_client(timeout: float = DEFAULT_TIMEOUT, *, keep_alive: bool = True) -> httpx.Client:
    """An httpx client with an explicit timeout for every phase of a request. Without keep-alive
    each request opens its own connection: on loopback that avoids a 40 ms delayed-ACK stall."""
    limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(timeout=httpx.Timeout(timeout), limits=limits)


@dataclass
class ContractClient:
    """Gets job statuses from one deployment, retrying as the SDK does and reporting each retry."""

    base_url: str
    api_key: str | None
    timeout: float = DEFAULT_TIMEOUT
    organization_id: str | None = None
    project_id: str | None = None
    max_retries: int = MAX_RETRIES
    on_retry: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] = time.sleep
    http: httpx.Client | None = field(default=None, repr=False)
    """A shared httpx client to send through (building one costs an SSL context); else its own."""
    _own: bool = field(init=False, repr=False, default=False)

    def __post_init__(self) -> None:
        if self.http is None:
            self.http = new_http_client(self.timeout)
            self._own = True

    def close(self) -> None:
        """Closes the connection pool, if this client made it."""
        if self._own and self.http is not None:
            self.http.close()

    def status_url(self, job_id: str) -> str:
        """The endpoint's path for one job id."""
        return ENDPOINT_PATH.format(job_id=job_id)

    def _headers(self, auth: Auth) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if auth == "key" and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        elif auth == "wrong":
            headers["Authorization"] = f"Bearer {WRONG_KEY}"
        return headers

    def _params(self) -> dict[str, str]:
        params = {}
        if self.organization_id:
            params["organization_id"] = self.organization_id
        if self.project_id:
            params["project_id"] = self.project_id
        return params

    def get_status(
        self, job_id: str, *, auth: Auth = "key", params: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """GET the status of `job_id` (`params` added to, or replacing, the configured query);
        raises `ServerUnreachable` when no response ever came."""
        url = self.status_url(job_id)
        query = {**self._params(), **(params or {})}
        for attempt in range(self.max_retries + 1):
            try:
                assert self.http is not None
                response = self.http.get(
                    self.base_url.rstrip("/") + url,
                    headers=self._headers(auth),
                    params=query,
                )
            except _TRANSPORT_ERRORS as error:
                if attempt == self.max_retries:
                    reason = self.safe(str(error)) or type(error).__name__
                    raise ServerUnreachable(
                        f"cannot reach {self.base_url}: {reason} (after {self.max_retries} retries)"
                    ) from None
                self._wait(attempt, None, f"GET {url}: {type(error).__name__}")
                continue
            if attempt < self.max_retries and should_retry(response):
                self._wait(attempt, response.headers, f"GET {url}: HTTP {response.status_code}")
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, headers: httpx.Headers | None, what: str) -> None:
        delay = backoff_seconds(attempt, headers)
        self.on_retry(f"retry {attempt + 1}/{self.max_retries} in {delay:.2f} s after {what}")
        self.sleep(delay)

    def safe(self, text: str) -> str:
        """`text` with the API key masked."""
        return mask(text, self.api_key)

    def show_request(self, request: httpx.Request) -> str:
        """The request line and headers, with the key masked (`Authorization: Bearer ***`)."""
        lines = [f"{request.method} {request.url}"]
        for name, value in request.headers.items():
            shown = (
                "Bearer ***"
                if name.lower() == "authorization" and WRONG_KEY not in value
                else value
            )
            lines.append(f"{name}: {shown}")
        return self.safe("\n".join(lines))


def body_excerpt(response: httpx.Response, limit: int = 500) -> str:
    """The start of a response body as text, for failure messages."""
    text = response.content[:limit].decode("utf-8", "replace")
    return text + ("..." if len(response.content) > limit else "")
