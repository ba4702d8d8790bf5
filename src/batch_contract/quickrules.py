"""A quick, conservative test that a schema-valid body raises no semantic rule finding at all.

The document rules of `rules` (through `semantics`) cost about ten times the JSON parse of a body;
this test costs about one parse. It answers True only when every document rule would find nothing,
whatever its level, and False whenever it is not sure: the caller then runs the rules themselves.
It knows the document rules by name and switches itself off (`usable()` is False) as soon as the
set of rules changes. tests/test_fast_path.py holds it to `rules` over the generated corpus.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from batch_contract.semantics import TERMINAL, TOLERANCE

KNOWN_RULES = frozenset(
    {
        "counts-within-total",
        "sum-within-total",
        "progress-matches-counts",
        "terminal-has-completed-at",
        "failed-has-error-message",
        "pending-not-started",
        "timestamps-ordered",
        "updated-after-created",
    }
)
"""The document rules this test stands in for."""


def usable() -> bool:
    """Whether the document rules are exactly the ones this test knows."""
    from batch_contract.rules import RULES

    names = {name for name, rule in RULES.items() if rule.kind == "document"}
    return names == KNOWN_RULES


_NUMBERS = frozenset({int, float})
_FIELDS = (
    "status",
    "created_at",
    "started_at",
    "completed_at",
    "updated_at",
    "total_items",
    "processed_items",
    "failed_items",
    "skipped_items",
)
_fields = itemgetter(*_FIELDS)


def _in_order(first: str, second: str) -> bool:
    """True when date-time `first` is surely not after `second` (False when not sure)."""
    if first == second:
        return True
    return (
        len(first) == len(second) > 10
        and first[-1] == "Z" == second[-1]
        and first[10] == "T" == second[10]
        and first <= second
    )


def job_clean(job: Any, progress: Any) -> bool:
    """True when no document rule finds anything in a schema-valid job (progress None for a bare
    job); False when one might.

    One function on purpose, as it runs once per document. Its one assumption is the schema's:
    counts and total_items are integers (a value of another type makes it answer False)."""
    if type(job) is not dict:
        return False
    try:
        status, created, started, completed, updated, total, done, bad, skip = _fields(job)
    except KeyError:  # optional fields absent: read as None, as `semantics` does
        status, created, started, completed, updated, total, done, bad, skip = map(job.get, _FIELDS)
    if type(status) is not str:
        return False
    if status in TERMINAL:
        if completed is None:
            return False
        if status == "failed":
            message = job.get("error_message")
            if type(message) is not str or not message.strip():
                return False
    elif status == "pending" and started is not None:
        return False
    # timestamps-ordered (created_at <= started_at <= completed_at over the strings present) and
    # updated-after-created
    if type(created) is str:
        if type(updated) is str and not _in_order(created, updated):
            return False
        if type(started) is str and not _in_order(created, started):
            return False
        if type(completed) is str and not _in_order(
            started if type(started) is str else created, completed
        ):
            return False
    elif type(started) is str and type(completed) is str and not _in_order(started, completed):
        return False
    # counts-within-total, sum-within-total and progress-matches-counts
    if type(total) not in _NUMBERS:
        return True
    try:
        if done is None and bad is None and skip is None:
            return True
        p, f, s = done or 0, bad or 0, skip or 0
        if p > total or f > total or s > total or p + f + s > total:
            return False
        if type(progress) not in _NUMBERS:
            return True
        if total <= 0:
            return bool(abs(progress) <= TOLERANCE or abs(progress - 100) <= TOLERANCE)
        return bool(
            100 * p / total - TOLERANCE <= progress <= 100 * (p + f + s) / total + TOLERANCE
        )
    except TypeError:  # a value the schema should have excluded: let the rules decide
        return False


def document_clean(doc: Any) -> bool:
    """True when no document rule finds anything in a schema-valid status body."""
    if type(doc) is not dict:
        return False
    return job_clean(doc.get("job"), doc.get("progress_percentage"))
