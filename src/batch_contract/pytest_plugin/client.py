"""The HTTP client of the contract suite: httpx with explicit timeouts and the official SDK's
retry policy (5 retries, exponential backoff from 0.5 s to 8 s with jitter, `Retry-After` honoured,
retries on 408, 409, 429, 5xx and connection errors). The key is a `Secret`: it is unwrapped only by
`BearerAuth` as the request goes out, and shown masked in every form. Replay retries exactly as
recording did, at once: the cassette answers without waiting."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpcore
import httpx

from batch_contract import ENDPOINT_PATH
from batch_contract.errors import BatchContractError
from batch_contract.pytest_plugin.http_defaults import DEFAULT_TIMEOUT, MAX_RETRIES
from batch_contract.pytest_plugin.targets import path_segment
from batch_contract.secret import Secret, mask

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


class OnlyFailedAnswers(BatchContractError):
    """Replay: every attempt of a request got an answer the client retries (408, 409, 429, 5xx),
    so its cassette holds only failed answers."""


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <key>`, set on the request as it is sent: the one place the raw key
    is used, so no header dict that holds it is ever an argument or a local of a caller."""

    def __init__(self, key: Secret) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"BearerAuth({self.key!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Adds the header and sends the request once."""
        request.headers["Authorization"] = "Bearer " + self.key.get_secret_value()
        yield request


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


def retried_status(code: int) -> bool:
    """Whether the SDK retries a response with this status code (408, 409, 429, 5xx)."""
    return code in RETRY_STATUSES or code >= 500


def should_retry(response: httpx.Response) -> bool:
    """Whether the SDK would retry this response: never a 2xx, which it hands to the caller
    whatever its headers say, nor a redirect with a `Location` (its default client follows it, and
    the suite checks the redirect as an answer); else `x-should-retry` wins, then the status code
    (llama-cloud 2.13.0 asks only when `raise_for_status` raised)."""
    if response.is_success or (response.is_redirect and "location" in response.headers):
        return False  # a redirect too: the SDK's own client follows it, never asking the hint
    hint = response.headers.get("x-should-retry")
    if hint in ("true", "false"):
        return bool(hint == "true")
    return retried_status(response.status_code)


def new_http_client(timeout: float = DEFAULT_TIMEOUT, *, keep_alive: bool = True) -> httpx.Client:
    """An httpx client with an explicit timeout for every phase of a request. Without keep-alive
    each request opens its own connection: on loopback that avoids a 40 ms delayed-ACK stall."""
    limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(timeout=httpx.Timeout(timeout), limits=limits)


@dataclass
class ContractClient:
    """Gets job statuses from one deployment, retrying as the SDK does and reporting each retry."""

    base_url: str
    api_key: Secret | None
    timeout: float = DEFAULT_TIMEOUT
    organization_id: str | None = None
    project_id: str | None = None
    max_retries: int = MAX_RETRIES
    on_retry: Callable[[str], None] = lambda message: None
    sleep: Callable[[float], None] | None = None
    """How to wait before a retry (None: `time.sleep`, looked up when waiting)."""
    replay: bool = False
    """The answers come from a cassette: retries (same count, same statuses) never wait, and a
    request whose every attempt got a retryable answer raises `OnlyFailedAnswers`."""
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
        """The endpoint's path for one job id, percent-encoded as one segment (`path_segment`)."""
        return ENDPOINT_PATH.format(job_id=path_segment(job_id))

    def _auth(self, auth: Auth) -> httpx.Auth | None:
        if auth == "key" and self.api_key:
            return BearerAuth(self.api_key)
        if auth == "wrong":
            return BearerAuth(Secret(WRONG_KEY))
        return None

    def _params(self) -> dict[str, str]:
        params = {}
        if self.organization_id:
            params["organization_id"] = self.organization_id
        if self.project_id:
            params["project_id"] = self.project_id
        return params

    def get_status(
        self,
        job_id: str,
        *,
        auth: Auth = "key",
        params: Mapping[str, str] | None = None,
        purpose: str | None = None,
    ) -> httpx.Response:
        """GET the status of `job_id` (`params` added to, or replacing, the configured query;
        retry lines name `purpose`, else the request);
        raises `ServerUnreachable` when no response ever came."""
        url = self.status_url(job_id)
        query = {**self._params(), **(params or {})}
        for attempt in range(self.max_retries + 1):
            try:
                assert self.http is not None
                response = self.http.get(
                    self.base_url.rstrip("/") + url,
                    headers={"Accept": "application/json"},
                    params=query,
                    auth=self._auth(auth),
                )
            except _TRANSPORT_ERRORS as error:
                if attempt == self.max_retries:
                    reason = self.safe(str(error)) or type(error).__name__
                    raise ServerUnreachable(
                        f"cannot reach {self.base_url}: {reason} (after {self.max_retries} retries)"
                    ) from None
                self._wait(attempt, None, f"{purpose or 'GET ' + url}: {type(error).__name__}")
                continue
            if should_retry(response):
                what = f"{purpose or 'GET ' + url}: HTTP {response.status_code}"
                if attempt < self.max_retries:
                    self._wait(attempt, response.headers, what)
                    continue
                if self.replay:
                    retries = f"--http-retries {self.max_retries}"
                    raise OnlyFailedAnswers(
                        f"{what} at each of the {attempt + 1} attempt(s) ({retries})"
                    )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, headers: httpx.Headers | None, what: str) -> None:
        if self.replay:  # the cassette answers at once: no backoff
            self.on_retry(f"retry {attempt + 1}/{self.max_retries} at once (replay) after {what}")
            return
        delay = backoff_seconds(attempt, headers)
        self.on_retry(f"retry {attempt + 1}/{self.max_retries} in {delay:.2f} s after {what}")
        (self.sleep or time.sleep)(delay)

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


def body_excerpt(response: httpx.Response, secret: Secret | None = None, limit: int = 500) -> str:
    """The start of a response body as text for failure messages, the key masked in every form
    before it is cut (a body that holds it in a form that cannot be masked is withheld)."""
    head = response.content[: limit * 8]
    text = mask(head.decode("utf-8", "replace"), secret)
    if secret and secret.leaks_bytes(mask(head.decode("latin-1"), secret).encode("latin-1")):
        return "(withheld: the body holds the API key in a form that cannot be masked)"
    return text[:limit] + ("..." if len(text) > limit or len(response.content) > len(head) else "")
