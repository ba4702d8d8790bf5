"""The light path: clears a document that is surely valid and raises no rule finding, with the
standard library alone.

A run over one file spends most of its time loading its engines: importing orjson and jsonschema-rs
takes about 0.1 s here, more than reading and checking a small document costs. This path lets such a
run, a short NDJSON stream, and any run whose first documents are clean, skip that: it reads the
document with the standard `json` module (`jsondoc.parse_light`), checks the value against a
predicate derived from the bundled schema and runs the quick rule test (`semantics.clean`). It
answers True only when sure, and False whenever in doubt; the caller then takes the full path, which
decides exactly, so this path can only make a run faster, never change a verdict or a message.

Sure means all of these hold:

1. `jsondoc.parse_light` reads the bytes as the value orjson reads, and the full path accepts
   them as one well-formed document;
2. the value honours the schema, by a predicate built from it for the keywords the bundled schemas
   use (type, enum, minimum, maximum, the date-time format with `datetimes`' decision, properties,
   required, additionalProperties, `$ref`); a schema with any other keyword gets no light path;
3. the quick rule test finds nothing.

tests/engine/test_lightpath.py holds it to the full path over every example document and the
generated corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batch_contract.core import semantics
from batch_contract.core.datetimes import is_rfc3339_datetime
from batch_contract.core.jsondoc import parse_light
from batch_contract.core.schemas import ANNOTATIONS, KEYWORDS, Part, Profile, bundled_schema

Check = Callable[[Any], bool]
"""Whether a value honours one schema."""


class Unsupported(Exception):
    """The schema uses something the light path does not derive a predicate for."""


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),  # and a float with no fractional part: `whole` below
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}


def compile_schema(schema: Any, defs: Mapping[str, Any], depth: int = 0) -> Check:
    """The predicate of a (bundled) schema, each keyword checked on its own as JSON Schema 2020-12
    says; `Unsupported` for a keyword, type, format or reference it does not know. One closure per
    schema: it runs once per value of a document, so its tests are written out."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict) or depth > 32:
        raise Unsupported(f"subschema {schema!r}")
    unknown = set(schema) - ANNOTATIONS - KEYWORDS
    if unknown:
        raise Unsupported(f"keywords {sorted(unknown)}")
    ref: Check | None = None
    if "$ref" in schema:
        if schema["$ref"] not in defs:
            raise Unsupported(f"$ref {schema['$ref']}")
        ref = compile_schema(defs[schema["$ref"]], defs, depth + 1)
    types: frozenset[type] | None = None
    whole = False
    if "type" in schema:
        names = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
        if not set(names) <= set(_TYPES):
            raise Unsupported(f"type {schema['type']}")
        types = frozenset(kind for name in names for kind in _TYPES[name])
        whole = "integer" in names and "number" not in names
    enum: frozenset[str] | None = None
    if "enum" in schema:
        if not all(isinstance(v, str) for v in schema["enum"]):
            raise Unsupported("enum of other than strings")
        enum = frozenset(schema["enum"])
    low, high = schema.get("minimum"), schema.get("maximum")
    bounded = low is not None or high is not None
    date_time = False
    if "format" in schema:
        if schema["format"] != "date-time":
            raise Unsupported(f"format {schema['format']}")
        date_time = True
    required = tuple(schema.get("required", ()))
    objects = "properties" in schema or "additionalProperties" in schema
    properties = {
        name: compile_schema(sub, defs, depth + 1)
        for name, sub in schema.get("properties", {}).items()
    }
    additional = compile_schema(schema.get("additionalProperties", True), defs, depth + 1)

    def check(value: Any) -> bool:
        kind = type(value)
        if (
            types is not None
            and kind not in types
            and not (whole and kind is float and value.is_integer())
        ):
            return False
        if enum is not None and (kind is not str or value not in enum):
            return False
        if (
            bounded
            and (kind is int or kind is float)
            and ((low is not None and value < low) or (high is not None and value > high))
        ):
            return False
        if date_time and kind is str and not is_rfc3339_datetime(value):
            return False
        if kind is dict:
            for key in required:
                if key not in value:
                    return False
            if objects:
                for key, item in value.items():
                    if not properties.get(key, additional)(item):
                        return False
        return ref is None or ref(value)

    return check


class LightPath:
    """Clears documents that are surely valid with no rule finding (see the module docstring)."""

    def __init__(self, valid: Check, clean: Check) -> None:
        self._valid = valid
        self._clean = clean

    def clears(self, raw: bytes) -> bool:
        """Whether the document in `raw` is surely valid with no rule finding at any level (False:
        take the full path)."""
        value = parse_light(raw)
        return value is not None and self._valid(value) and self._clean(value)


def build(profile: Profile, part: Part) -> LightPath | None:
    """The light path for a profile and part, or None when the schema uses what it does not derive
    or the document rules changed (`semantics.clean_covers`)."""
    from batch_contract.core.rules import RULES

    if not semantics.clean_covers(r.check for r in RULES.values() if r.kind == "document"):
        return None
    schema = bundled_schema(profile, part)
    try:
        valid = compile_schema(schema, schema.get("$defs", {}))
    except Unsupported:
        return None
    return LightPath(valid, semantics.job_clean if part == "job" else semantics.document_clean)
