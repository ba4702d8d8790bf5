"""`assert_batch_status`: the contract as one assertion, for users' own test suites.

Takes a parsed body, an httpx or requests response, or raw text; raises `BatchStatusMismatch` (an
`AssertionError`) whose message lists every violation with its JSON path, expected and found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batch_contract.core.check import JSON_MEDIA_TYPE, contract_check, media_type
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.results import Violation
from batch_contract.core.rules import RULES, Level, default_levels
from batch_contract.core.schemas import PARTS, PROFILES, Part, Profile
from batch_contract.errors import DocumentError


class BatchStatusMismatch(AssertionError):
    """A body that does not honour the Get Batch Job Status contract: a title, then one line per
    violation (`$.path: expected X, found Y [keyword]`)."""

    def __init__(self, title: str, violations: tuple[Violation, ...] = ()) -> None:
        self.title = title
        self.violations = violations
        lines = [title, *(f"  {v.path}: {v.message} [{v.keyword}]" for v in violations)]
        super().__init__("\n".join(lines))


def _body(value: Any) -> Any:
    """The parsed JSON of a body given as a value, text, bytes, or an httpx/requests response."""
    if isinstance(value, Mapping | list) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes | bytearray):
        try:
            return parse_document(bytes(value))
        except DocumentError as error:
            raise BatchStatusMismatch(
                f"body is not one well-formed JSON document: {error}"
            ) from None
    content = getattr(value, "content", None)
    headers = getattr(value, "headers", None)
    if isinstance(content, bytes) and headers is not None:
        media = media_type(headers.get("content-type"))
        if media != JSON_MEDIA_TYPE:
            raise BatchStatusMismatch(
                f"response Content-Type: expected application/json, found {media or 'none'}"
            )
        return _body(content)
    raise TypeError(
        "assert_batch_status takes a parsed body, text, bytes or an httpx/requests response, "
        f"not {type(value).__name__}"
    )


def _levels(
    rules: Mapping[str, Level] | None, overrides: Mapping[str, Level]
) -> Mapping[str, Level] | None:
    """The rule levels to check with: `rules` itself when nothing overrides it."""
    if not overrides:
        return rules
    levels = default_levels() if rules is None else dict(rules)
    for key, level in overrides.items():
        name = key.replace("_", "-")
        if name not in RULES:
            raise TypeError(f"unknown rule {name!r}: see `batch-contract rules`")
        levels[name] = level
    return levels


def assert_batch_status(
    body: Any,
    *,
    profile: Profile = "documented",
    part: Part = "status",
    rules: Mapping[str, Level] | None = None,
    **rule_levels: Level,
) -> Any:
    """Assert that `body` honours the contract; return the parsed body.

    `profile` is "documented" or "strict"; `part` "status" (a whole response) or "job";
    `rules` replaces the rule levels (default: each rule's default) and keyword arguments set
    single rules, with underscores for dashes: `counts_within_total="warning"`.
    """
    __tracebackhide__ = True
    if profile not in PROFILES or part not in PARTS:
        raise TypeError(f"profile must be one of {PROFILES} and part one of {PARTS}")
    document = _body(body)
    found = contract_check(profile, part, _levels(rules, rule_levels)).errors(document)
    if found:
        count = f"{len(found)} violation" + ("" if len(found) == 1 else "s")
        raise BatchStatusMismatch(
            f"body does not honour the Get Batch Job Status contract ({profile} profile): {count}",
            found,
        )
    return document
