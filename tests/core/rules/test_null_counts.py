"""`progress-matches-counts` counts a null `processed_items` or `failed_items` as 0 items, not
1 (mutation testing found that unheld)."""

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
