"""The size and nesting limits every parser of the toolkit keeps, whichever path reads a
document."""

from __future__ import annotations

from typing import Any

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""The largest single document accepted (a real response of this endpoint is under 2 KB)."""

MAX_DEPTH = 512
"""The deepest nesting accepted: one fixed limit, whatever the parser or the call stack allows."""


def deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (measured without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def expands_beyond(value: Any, limit: int) -> bool:
    """Whether walking `value` visits more than `limit` entries of containers, an object shared
    through YAML aliases counted at every place it appears (measured without recursion, and
    stopped as soon as the limit is passed, so that an alias bomb costs no more than `limit`)."""
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        seen += len(children)
        if seen > limit:
            return True
        stack.extend(child for child in children if isinstance(child, dict | list))
    return False
