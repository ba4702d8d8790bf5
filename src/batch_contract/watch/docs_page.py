"""Reads a copy of the endpoint's documentation page (the format of
docs/get-batch-job-status.md): the operation line, the parameters and the nested list of the
response's fields, with their types, optionality and enum values."""

from __future__ import annotations

import re

from batch_contract.watch.operations import Facts, Operation
from batch_contract.watch.shapes import Node, any_node

_OPERATION = re.compile(r"^\*\*(get|post|put|patch|delete)\*\*\s+`([^`]+)`", re.MULTILINE)
_BULLET = re.compile(r"^(?P<indent>\s*)- `(?P<text>.+)`\s*$")
_TYPES = {
    "string": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "object": "object",
    "array": "array",
}


def _section(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    found, inside = [], False
    for line in lines:
        if line.startswith("#"):
            inside = line.lstrip("#").strip().lower() == heading
            continue
        if inside:
            found.append(line)
    return found


def _type(text: str) -> tuple[Node, bool]:
    """The node of a documented type (`optional string`, `"a" or "b" or 3 more`, `object {..}`)
    and whether the field is required."""
    required = True
    if text.startswith("optional "):
        required, text = False, text[len("optional ") :]
    node = any_node()
    kinds = [part.strip() for part in re.split(r"\s+or\s+", text.split("{")[0])]
    if any(kind.startswith('"') for kind in kinds):
        node["types"] = ["string"]
        node["enum"] = []  # filled from the value bullets below the field
    else:
        for kind in kinds:
            head = kind.split()[0] if kind else ""
            if head == "null":
                node["nullable"] = True
            elif head in _TYPES:
                node["types"] = sorted({*node["types"], _TYPES[head]})
    if "object" in node["types"]:
        node["properties"] = {}
    return node, required


def read_docs(text: str, label: str) -> Facts:
    """The facts of a documentation copy; no operation line means the page no longer documents
    the endpoint."""
    match = _OPERATION.search(text)
    if match is None:
        return Facts("docs", label, None)
    operation = Operation(match.group(1).upper(), match.group(2))
    for line in _section(text, "parameters"):
        bullet = _BULLET.match(line)
        if bullet is None or ":" not in bullet["text"]:
            continue
        name, _, kind = bullet["text"].partition(":")
        key = name.strip().lstrip("-").replace("-", "_")
        operation.parameters[key] = {
            "in": "query",
            "required": not kind.strip().startswith("optional"),
        }
    if operation.parameters:
        first = next(iter(operation.parameters))
        operation.parameters[first]["in"] = "path"
    operation.response = _response(_section(text, "returns"))
    return Facts("docs", label, operation)


def _response(lines: list[str]) -> Node | None:
    """The response node from the nested bullets of the Returns section."""
    stack: list[tuple[int, Node]] = []
    root: Node | None = None
    last: Node | None = None
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet is None:
            continue
        depth, text = len(bullet["indent"]), bullet["text"]
        if text.startswith('"') and last is not None and "enum" in last:
            last["enum"] = sorted({*last["enum"], text.strip('"')})
            continue
        name, _, kind = text.partition(":")
        node, required = _type(kind.strip())
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack:
            root = node if root is None else root
        else:
            parent = stack[-1][1]
            parent.setdefault("properties", {})[name.strip()] = node
            if required:
                parent["required"] = sorted({*parent.get("required", []), name.strip()})
        stack.append((depth, node))
        last = node
    return root
