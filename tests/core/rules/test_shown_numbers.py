"""How a rule message shows a count that is no whole number: rounded once to two places, the
trailing zeros dropped, a whole result as an integer (mutation testing found `semantics._show`
unheld: the rule examples' expected counts are all whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_contract.core.check import ContractCheck

VALID = Path(__file__).parents[2] / "examples" / "valid" / "completed.json"


@pytest.mark.parametrize(
    ("processed", "total", "shown"),
    [(1, 3, "33.33"), (1, 8, "12.5"), (2, 4, "50"), (11, 13, "84.62")],
)
def test_the_expected_progress_is_shown_to_two_places(
    processed: int, total: int, shown: str
) -> None:
    """A running job of `processed` of `total` items at 99%: the expected progress, shown."""
    body = json.loads(VALID.read_bytes())
    body["job"].update(
        status="running",
        total_items=total,
        processed_items=processed,
        failed_items=0,
        skipped_items=0,
        completed_at=None,
    )
    body["progress_percentage"] = 99
    (finding,) = ContractCheck().rule_violations(body)
    assert finding.expected == f"{shown} (100 * processed_items / total_items, ±1)"
