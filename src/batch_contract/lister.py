"""Lists the schema violations of a document in Python, from source written out for the bundled
schema: the full path's quick way to name what jsonschema-rs found wrong.

jsonschema-rs decides validity in about half a microsecond, but its `iter_errors` takes 6-7 µs for
a document of this endpoint with one violation: each error object carries a message with the JSON
of the failing instance, that instance converted back to Python, and its paths. The tenth of a
mixed stream that is invalid spent more time there than in everything else the full path does.

This lister is derived from the same bundled schema, for the keywords the schemas use (type, enum,
minimum, maximum, the date-time format, properties, required, additionalProperties, `$ref`,
boolean subschemas), each checked on its own as JSON Schema 2020-12 says; any other keyword means
no lister (`build` returns None) and jsonschema-rs lists. It is written out as one function of
straight-line checks, property by property (`_Writer`), so a document costs one call and no
function per subschema; date-times are checked by jsonschema-rs itself, so the date-time decision
is the full path's. Its violations are what `validation.Validator` makes of jsonschema-rs's errors,
the same paths, keywords and texts. It only ever runs on documents jsonschema-rs's `is_valid`
found invalid, and the caller lists with jsonschema-rs should it find nothing: it can name a
violation differently only where the tests (tests/test_lister.py, tests/test_fast_path.py) would
see it, never call an invalid document valid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batch_contract.datetimes import offset_hint
from batch_contract.schemas import ANNOTATIONS, KEYWORDS, Part, Profile, bundled_schema
from batch_contract.validation import (
    ABSENT,
    REQUIRED,
    Violation,
    describe,
    expected_text,
    json_path,
)

Lister = Callable[[Any], list[Violation]]
"""Every schema violation of a document, unsorted (the same one may come twice)."""

_TYPE_TESTS = {
    "string": "{k} is str",
    "null": "{v} is None",
    "boolean": "{k} is bool",
    "object": "{k} is dict",
    "array": "{k} is list",
    "number": "{k} is int or {k} is float",
    "integer": "{k} is int or ({k} is float and {v}.is_integer())",
}
"""The test of each JSON type on a value `v` of Python type `k` (as orjson reads JSON: a bool is
no number, a float with no fractional part is an integer)."""
_MAX_DEPTH = 32


class Unsupported(Exception):
    """The schema uses something the lister is not written for."""


class _Writer:
    """Writes the source of a lister, one schema at a time, into `lines`; the values the source
    refers to (paths, texts, enums) go into `constants` under the names it uses."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._names = 0

    def constant(self, value: Any) -> str:
        """The name the source uses for `value`."""
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def _name(self) -> str:
        self._names += 1
        return f"v{self._names}"

    def _add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def _violation(self, indent: int, path: str, keyword: str, expected: str, found: str) -> None:
        self._add(indent, f"out.append(V({path}, {keyword!r}, {expected}, {found}))")

    def schema(
        self, schema: Any, value: str, path: tuple[str, ...], indent: int, depth: int
    ) -> None:
        """The checks of `schema` on the value named `value`, found at `path`."""
        if schema is True:
            return
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            raise Unsupported(f"subschema {schema!r}")
        unknown = set(schema) - ANNOTATIONS - KEYWORDS
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$ref" in schema:
            if schema["$ref"] not in self.defs:
                raise Unsupported(f"$ref {schema['$ref']}")
            self.schema(self.defs[schema["$ref"]], value, path, indent, depth + 1)
        kind = self._name()
        self._add(indent, f"{kind} = type({value})")
        where = self.constant(json_path(path))
        found = f"describe({value})"
        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
            if not names or not set(names) <= set(_TYPE_TESTS):
                raise Unsupported(f"type {schema['type']}")
            test = " or ".join(_TYPE_TESTS[name].format(k=kind, v=value) for name in names)
            self._add(indent, f"if not ({test}):")
            expected = self.constant(expected_text("type", schema["type"]))
            self._violation(indent + 1, where, "type", expected, found)
        if "enum" in schema:
            if not all(isinstance(option, str) for option in schema["enum"]):
                raise Unsupported("an enum of other than strings")
            options = self.constant(frozenset(schema["enum"]))
            self._add(indent, f"if {kind} is not str or {value} not in {options}:")
            expected = self.constant(expected_text("enum", schema["enum"]))
            self._violation(indent + 1, where, "enum", expected, found)
        for keyword, operator in (("minimum", "<"), ("maximum", ">")):
            if keyword in schema:
                limit = schema[keyword]
                if type(limit) not in (int, float):
                    raise Unsupported(f"{keyword} {limit!r}")
                bound = self.constant(limit)
                self._add(
                    indent, f"if ({kind} is int or {kind} is float) and {value} {operator} {bound}:"
                )
                expected = self.constant(expected_text(keyword, limit))
                self._violation(indent + 1, where, keyword, expected, found)
        if "format" in schema:
            if schema["format"] != "date-time":
                raise Unsupported(f"format {schema['format']}")
            self._add(indent, f"if {kind} is str and not date_time({value}):")
            expected = self.constant(expected_text("format", "date-time"))
            found = f"{found} + offset_hint({value})"
            self._violation(indent + 1, where, "format", expected, found)
        if {"required", "properties", "additionalProperties"} & set(schema):
            self._object(schema, value, kind, path, indent, depth)

    def _object(
        self,
        schema: Mapping[str, Any],
        value: str,
        kind: str,
        path: tuple[str, ...],
        indent: int,
        depth: int,
    ) -> None:
        """The checks of the object keywords of `schema`, for a value that is an object."""
        self._add(indent, f"if {kind} is dict:")
        inner = indent + 1
        self._add(inner, "pass")  # the block is never empty, whatever the keywords hold
        for name in schema.get("required", ()):
            self._add(inner, f"if {self.constant(name)} not in {value}:")
            self._violation(
                inner + 1, self.constant(json_path((*path, name))), "required", "REQUIRED", "ABSENT"
            )
        properties = schema.get("properties", {})
        for name, subschema in properties.items():
            if subschema is True:
                continue
            item = self._name()
            self._add(inner, f"{item} = {value}.get({self.constant(name)}, MISSING)")
            self._add(inner, f"if {item} is not MISSING:")
            self.schema(subschema, item, (*path, name), inner + 1, depth + 1)
        additional = schema.get("additionalProperties", True)
        if additional is False:
            named = self.constant(frozenset(properties))
            prefix = self.constant(path)
            expected = self.constant(expected_text("additionalProperties", False))
            self._add(inner, f"for key in {value}:")
            self._add(inner + 1, f"if key not in {named}:")
            self._violation(
                inner + 2,
                f"jp({prefix} + (key,))",
                "additionalProperties",
                expected,
                f"describe({value}[key])",
            )
        elif additional is not True:
            raise Unsupported("an additionalProperties schema")


def write(schema: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The source of the lister of a bundled schema and the constants it refers to;
    `Unsupported` for a schema it is not written for."""
    writer = _Writer(schema.get("$defs", {}))
    writer.schema(schema, "document", (), 1, 0)
    body = "\n".join(writer.lines)
    return f"def violations(document):\n    out = []\n{body}\n    return out\n", writer.constants


def compile_lister(schema: Mapping[str, Any]) -> Lister:
    """The lister of a bundled schema; `Unsupported` for a schema it is not written for. Only
    Python names of its own go into the source: keys, paths and texts are constants."""
    import jsonschema_rs

    source, constants = write(schema)
    date_time = jsonschema_rs.validator_for(
        {"type": "string", "format": "date-time"}, validate_formats=True
    ).is_valid
    namespace: dict[str, Any] = {
        **constants,
        "V": Violation,
        "describe": describe,
        "jp": json_path,
        "date_time": date_time,
        "offset_hint": offset_hint,
        "MISSING": object(),
        "REQUIRED": REQUIRED,
        "ABSENT": ABSENT,
    }
    exec(compile(source, "<lister>", "exec"), namespace)
    lister: Lister = namespace["violations"]
    return lister


def build(profile: Profile, part: Part) -> Lister | None:
    """The lister for a profile and part, or None when its schema uses what the lister is not
    written for."""
    try:
        return compile_lister(bundled_schema(profile, part))
    except Unsupported:
        return None
