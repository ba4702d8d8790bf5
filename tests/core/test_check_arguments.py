"""`ContractCheck` refuses a profile or a part it does not know, either one alone, and says which
values it takes (mutation testing found a check that only refused both at once unheld)."""

from __future__ import annotations

from typing import Any

import pytest

from batch_contract.core.check import ContractCheck


@pytest.mark.parametrize(
    ("profile", "part"), [("nope", "status"), ("documented", "nope"), ("nope", "nope")]
)
def test_an_unknown_profile_or_part_is_refused(profile: Any, part: Any) -> None:
    """Either argument unknown: a ValueError naming the accepted values."""
    with pytest.raises(
        ValueError, match=r"^profile must be one of .*documented.* and part one of "
    ):
        ContractCheck(profile, part)


def test_a_bare_job_with_a_schema_violation_still_gets_its_rule_findings() -> None:
    """`--part job`: a job breaking the schema in one field (`job_type`) and a rule in others
    (processed above total) gets both, the rule read on the bare job, not on a body."""
    job = {
        "id": "bjb-1",
        "job_type": 5,
        "project_id": "proj-1",
        "status": "running",
        "total_items": 10,
        "processed_items": 11,
    }
    found = ContractCheck(part="job").violations(job)
    assert ("$.processed_items", "rule:counts-within-total") in [(v.path, v.keyword) for v in found]
    assert ("$.job_type", "type") in [(v.path, v.keyword) for v in found]
