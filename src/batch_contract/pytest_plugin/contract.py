"""Contract failures inside pytest: an `AssertionError` with a title line and one line per
violation (JSON path, expected, found), and the checks that raise it for one response. Schema
violations and error-level rule findings fail; warning-level rule findings become `RuleWarning`s."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from batch_contract.core.check import JSON_MEDIA_TYPE, contract_check, media_type
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.results import Violation
from batch_contract.core.rules import Level
from batch_contract.core.schemas import Profile
from batch_contract.errors import DocumentError, RuleWarning
from batch_contract.pytest_plugin.client import body_excerpt
from batch_contract.secret import Secret, mask


class ContractViolation(AssertionError):
    """The endpoint broke its contract: a title and every violation with its JSON path."""

    def __init__(self, title: str, violations: Iterable[Violation] = (), detail: str = "") -> None:
        self.title = title
        self.violations = tuple(violations)
        lines = [title]
        lines.extend(f"  {v.path}: {v.message} [{v.keyword}]" for v in self.violations)
        if detail:
            lines.append(detail)
        super().__init__("\n".join(lines))


def _context(response: httpx.Response, secret: Secret | None) -> str:
    return mask(f"  request: {response.request.method} {response.request.url}", secret)


def expect_status_code(
    response: httpx.Response, allowed: Iterable[int], what: str, secret: Secret | None
) -> None:
    """Raises `ContractViolation` unless the response's status code is one of `allowed`."""
    allowed = tuple(allowed)
    if response.status_code in allowed:
        return
    wanted = " or ".join(str(code) for code in allowed)
    raise ContractViolation(
        f"{what}: expected HTTP {wanted}, got {response.status_code}",
        detail=_context(response, secret) + "\n  body: " + body_excerpt(response, secret),
    )


def json_body(response: httpx.Response, secret: Secret | None) -> Any:
    """The response's JSON body after checking `Content-Type: application/json`."""
    found = media_type(response.headers.get("content-type"))
    if found != JSON_MEDIA_TYPE:
        raise ContractViolation(
            f"expected Content-Type: application/json, got {found or 'no Content-Type'!r}",
            detail=_context(response, secret),
        )
    try:
        return parse_document(response.content)
    except DocumentError as error:
        raise ContractViolation(
            f"the body is not one well-formed JSON document: {error}",
            detail=_context(response, secret) + "\n  body: " + body_excerpt(response, secret),
        ) from None


def document_problems(
    document: Any,
    profile: Profile,
    levels: Mapping[str, Level] | None = None,
    job_id: str | None = None,
) -> tuple[Violation, ...]:
    """Schema violations of a status document under `profile`, then the semantic rules that are
    not off under `levels` (default levels when None), then `same-job` when it answers for
    `job_id` (`ContractCheck.violations`)."""
    return contract_check(profile, "status", levels).violations(document, job_id)


def warn_rules(violations: Iterable[Violation], where: str) -> None:
    """Reports warning-level rule findings as `RuleWarning`s (they never fail a test)."""
    for violation in violations:
        if violation.severity != "error":
            warnings.warn(
                f"{where}: {violation.path}: {violation.message} [{violation.keyword}]",
                RuleWarning,
                stacklevel=3,
            )


def expect_valid_status(
    response: httpx.Response,
    profile: Profile,
    secret: Secret | None,
    job_id: str,
    levels: Mapping[str, Level] | None = None,
) -> Any:
    """Checks a 200 status response completely and returns its document: schema and error-level
    rules fail, warning-level rules warn."""
    expect_status_code(response, (200,), f"GET status of {job_id}", secret)
    document = json_body(response, secret)
    found = document_problems(document, profile, levels, job_id)
    warn_rules(found, f"status of {job_id}")
    problems = tuple(v for v in found if v.severity == "error")
    if problems:
        raise ContractViolation(
            f"status of {job_id} breaks the {profile} contract: {len(problems)} violation(s)",
            problems,
            _context(response, secret),
        )
    return document


class StillRunningWarning(UserWarning):
    """A polled job had not reached a terminal status when the poll timeout ran out."""


class RetryWarning(UserWarning):
    """A request was retried (408, 409, 429, 5xx or a connection error)."""
