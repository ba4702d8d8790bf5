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


FIELDS = (
    "status",
    "created_at",
    "started_at",
    "completed_at",
    "updated_at",
    "total_items",
    "processed_items",
    "failed_items",
    "skipped_items",
    "error_message",
)
"""The job fields the rules read, in the order `values_clean` takes them."""
_fields = itemgetter(*FIELDS)


def job_clean(job: Any, progress: Any) -> bool:
    """True when no document rule finds anything in a schema-valid job (progress None for a bare
    job); False when one might."""
    if type(job) is not dict:
        return False
    try:
        values = _fields(job)
    except KeyError:  # optional fields absent: read as None, as `semantics` does
        values = tuple(map(job.get, FIELDS))
    return values_clean(values, progress)


def values_clean(values: tuple[Any, ...], progress: Any) -> bool:
    """`job_clean` over the values of the fields it reads (None for an absent one), in the order
    of `FIELDS`, and `progress`; the fast lane (`fastlane`) calls it with a decoded line's values.

    One function on purpose, as it runs once per document. Its one assumption is the schema's:
    counts and total_items are integers (a value of another type makes it answer False)."""
    status, created, started, completed, updated, total, done, bad, skip, message = values
    if type(status) is not str:
        return False
    if status in TERMINAL:
        if completed is None:
            return False
        if status == "failed" and (type(message) is not str or not message.strip()):
            return False
    elif started is not None and status == "pending":
        return False
    # A value the schema excludes (a short date-time, a string count) raises: the rules decide.
    try:
        # timestamps-ordered (created_at <= started_at <= completed_at, of the strings present)
        # and updated-after-created, on the text: equal strings are in order, and so are two UTC
        # date-times (`T`, `Z`) of one length in text order, as their text order is their time
        # order; anything else is left to the rules. Written out, not called: it runs per line.
        if type(created) is str:
            size = len(created)
            utc = created[10] == "T" and created[-1] == "Z"
            if (
                type(updated) is str
                and updated != created
                and not (
                    utc
                    and updated > created
                    and len(updated) == size
                    and updated[-1] == "Z"
                    and updated[10] == "T"
                )
            ):
                return False
            before = created
            if type(started) is str:
                if started != created and not (
                    utc
                    and started > created
                    and len(started) == size
                    and started[-1] == "Z"
                    and started[10] == "T"
                ):
                    return False
                before = started  # equal to created, or of its layout
            if (
                type(completed) is str
                and completed != before
                and not (
                    utc
                    and completed > before
                    and len(completed) == size
                    and completed[-1] == "Z"
                    and completed[10] == "T"
                )
            ):
                return False
        elif (
            type(started) is str
            and type(completed) is str
            and completed != started
            and not (
                started[10] == "T"
                and started[-1] == "Z"
                and completed > started
                and len(completed) == len(started)
                and completed[-1] == "Z"
                and completed[10] == "T"
            )
        ):
            return False
        # counts-within-total, sum-within-total and progress-matches-counts; counts are >= 0
        if type(total) is not int and type(total) is not float:
            return True
        if done is None and bad is None and skip is None:
            return True
        p = done or 0
        all_done = p + (bad or 0) + (skip or 0)
        if all_done > total:
            return False
        if type(progress) is not int and type(progress) is not float:
            return True
        if total <= 0:
            return (
                -TOLERANCE <= progress <= TOLERANCE
                or 100 - TOLERANCE <= progress <= 100 + TOLERANCE
            )
        return 100 * p / total - TOLERANCE <= progress <= 100 * all_done / total + TOLERANCE
    except (TypeError, IndexError):
        return False


def document_clean(doc: Any) -> bool:
    """True when no document rule finds anything in a schema-valid status body."""
    if type(doc) is not dict:
        return False
    return job_clean(doc.get("job"), doc.get("progress_percentage"))
