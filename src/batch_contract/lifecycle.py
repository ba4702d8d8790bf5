"""The life-cycle checks of issue 4 over job status documents: counts within `total_items` and
timestamps in order in each document; over a sequence of polls, status only moving forward
(pending -> dispatched -> running -> terminal, states may be skipped, terminal is final) and
counts and progress never decreasing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from batch_contract.datetimes import is_rfc3339_datetime
from batch_contract.validation import Violation, describe

STATUS_RANK = {
    "pending": 0,
    "dispatched": 1,
    "running": 2,
    "completed": 3,
    "failed": 3,
    "cancelled": 3,
}
TERMINAL = frozenset({"completed", "failed", "cancelled"})
COUNTS = ("processed_items", "failed_items", "skipped_items")
TIMESTAMPS = ("created_at", "started_at", "completed_at")


def _job(document: Any) -> dict[str, Any]:
    job = document.get("job") if isinstance(document, dict) else None
    return job if isinstance(job, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not is_rfc3339_datetime(value) or ":60" in value[17:20]:
        return None
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


def status_of(document: Any) -> str | None:
    """The job status of a document, if it has a string one."""
    status = _job(document).get("status")
    return status if isinstance(status, str) else None


def is_terminal(document: Any) -> bool:
    """Whether the document's job has reached a final status."""
    return status_of(document) in TERMINAL


def document_violations(document: Any) -> tuple[Violation, ...]:
    """The rules one document must honour: no count above `total_items`, and
    `created_at <= started_at <= completed_at` where present."""
    job = _job(document)
    out: list[Violation] = []
    total = _number(job.get("total_items"))
    if total is not None:
        for name in COUNTS:
            count = _number(job.get(name))
            if count is not None and count > total:
                out.append(
                    Violation(
                        f"$.job.{name}",
                        "count-within-total",
                        f"at most total_items ({describe(job['total_items'])})",
                        describe(job[name]),
                    )
                )
    seen: list[tuple[str, datetime]] = []
    for name in TIMESTAMPS:
        instant = _instant(job.get(name))
        if instant is None:
            continue
        for earlier_name, earlier in seen:
            if instant < earlier:
                out.append(
                    Violation(
                        f"$.job.{name}",
                        "timestamp-order",
                        f"not before {earlier_name} ({job[earlier_name]})",
                        describe(job[name]),
                    )
                )
        seen.append((name, instant))
    return tuple(out)


def step_violations(previous: Any, current: Any, index: int) -> tuple[Violation, ...]:
    """What is wrong with moving from poll `index - 1` to poll `index`."""
    before, after = _job(previous), _job(current)
    where = f"poll {index}: "
    out: list[Violation] = []
    old, new = status_of(previous), status_of(current)
    if old in STATUS_RANK and new in STATUS_RANK:
        if old in TERMINAL and new != old:
            out.append(
                Violation(
                    "$.job.status",
                    "terminal-is-final",
                    f"{where}{old!r} to stay final",
                    describe(new),
                )
            )
        elif STATUS_RANK[new] < STATUS_RANK[old]:
            out.append(
                Violation(
                    "$.job.status",
                    "status-moves-forward",
                    f"{where}a status at or after {old!r}",
                    describe(new),
                )
            )
    for name in (*COUNTS, "total_items"):
        a, b = _number(before.get(name)), _number(after.get(name))
        if name != "total_items" and a is not None and b is not None and b < a:
            out.append(
                Violation(
                    f"$.job.{name}",
                    "count-never-decreases",
                    f"{where}at least {describe(before[name])}",
                    describe(after[name]),
                )
            )
    a = _number(previous.get("progress_percentage")) if isinstance(previous, dict) else None
    b = _number(current.get("progress_percentage")) if isinstance(current, dict) else None
    if a is not None and b is not None and b < a:
        out.append(
            Violation(
                "$.progress_percentage",
                "progress-never-decreases",
                f"{where}at least {describe(previous['progress_percentage'])}",
                describe(current["progress_percentage"]),
            )
        )
    return tuple(out)


def sequence_violations(documents: Sequence[Any]) -> tuple[Violation, ...]:
    """Every life-cycle rule over the polls of one job, in the order they were seen."""
    out: list[Violation] = []
    for index, document in enumerate(documents):
        out.extend(
            Violation(v.path, v.keyword, f"poll {index}: {v.expected}", v.found, v.severity)
            for v in document_violations(document)
        )
        if index:
            out.extend(step_violations(documents[index - 1], document, index))
    return tuple(out)
