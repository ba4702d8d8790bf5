"""The fast lane for NDJSON lines: one native pass decides most valid lines.

msgspec decodes a line straight into Structs derived from the schema (types, enums, bounds,
required and nullable fields; no undocumented field) without building a dict first. A line is
*clean* (valid, and no rule finds anything at any level) when all of these hold:

1. msgspec decodes it into the derived Structs;
2. msgspec encodes the decoded value back to the very same bytes (the line keeps its newline,
   and the lane adds one to the encoding). So the line is compact JSON,
   holds every key once (a duplicate key would be in the line twice and in the encoding once),
   and has no escape sequence or number spelling whose meaning the decoded value hides;
3. jsonschema-rs finds the fields with a format (the date-times) valid against their own
   subschemas: the same engine and date-time decision as the full path;
4. the quick rule test (`quick.values_clean`) says the job surely raises no rule finding.

A line that fails any step is not judged here: it takes the full path (`runner.Checker`), which
decides exactly, so the lane can only make a run faster, never change a verdict. The lane is
derived from the schema (a `$ref` beside other keywords, as the strict profile tightens the
documented one, is read as both schemas at once); a schema keyword it does not understand means no
lane (`build` returns None). msgspec encodes fields in the order they are declared, so the lane
adopts the key order of the stream from the lines the full path finds clean (`learn`).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import msgspec
import orjson

from batch_contract.core.check import SAFE_INTEGER, number_violations
from batch_contract.core.schemas import ANNOTATIONS, Part, Profile, bundled_schema
from batch_contract.engine import codegen, quick

_ANNOTATIONS = ANNOTATIONS - {"$defs"}
_SCALARS: dict[str, Any] = {"string": str, "boolean": bool, "null": type(None)}
_MAX_ORDERS = 16
"""Key orders learned per run at most: a stream with more is not one producer's."""
_EAGER, _EVERY = 64, 256
"""`learn` reads the first 64 values it is given, then one in 256."""

Signature = tuple[tuple[str, Any], ...]
"""A key order: each key of an object with the signature of its object value (None for a leaf)."""


class Unsupported(Exception):
    """The schema uses something the lane does not derive types for."""


@dataclass(frozen=True)
class _Object:
    """An object schema: its properties (a msgspec type or an `_Object` each) and required keys."""

    properties: dict[str, Any]
    required: frozenset[str]
    formats: dict[str, Mapping[str, Any]]
    """The properties with a format (date-time), with their subschemas."""
    open: bool
    """Whether the schema allows properties it does not name (no `additionalProperties`)."""


def _resolve(schema: Any, defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema behind a subschema that is only a `$ref` to a bundled file."""
    while isinstance(schema, dict) and set(schema) - _ANNOTATIONS == {"$ref"}:
        schema = defs[schema["$ref"]]
    if not isinstance(schema, dict):
        raise Unsupported(f"boolean subschema {schema!r}")
    return schema


def _flat(schema: Any, defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """A subschema as one schema without `$ref`: a `$ref` beside other keywords (a profile that
    tightens another, as the strict profile does) is the referenced schema met with them."""
    resolved = _resolve(schema, defs)
    if "$ref" not in resolved:
        return resolved
    keywords = set(resolved) - _ANNOTATIONS - {"$defs"}
    if not keywords <= {"$ref", "type", "properties", "required", "additionalProperties"}:
        raise Unsupported(f"keywords {sorted(keywords)} beside $ref")
    own = {key: value for key, value in resolved.items() if key in keywords - {"$ref"}}
    return _meet(_flat({"$ref": resolved["$ref"]}, defs), {"type": "object", **own}, defs)


def _meet(first: Any, second: Any, defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """One schema for the values both subschemas accept (`allOf` of the two), for the keywords
    the lane derives types for."""
    if first is True:
        return _flat(second, defs)
    if second is True:
        return _flat(first, defs)
    a, b = _flat(first, defs), _flat(second, defs)
    if "properties" in a or "properties" in b:
        return _meet_objects(a, b, defs)
    return _meet_leaves(a, b)


def _meet_objects(
    a: Mapping[str, Any], b: Mapping[str, Any], defs: Mapping[str, Any]
) -> Mapping[str, Any]:
    """`_meet` of two object schemas: a property either names must satisfy both (a property one
    schema closes out and the other names makes no lane)."""
    if a.get("type") != "object" or b.get("type") != "object":
        raise Unsupported("an object schema without type object")
    closed_a = a.get("additionalProperties", True) is False
    closed_b = b.get("additionalProperties", True) is False
    props_a, props_b = a.get("properties", {}), b.get("properties", {})
    properties: dict[str, Any] = {}
    for name in [*props_a, *(name for name in props_b if name not in props_a)]:
        if (name not in props_a and closed_a) or (name not in props_b and closed_b):
            continue  # forbidden by the closed one: absent
        properties[name] = _meet(props_a.get(name, True), props_b.get(name, True), defs)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    required = [*a.get("required", ()), *b.get("required", ())]
    if not set(required) <= set(properties):
        raise Unsupported("a required property the schema forbids")
    if required:
        out["required"] = list(dict.fromkeys(required))
    if closed_a or closed_b:
        out["additionalProperties"] = False
    return out


def _meet_leaves(a: Mapping[str, Any], b: Mapping[str, Any]) -> Mapping[str, Any]:
    """`_meet` of two scalar schemas: the types both allow, the tighter bounds, either's format
    and enum."""
    out = {key: value for key, value in a.items() if key not in _ANNOTATIONS}
    for key, value in b.items():
        if key in _ANNOTATIONS:
            continue
        if key not in out:
            out[key] = value
        elif key == "type":
            mine = [out[key]] if isinstance(out[key], str) else list(out[key])
            theirs = [value] if isinstance(value, str) else list(value)
            both = [
                "integer" if "integer" in (t, u) else t
                for t in mine
                for u in theirs
                if t == u or {t, u} == {"integer", "number"}
            ]
            if not both:
                raise Unsupported("no type both allow")
            out[key] = list(dict.fromkeys(both))
        elif key == "minimum":
            out[key] = max(out[key], value)
        elif key == "maximum":
            out[key] = min(out[key], value)
        elif out[key] != value:  # two formats, or two enums
            raise Unsupported(f"two {key}s")
    return out


def _leaf(schema: Mapping[str, Any]) -> tuple[Any, bool]:
    """The msgspec type of a scalar schema, and whether it has a format (checked apart)."""
    keywords = set(schema) - _ANNOTATIONS
    if not keywords <= {"type", "enum", "minimum", "maximum", "format"}:
        raise Unsupported(f"keywords {sorted(keywords)}")
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or ())
    if not types:
        raise Unsupported("no type")
    fmt = schema.get("format")
    if fmt not in (None, "date-time") or (fmt and set(types) - {"string", "null"}):
        raise Unsupported(f"format {fmt}")
    # within +-(2^53-1) at most: a number beyond is a violation of the one check (I-JSON)
    bounds = {"ge": max(schema.get("minimum", -SAFE_INTEGER), -SAFE_INTEGER)}
    bounds["le"] = min(schema.get("maximum", SAFE_INTEGER), SAFE_INTEGER)
    members: list[Any] = []
    for name in types:
        if name == "integer":  # a float with no fractional part is an integer to JSON Schema
            members += [_bounded(int, bounds), _bounded(float, {**bounds, "multiple_of": 1})]
        elif name == "number":  # int kept apart from float, so that 40 is encoded back as 40
            members += [_bounded(int, bounds), _bounded(float, bounds)]
        elif name in _SCALARS:
            members.append(_SCALARS[name])
        else:
            raise Unsupported(f"type {name}")
    if "enum" in schema:
        values = schema["enum"]
        if set(types) != {"string"} or not all(isinstance(v, str) for v in values):
            raise Unsupported("enum of other than strings")
        members = [Literal[tuple(values)]]
    return (Union[tuple(members)] if len(members) > 1 else members[0]), fmt == "date-time"  # noqa: UP007


def _bounded(kind: type, bounds: dict[str, Any]) -> Any:
    """`kind` with msgspec's ge/le constraints (JSON Schema's minimum and maximum)."""
    return Annotated[kind, msgspec.Meta(**bounds)] if bounds else kind


def _object(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> _Object:
    """The `_Object` of an object schema with properties."""
    keywords = set(schema) - _ANNOTATIONS - {"$defs"}
    if not keywords <= {"type", "properties", "required", "additionalProperties"}:
        raise Unsupported(f"keywords {sorted(keywords)}")
    if schema.get("type") != "object":
        raise Unsupported("an object schema without type object")
    if schema.get("additionalProperties", False) is not False:
        raise Unsupported("additionalProperties other than false")
    properties: dict[str, Any] = {}
    formats: dict[str, Mapping[str, Any]] = {}
    for name, sub in schema.get("properties", {}).items():
        sub = _flat(sub, defs)
        if "properties" in sub:
            properties[name] = _object(sub, defs)
        else:
            properties[name], has_format = _leaf(sub)
            if has_format:
                formats[name] = sub
    closed = schema.get("additionalProperties", True) is False
    return _Object(properties, frozenset(schema.get("required", ())), formats, not closed)


def _attribute(name: str) -> str:
    """A property name as it may appear in the lane's source (`codegen.clean_function`): a plain
    identifier, else no lane."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise Unsupported(f"property {name!r} is no identifier")
    return name


_UNNAMEABLE = re.compile(r'[\\"\x00-\x1f]')
"""What msgspec refuses in the JSON name of a field: a key the lane leaves to the full path."""
EXTRA = "*"
"""The signature of a property the schema does not name (its value, any JSON, is kept raw)."""
OPTIONAL = "?"
"""The signature of a named property some lines leave out (absent: None, not encoded)."""


def _struct(
    shape: _Object, order: Signature, name: str, extras: list[str], path: str = ""
) -> type[msgspec.Struct]:
    """A Struct for `shape` whose fields come in `order` (then the rest, optional, not encoded
    when None). An `OPTIONAL` property is None when absent and not encoded then; a property the
    schema does not name becomes an optional `msgspec.Raw` field (absent: UNSET, not encoded),
    and its attribute path is added to `extras`."""
    fields: list[Any] = []
    rename: dict[str, str] = {}
    for key, child in order:
        if child == EXTRA:
            if _UNNAMEABLE.search(key):  # msgspec cannot rename a field to such a key
                raise Unsupported(f"undocumented property {key!r}")
            attribute = f"extra_{len(extras)}"
            rename[attribute] = key
            extras.append(path + attribute)
            fields.append((attribute, Union[msgspec.Raw, msgspec.UnsetType], msgspec.UNSET))  # noqa: UP007
            continue
        spec = shape.properties[key]
        if child == OPTIONAL:
            if key in shape.required or isinstance(spec, _Object):
                raise Unsupported(f"order without {key}")
            fields.append((key, Union[spec, None], None))  # noqa: UP007
            continue
        if isinstance(spec, _Object):
            kind = _struct(spec, child, f"{name}_{key}", extras, f"{path}{_attribute(key)}.")
        else:
            kind = spec
        fields.append((key, kind))
    present = {key for key, _ in order}
    for key, spec in shape.properties.items():
        if key in present:
            continue
        if key in shape.required or isinstance(spec, _Object):
            raise Unsupported(f"order without {key}")
        fields.append((key, Union[spec, None], None))  # noqa: UP007
    return msgspec.defstruct(  # kw_only: fields with a default may come before the others
        name,
        fields,
        kw_only=True,
        forbid_unknown_fields=True,
        omit_defaults=True,
        rename=rename or None,
        gc=False,  # scalars only, so no cycle: not tracked, cheaper to make and to free
    )


def _merge(current: Signature, new: Signature) -> Signature | None:
    """One key order for the lines of both: the properties in the order they share, and those
    only one of them has made optional (absent: not encoded); None when the two order some
    properties differently, or only one has an object property."""
    in_current = {key for key, _ in current}
    in_new = {key for key, _ in new}
    out: list[tuple[str, Any]] = []
    i = j = 0
    while i < len(current) or j < len(new):
        if i < len(current) and j < len(new) and current[i][0] == new[j][0]:
            (key, mine), theirs = current[i], new[j][1]
            child: Any
            if isinstance(mine, tuple) and isinstance(theirs, tuple):
                child = _merge(mine, theirs)
                if child is None:
                    return None
            elif mine == theirs:  # leaf and leaf, optional and optional, raw and raw
                child = mine
            elif isinstance(mine, tuple) or isinstance(theirs, tuple) or EXTRA in (mine, theirs):
                return None
            else:  # a leaf here, optional there
                child = OPTIONAL
            out.append((key, child))
            i += 1
            j += 1
        elif i < len(current) and current[i][0] not in in_new:
            out.append(_optional(current[i]))
            i += 1
        elif j < len(new) and new[j][0] not in in_current:
            out.append(_optional(new[j]))
            j += 1
        else:  # the same properties in another order
            return None
    return None if any(entry is None for entry in out) else tuple(out)


def _optional(entry: tuple[str, Any]) -> Any:
    """A property only some lines have: kept raw, or optional; None for an object property."""
    key, child = entry
    if isinstance(child, tuple):
        return None
    return (key, EXTRA if child == EXTRA else OPTIONAL)


def _schema_order(shape: _Object) -> Signature:
    """Every property in the schema's order."""
    return tuple(
        (key, _schema_order(spec) if isinstance(spec, _Object) else None)
        for key, spec in shape.properties.items()
    )


def signature(value: Any, shape: _Object) -> Signature | None:
    """The key order of a parsed object (a property the schema does not name marked `EXTRA`), or
    None when the value does not have the shape of the schema."""
    if type(value) is not dict:
        return None
    out: list[tuple[str, Any]] = []
    for key, item in value.items():
        spec = shape.properties.get(key)
        if spec is None:
            if not shape.open:
                return None
            out.append((key, EXTRA))
            continue
        if isinstance(spec, _Object):
            child = signature(item, spec)
            if child is None:
                return None
            out.append((key, child))
        else:
            out.append((key, None))
    return tuple(out)


class FastLane:
    """Decides whether an NDJSON line is clean in one native pass (see the module docstring)."""

    def __init__(self, shape: _Object, part: Part) -> None:
        import jsonschema_rs

        self._shape = shape
        self._part = part
        job = shape if part == "job" else shape.properties["job"]
        if not isinstance(job, _Object) or not set(quick.FIELDS) <= set(job.properties):
            raise Unsupported("no job object with the fields the rules read")
        if part == "status" and shape.formats:
            raise Unsupported("a format outside the job")
        self._format_names = [_attribute(name) for name in job.formats]
        # the fields with a format, as one array checked by jsonschema-rs against their own
        # subschemas: the engine and the date-time decision of the full path. An absent field
        # reads None, so None passes here; a null the schema forbids never gets this far (msgspec
        # rejects it, or drops it from the encoding, which then differs from the line).
        formats = {
            "type": "array",
            "prefixItems": [_or_null(job.formats[name]) for name in self._format_names],
        }
        self._formats_valid = jsonschema_rs.validator_for(formats, validate_formats=True).is_valid
        self._decoders: dict[Signature, tuple[Callable[[bytes], Any], list[str]]] = {}
        self._seen = 0
        self._order = _schema_order(shape)
        self._decode, self._extras = self._decoder(self._order)
        self.clean: Callable[[bytes], bool] = self._make_clean()
        """Whether a line, its newline included (as `LineBlock` holds it), is surely valid with no
        rule finding (False: take the full path; a line without its newline always does)."""

    def _decoder(self, order: Signature) -> tuple[Callable[[bytes], Any], list[str]]:
        """The decode function for `order` and the attribute paths of its raw properties."""
        made = self._decoders.get(order)
        if made is None:
            extras: list[str] = []
            decode = msgspec.json.Decoder(_struct(self._shape, order, "Lane", extras)).decode
            made = self._decoders[order] = (decode, extras)
        return made

    def learn(self, value: Any) -> None:
        """Adopt the key order of a value the full path found clean, unless the lane has it
        already: merged into the lane's own when the two agree on the order of the properties
        they share (`_merge`), else in its place (at most `_MAX_ORDERS` orders per run). Reading
        the order costs more than the lane saves on one line, so after the first `_EAGER` values
        only one in `_EVERY` is read."""
        self._seen += 1
        if self._seen > _EAGER and self._seen % _EVERY:
            return
        order = signature(value, self._shape)
        if order is None:
            return
        merged = _merge(self._order, order)
        order = order if merged is None else merged
        if order == self._order:
            return
        if order not in self._decoders and len(self._decoders) >= _MAX_ORDERS:
            return
        try:
            self._decode, self._extras = self._decoder(order)
        except Unsupported:  # a required key absent: the full path will have said so
            return
        self._order = order
        self.clean = self._make_clean()

    def _make_clean(self) -> Callable[[bytes], bool]:
        """`clean` for the current key order (`codegen.clean_function`)."""
        return codegen.clean_function(
            part=self._part,
            formats=self._format_names,
            rules=quick.FIELDS,
            extras=self._extras,
            namespace={
                "decode": self._decode,
                "failures": (msgspec.DecodeError, UnicodeDecodeError),
                # encoded into one reused buffer: a line is longer than the small-object
                # allocator serves, so a new bytes object per line would cost a third of the
                # encoding itself
                "encode_into": msgspec.json.Encoder().encode_into,
                "encoded": bytearray(),
                "formats_valid": self._formats_valid,
                "values_clean": quick.values_clean,
                "unset": msgspec.UNSET,
                "strict_raw": _strict_raw,
            },
        )


def _or_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A scalar schema that also accepts null."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    return {**schema, "type": types if "null" in types else [*types, "null"]}


def _strict_raw(raw: Any) -> bool:
    """Whether a raw property value is JSON the full path takes as it is: orjson parses it (no
    NaN, no number out of range, no unpaired surrogate) and writes it back byte for byte (compact,
    no duplicate key, at most 255 levels deep)."""
    data = bytes(raw)
    try:
        value = orjson.loads(data)
        return orjson.dumps(value) == data and not number_violations(value)
    except (orjson.JSONDecodeError, TypeError):
        return False


def build(profile: Profile, part: Part) -> FastLane | None:
    """The lane for a profile and part, or None when the schema uses what the lane does not
    derive (the full path then checks every line) or the document rules changed."""
    if not quick.covers():
        return None
    schema = bundled_schema(profile, part)
    defs = schema.get("$defs", {})
    try:
        return FastLane(_object(_flat(schema, defs), defs), part)
    except Unsupported:
        return None
