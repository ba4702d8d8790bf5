"""The status of every job: HTTP 200, `Content-Type: application/json`, and a body that honours
the schema profile and the document rules (no count above `total_items`, timestamps in order)."""

import pytest

from batch_contract.client import ContractClient
from batch_contract.contract import expect_valid_status
from batch_contract.schemas import Profile


@pytest.mark.contract_cassette("status/{status_job_id}")
def test_status_body_matches_schema(
    contract_client: ContractClient, contract_profile: Profile, status_job_id: str
) -> None:
    """GET the job's status: 200, JSON, and every field as the contract documents it."""
    response = contract_client.get_status(status_job_id)
    expect_valid_status(response, contract_profile, contract_client.api_key, status_job_id)
