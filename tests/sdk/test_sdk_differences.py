"""Each known difference between our profiles and the SDK's strict model, pinned by a case.

Every case id is a row of the SDK section of docs/contract-decisions.md, and every row there
is a case here.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pydantic
import pytest
from sdk_helpers import sdk_strict_parse

from batch_contract.core.check import ContractCheck

DOC = Path(__file__).resolve().parents[2] / "docs" / "contract-decisions.md"
BASE: dict[str, Any] = {
    "job": {
        "id": "bjb-1",
        "job_type": "parse",
        "project_id": "proj-1",
        "status": "running",
        "total_items": 10,
        "processed_items": 4,
        "failed_items": 0,
        "skipped_items": 0,
        "created_at": "2026-01-15T09:00:00Z",
        "effective_at": "2026-01-15T09:00:00Z",
    },
    "progress_percentage": 40,
}
REJECT = "reject"

# id, field of job (or progress_percentage), value, documented, strict, SDK (REJECT or the value
# the SDK's model then holds, as `model.to_dict(mode="json")` writes it)
CASES: list[tuple[str, str, Any, bool, bool, Any]] = [
    ("leap-second", "created_at", "2016-12-31T23:59:60Z", True, True, REJECT),
    ("year-0000", "created_at", "0000-01-01T00:00:00Z", True, True, REJECT),
    ("integral-float-beyond-int64", "total_items", 1e20, False, False, REJECT),
    ("progress-above-100", "progress_percentage", 150, False, False, 150.0),
    ("progress-negative", "progress_percentage", -1, False, False, -1.0),
    ("count-negative", "processed_items", -1, False, False, -1),
    ("epoch-number-timestamp", "created_at", 1577470279, False, False, "2019-12-27T18:11:19Z"),
    ("naive-timestamp", "created_at", "2019-12-27T18:11:19", False, False, "2019-12-27T18:11:19"),
    ("space-separator", "created_at", "2019-12-27 18:11:19Z", False, False, "2019-12-27T18:11:19Z"),
    ("date-only-timestamp", "created_at", "2019-12-27", False, False, "2019-12-27T00:00:00"),
    (
        "offset-without-colon",
        "created_at",
        "2019-12-27T18:11:19+0530",
        False,
        False,
        "2019-12-27T18:11:19+05:30",
    ),
    ("numeric-string-count", "total_items", "10", False, False, 10),
    ("numeric-string-progress", "progress_percentage", "40", False, False, 40.0),
    ("boolean-count", "failed_items", True, False, False, 1),
    ("boolean-progress", "progress_percentage", False, False, False, 0.0),
    ("undocumented-field", "priority", 3, True, False, 3),
    ("null-count", "processed_items", None, True, False, None),
    ("null-effective-at", "effective_at", None, True, False, None),
    (
        "fraction-beyond-microseconds",
        "created_at",
        "2026-01-15T09:00:00.1234567Z",
        True,
        True,
        "2026-01-15T09:00:00.123456Z",
    ),
    ("integral-float-count", "processed_items", 4.0, True, True, 4),
    (
        "negative-zero-offset",
        "created_at",
        "2026-01-15T09:00:00-00:00",
        True,
        True,
        "2026-01-15T09:00:00Z",
    ),
]


def _body(field: str, value: Any) -> dict[str, Any]:
    """The base body with one field set."""
    body = copy.deepcopy(BASE)
    if field == "progress_percentage":
        body[field] = value
    else:
        body["job"][field] = value
    return body


@pytest.mark.parametrize(
    ("field", "value", "documented", "strict", "sdk"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_difference(field: str, value: Any, documented: bool, strict: bool, sdk: Any) -> None:
    """Our two profiles and the SDK's strict model decide the case as documented."""
    body = _body(field, value)
    assert (not ContractCheck("documented", "status").schema_violations(body)) is documented
    assert (not ContractCheck("strict", "status").schema_violations(body)) is strict
    if sdk == REJECT:
        with pytest.raises(pydantic.ValidationError):
            sdk_strict_parse(body)
        return
    dumped = sdk_strict_parse(body).to_dict(mode="json")
    held = dumped[field] if field == "progress_percentage" else dumped["job"][field]
    assert held == sdk
    assert type(held) is type(sdk)


def test_base_body_agrees_everywhere() -> None:
    """Without a change, the base body is valid for both profiles and the SDK, value for value."""
    assert not ContractCheck("documented", "status").schema_violations(BASE)
    assert not ContractCheck("strict", "status").schema_violations(BASE)
    dumped = sdk_strict_parse(BASE).to_dict(mode="json")
    assert dumped["job"]["created_at"] == "2026-01-15T09:00:00Z"
    assert dumped["job"]["total_items"] == 10


def test_every_case_is_documented() -> None:
    """docs/contract-decisions.md has one SDK table row per case, and no row without a case."""
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(rows) == sorted(case[0] for case in CASES)
