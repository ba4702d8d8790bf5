"""Where a job stands in its life-cycle, read from a status document: its status and whether it
is terminal. The life-cycle rules themselves (status only forward, terminal final, counts never
decreasing) are semantic rules in `rules.py`, shared with every other check."""

from __future__ import annotations

from typing import Any

TERMINAL = frozenset({"completed", "failed", "cancelled"})


def status_of(document: Any) -> str | None:
    """The job status of a document, if it has a string one."""
    job = document.get("job") if isinstance(document, dict) else None
    status = job.get("status") if isinstance(job, dict) else None
    return status if isinstance(status, str) else None


def is_terminal(document: Any) -> bool:
    """Whether the document's job has reached a final status."""
    return status_of(document) in TERMINAL
