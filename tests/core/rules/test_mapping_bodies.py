"""The rules read any Mapping, not only a dict: a job handed over as a read-only mapping (as a
caller of `assert_batch_status` may hold it) gets the same findings as the same job as a dict
(mutation testing found the Mapping branch for the job unheld)."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

from batch_contract.core.check import ContractCheck

BAD = Path(__file__).parent / "examples" / "sum-within-total" / "bad" / "sum-above-total.json"


def test_a_job_given_as_a_mapping_gets_the_findings_of_the_dict() -> None:
    """The same body, its job (then the body too) a MappingProxyType: the same rule findings."""
    body = json.loads(BAD.read_text(encoding="utf-8"))
    expected = ContractCheck().rule_violations(body)
    assert expected
    proxied = {**body, "job": MappingProxyType(body["job"])}
    assert ContractCheck().rule_violations(proxied) == expected
    assert ContractCheck().rule_violations(MappingProxyType(proxied)) == expected
