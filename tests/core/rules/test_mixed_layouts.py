"""`timestamps-ordered` compares two date-times as instants even when their text has the same
length but not the same layout: one in UTC and one with an offset, or a lowercase `t` (RFC 3339
allows it). Comparing such text as text gives the wrong order (mutation testing found the
"same UTC layout" shortcut's guard unheld)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_contract.core.check import ContractCheck

VALID = Path(__file__).parents[2] / "examples" / "valid" / "completed.json"


@pytest.mark.parametrize(
    ("created", "started", "out_of_order"),
    [
        ("2026-03-02T09:14:05.000001Z", "2026-03-02T08:20:00.0-01:00", False),
        ("2026-03-02t09:14:05.120Z", "2026-03-02T09:20:00.000Z", False),
        ("2026-03-02T09:14:05.120Z", "2026-03-02t08:14:05.120Z", True),
    ],
)
def test_same_length_other_layout_is_ordered_as_instants(
    created: str, started: str, out_of_order: bool
) -> None:
    """created_at then started_at, of one length: a finding exactly when started is earlier."""
    body = json.loads(VALID.read_bytes())
    body["job"].update(created_at=created, started_at=started)
    found = [v.path for v in ContractCheck().rule_violations(body)]
    assert found == (["$.job.started_at"] if out_of_order else [])
