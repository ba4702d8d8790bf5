"""One normal form for the response schemas of the three sources: a `Node` is a plain dict.

`types` (sorted, without "null"; empty means any), `nullable`, and, when present, `enum` (sorted
values, null left out), `format`, `bounds` (minimum, maximum and their kin), `properties`,
`required` (sorted) and `items`. The nullable forms of OpenAPI (`anyOf`/`oneOf` with a
`{type: null}` branch, `type: [X, "null"]`, 3.0's `nullable: true`, a null in an enum) all give
the same node, so a spec that moves between them shows no change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from batch_contract.core.jsondoc import json_type
from batch_contract.errors import InputError

Node = dict[str, Any]
BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)
MAX_DEPTH = 64
"""How deep a response schema may nest (this endpoint's is three levels)."""


def any_node() -> Node:
    """The node that allows any value."""
    return {"types": [], "nullable": False}


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)  # YAML may give dates


def _sorted(values: list[Any]) -> list[Any]:
    unique = {_key(value): value for value in values}
    return [unique[key] for key in sorted(unique)]


class Normaliser:
    """Normalises the schemas of one OpenAPI document, resolving its local `$ref`s (a cycle, an
    external or a dangling reference is an `InputError`)."""

    def __init__(self, root: Mapping[str, Any], label: str) -> None:
        self.root = root
        self.label = label

    def _fail(self, message: str) -> InputError:
        return InputError(f"{self.label}: {message}")

    def resolve(self, ref: Any, where: str) -> Any:
        """The value a local `$ref` (`#/components/schemas/X`) points at."""
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise self._fail(f"{where}: only local $refs are read, not {ref!r}")
        value: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            else:
                raise self._fail(f"{where}: $ref {ref} points at nothing")
        return value

    def node(self, schema: Any, where: str, refs: tuple[str, ...] = (), depth: int = 0) -> Node:
        """The normal form of `schema`, found at `where` (a JSON path, for messages)."""
        if depth > MAX_DEPTH:
            raise self._fail(f"{where}: the schema nests deeper than {MAX_DEPTH} levels")
        if schema is True or schema == {}:
            return any_node()
        if not isinstance(schema, Mapping):
            raise self._fail(f"{where}: a schema must be an object, not {type(schema).__name__}")
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:
                chain = " -> ".join((*refs[refs.index(ref) :], ref))
                raise self._fail(f"{where}: $ref cycle: {chain}")
            target = self.resolve(ref, where)
            if target is True or target == {}:
                target = {}
            if not isinstance(target, Mapping):
                raise self._fail(f"{where}: $ref {ref} is not a schema")
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return self.node(merged, where, (*refs, ref), depth + 1)
        node = self._own(schema, where, refs, depth)
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = schema.get(keyword)
            if branches is None:
                continue
            if not isinstance(branches, list) or not branches:
                raise self._fail(f"{where}: {keyword} must be a non-empty array")
            parts = [self.node(b, where, refs, depth + 1) for b in branches]
            combined = merge_all(parts) if keyword == "allOf" else union(parts)
            node = merge_all([node, combined])
        if schema.get("nullable") is True or "null" in _listed(schema.get("type")):
            node["nullable"] = True  # 3.0's `nullable: true` beside an `allOf: [{$ref}]`
        return node

    def _own(
        self, schema: Mapping[str, Any], where: str, refs: tuple[str, ...], depth: int
    ) -> Node:
        """The node of the schema's own keywords (not its `allOf`/`anyOf`/`oneOf`)."""
        node = any_node()
        kind = schema.get("type")
        kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
        node["nullable"] = "null" in kinds or schema.get("nullable") is True
        node["types"] = sorted({str(k) for k in kinds if k != "null"})
        values = schema.get("enum")
        if "const" in schema:
            values = [schema["const"]]
        if isinstance(values, list):
            if None in values:
                node["nullable"] = True
            node["enum"] = _sorted([_json(v) for v in values if v is not None])
            if not node["types"]:
                node["types"] = sorted({json_type(v) for v in node["enum"]})
        if isinstance(schema.get("format"), str):
            node["format"] = schema["format"]
        bounds = {k: schema[k] for k in BOUNDS if _is_number(schema.get(k))}
        if bounds:
            node["bounds"] = bounds
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            node["properties"] = {
                str(name): self.node(sub, f"{where}.{name}", refs, depth + 1)
                for name, sub in properties.items()
            }
            if not node["types"]:
                node["types"] = ["object"]
        required = schema.get("required")
        if isinstance(required, list):
            node["required"] = sorted({str(name) for name in required})
        if "items" in schema:
            node["items"] = self.node(schema["items"], f"{where}[*]", refs, depth + 1)
        return node


def _json(value: Any) -> Any:
    """A value as JSON has it: what YAML reads as a date is the string on the wire."""
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_null_only(node: Node) -> bool:
    """Whether a node allows null and nothing else (`{type: null}`)."""
    return node["nullable"] and node["types"] == [] and "enum" not in node and len(node) == 2


def union(parts: list[Node]) -> Node:
    """`anyOf`/`oneOf`: null branches make the node nullable; the other branches are joined."""
    nullable = any(part["nullable"] for part in parts)
    real = [part for part in parts if not is_null_only(part)]
    if not real:
        return {"types": [], "nullable": True} if nullable else any_node()
    if len(real) == 1:
        node = dict(real[0])
        node["nullable"] = nullable or node["nullable"]
        return node
    joined: Node = {"types": [], "nullable": nullable}
    node = joined
    if all(part["types"] for part in real):
        node["types"] = sorted({kind for part in real for kind in part["types"]})
    if all("enum" in part for part in real):
        node["enum"] = _sorted([value for part in real for value in part["enum"]])
    formats = {part.get("format") for part in real}
    if len(formats) == 1 and None not in formats:
        node["format"] = formats.pop()
    if any("properties" in part for part in real):
        properties: dict[str, Node] = {}
        for part in real:
            properties.update(part.get("properties", {}))
        node["properties"] = properties
        common = set.intersection(*(set(part.get("required", ())) for part in real))
        if common:
            node["required"] = sorted(common)
    return node


def merge_all(parts: list[Node]) -> Node:
    """`allOf` (and a schema's own keywords with its combinators): every constraint holds."""
    node = any_node()
    node["nullable"] = all(part["nullable"] or not _constrains(part) for part in parts)
    if not any(_constrains(part) for part in parts):
        node["nullable"] = any(part["nullable"] for part in parts)
    for part in parts:
        if part["types"]:
            node["types"] = (
                sorted(set(node["types"]) & set(part["types"])) if node["types"] else part["types"]
            )
        if "enum" in part:
            node["enum"] = (
                [v for v in node["enum"] if _key(v) in {_key(w) for w in part["enum"]}]
                if "enum" in node
                else part["enum"]
            )
        if "format" in part:
            node["format"] = part["format"]
        if "bounds" in part:
            node["bounds"] = {**node.get("bounds", {}), **part["bounds"]}
        if "properties" in part:
            properties = dict(node.get("properties", {}))
            for name, sub in part["properties"].items():
                properties[name] = merge_all([properties[name], sub]) if name in properties else sub
            node["properties"] = properties
        if "required" in part:
            node["required"] = sorted(set(node.get("required", ())) | set(part["required"]))
        if "items" in part:
            node["items"] = part["items"]
    return node


def _constrains(node: Node) -> bool:
    """Whether a node says anything about the value's type (an annotation-only part of an
    `allOf`, such as `{description: ...}`, does not)."""
    return bool(node["types"]) or "enum" in node or "properties" in node or node["nullable"]
