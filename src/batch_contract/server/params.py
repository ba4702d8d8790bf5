"""Query parameter validation as FastAPI does it: `organization_id` and `project_id` are UUIDs.

The 422 body is FastAPI's HTTPValidationError with pydantic v2's `uuid_parsing` error items.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

UUID_PARAMETERS = ("organization_id", "project_id")
_HEX = frozenset(string.hexdigits)
_GROUPS = (8, 4, 4, 4, 12)


def uuid_problem(text: str) -> str | None:
    """Why `text` is not a UUID, in pydantic's words, or None when it is one."""
    start = len("urn:uuid:") if text.startswith("urn:uuid:") else 0
    core = text[start:]
    if core.startswith("{") and core.endswith("}"):
        core, start = core[1:-1], start + 1
    for index, char in enumerate(core):
        if char not in _HEX and char != "-":
            return f"invalid character: found `{char}` at {start + index}"
    if "-" not in core:
        return None if len(core) == 32 else f"invalid length: found {len(core)}"
    groups = core.split("-")
    if len(groups) != len(_GROUPS):
        return f"invalid group count: expected {len(_GROUPS)}, found {len(groups)}"
    for number, (group, size) in enumerate(zip(groups, _GROUPS, strict=True)):
        if len(group) != size:
            return f"invalid group length in group {number}: expected {size}, found {len(group)}"
    return None


def query_errors(query: Mapping[str, str]) -> list[dict[str, Any]]:
    """FastAPI-style validation error items for the UUID query parameters (empty when fine)."""
    errors: list[dict[str, Any]] = []
    for name in UUID_PARAMETERS:
        value = query.get(name)
        if value is None:
            continue
        problem = uuid_problem(value)
        if problem is not None:
            errors.append(
                {
                    "type": "uuid_parsing",
                    "loc": ["query", name],
                    "msg": f"Input should be a valid UUID, {problem}",
                    "input": value,
                    "ctx": {"error": problem},
                }
            )
    return errors
