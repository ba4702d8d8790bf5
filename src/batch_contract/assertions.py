"""`assert_batch_status`: the contract as one assertion, for users' own test suites.

Takes a parsed body, an SDK model object, an httpx or requests response, or raw text; raises
`BatchStatusMismatch` (an `AssertionError`) whose message lists every violation with its JSON path,
expected and found, and issues a `RuleWarning` for each finding of a rule at level "warning".
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from batch_contract.core.check import JSON_MEDIA_TYPE, ContractCheck, contract_check, media_type
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.results import Violation
from batch_contract.core.rules import RULES, Level, default_levels
from batch_contract.core.schemas import PARTS, PROFILES, Part, Profile
from batch_contract.errors import DocumentError, RuleWarning

_JSON_SCALARS = (str, int, float, bool, type(None))
_PASS_INSTEAD = (
    'pass the response itself, its text, or model.model_dump(mode="json") (the SDK model '
    "object itself is taken too)"
)


class BatchStatusMismatch(AssertionError):
    """A body that does not honour the Get Batch Job Status contract: a title, then one line per
    violation (`$.path: expected X, found Y [keyword]`)."""

    def __init__(self, title: str, violations: tuple[Violation, ...] = ()) -> None:
        self.title = title
        self.violations = violations
        lines = [title, *(f"  {v.path}: {v.message} [{v.keyword}]" for v in violations)]
        super().__init__("\n".join(lines))


def _non_json(value: Any) -> str | None:
    """Where a parsed value holds something JSON has no such value for (a datetime, a set...),
    and what: `$.job.created_at (datetime)`; None when it is all JSON."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, at = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    return f"{at} (a {type(key).__name__} key)"
                stack.append((child, f"{at}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{at}[{index}]") for index, child in enumerate(item))
        elif not isinstance(item, _JSON_SCALARS):
            return f"{at} ({type(item).__name__})"
    return None


def _body(value: Any) -> Any:
    """The parsed JSON of a body given as a value, text, bytes, an SDK model object (pydantic:
    its `model_dump(mode="json")`, the fields it was given), or an httpx/requests response."""
    if isinstance(value, Mapping | list):
        where = _non_json(value)
        if where is not None:
            raise TypeError(
                f"assert_batch_status takes JSON values, but {where} is not one: {_PASS_INSTEAD}"
            )
        return value
    if value is None or isinstance(value, int | float):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:
            return _body(dump(mode="json", exclude_unset=True, by_alias=True))
        except TypeError:  # a model_dump without those options: all of it, as JSON
            return _body(dump(mode="json"))
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes | bytearray):
        return _parsed(bytes(value))
    content = getattr(value, "content", None)
    headers = getattr(value, "headers", None)
    if isinstance(content, bytes) and headers is not None:
        return response_document(headers, content)
    raise TypeError(
        "assert_batch_status takes a parsed body, text, bytes, an SDK model object or an "
        f"httpx/requests response, not {type(value).__name__}"
    )


def response_document(headers: Any, content: bytes) -> Any:
    """The parsed JSON of a response's body, by its headers (`.get("content-type")`) and raw
    content: a `BatchStatusMismatch` when it is not declared JSON or not one well-formed JSON
    document."""
    media = media_type(headers.get("content-type"))
    if media != JSON_MEDIA_TYPE:
        raise BatchStatusMismatch(
            f"response Content-Type: expected application/json, found {media or 'none'}"
        )
    return _parsed(content)


def _parsed(raw: bytes) -> Any:
    """The JSON document `raw` holds; a `BatchStatusMismatch` when it is not one."""
    try:
        return parse_document(raw)
    except DocumentError as error:
        raise BatchStatusMismatch(f"body is not one well-formed JSON document: {error}") from None


def check_response(headers: Any, content: bytes, check: ContractCheck) -> Any:
    """`check_batch_status` of a response read as its headers and content, with a check already
    built (the production guard's, once per response): raises `BatchStatusMismatch` for the
    errors; returns the parsed body."""
    __tracebackhide__ = True
    document = response_document(headers, content)
    _raise_errors(check.violations(document), check.profile)
    return document


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
    single rules, with underscores for dashes: `counts_within_total="warning"`. A finding of a
    rule at "warning" is a `RuleWarning` (as in the contract suite), never a failure. A dict
    holding values JSON has none for (`model_dump()`'s datetimes) is a `TypeError` saying what to
    pass instead.
    """
    __tracebackhide__ = True
    document, notes, mismatch = verdict(
        body, profile=profile, part=part, rules=rules, **rule_levels
    )
    for note in notes:
        warnings.warn(note, RuleWarning, stacklevel=2)
    if mismatch is not None:
        raise mismatch
    return document


def verdict(
    body: Any,
    *,
    profile: Profile = "documented",
    part: Part = "status",
    rules: Mapping[str, Level] | None = None,
    **rule_levels: Level,
) -> tuple[Any, list[str], BatchStatusMismatch | None]:
    """`assert_batch_status` in parts, for a caller that issues the warnings itself (the pytest
    fixture): the parsed body, the text of each `RuleWarning` (a finding of a rule at
    "warning"), and the `BatchStatusMismatch` to raise (None when the body honours the contract).
    """
    document, everything = _verdict(body, profile, part, _levels(rules, rule_levels))
    notes = [
        f"status body: {v.path}: {v.message} [{v.keyword}]"
        for v in everything
        if v.severity != "error"
    ]
    return document, notes, _mismatch(everything, profile)


def check_batch_status(
    body: Any,
    *,
    profile: Profile = "documented",
    part: Part = "status",
    rules: Mapping[str, Level] | None = None,
) -> Any:
    """`assert_batch_status` without its warnings: raises `BatchStatusMismatch` for the errors,
    and leaves warning-level findings out (the production guard's check: it never warns about a
    rule at "warning"); returns the parsed body."""
    __tracebackhide__ = True
    document, everything = _verdict(body, profile, part, rules)
    _raise_errors(everything, profile)
    return document


def _verdict(
    body: Any, profile: Profile, part: Part, levels: Mapping[str, Level] | None
) -> tuple[Any, tuple[Violation, ...]]:
    """The parsed body and every violation the one check finds in it."""
    if profile not in PROFILES or part not in PARTS:
        raise TypeError(f"profile must be one of {PROFILES} and part one of {PARTS}")
    document = _body(body)
    return document, contract_check(profile, part, levels).violations(document)


def _raise_errors(everything: tuple[Violation, ...], profile: Profile) -> None:
    __tracebackhide__ = True
    mismatch = _mismatch(everything, profile)
    if mismatch is not None:
        raise mismatch


def _mismatch(everything: tuple[Violation, ...], profile: Profile) -> BatchStatusMismatch | None:
    """The failure naming every error-level violation; None when there is none."""
    found = tuple(v for v in everything if v.severity == "error")
    if not found:
        return None
    count = f"{len(found)} violation" + ("" if len(found) == 1 else "s")
    return BatchStatusMismatch(
        f"body does not honour the Get Batch Job Status contract ({profile} profile): {count}",
        found,
    )
