"""The status of every job: HTTP 200, `Content-Type: application/json`, and a body that honours
the schema profile and the semantic rules at their levels (`--rule`, pyproject.toml)."""

import pytest

from batch_contract.core.rules import Level
from batch_contract.core.schemas import Profile
from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.contract import expect_valid_status


@pytest.mark.contract_cassette("status/{status_job_id}")
def test_status_body_matches_schema(
    contract_client: ContractClient,
    contract_profile: Profile,
    contract_rule_levels: dict[str, Level],
    status_job_id: str,
) -> None:
    """GET the job's status: 200, JSON, every field as documented, no error-level rule broken."""
    response = contract_client.get_status(status_job_id)
    expect_valid_status(
        response, contract_profile, contract_client.api_key, status_job_id, contract_rule_levels
    )
