"""The one check: whether a parsed body honours the contract, and every way it does not.

`ContractCheck(profile, part, levels).violations(value)` is the verdict that every face gives:
validate-status (one process or `--jobs`, files, NDJSON and cassettes), `assert_batch_status`, the
contract suite, drift, the schemathesis check and the production guard. The engine may clear a
body faster (`fastlane`), but only when this check would find nothing.

The verdict is the schema violations of the chosen profile and part (with every number beyond
+-(2^53-1), I-JSON's interoperable range, as a violation of its own: `number_violations`), then
the findings of the semantic rules that are not off, at their levels. The policy for a body that
breaks the schema: a rule runs when every field it reads (`Rule.reads`) honours the schema, and
is skipped when one of them, or an object holding it, breaks it. A progress of 150 thus still
lets the count rule report 12 of 10 items processed, but gives no meaningless "progress should
match the counts".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

from batch_contract.core.results import Violation
from batch_contract.core.rules import RULES, Level, Rule, checked_levels, rule_findings
from batch_contract.core.schemas import PARTS, PROFILES, Part, Profile
from batch_contract.core.validation import (
    Validator,
    describe,
    json_path,
    sort_violations,
    validator,
)

Lister = Callable[[Any], list[Violation]]
"""A faster way to list the schema violations of a body the schema engine found invalid (unsorted,
perhaps twice the same; empty when it cannot tell): what the engine layer writes from the schema."""


class ContractCheck:
    """The verdict on parsed bodies for one profile, part and set of rule levels."""

    __slots__ = (
        "_active",
        "_blockers",
        "_left",
        "_lister",
        "_schema",
        "levels",
        "part",
        "profile",
    )

    def __init__(
        self,
        profile: Profile = "documented",
        part: Part = "status",
        levels: Mapping[str, Level] | None = None,
        lister: Lister | None = None,
    ) -> None:
        """`lister`, when given, lists the schema violations of an invalid body in place of the
        schema engine's own listing, which still lists any body it finds nothing in. It must list
        what the engine lists (the engine layer's differential tests hold it to that)."""
        if profile not in PROFILES or part not in PARTS:
            raise ValueError(f"profile must be one of {PROFILES} and part one of {PARTS}")
        self.profile: Profile = profile
        self.part: Part = part
        self.levels = checked_levels(levels)
        self._active = tuple(
            (rule, self.levels[rule.name])
            for rule in RULES.values()
            if rule.kind == "document" and self.levels[rule.name] != "off"
        )
        self._blockers = tuple(
            _blocking_paths(rule.reads, bare=part == "job") for rule, _ in self._active
        )
        self._left: dict[frozenset[str], tuple[tuple[Rule, Level], ...]] = {}
        """The rules left to run, by the set of paths where the schema broke."""
        self._schema: Validator | None = None
        self._lister = lister

    @property
    def schema(self) -> Validator:
        """The schema engine of the profile and part, loaded on first use (a run the engine
        clears in full never loads it)."""
        if self._schema is None:
            self._schema = validator(self.profile, self.part)
        return self._schema

    def violations(self, value: Any, job_id: str | None = None) -> tuple[Violation, ...]:
        """Every violation of a parsed body: schema first (sorted by path), then rule findings
        in rule order, then, when the body answers a request for `job_id`, a `same-job` error if
        it holds another job's id."""
        found = self.schema_violations(value)
        found += self.rule_violations(value, found)
        return found if job_id is None else found + same_job(value, job_id, self.part)

    def schema_violations(self, value: Any) -> tuple[Violation, ...]:
        """The schema violations alone (numbers beyond I-JSON's range among them), sorted by
        path."""
        schema = self.schema
        try:
            valid = schema.rs_is_valid(value)
        except UnicodeEncodeError:  # unpaired surrogates: jsonschema-rs cannot read them
            return _with_numbers(schema.violations_of_invalid(value), value)
        return number_violations(value) if valid else self.violations_of_invalid(value)

    def violations_of_invalid(self, value: Any) -> tuple[Violation, ...]:
        """`schema_violations` of a body jsonschema-rs's `is_valid` has already found invalid."""
        if self._lister is not None:
            found = self._lister(value)
            if found:
                return _with_numbers(sort_violations(found), value)
        return _with_numbers(self.schema.violations_of_invalid(value), value)

    def rule_violations(
        self, value: Any, schema_found: tuple[Violation, ...] = ()
    ) -> tuple[Violation, ...]:
        """The rule findings of a body whose schema violations are `schema_found`: each rule
        that is not off runs, unless a field it reads breaks the schema."""
        bare = self.part == "job"
        if not schema_found:
            return rule_findings(value, self._active, bare=bare)
        broken = frozenset(v.path for v in schema_found)
        left = self._left.get(broken)
        if left is None:
            left = tuple(
                pair
                for pair, blockers in zip(self._active, self._blockers, strict=True)
                if blockers.isdisjoint(broken)
            )
            if len(self._left) < 1024:
                self._left[broken] = left
        return rule_findings(value, left, bare=bare) if left else ()

    def errors(self, value: Any) -> tuple[Violation, ...]:
        """The violations that fail: schema violations and error-level rule findings."""
        return tuple(v for v in self.violations(value) if v.severity == "error")


SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON parser reads exactly (a double holds it): I-JSON (RFC 7493)."""
NUMBER_RANGE = "number-range"
"""The keyword of a number beyond ±`SAFE_INTEGER` (docs/contract-decisions.md)."""
_BEYOND = "a number within ±(2^53-1), which every JSON parser reads exactly (I-JSON, RFC 7493)"
_FINITE = "a finite number (NaN and infinity are not JSON)"


def number_violations(value: Any) -> tuple[Violation, ...]:
    """A violation for each number of a parsed body beyond +-(2^53-1), or NaN, or infinite: a
    parser that reads numbers as doubles (orjson for integers past 64 bits, JavaScript, most
    clients) would not read the value that was sent, so a body must not hold one. Decided on
    every body by the one check, text and parsed alike, so that `18446744073709551616` gets the
    same verdict whether a face parsed it to a float or was given it as an int."""
    if isinstance(value, dict | list):
        try:
            if not _any_beyond(value):
                return ()
        except RecursionError:  # a value nested deeper than the stack allows: walk it
            pass
    found: list[Violation] = []
    # Each container's place is (key, its parent's place): a path is built only for a number
    # found, so a value nested 100,000 deep is walked in linear time.
    stack: list[tuple[Any, Any]] = []
    if isinstance(value, dict | list):
        stack.append((value, None))
    while stack:
        item, at = stack.pop()
        children: Any = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in children:
            kind = type(child)
            if kind is int or kind is float:
                if not -SAFE_INTEGER <= child <= SAFE_INTEGER:
                    found.append(_beyond(_path((key, at)), child))
            elif isinstance(child, dict | list):
                stack.append((child, (key, at)))
    scalar = isinstance(value, int | float) and not isinstance(value, bool)
    if scalar and not -SAFE_INTEGER <= value <= SAFE_INTEGER:
        found.append(_beyond((), value))
    return sort_violations(found)


def _any_beyond(item: Any) -> bool:
    """Whether a container holds a number `number_violations` reports (the common answer, no,
    found without building a path)."""
    for child in item.values() if isinstance(item, dict) else item:
        kind = type(child)
        if kind is str or child is None:
            continue
        if kind is int or kind is float:
            if not -SAFE_INTEGER <= child <= SAFE_INTEGER:
                return True
        elif isinstance(child, dict | list) and _any_beyond(child):
            return True
    return False


def _path(place: Any) -> tuple[str | int, ...]:
    """The keys from the body down to a place of `number_violations`'s walk."""
    keys: list[str | int] = []
    while place is not None:
        key, place = place
        keys.append(key)
    return tuple(reversed(keys))


def _beyond(at: tuple[str | int, ...], number: int | float) -> Violation:
    if number != number or number in (math.inf, -math.inf):  # NaN, infinity: from a dict only
        return Violation(json_path(at), NUMBER_RANGE, _FINITE, describe(number))
    shown = describe(number)
    if len(shown) > 40:  # an integer of hundreds of digits
        shown = f"{shown[:27]}... ({len(str(abs(number)))} digits)"
    return Violation(json_path(at), NUMBER_RANGE, _BEYOND, shown)


def _with_numbers(found: tuple[Violation, ...], value: Any) -> tuple[Violation, ...]:
    """Schema violations `found`, with those of `number_violations` among them. jsonschema-rs
    reads NaN and infinity as null: its "found null" at such a number's path is dropped, the
    number's own violation names it."""
    beyond = number_violations(value)
    if not beyond:
        return found
    unnamed = {v.path for v in beyond if v.expected == _FINITE}
    kept = (v for v in found if not (v.path in unnamed and v.found == "null"))
    return sort_violations((*kept, *beyond))


def same_job(value: Any, job_id: str, part: Part) -> tuple[Violation, ...]:
    """A `same-job` error when a body (or bare job) asked for by `job_id` holds another job's id
    (an id that is no string is the schema's business)."""
    job = value if part == "job" else value.get("job") if type(value) is dict else None
    found = job.get("id") if type(job) is dict else None
    if type(found) is not str or found == job_id:
        return ()
    path = "$.id" if part == "job" else "$.job.id"
    return (Violation(path, "same-job", f'the asked job id "{job_id}"', f'string "{found}"'),)


JSON_MEDIA_TYPE = "application/json"
"""The media type the endpoint's bodies are sent with."""


def media_type(content_type: Any) -> str:
    """The media type of a Content-Type header value, lower case and without parameters (empty
    when there is none): the check a face makes before parsing a response's body."""
    return str(content_type or "").split(";")[0].strip().lower()


def _blocking_paths(reads: tuple[str, ...], bare: bool) -> frozenset[str]:
    """Where a schema violation takes a rule's fields out of its reach: at one of the fields
    (`$.job.total_items`, or `$.total_items` for a bare job), or at an object holding one (`$.job`,
    the body `$`)."""
    paths = {"$"}
    for field in reads:
        parts = (field[4:] if bare and field.startswith("job.") else field).split(".")
        paths.update("$." + ".".join(parts[: index + 1]) for index in range(len(parts)))
    return frozenset(paths)


@functools.lru_cache(maxsize=64)
def _shared(
    profile: Profile, part: Part, levels: tuple[tuple[str, Level], ...] | None
) -> ContractCheck:
    return ContractCheck(profile, part, None if levels is None else dict(levels))


def contract_check(
    profile: Profile = "documented",
    part: Part = "status",
    levels: Mapping[str, Level] | None = None,
) -> ContractCheck:
    """The check for a profile, part and levels, built once and shared (a face that judges one
    body at a time, such as `assert_batch_status` or the guard, need not build it each time)."""
    key = None if levels is None else tuple(sorted(levels.items()))
    return _shared(profile, part, key)
