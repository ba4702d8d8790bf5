"""llama-cloud 2.13.0, strict, against `batch-contract serve`: every job, every life-cycle step."""

from __future__ import annotations

import httpx
import llama_cloud
import pytest
from llama_cloud import LlamaCloud
from llama_cloud.types.beta.batch_get_status_response import BatchGetStatusResponse
from sdk_helpers import same_values

from batch_contract.core.check import ContractCheck, contract_check
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.rules import check_sequence
from batch_contract.core.validation import validator
from batch_contract.server import RunningServer

POLLS = 7
"""Polls of each moving job: more than its steps, so the final step is seen again."""


def test_pinned_sdk_version() -> None:
    """The compatibility claims hold for llama-cloud 2.13.0, the last release with this endpoint."""
    assert llama_cloud.__version__ == "2.13.0"


def test_sdk_parses_every_job_over_several_polls(
    reference_server: RunningServer, strict_client: LlamaCloud
) -> None:
    """`client.beta.batch.get_status` in strict mode parses every seeded job, poll after poll."""
    statuses: dict[str, list[str]] = {}
    for _ in range(POLLS):
        for job_id in reference_server.job_ids:
            result = strict_client.beta.batch.get_status(job_id)
            assert isinstance(result, BatchGetStatusResponse)
            assert result.job.id == job_id
            statuses.setdefault(job_id, []).append(result.job.status)
    assert len(statuses) == len(reference_server.job_ids) >= 20
    for job_id in reference_server.moving_job_ids:
        assert statuses[job_id][0] == "pending"
        assert statuses[job_id][-1] in ("completed", "failed", "cancelled")


def test_sdk_values_equal_ours_at_every_step(
    reference_server: RunningServer, strict_client: LlamaCloud
) -> None:
    """For each response, the SDK's strict parse holds the same values as our strict JSON parse,
    the body honours our documented profile, and its polls break no rule."""
    raw = strict_client.beta.batch.with_raw_response
    schema = validator("documented", "status")
    for job_id in reference_server.job_ids:
        polls = []
        for _ in range(POLLS if job_id in reference_server.moving_job_ids else 1):
            response = raw.get_status(job_id)
            body = parse_document(response.http_response.content)
            assert ContractCheck(schema.profile, schema.part).schema_violations(body) == ()
            assert same_values(response.parse(), body) == [], job_id
            assert [
                v for v in contract_check().rule_violations(body) if v.severity == "error"
            ] == []
            polls.append(body)
        assert check_sequence(polls) == ()
    assert len(reference_server.moving_job_ids) >= 3


def test_sdk_maps_error_statuses(
    reference_server: RunningServer, strict_client: LlamaCloud
) -> None:
    """The reference server's 404 and 401 reach SDK users as NotFoundError and
    AuthenticationError, and the key never shows in the message."""
    with pytest.raises(llama_cloud.NotFoundError) as missing:
        strict_client.beta.batch.get_status("bjb-does-not-exist")
    assert missing.value.status_code == 404
    wrong = LlamaCloud(
        api_key="llx-wrong-key",
        base_url=reference_server.base_url,
        max_retries=0,
        _strict_response_validation=True,
    )
    with wrong, pytest.raises(llama_cloud.AuthenticationError) as denied:
        wrong.beta.batch.get_status(reference_server.job_ids[0])
    assert reference_server.api_key.get_secret_value() not in str(denied.value)
    assert "llx-wrong-key" not in str(denied.value)


def test_same_values_notices_a_difference(reference_server: RunningServer) -> None:
    """The comparison is not blind: a changed value or a shifted timestamp is reported."""
    body = httpx.get(
        f"{reference_server.base_url}/api/v1/beta/batch-processing/{reference_server.job_ids[0]}",
        headers={"Authorization": f"Bearer {reference_server.api_key.get_secret_value()}"},
    ).json()
    model = BatchGetStatusResponse.model_validate(body)
    body["job"]["total_items"] += 1
    body["job"]["created_at"] = "2000-01-01T00:00:00Z"
    assert [p.split(":")[0] for p in same_values(model, body)] == ["total_items", "created_at"]
