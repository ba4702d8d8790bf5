"""The quick rule test of the engine's shortcuts: whether a schema-valid job surely raises no
finding of any document rule. It only ever says "surely clean" (True) or "don't know" (False):
the one check (`check.ContractCheck`) decides and lists every finding, and runs the rules
themselves on whatever this test does not clear.

The rules cost about four times the JSON parse of a body; this test costs about one, so the fast
lane (`fastlane`) and the light path (`lightpath`) run it on every line they clear. It is a speed
trick and is held to the one check, with every shortcut off, by tests/engine/test_quick.py
(every rule example and boundary case) and tests/engine/test_fast_path.py (the generated corpus).
It answers only while the document rules are the ones it was written for (`covers`).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from batch_contract.core import rules
from batch_contract.core.semantics import (
    TERMINAL,
    TOLERANCE,
    counts_within_total,
    failed_has_error_message,
    pending_not_started,
    progress_matches_counts,
    sum_within_total,
    terminal_has_completed_at,
    timestamps_ordered,
    updated_after_created,
)

CHECKS = frozenset(
    {
        counts_within_total,
        sum_within_total,
        progress_matches_counts,
        terminal_has_completed_at,
        failed_has_error_message,
        pending_not_started,
        timestamps_ordered,
        updated_after_created,
    }
)
"""The document checks this test answers for: a shortcut uses it only while these are exactly
the checks of the document rules (`covers`)."""
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
"""The job fields the document checks read, in the order `values_clean` takes them."""
_fields = itemgetter(*FIELDS)


def covers() -> bool:
    """Whether this test answers for the document rules as they are: the same checks, reading
    no field beyond `FIELDS` and the progress."""
    document = [rule for rule in rules.RULES.values() if rule.kind == "document"]
    reads = {field for rule in document for field in rule.reads}
    known = {f"job.{name}" for name in FIELDS} | {"progress_percentage"}
    return {rule.check for rule in document} == CHECKS and reads <= known


def clean(job: Any, progress: Any) -> bool:
    """Whether a schema-valid job (progress None for a bare job) surely raises no finding of any
    document rule; False when not sure."""
    if type(job) is not dict:
        return False
    try:
        values = _fields(job)
    except KeyError:  # optional fields absent: read as None, as the checks do
        values = tuple(map(job.get, FIELDS))
    return values_clean(values, progress)


def document_clean(doc: Any) -> bool:
    """`clean` of a status body: its job and its progress_percentage."""
    if type(doc) is not dict:
        return False
    return clean(doc.get("job"), doc.get("progress_percentage"))


def job_clean(job: Any) -> bool:
    """`clean` of a bare job (no progress)."""
    return clean(job, None)


def values_clean(values: tuple[Any, ...], progress: Any) -> bool:
    """`clean` over the values of the fields the document checks read (None for an absent one),
    in the order of `FIELDS`, and `progress`; the fast lane (`fastlane`) calls it with a
    decoded line's values.

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
