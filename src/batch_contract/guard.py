"""`StatusGuard`: the contract checked on production traffic, inside the application's own client.

A guard is a response hook for httpx (sync: the instance itself; async: `guard.async_hook`) and for
requests (`guard.requests_hook`). It judges the successful (2xx) responses to
`GET .../api/v1/beta/batch-processing/{job_id}` (with or without a trailing slash, or reached by a
redirect from there) as `check_batch_status` does (`assert_batch_status` without its warnings),
with the check behind validate-status and the fixtures, and raises, warns or logs what it finds.
Every other response passes untouched, and is counted as skipped with its reason. The key and the
request headers never appear in what it reports: whatever the request's credentials hold is
masked before a message is built.

It never takes a body from the caller: on httpx it reads at most `MAX_DOCUMENT_BYTES` + 1 bytes of
the raw stream and hands the caller a stream that replays them before the rest, so `iter_raw`,
`iter_bytes` and `read` still see every byte.

This module imports neither httpx nor requests at import time: it reads responses by duck typing,
and the httpx hooks import httpx (already loaded by the client calling them) for its stream types.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import random
import re
import threading
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, NamedTuple, get_args
from urllib.parse import unquote

from batch_contract.assertions import BatchStatusMismatch, check_response
from batch_contract.core.check import ContractCheck, contract_check
from batch_contract.core.limits import MAX_DOCUMENT_BYTES
from batch_contract.core.results import Violation
from batch_contract.core.rules import Level, load_levels, parse_rule_option
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.secret import Secret, mask_all

Mode = Literal["warn", "raise", "log"]
MODES: tuple[Mode, ...] = get_args(Mode)
LOGGER_NAME = "batch_contract.guard"
_LOG = logging.getLogger(LOGGER_NAME)
_JOB = re.compile(r"/api/v1/beta/batch-processing/([^/]+)/?\Z")
"""The endpoint at the end of a request path (query removed), under any base URL or prefix, with
or without a trailing slash (the cassette reader accepts both)."""
SkipReason = Literal[
    "other request", "redirect", "not 2xx", "sampled out", "streamed, not read", "read failed"
]
"""Why a response the guard saw was not judged: not a GET of the status endpoint; a redirect (the
response it leads to is judged); a status that is not 2xx; left out by `sample`; a requests
response opened with `stream=True`, left to the caller unread; the connection failed while the
guard read (the caller gets the same error when it reads)."""
_CARRIED = "batch_contract.guard.job_id"
"""The httpx request extension that carries a job id through the redirects from its endpoint."""
_CARRIED_CREDENTIALS = "batch_contract.guard.credentials"
"""The httpx request extension that carries the credentials of the requests before a redirect
from the endpoint: a redirect to another origin drops them from the request that follows it, whose
answer may still echo them."""
_MAX_REDIRECTS = 256
"""requests: the redirect targets remembered at once (the oldest is forgotten first)."""
_CHUNK = 16 * 1024
"""Raw bytes decoded at a time: what one step of decompression may expand is bounded by it."""
_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie")
_SDK_HEADER = "x-stainless-lang"
"""Sent by the official SDK on every request: it retries and wraps any exception raised while a
request is being sent, so the guard defers its exception to the SDK's next step."""
MIN_SECRET = 4
"""Shorter credential values are not masked: replacing them would mangle every message."""
MIN_MASKED_PREFIX = 8
"""A shown string cut short (`"llx-abc..."`) is masked when it ends in this much of a secret."""


class ContractViolationWarning(UserWarning):
    """A status response broke the contract (`StatusGuard(on_violation="warn")`): the job id and
    every violation with its JSON path."""

    def __init__(self, message: str, job_id: str, violations: tuple[Violation, ...]) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.violations = violations


class GuardStats(NamedTuple):
    """What a guard has seen: responses judged, responses not judged (every other one it saw,
    `StatusGuard.skip_reasons` says why), judged responses found invalid."""

    checked: int
    skipped: int
    invalid: int


class StatusGuard:
    """Checks every Get Batch Job Status response an HTTP client receives against the contract.

    `on_violation`: "warn" (a `ContractViolationWarning`), "raise" (`BatchStatusMismatch`, the
    `AssertionError` of `assert_batch_status`) or "log" (one WARNING on `batch_contract.guard`).
    `profile`: "documented" or "strict". `rules`: rule levels as `{"name": "level"}` or
    `["name=level", ...]`, over those of the nearest pyproject.toml. `sample`: the fraction of
    status responses checked (1.0: all); `seed` makes the sampling repeatable.
    """

    def __init__(
        self,
        on_violation: Mode = "warn",
        profile: Profile = "documented",
        rules: Mapping[str, str] | Iterable[str] | None = None,
        sample: float = 1.0,
        *,
        seed: int | None = None,
    ) -> None:
        if on_violation not in MODES:
            raise ValueError(f"on_violation must be one of {MODES}, not {on_violation!r}")
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, not {profile!r}")
        if isinstance(sample, bool) or not isinstance(sample, int | float) or not 0 <= sample <= 1:
            raise ValueError(f"sample must be a number from 0 to 1, not {sample!r}")
        self.on_violation: Mode = on_violation
        self.profile: Profile = profile
        self.sample = float(sample)
        self.levels: dict[str, Level] = _levels(rules)
        self._contract: ContractCheck = contract_check(profile, "status", self.levels)
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._checked = self._skipped = self._invalid = 0
        self._reasons: dict[str, int] = {}
        self._redirected: dict[str, _Carried] = {}
        """requests only: the URL a redirect from the endpoint leads to, its job id and the
        credentials of the requests before it."""

    def __repr__(self) -> str:
        return (
            f"StatusGuard(on_violation={self.on_violation!r}, profile={self.profile!r}, "
            f"sample={self.sample!r})"
        )

    @property
    def stats(self) -> GuardStats:
        """Counts so far, read together: responses checked, skipped (with a reason), invalid."""
        with self._lock:
            return GuardStats(self._checked, self._skipped, self._invalid)

    @property
    def skip_reasons(self) -> dict[str, int]:
        """How many responses were skipped for each reason (a `SkipReason`); they add up to
        `stats.skipped`."""
        with self._lock:
            return dict(self._reasons)

    def __call__(self, response: Any) -> None:
        """The httpx response hook: `httpx.Client(event_hooks={"response": [guard]})`."""
        wanted = self._wanted(response, _httpx_path, self._httpx_carried)
        if wanted is None:
            return
        body = _httpx_body(response)
        if body.reason is not None:
            self._skip(body.reason)
            return
        error = self._judge(response, wanted, body, defer=_from_sdk)
        del response, body  # the frame a traceback shows holds neither (its repr: the reason)
        if error is not None:
            raise error.with_traceback(None)

    async def async_hook(self, response: Any) -> None:
        """The httpx.AsyncClient response hook: `event_hooks={"response": [guard.async_hook]}`."""
        wanted = self._wanted(response, _httpx_path, self._httpx_carried)
        if wanted is None:
            return
        body = await _httpx_abody(response)
        if body.reason is not None:
            self._skip(body.reason)
            return
        error = self._judge(response, wanted, body, defer=_from_sdk)
        del response, body  # the frame a traceback shows holds neither
        if error is not None:
            raise error.with_traceback(None)

    def requests_hook(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """The requests response hook: `session.hooks["response"].append(guard.requests_hook)`.
        A response opened with `stream=True` is left to the caller unread (skipped); any other
        is read as requests reads it right after its hooks, unless it declares a length over
        the limit."""
        wanted = self._wanted(response, _requests_path, self._requests_carried)
        if wanted is None:
            return
        if kwargs.get("stream"):
            self._skip("streamed, not read")
            return
        if _too_long(response.headers):
            body = _Body(response.headers, failure=_TOO_LARGE)
        else:
            body = _Body(response.headers, response.content)
        error = self._judge(response, wanted, body, defer=_never)
        del response, body  # the frame a traceback shows holds neither
        if error is not None:
            raise error.with_traceback(None)

    def _skip(self, reason: SkipReason) -> None:
        with self._lock:
            self._skipped += 1
            self._reasons[reason] = self._reasons.get(reason, 0) + 1

    def _wanted(
        self,
        response: Any,
        path_of: Callable[[Any], str],
        carried: Callable[[Any, str | None], _Carried | None],
    ) -> _Carried | None:
        """The job id (and the credentials of the requests before a redirect that led here) when
        this response is one to check now; None (counted as skipped, with its reason) to let it
        pass. A response that a redirect from the endpoint led to is judged as the job's:
        `carried(response, job_id)` tells the job a redirect carried to this response, and
        carries the job of a redirect on to where it leads, with the credentials so far."""
        request = response.request
        match = _JOB.search(path_of(request).partition("?")[0])
        job_id = match.group(1) if match is not None else None
        status = response.status_code
        came = carried(response, job_id if 300 <= status < 400 else None)
        job_id = came.job_id if came is not None else job_id
        reason: SkipReason | None = None
        if job_id is None or request.method != "GET":
            reason = "other request"
        elif 300 <= status < 400:
            reason = "redirect"
        elif not 200 <= status < 300:
            reason = "not 2xx"
        elif self.sample < 1.0 and not self._random.random() < self.sample:
            reason = "sampled out"
        if reason is not None or job_id is None:
            self._skip(reason or "other request")
            return None
        return _Carried(job_id, came.credentials if came is not None else ())

    @staticmethod
    def _httpx_carried(response: Any, redirect_of: str | None) -> _Carried | None:
        """httpx: the job a redirect carried here, and the credentials of the requests before
        it, in the request's extensions (httpx copies them into the request that follows a
        redirect); a redirect of `redirect_of` (or of a job carried here) marks its request so."""
        extensions = response.request.extensions
        job_id = extensions.get(_CARRIED) or None
        credentials = extensions.get(_CARRIED_CREDENTIALS) or ()
        if response.has_redirect_location and (redirect_of or job_id):
            extensions[_CARRIED] = redirect_of or job_id
            extensions[_CARRIED_CREDENTIALS] = _with_credentials(credentials, response)
        return _Carried(job_id, credentials) if job_id else None

    def _requests_carried(self, response: Any, redirect_of: str | None) -> _Carried | None:
        """requests: the job a redirect carried to this response's URL, with the credentials of
        the requests before it; a redirect of `redirect_of` (or of a job carried here) remembers
        where it leads (a few at a time)."""
        from urllib.parse import urljoin

        with self._lock:
            came = self._redirected.pop(str(response.request.url), None)
            location = response.headers.get("location")
            if location and response.is_redirect and (redirect_of or came):
                from requests.utils import requote_uri

                target = requote_uri(urljoin(str(response.url), location))
                job_id = redirect_of or (came.job_id if came is not None else "")
                credentials = _with_credentials(came.credentials if came else (), response)
                self._redirected[target.partition("#")[0]] = _Carried(job_id, credentials)
                while len(self._redirected) > _MAX_REDIRECTS:
                    del self._redirected[next(iter(self._redirected))]
        return came

    def _check(self) -> ContractCheck:
        """The one check of this guard's profile and levels: built when the guard is, and again
        only if either was changed since."""
        check = self._contract
        if check.profile != self.profile or check.levels != self.levels:
            check = self._contract = contract_check(self.profile, "status", self.levels)
        return check

    def _judge(
        self, response: Any, wanted: _Carried, body: _Body, *, defer: Callable[[Any], bool]
    ) -> Exception | None:
        """Check the body read from the response and report a failure the way `on_violation`
        says. An exception is returned, for the hook to raise from a frame that holds neither the
        response (its repr shows the reason phrase) nor the body; or raised later, from the
        response's `raise_for_status`, when `defer(response)` says so."""
        try:
            if body.failure is not None:
                raise BatchStatusMismatch(body.failure)
            check_response(body.headers, body.content, self._check())
        except BatchStatusMismatch as mismatch:  # unmasked: never leaves this block
            credentials = _with_credentials(wanted.credentials, response)
            failure: _Failure | None = _masked(mismatch, wanted.job_id, credentials)
        else:
            failure = None
        with self._lock:
            self._checked += 1
            self._invalid += failure is not None
        if failure is None:
            return None
        try:
            self._report(failure)
        except Exception as error:  # raise mode, or a warning the filters turn into an error
            if not defer(response):
                return error
            _raise_later(response, error)
        return None

    def _report(self, failure: _Failure) -> None:
        if self.on_violation == "raise":
            raise failure.error
        if self.on_violation == "warn":
            warnings.warn(
                ContractViolationWarning(str(failure.error), failure.job_id, failure.violations),
                stacklevel=3,
            )
        else:
            _LOG.warning(
                str(failure.error),
                extra={"job_id": failure.job_id, "violations": failure.violations},
            )


class _Carried(NamedTuple):
    """The job a response answers, and the credentials of the requests before a redirect that led
    to it (masked too: a redirect to another origin drops them from the request that follows)."""

    job_id: str
    credentials: tuple[Secret, ...]


class _Failure(NamedTuple):
    error: BatchStatusMismatch
    job_id: str
    violations: tuple[Violation, ...]


_TOO_LARGE = (
    f"body is not one well-formed JSON document: document too large: over {MAX_DOCUMENT_BYTES} "
    f"bytes (limit {MAX_DOCUMENT_BYTES})"
)


class _Body:
    """What the guard read of a response: its headers and content (`check_response` reads a
    response by these two), or a failure found while reading, or why it was not read."""

    __slots__ = ("content", "failure", "headers", "reason")

    def __init__(
        self,
        headers: Any,
        content: bytes = b"",
        *,
        failure: str | None = None,
        reason: SkipReason | None = None,
    ) -> None:
        self.headers = headers
        self.content = content
        self.failure = failure
        self.reason = reason


def _too_long(headers: Any) -> bool:
    """Whether the response declares a body longer than the limit (`Content-Length`)."""
    declared = str(headers.get("content-length") or "").strip()
    return declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES


def _httpx_cached(response: Any) -> bytes | None:
    """The content of an httpx response already read (by the caller, or built from bytes)."""
    import httpx

    try:
        return bytes(response.content)
    except httpx.ResponseNotRead:
        return None


def _httpx_body(response: Any) -> _Body:
    """Up to the limit + 1 raw bytes of an httpx response, decoded; the response keeps every
    byte for its caller (its stream replays what was read, then goes on)."""
    cached = _httpx_cached(response)
    if cached is not None:
        return _Body(response.headers, cached)
    if _too_long(response.headers):
        return _Body(response.headers, failure=_TOO_LARGE)
    import httpx

    chunks: deque[bytes] = deque()  # emptied as they are replayed
    size = 0
    error: BaseException | None = None
    source = iter(response.stream)
    try:
        for chunk in source:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_DOCUMENT_BYTES:
                break
    except Exception as failed:
        error = _without_this_frame(failed)
    original = response.stream

    class Replay(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            while chunks:  # a read error raised below shows no chunk in this frame
                yield chunks.popleft()
            if error is not None:
                raise error
            yield from source

        def close(self) -> None:
            original.close()

    response.stream = Replay()
    return _decoded(response, chunks, size, error)


async def _httpx_abody(response: Any) -> _Body:
    """`_httpx_body` for an httpx.AsyncClient's response."""
    cached = _httpx_cached(response)
    if cached is not None:
        return _Body(response.headers, cached)
    if _too_long(response.headers):
        return _Body(response.headers, failure=_TOO_LARGE)
    import httpx

    chunks: deque[bytes] = deque()  # emptied as they are replayed
    size = 0
    error: BaseException | None = None
    source = response.stream.__aiter__()
    try:
        async for chunk in source:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_DOCUMENT_BYTES:
                break
    except Exception as failed:
        error = _without_this_frame(failed)
    original = response.stream

    class Replay(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            while chunks:  # a read error raised below shows no chunk in this frame
                yield chunks.popleft()
            if error is not None:
                raise error
            async for chunk in source:
                yield chunk

        async def aclose(self) -> None:
            await original.aclose()

    response.stream = Replay()
    return _decoded(response, chunks, size, error)


def _without_this_frame(error: BaseException) -> BaseException:
    """`error` caught while the guard read, its traceback starting below the frame that caught it
    (whose locals hold what was read so far): the caller gets it when it reads."""
    below = error.__traceback__.tb_next if error.__traceback__ else None
    return error.with_traceback(below)


def _decoded(
    response: Any, chunks: Iterable[bytes], size: int, error: BaseException | None
) -> _Body:
    """The body of raw `chunks` (`size` bytes in all) decoded as the response's
    `Content-Encoding` says, a few kilobytes at a time and no further than the limit + 1."""
    if error is not None:
        return _Body(response.headers, reason="read failed")
    if size > MAX_DOCUMENT_BYTES:
        return _Body(response.headers, failure=_TOO_LARGE)
    import httpx

    raw = b"".join(chunks)

    class Slices(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for start in range(0, len(raw), _CHUNK):
                yield raw[start : start + _CHUNK]

    fresh = httpx.Response(response.status_code, headers=response.headers, stream=Slices())
    parts: list[bytes] = []
    decoded = 0
    try:
        for part in fresh.iter_bytes():
            parts.append(part)
            decoded += len(part)
            if decoded > MAX_DOCUMENT_BYTES:
                return _Body(response.headers, failure=_TOO_LARGE)
    except httpx.DecodingError as failed:
        coding = response.headers.get("content-encoding", "")
        return _Body(
            response.headers,
            failure=f"body cannot be decoded as its Content-Encoding {coding!r} says: {failed}",
        )
    return _Body(response.headers, b"".join(parts))


def _from_sdk(response: Any) -> bool:
    """Whether an httpx response answers a request of the official SDK."""
    return _SDK_HEADER in response.request.headers


def _never(response: Any) -> bool:
    return False


def _httpx_path(request: Any) -> str:
    """The raw path and query of an httpx request (percent-encoding kept)."""
    return str(request.url.raw_path.decode("ascii", "replace"))


def _requests_path(request: Any) -> str:
    """The path and query of a requests request."""
    return str(request.path_url)


def _levels(rules: Mapping[str, str] | Iterable[str] | None) -> dict[str, Level]:
    """The nearest pyproject's rule levels, overlaid with `rules` (each checked as `--rule`)."""
    levels = load_levels()
    if rules is None:
        return levels
    if isinstance(rules, str):
        rules = [rules]
    elif isinstance(rules, Mapping):
        rules = [f"{name}={level}" for name, level in rules.items()]
    for text in rules:
        name, level = parse_rule_option(str(text))
        levels[name] = level
    return levels


def _secrets(headers: Any) -> tuple[str, ...]:
    """Every credential the request carried, longest first: whole header values, the credentials
    after a scheme (and a Basic pair decoded), cookie values."""
    found: set[str] = set()
    for name in _CREDENTIAL_HEADERS:
        value = str(headers.get(name) or "").strip()
        if not value:
            continue
        found.add(value)
        scheme, _, credentials = value.partition(" ")
        found.add(credentials.strip())
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                pair = base64.b64decode(credentials, validate=True).decode()
                found.update((pair, *pair.split(":", 1)))
        if name == "cookie":
            found.update(crumb.partition("=")[2].strip() for crumb in value.split(";"))
    return tuple(sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True))


def _mask(text: str, secrets: tuple[Secret, ...]) -> str:
    """`text` with every secret, in every form `Secret` knows (any case, percent, hex, base64,
    JSON and HTML escapes, cut short by a reporter), replaced by `***`."""
    return mask_all(text, secrets)


def _with_credentials(carried: tuple[Secret, ...], response: Any) -> tuple[Secret, ...]:
    """`carried` and every credential of the response's request (`_secrets`), each a `Secret`
    (its repr masked) built once."""
    known = {secret.get_secret_value() for secret in carried}
    fresh = [Secret(value) for value in _secrets(response.request.headers) if value not in known]
    return (*carried, *fresh)


def _masked(
    mismatch: BatchStatusMismatch, raw_job_id: str, secrets: tuple[Secret, ...]
) -> _Failure:
    """The failure to report: the job named in the title, every credential (`secrets`: of the
    request, and of those before a redirect that led to it) masked. No frame of the guard that a
    traceback of the failure shows holds a credential (the hooks raise from a frame that holds
    neither the response nor its body)."""
    job_id = unquote(raw_job_id)
    violations = tuple(
        v._replace(
            path=_mask(v.path, secrets),
            expected=_mask(v.expected, secrets),
            found=_mask(v.found, secrets),
        )
        for v in mismatch.violations
    )
    job = _mask(job_id, secrets)
    title = _mask(f"status of job {job_id}: {mismatch.title}", secrets)
    return _Failure(BatchStatusMismatch(title, violations), job, violations)


def _raise_later(response: Any, error: Exception) -> None:
    """Make the response's `raise_for_status` raise `error`: the official SDK calls it right after
    the request, outside the handler that would retry and wrap an exception raised earlier."""

    def raise_for_status() -> Any:
        raise error.with_traceback(None)

    response.raise_for_status = raise_for_status
