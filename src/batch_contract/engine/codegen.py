"""The one code generator: Python source written from the bundled schema, compiled once per run.

Two kinds of function are written here, and nothing else in the package writes or runs source:

- **the lister** (`lister`): every schema violation of a parsed value, as straight-line checks
  written keyword by keyword from the bundled schema (type, enum, minimum, maximum, the date-time
  format, properties, required, additionalProperties, `$ref`, boolean subschemas), each as JSON
  Schema 2020-12 says, with the paths, keywords and texts of `validation.Validator`. It lists an
  invalid line faster than jsonschema-rs's `iter_errors` and the reading of its errors
  (docs/performance.md), and, with the standard library's date-time decision, it is the light
  path's test that a document is valid (an empty list) before any engine is loaded;
- **the fast lane's line test** (`clean_function`), for one key order of the stream.

Each is written out, not built from closures, because it runs once per document: one call, no
function per subschema. Only names of its own go into the source: keys, paths, texts and enums are
constants. A schema keyword it is not written for raises `Unsupported`, and the caller then takes
the full path. tests/engine/test_codegen.py holds the lister to both schema engines over every
example document; tests/engine/test_fast_path.py over the benchmark corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batch_contract.core.check import Lister
from batch_contract.core.datetimes import offset_hint
from batch_contract.core.results import Violation
from batch_contract.core.schemas import ANNOTATIONS, KEYWORDS, Part, Profile, bundled_schema
from batch_contract.core.validation import ABSENT, REQUIRED, describe, expected_text, json_path

_TYPE_TESTS = {
    "string": "{k} is str",
    "null": "{v} is None",
    "boolean": "{k} is bool",
    "object": "{k} is dict",
    "array": "{k} is list",
    "number": "{k} is int or {k} is float",
    "integer": "{k} is int or ({k} is float and {v}.is_integer())",
}
"""The test of each JSON type on a value `v` of Python type `k` (as orjson and `json` read JSON: a
bool is no number, a float with no fractional part is an integer)."""
_MAX_DEPTH = 32


class Unsupported(Exception):
    """The schema uses something no code is written for."""


def compile_function(source: str, name: str, filename: str, namespace: dict[str, Any]) -> Any:
    """The function `name` defined by `source`, whose other names are those of `namespace`."""
    scope = dict(namespace)
    exec(compile(source, filename, "exec"), scope)
    return scope[name]


class _Writer:
    """Writes the source of a lister, one schema at a time, into `lines`; the values the source
    refers to (paths, texts, enums) go into `constants` under the names it uses."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._names = 0
        self._referred: set[tuple[tuple[str, ...], str]] = set()
        """Each `$ref` already written at a path: its checks at that path are written once."""

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
        if schema is False or not isinstance(schema, dict) or depth > _MAX_DEPTH:
            raise Unsupported(f"subschema {schema!r}")
        unknown = set(schema) - ANNOTATIONS - KEYWORDS
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$ref" in schema:
            if schema["$ref"] not in self.defs:
                raise Unsupported(f"$ref {schema['$ref']}")
            # Written again at the same path (the strict schema refers to the documented one at
            # the top and again through its job), it would find what it found there: the value
            # at a path is the same wherever the schema reaches it, as the lister follows no
            # keyword that could reach a path twice with different values (items, conditionals).
            if (path, schema["$ref"]) not in self._referred:
                self._referred.add((path, schema["$ref"]))
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
            self._violation(
                indent + 1, where, "format", expected, f"{found} + offset_hint({value})"
            )
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


def lister_source(schema: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The source of the lister of a bundled schema and the constants it refers to;
    `Unsupported` for a schema it is not written for."""
    writer = _Writer(schema.get("$defs", {}))
    writer.schema(schema, "document", (), 1, 0)
    body = "\n".join(writer.lines)
    return f"def violations(document):\n    out = []\n{body}\n    return out\n", writer.constants


def compile_lister(schema: Mapping[str, Any], date_time: Callable[[str], bool]) -> Lister:
    """The lister of a bundled schema, deciding date-times with `date_time`; `Unsupported` for a
    schema it is not written for."""
    source, constants = lister_source(schema)
    namespace = {
        **constants,
        "V": Violation,
        "describe": describe,
        "offset_hint": offset_hint,
        "jp": json_path,
        "date_time": date_time,
        "MISSING": object(),
        "REQUIRED": REQUIRED,
        "ABSENT": ABSENT,
    }
    found: Lister = compile_function(source, "violations", "<lister>", namespace)
    return found


def engine_date_time() -> Callable[[str], bool]:
    """jsonschema-rs's own date-time decision, for a lister that must name what jsonschema-rs's
    `is_valid` found (the full path's)."""
    import jsonschema_rs

    valid: Callable[[str], bool] = jsonschema_rs.validator_for(
        {"type": "string", "format": "date-time"}, validate_formats=True
    ).is_valid
    return valid


def lister(profile: Profile, part: Part, date_time: Callable[[str], bool]) -> Lister | None:
    """The lister of a profile and part (`compile_lister`); None when its schema uses what it is
    not written for."""
    try:
        return compile_lister(bundled_schema(profile, part), date_time)
    except Unsupported:
        return None


_CLEAN = """\
def clean(line):
    try:
        doc = decode(line)
    except failures:
        return False
    encode_into(doc, encoded)
    encoded.append(10)
    job = {job}
    return (
        encoded == line{formats}
        and values_clean(({rules},), {progress}){raws}
    )
"""
"""The source of the fast lane's line test for one key order. It is written out per order,
attribute by attribute, because it runs once per line: the fields are read inline, with no getter
or further call."""


def clean_function(
    *,
    part: Part,
    formats: list[str],
    rules: tuple[str, ...],
    extras: list[str],
    namespace: dict[str, Any],
) -> Callable[[bytes], bool]:
    """The fast lane's line test (`fastlane.FastLane.clean`) for one decoder: the job's
    attributes `formats` (date-times) checked by `formats_valid`, the attributes `rules` handed to
    `values_clean`, and the raw attribute paths `extras` checked by `strict_raw`; `namespace`
    gives those names and `decode`, `failures`, `encode_into`, `encoded` and `unset`. Only the
    schema's property names (identifiers) and the lane's own `extra_N` attributes reach it."""
    dates = ", ".join(f"job.{name}" for name in formats)
    source = _CLEAN.format(
        job="doc" if part == "job" else "doc.job",
        formats=f"\n        and formats_valid(({dates},))" if dates else "",
        rules=", ".join(f"job.{name}" for name in rules),
        progress="None" if part == "job" else "doc.progress_percentage",
        raws="".join(
            f"\n        and ((raw := doc.{path}) is unset or strict_raw(raw))" for path in extras
        ),
    )
    clean: Callable[[bytes], bool] = compile_function(
        source, "clean", f"<fastlane clean, {part}>", namespace
    )
    return clean
