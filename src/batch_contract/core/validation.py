"""Turns a parsed document into violations of a schema profile.

Two engines give the same answers (tests/engine/test_engines.py): jsonschema-rs decides quickly
whether a document is valid and lists what is wrong with an invalid one; pure-Python jsonschema is
the reference oracle. All are built on the same schema files and the date-time decision of
`datetimes`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from batch_contract.core.datetimes import is_rfc3339_datetime, offset_hint
from batch_contract.core.results import Violation
from batch_contract.core.schemas import Part, Profile, bundled_schema, load_schema, registry

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = json.JSONEncoder(ensure_ascii=False).encode
_TYPE_NAMES = {
    "integer": "integer",
    "number": "number",
    "string": "string",
    "null": "null",
    "boolean": "boolean",
    "object": "object",
    "array": "array",
}


def json_path(parts: Iterable[str | int]) -> str:
    """A JSONPath for a location: `$.job.status`, `$.items[0]`, `$['odd key']`."""
    return _json_path(tuple(parts))


@functools.lru_cache(maxsize=4096)
def _json_path(parts: tuple[str | int, ...]) -> str:
    """`json_path` of a hashable location, remembered: documents share a few paths."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            out.append(f".{part}")
        else:
            out.append("[" + _LITERAL(part) + "]")
    return "".join(out)


def describe(value: Any) -> str:
    """A short, JSON-flavoured description of a found value: `string "5"`, `null`, `object`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return f"number {value!r}"  # what json.dumps writes, sooner
    if isinstance(value, int | float):
        return f"number {json.dumps(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return "string " + _LITERAL(shown)
    if isinstance(value, list):
        return "array"
    return "object"


def _literal(value: Any) -> str:
    return _LITERAL(value)


def expected_text(keyword: str, limit: Any) -> str:
    """What a schema keyword with its value asks for, in words."""
    if keyword == "type":
        types = sorted([limit] if isinstance(limit, str) else limit, key=lambda t: t == "null")
        return " or ".join(_TYPE_NAMES.get(t, t) for t in types)
    if keyword == "enum":
        return "one of " + ", ".join(_literal(v) for v in limit)
    if keyword == "minimum":
        return f"a number >= {_literal(limit)}"
    if keyword == "maximum":
        return f"a number <= {_literal(limit)}"
    if keyword == "format":
        return "an RFC 3339 date-time" if limit == "date-time" else f"format {limit}"
    if keyword == "required":
        return "a required property"
    if keyword == "additionalProperties":
        return "no undocumented property"
    return f"{keyword} {_literal(limit)}"  # pragma: no cover - keywords our schemas do not use


def _make(path: Sequence[str | int], keyword: str, limit: Any, instance: Any) -> Violation:
    found = ABSENT if keyword == "required" else describe(instance)
    if keyword == "format":
        found += offset_hint(instance)
    return Violation(json_path(path), keyword, expected_text(keyword, limit), found)


def sort_violations(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    """Violations in the order they are reported (by path, keyword, texts), each once."""
    found = tuple(violations)
    if len(found) <= 1:
        return found
    return tuple(sorted(set(found), key=lambda v: (v.path, v.keyword, v.expected, v.found)))


class Validator:
    """Validates parsed documents against one profile (documented or strict) and part."""

    def __init__(self, profile: Profile = "documented", part: Part = "status") -> None:
        import jsonschema_rs

        self.profile: Profile = profile
        self.part: Part = part
        self._rs = jsonschema_rs.validator_for(bundled_schema(profile, part), validate_formats=True)
        self._expected_at: dict[tuple[Any, ...], str] = {}

    @property
    def rs_is_valid(self) -> Any:
        """jsonschema-rs's `is_valid` itself, for hot loops: raises `UnicodeEncodeError` on
        unpaired surrogates (`check.ContractCheck` hands those to `reference_violations`)."""
        return self._rs.is_valid

    def violations_of_invalid(self, document: Any) -> tuple[Violation, ...]:
        """The violations of a document jsonschema-rs's `is_valid` has already found invalid, as
        its `iter_errors` lists them, sorted by path; the reference engine's for a document
        holding unpaired surrogates, which jsonschema-rs cannot read. Either lists a document
        nested deeper than it reads (`within_depth`) as its shallow copy."""
        try:
            return self.rs_violations(document)
        except UnicodeEncodeError:  # the reference engine reads no deeper than Python recurses
            return self.reference_violations(within_depth(document))
        except ValueError as error:
            if str(error) != _RS_TOO_DEEP:
                raise
            return self.violations_of_invalid(within_depth(document))

    def rs_violations(self, document: Any) -> tuple[Violation, ...]:
        """Every violation as jsonschema-rs's `iter_errors` lists it, sorted (raises
        `UnicodeEncodeError` on unpaired surrogates)."""
        return sort_violations(self._rs_violations(document))

    def _rs_violations(self, document: Any) -> Iterable[Violation]:
        expected_at = self._expected_at
        for error in self._rs.iter_errors(document):
            keyword = str(error.schema_path[-1])
            path = error.instance_path
            kind: Any = error.kind
            if keyword == "required":
                yield Violation(json_path([*path, kind.property]), keyword, REQUIRED, ABSENT)
            elif keyword == "additionalProperties":
                instance: Any = error.instance
                for name in kind.unexpected:
                    yield _make([*path, name], keyword, False, instance[name])
            elif keyword in _RS_LIMITS:
                # what is expected depends only on where in the schema the keyword is
                where = tuple(error.evaluation_path)
                text = expected_at.get(where)
                if text is None:
                    text = expected_at[where] = expected_text(keyword, _RS_LIMITS[keyword](kind))
                found = describe(error.instance)
                if keyword == "format":
                    found += offset_hint(error.instance)
                yield Violation(json_path(path), keyword, text, found)
            else:  # pragma: no cover - keywords our schemas do not use
                yield Violation(json_path(path), keyword, keyword, error.message)

    def reference_violations(self, document: Any) -> tuple[Violation, ...]:
        """Every violation as pure-Python jsonschema finds it: the oracle for the fast engine."""
        out: list[Violation] = []
        for error in _reference_validator(self.profile, self.part).iter_errors(document):
            keyword = str(error.validator)
            path = list(error.absolute_path)
            if keyword == "required":
                present = error.instance if isinstance(error.instance, dict) else {}
                out.extend(
                    _make([*path, name], keyword, None, None)
                    for name in error.validator_value
                    if name not in present
                )
            elif keyword == "additionalProperties":
                allowed = error.schema.get("properties", {})
                out.extend(
                    _make([*path, name], keyword, False, value)
                    for name, value in error.instance.items()
                    if name not in allowed
                )
            else:
                out.append(_make(path, keyword, error.validator_value, error.instance))
        return sort_violations(out)


_RS_TOO_DEEP = "Recursion limit reached"
"""What jsonschema-rs's `iter_errors` raises for an invalid value nested 256 levels or more,
which it cannot hand back (its `is_valid` decides them all the same)."""
SCHEMA_DEPTH = 64
"""How deep `within_depth` keeps a document: far below jsonschema-rs's 255 levels and Python's
recursion limit, and far beyond the 3 levels the contract's schemas look into (a value there is
only ever named by its type; tests/core/test_deep_values.py holds the schemas to it)."""


def within_depth(value: Any, depth: int = SCHEMA_DEPTH) -> Any:
    """A copy of a parsed value with each array or object nested deeper than `depth` levels
    emptied: the schema violations of the two are the same, as no schema keyword of the contract
    reaches that far (an emptied container keeps its type, which is all a schema then reads)."""
    if isinstance(value, dict):
        if depth <= 0:
            return {}
        return {key: within_depth(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list):
        if depth <= 0:
            return []
        return [within_depth(item, depth - 1) for item in value]
    return value


def _rs_types(kind: Any) -> list[str]:
    types = kind.types
    return [types] if isinstance(types, str) else list(types)


_RS_LIMITS: dict[str, Any] = {
    "type": _rs_types,
    "enum": lambda kind: kind.options,
    "minimum": lambda kind: kind.limit,
    "maximum": lambda kind: kind.limit,
    "format": lambda kind: kind.format,
}
"""How to read the keyword's value off a jsonschema-rs error kind."""
REQUIRED = expected_text("required", None)
ABSENT = "nothing (absent)"


def _date_time_format(instance: object) -> bool:
    """jsonschema's format hook: only strings are checked, as the specification says."""
    return not isinstance(instance, str) or is_rfc3339_datetime(instance)


@functools.cache
def _reference_validator(profile: Profile, part: Part) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(_date_time_format)
    return Draft202012Validator(
        load_schema(profile, part), registry=registry(), format_checker=checker
    )


@functools.cache
def validator(profile: Profile = "documented", part: Part = "status") -> Validator:
    """The shared validator for a profile and part (built once per process)."""
    return Validator(profile, part)
