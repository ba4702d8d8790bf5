"""`StatusGuard`: the contract checked on production traffic, inside the application's own client.

A guard is a response hook for httpx (sync: the instance itself; async: `guard.async_hook`) and for
requests (`guard.requests_hook`). It judges the successful (2xx) responses to
`GET .../api/v1/beta/batch-processing/{job_id}` with `assert_batch_status`, the check behind
validate-status and the fixtures, and raises, warns or logs what it finds. Every other response
passes untouched. The key and the request headers never appear in what it reports: whatever the
request's credentials hold is masked before a message is built.

This module imports neither httpx nor requests: it reads responses by duck typing.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import random
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple, get_args
from urllib.parse import unquote

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.core.results import Violation
from batch_contract.core.rules import Level, load_levels, parse_rule_option
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.secret import Secret, mask_all

Mode = Literal["warn", "raise", "log"]
MODES: tuple[Mode, ...] = get_args(Mode)
LOGGER_NAME = "batch_contract.guard"
_LOG = logging.getLogger(LOGGER_NAME)
_JOB = re.compile(r"/api/v1/beta/batch-processing/([^/]+)\Z")
"""The endpoint at the end of a request path (query removed), under any base URL or prefix."""
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
    """What a guard has seen of status responses: judged, left out by sampling, found invalid."""

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
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._checked = self._skipped = self._invalid = 0

    def __repr__(self) -> str:
        return (
            f"StatusGuard(on_violation={self.on_violation!r}, profile={self.profile!r}, "
            f"sample={self.sample!r})"
        )

    @property
    def stats(self) -> GuardStats:
        """Counts so far, read together: status responses checked, skipped by sampling, invalid."""
        with self._lock:
            return GuardStats(self._checked, self._skipped, self._invalid)

    def __call__(self, response: Any) -> None:
        """The httpx response hook: `httpx.Client(event_hooks={"response": [guard]})`."""
        job_id = self._wanted(response, _httpx_path(response.request))
        if job_id is not None:
            response.read()  # cached: the client still receives the body
            self._judge(response, job_id, defer=_from_sdk)

    async def async_hook(self, response: Any) -> None:
        """The httpx.AsyncClient response hook: `event_hooks={"response": [guard.async_hook]}`."""
        job_id = self._wanted(response, _httpx_path(response.request))
        if job_id is not None:
            await response.aread()
            self._judge(response, job_id, defer=_from_sdk)

    def requests_hook(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """The requests response hook: `session.hooks["response"].append(guard.requests_hook)`."""
        job_id = self._wanted(response, response.request.path_url)
        if job_id is not None:
            self._judge(response, job_id, defer=_never)

    def _wanted(self, response: Any, path: str) -> str | None:
        """The job id when this response is one to check now; None to let it pass."""
        if not 200 <= response.status_code < 300 or response.request.method != "GET":
            return None
        match = _JOB.search(path.partition("?")[0])
        if match is None:
            return None
        if self.sample < 1.0 and not self._random.random() < self.sample:
            with self._lock:
                self._skipped += 1
            return None
        return match.group(1)

    def _judge(self, response: Any, job_id: str, *, defer: Callable[[Any], bool]) -> None:
        """Check the read response and report a failure the way `on_violation` says; an exception
        is raised later, from the response's `raise_for_status`, when `defer(response)` says so."""
        try:
            assert_batch_status(response, profile=self.profile, rules=self.levels)
        except BatchStatusMismatch as mismatch:  # unmasked: never leaves this block
            failure: _Failure | None = _masked(mismatch, job_id, response.request.headers)
        else:
            failure = None
        with self._lock:
            self._checked += 1
            self._invalid += failure is not None
        if failure is None:
            return
        try:
            self._report(failure)
        except Exception as error:
            if not defer(response):
                raise
            _raise_later(response, error)

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


class _Failure(NamedTuple):
    error: BatchStatusMismatch
    job_id: str
    violations: tuple[Violation, ...]


def _from_sdk(response: Any) -> bool:
    """Whether an httpx response answers a request of the official SDK."""
    return _SDK_HEADER in response.request.headers


def _never(response: Any) -> bool:
    return False


def _httpx_path(request: Any) -> str:
    """The raw path and query of an httpx request (percent-encoding kept)."""
    return str(request.url.raw_path.decode("ascii", "replace"))


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


def _mask(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret, in every form `Secret` knows (any case, percent, hex, base64,
    JSON and HTML escapes, cut short by a reporter), replaced by `***`."""
    return mask_all(text, tuple(Secret(secret) for secret in secrets))


def _masked(mismatch: BatchStatusMismatch, raw_job_id: str, headers: Any) -> _Failure:
    """The failure to report: the job named in the title, every credential of the request's
    `headers` masked. No frame that a traceback of the failure shows holds a credential."""
    secrets = _secrets(headers)
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
