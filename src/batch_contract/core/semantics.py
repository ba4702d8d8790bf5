"""The checks behind the semantic rules: pure functions over a job, or over successive polls.

Document checks take `(job, progress)` (progress None for a bare job) and return findings
`(field, expected, found)`; sequence checks take the polls and return `(poll, field, expected,
found)`. Each assumes a schema-valid body: a value of the wrong type, null or absent makes it skip,
and a timestamp that does not parse is the schema's business. `rules` names them and sets levels.
Beside each check, `<check>_applies` says whether the check has anything to judge in a body (or in
the polls): contract coverage counts a rule as exercised only where it applies. A predicate reads
only the status and the JSON types of values, never other values: coverage counts bodies by that
shape (tests/coverage/test_coverage_shapes.py). Only `check.ContractCheck` turns findings into
violations; the engine's quick test (`engine/quick.py`) may only say a job is surely clean.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from batch_contract.core.validation import describe

Finding = tuple[str, str, str]
"""What a document check found: (field path under `$.`, such as `job.failed_items`, expected,
found)."""
SequenceFinding = tuple[int, str, str, str]
"""What a sequence check found: (poll index, field path, expected, found)."""

TOLERANCE = 1.0
"""How many percentage points `progress_percentage` may stray from the counts."""
TERMINAL = frozenset({"completed", "failed", "cancelled"})
"""The statuses a job never leaves."""
_COUNTS = ("processed_items", "failed_items", "skipped_items")
_ORDERED = ("created_at", "started_at", "completed_at")
_NUMERIC = frozenset({int, float})  # JSON numbers; bool is a type of its own
_STAGE = {"pending": 0, "dispatched": 1, "running": 2, "completed": 3, "failed": 3, "cancelled": 3}
_ABSENT = "nothing (absent)"


def _number(value: Any) -> int | float | None:
    """The value when it is a JSON number (booleans excluded), else None."""
    return value if type(value) is int or type(value) is float else None


def _numeric(job: Mapping[str, Any], name: str) -> bool:
    """Whether the job holds a JSON number under `name`."""
    return _number(job.get(name)) is not None


def _show(value: float) -> str:
    """A number for a message, exact when it is whole: `3`, `1000001`, `33.33`."""
    if type(value) is int:
        return str(value)
    rounded = round(value, 2) if math.isfinite(value) else value
    if math.isfinite(rounded) and rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0").rstrip(".") if math.isfinite(rounded) else repr(rounded)


def _found(job: Mapping[str, Any], name: str) -> str:
    """What a job holds under `name`, in words, `nothing (absent)` included."""
    return describe(job[name]) if name in job else _ABSENT


_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)


def _days(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (year 0000 included)."""
    year -= month <= 2
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    of_era_days = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return era * 146_097 + of_era_days - 719_468


def instant(text: Any) -> tuple[int, int, str] | None:
    """A date-time string as an exact instant, or None when it does not parse: (whole seconds
    since 1970 UTC, 1 within a leap second, the digits of the fraction of the second). Compared
    as tuples, instants order as time does: every digit of the fraction counts, and a leap second
    `:60` comes after `:59` of its minute and before the next minute. `t`/`z` may be lower case
    and the year 0000 is accepted."""
    if type(text) is not str:
        return None
    match = _INSTANT.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = map(int, match.group(1, 2, 3, 4, 5, 6))
    digits, sign = match.group(7), match.group(8)
    offset = 0
    if sign is not None:
        offset = int(match.group(9)) * 3600 + int(match.group(10)) * 60
        offset = -offset if sign == "-" else offset
    leap = int(second == 60)
    seconds = _days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - leap
    # the fraction's digits without trailing zeros: as strings they order as the fractions do
    return seconds - offset, leap, (digits or "").rstrip("0")


def _later(first: str, second: str) -> bool:
    """Whether the date-time `first` is strictly later than `second` (False if either is bad)."""
    if first == second:
        return False
    if (
        len(first) == len(second)
        and first[-1] == "Z" == second[-1]
        and first[10:11] == "T" == second[10:11]
    ):  # same layout in UTC: the text orders as the instants do
        return first > second
    a, b = instant(first), instant(second)
    return a is not None and b is not None and a > b


def _count(job: Mapping[str, Any], name: str) -> int | float:
    """A count of the job, 0 when null, absent or not a number."""
    value: Any = job.get(name)
    return value if type(value) in _NUMERIC else 0


def counts_within_total(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """Each of processed_items, failed_items and skipped_items is at most total_items."""
    total: Any = job.get("total_items")
    if type(total) not in _NUMERIC:
        return ()
    out: tuple[Finding, ...] = ()
    for name in _COUNTS:
        value: Any = job.get(name)
        if type(value) in _NUMERIC and value > total:
            out += ((f"job.{name}", f"at most total_items ({_show(total)})", describe(value)),)
    return out


def counts_within_total_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """counts-within-total has something to compare: a total and at least one count."""
    return _numeric(job, "total_items") and any(_numeric(job, name) for name in _COUNTS)


def sum_within_total(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """processed + failed + skipped is at most total_items (a single count above total is left
    to counts-within-total)."""
    total: Any = job.get("total_items")
    if type(total) not in _NUMERIC:
        return ()
    processed, failed = _count(job, "processed_items"), _count(job, "failed_items")
    skipped = _count(job, "skipped_items")
    items = processed + failed + skipped
    if items <= total or processed > total or failed > total or skipped > total:
        return ()
    expected = f"at least processed + failed + skipped items ({_show(items)})"
    return (("job.total_items", expected, describe(total)),)


def sum_within_total_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """sum-within-total has a sum to compare: a total and at least two counts."""
    return _numeric(job, "total_items") and sum(_numeric(job, name) for name in _COUNTS) >= 2


def progress_matches_counts(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """progress_percentage lies between 100 * processed / total and 100 * (processed + failed +
    skipped) / total, within 1 point; with total 0 it is 0 or 100 (skipped when no count is
    given, or a count is above total: counts-within-total's business)."""
    total: Any = job.get("total_items")
    if type(progress) not in _NUMERIC or type(total) not in _NUMERIC:
        return ()
    processed: Any = job.get("processed_items")
    failed: Any = job.get("failed_items")
    skipped: Any = job.get("skipped_items")
    if processed is failed is skipped is None:
        return ()
    processed = processed if type(processed) in _NUMERIC else 0
    failed = failed if type(failed) in _NUMERIC else 0
    skipped = skipped if type(skipped) in _NUMERIC else 0
    if processed > total or failed > total or skipped > total:
        return ()  # a job of 0 items with 1 processed too: no progress can be right
    if total <= 0:
        if abs(progress) <= TOLERANCE or abs(progress - 100) <= TOLERANCE:
            return ()
        return (("progress_percentage", "0 or 100 for a job of 0 items", describe(progress)),)
    low = 100 * processed / total
    high = 100 * (processed + failed + skipped) / total
    if low - TOLERANCE <= progress <= high + TOLERANCE:
        return ()
    if high - low < 0.005:
        expected = f"{_show(low)} (100 * processed_items / total_items, ±1)"
    else:
        expected = (
            f"between {_show(low)} and {_show(high)}"
            " (100 * processed, or processed + failed + skipped, / total_items, ±1)"
        )
    return (("progress_percentage", expected, describe(progress)),)


def progress_matches_counts_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """progress-matches-counts has a progress, a total and at least one count given."""
    return (
        type(progress) in _NUMERIC
        and _numeric(job, "total_items")
        and any(job.get(name) is not None for name in _COUNTS)
    )


def terminal_has_completed_at(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """A completed, failed or cancelled job has a completed_at."""
    status = job.get("status")
    if type(status) is not str or status not in TERMINAL or job.get("completed_at") is not None:
        return ()
    return (
        ("job.completed_at", f"a completion time for a {status} job", _found(job, "completed_at")),
    )


def terminal_has_completed_at_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """terminal-has-completed-at judges a completed, failed or cancelled job."""
    status = job.get("status")
    return type(status) is str and status in TERMINAL


def failed_has_error_message(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """A failed job has a non-blank error_message."""
    message = job.get("error_message")
    if job.get("status") != "failed" or (type(message) is str and message.strip()):
        return ()
    return (
        ("job.error_message", "a message saying why the job failed", _found(job, "error_message")),
    )


def failed_has_error_message_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """failed-has-error-message judges a failed job."""
    return job.get("status") == "failed"


def pending_not_started(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """A pending job has no started_at (null or absent)."""
    started = job.get("started_at")
    if job.get("status") != "pending" or started is None:
        return ()
    return (
        ("job.started_at", "no start time (null or absent) for a pending job", describe(started)),
    )


def pending_not_started_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """pending-not-started judges a pending job."""
    return job.get("status") == "pending"


def timestamps_ordered(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """created_at <= started_at <= completed_at, compared as instants; the later field of each
    pair out of order is blamed (a null or absent one is passed over)."""
    out: tuple[Finding, ...] = ()
    before = early = None
    for name in _ORDERED:
        value = job.get(name)
        if type(value) is not str:
            continue
        if early is not None and _later(early, value):
            out += ((f"job.{name}", f"a time not before {before} ({early})", describe(value)),)
        before, early = name, value
    return out


def timestamps_ordered_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """timestamps-ordered has a pair to compare: at least two of its three timestamps."""
    return sum(type(job.get(name)) is str for name in _ORDERED) >= 2


def updated_after_created(job: Mapping[str, Any], progress: Any) -> tuple[Finding, ...]:
    """updated_at >= created_at, compared as instants."""
    created, updated = job.get("created_at"), job.get("updated_at")
    if type(created) is not str or type(updated) is not str or not _later(created, updated):
        return ()
    return (("job.updated_at", f"a time not before created_at ({created})", describe(updated)),)


def updated_after_created_applies(job: Mapping[str, Any], progress: Any) -> bool:
    """updated-after-created has both created_at and updated_at."""
    return type(job.get("created_at")) is str and type(job.get("updated_at")) is str


def _jobs(docs: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """The job object of each poll that has one, with the poll's index."""
    return [
        (index, doc["job"])
        for index, doc in enumerate(docs)
        if isinstance(doc, Mapping) and isinstance(doc.get("job"), Mapping)
    ]


def status_forward_only(docs: Sequence[Mapping[str, Any]]) -> tuple[SequenceFinding, ...]:
    """Status moves pending -> dispatched -> running -> terminal, skipping allowed, never back
    (leaving a terminal status is terminal-is-final's business)."""
    out: tuple[SequenceFinding, ...] = ()
    previous: str | None = None
    for index, job in _jobs(docs):
        status = job.get("status")
        if type(status) is not str or status not in _STAGE:
            continue
        if previous is not None and previous not in TERMINAL and _STAGE[status] < _STAGE[previous]:
            expected = f'a status not before "{previous}" (pending, dispatched, running, end)'
            out += ((index, "job.status", expected, describe(status)),)
        previous = status
    return out


def status_forward_only_applies(docs: Sequence[Mapping[str, Any]]) -> bool:
    """status-forward-only has a step to judge: a known status after a non-terminal one."""
    statuses = [job.get("status") for _, job in _jobs(docs)]
    known = [status for status in statuses if type(status) is str and status in _STAGE]
    return any(previous not in TERMINAL for previous in known[:-1])


def terminal_is_final(docs: Sequence[Mapping[str, Any]]) -> tuple[SequenceFinding, ...]:
    """Once completed, failed or cancelled, the status never changes again."""
    final: str | None = None
    for index, job in _jobs(docs):
        status = job.get("status")
        if final is not None and status != final:
            return ((index, "job.status", f'"{final}" for good', describe(status)),)
        if type(status) is str and status in TERMINAL:
            final = status
    return ()


def terminal_is_final_applies(docs: Sequence[Mapping[str, Any]]) -> bool:
    """terminal-is-final has a poll to judge: one after a terminal status."""
    statuses = [job.get("status") for _, job in _jobs(docs)]
    return any(type(status) is str and status in TERMINAL for status in statuses[:-1])


def counts_non_decreasing(docs: Sequence[Mapping[str, Any]]) -> tuple[SequenceFinding, ...]:
    """processed_items, failed_items and skipped_items never go down from one poll to the next."""
    out: tuple[SequenceFinding, ...] = ()
    last: dict[str, int | float] = {}
    for index, job in _jobs(docs):
        for name in _COUNTS:
            value = _number(job.get(name))
            if value is None:
                continue
            if name in last and value < last[name]:
                expected = f"at least {_show(last[name])}, as in an earlier poll"
                out += ((index, f"job.{name}", expected, describe(value)),)
            last[name] = value
    return out


def counts_non_decreasing_applies(docs: Sequence[Mapping[str, Any]]) -> bool:
    """counts-non-decreasing has a count given in two polls."""
    jobs = [job for _, job in _jobs(docs)]
    return any(sum(_numeric(job, name) for job in jobs) >= 2 for name in _COUNTS)


def progress_non_decreasing(docs: Sequence[Mapping[str, Any]]) -> tuple[SequenceFinding, ...]:
    """progress_percentage never goes down from one poll to the next."""
    out: tuple[SequenceFinding, ...] = ()
    last: int | float | None = None
    for index, doc in enumerate(docs):
        value = _number(doc.get("progress_percentage")) if isinstance(doc, Mapping) else None
        if value is None:
            continue
        if last is not None and value < last:
            expected = f"at least {_show(last)}, as in an earlier poll"
            out += ((index, "progress_percentage", expected, describe(value)),)
        last = value
    return out


def progress_non_decreasing_applies(docs: Sequence[Mapping[str, Any]]) -> bool:
    """progress-non-decreasing has a progress given in two polls."""
    values = (doc.get("progress_percentage") for doc in docs if isinstance(doc, Mapping))
    return sum(_number(value) is not None for value in values) >= 2
