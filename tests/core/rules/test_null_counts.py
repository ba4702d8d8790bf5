"""The edges of the count rules (`progress-matches-counts`, `sum-within-total`,
`timestamps-ordered`): a null count is 0 items, not 1; the tolerance is inclusive; a count equal
to the total is no count above it; every pair out of order is reported (mutation testing found
each of these unheld)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batch_contract.core.check import ContractCheck

VALID = Path(__file__).parents[2] / "examples" / "valid" / "completed.json"


def running(progress: int, **counts: Any) -> Any:
    """The valid example as a running job of 10 items, with `counts`, at `progress`%."""
    body = json.loads(VALID.read_bytes())
    body["job"].update(status="running", total_items=10, skipped_items=0, completed_at=None)
    body["job"].update(counts)
    body["progress_percentage"] = progress
    return body


def test_a_null_processed_count_is_none_processed() -> None:
    """Nothing processed (null), nothing failed, at 0%: consistent, no finding."""
    assert ContractCheck().rule_violations(running(0, processed_items=None, failed_items=0)) == ()


def test_a_null_failed_count_is_none_failed() -> None:
    """5 of 10 processed, failed null, at 60%: the expected progress is 50 alone."""
    (finding,) = ContractCheck().rule_violations(running(60, processed_items=5, failed_items=None))
    assert finding.expected == "50 (100 * processed_items / total_items, ±1)"


def progress_findings(body: Any) -> list[str]:
    """The `expected` of each progress-matches-counts finding of `body`."""
    found = ContractCheck().rule_violations(body)
    return [v.expected for v in found if v.keyword == "rule:progress-matches-counts"]


def test_a_null_skipped_count_is_none_skipped() -> None:
    """5 of 10 processed, none failed, skipped null, at 60%: expected 50 alone."""
    body = running(60, processed_items=5, failed_items=0, skipped_items=None)
    assert progress_findings(body) == ["50 (100 * processed_items / total_items, ±1)"]


def test_the_edges_of_the_window() -> None:
    """A job of 0 items at 1% or 99% (within the tolerance of 0 or 100): no finding. A job of
    1 item is no job of 0 items. A failed count above the total leaves progress to that rule."""
    assert progress_findings(running(1, total_items=0, processed_items=0, failed_items=0)) == []
    assert progress_findings(running(99, total_items=0, processed_items=0, failed_items=0)) == []
    one = running(50, total_items=1, processed_items=0, failed_items=0)
    assert progress_findings(one) == ["0 (100 * processed_items / total_items, ±1)"]
    assert progress_findings(running(0, processed_items=5, failed_items=11)) == []


def test_all_items_processed_still_checks_progress() -> None:
    """10 of 10 processed at 50%: expected 100 (all processed is no count above the total)."""
    body = running(50, processed_items=10, failed_items=0)
    assert progress_findings(body) == ["100 (100 * processed_items / total_items, ±1)"]


def test_the_tolerance_is_inclusive() -> None:
    """5 of 10 processed: 49% and 51% (one point off 50) are within the window."""
    assert progress_findings(running(49, processed_items=5, failed_items=0)) == []
    assert progress_findings(running(51, processed_items=5, failed_items=0)) == []


def test_a_sum_above_the_total_with_one_count_equal_to_it() -> None:
    """Failed (or skipped) items equal to the total, one more processed: the sum is above the
    total, and sum-within-total says so."""
    for counts in ({"failed_items": 10}, {"skipped_items": 10}):
        body = running(100, processed_items=1, **{"failed_items": 0, **counts})
        found = [v.keyword for v in ContractCheck().rule_violations(body)]
        assert "rule:sum-within-total" in found


def test_a_window_of_one_point_is_shown_as_a_range() -> None:
    """50 processed and 1 failed of 100, at 80%: expected between 50 and 51."""
    body = running(80, total_items=100, processed_items=50, failed_items=1)
    (expected,) = progress_findings(body)
    assert expected.startswith("between 50 and 51 ")


def test_every_pair_out_of_order_is_reported() -> None:
    """created, started, completed each earlier than the one before: both later fields blamed."""
    body = running(100, processed_items=10, failed_items=0)
    body["job"].update(
        status="completed",
        created_at="2026-03-02T10:00:00.000Z",
        started_at="2026-03-02T09:00:00.000Z",
        completed_at="2026-03-02T08:00:00.000Z",
        updated_at="2026-03-02T10:00:00.000Z",
        effective_at="2026-03-02T10:00:00.000Z",
    )
    found = [v.path for v in ContractCheck().rule_violations(body) if "timestamps" in v.keyword]
    assert found == ["$.job.started_at", "$.job.completed_at"]
