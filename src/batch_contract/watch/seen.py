"""Joins findings with recorded responses: how many recorded bodies show each change a response
can show (`seen: N`). The recordings are read with validate-status's bounded readers
(cassettes, JSON, NDJSON, folders); a body that is not JSON is skipped, and whatever cannot be
read is named, one line each."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from batch_contract.core.documents import iter_items
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.reading import Document
from batch_contract.errors import DocumentError
from batch_contract.watch.compare import Finding

_ABSENT = object()
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def bodies(paths: Sequence[str], unread: list[str]) -> Iterator[Any]:
    """The parsed bodies of the recordings. Each path, folder entry or subfolder that cannot be
    read, and each problem validate-status reports of a document (a cassette it cannot load, an
    interaction not as vcrpy writes it, a document too large), is one line in `unread`, and the
    rest are still read; a body that is not JSON is skipped."""
    for item in iter_items(paths, stdin=io.BytesIO(), errors=unread):
        documents = [item] if isinstance(item, Document) else item.documents()
        for document in documents:
            if document.problem is not None:
                unread.append(f"{document.location}: {document.problem}")
                continue
            try:
                yield parse_document(document.raw)
            except DocumentError:
                continue


def _at(body: Any, path: str) -> Any:
    """The value at a `$.a.b` path, `_ABSENT` when the field is missing, None for a path through
    a value that is not an object."""
    node = body
    for name in path[2:].split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(name, _ABSENT)
    return node


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, float) and value.is_integer():
        return "integer"
    return _JSON_TYPES.get(type(value), "string")


def shows(finding: Finding, body: Any) -> bool | None:
    """Whether one body shows the change; None for a change no body can show."""
    if not finding.path.startswith("$.") or "[" in finding.path:
        return None
    value = _at(body, finding.path)
    parent = _at(body, finding.path.rsplit(".", 1)[0]) if finding.path.count(".") > 1 else body
    kind = finding.id
    if kind == "response-property-enum-value-added":
        return value is not _ABSENT and value == finding.new
    if kind == "response-property-added":
        return value is not _ABSENT
    if kind in (
        "response-required-property-removed",
        "response-optional-property-removed",
        "response-property-became-optional",
    ):
        return isinstance(parent, dict) and value is _ABSENT
    if kind == "response-property-became-nullable":
        return value is None
    if kind == "response-property-type-changed":
        old = finding.old if isinstance(finding.old, list) else []
        if value is _ABSENT or value is None or not old:
            return False
        kind_of = _type(value)
        if isinstance(finding.extra.get("old_node", {}).get("enum"), list):
            return value not in finding.extra["old_node"]["enum"]
        return kind_of not in old and not (kind_of == "integer" and "number" in old)
    if kind in ("response-property-min-changed", "response-property-max-changed"):
        bound = finding.old
        if not isinstance(bound, int | float) or isinstance(value, bool):
            return False
        if not isinstance(value, int | float):
            return False
        return value < bound if kind.endswith("min-changed") else value > bound
    return None


def count_seen(findings: list[Finding], paths: Sequence[str], unread: list[str]) -> None:
    """Sets `seen` on every finding a response can show (left None on the others); what cannot
    be read goes to `unread`, one line each (`bodies`), and so does recordings that hold no JSON
    body at all (a `seen: 0` over nothing would read as looked at and not found)."""
    countable = [f for f in findings if shows(f, {}) is not None]
    for finding in countable:
        finding.seen = 0
    problems, read = len(unread), 0
    for body in bodies(paths, unread):  # read even when nothing is countable: an unreadable
        read += 1  # path is an error either way
        for finding in countable:
            if shows(finding, body):
                finding.seen = (finding.seen or 0) + 1
    if read == 0 and len(unread) == problems:
        unread.append(f"no recorded JSON body found in {' '.join(paths)}")
