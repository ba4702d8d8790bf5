"""An unknown job id is not found: 404 (or 422), never 200 or a server error."""

import pytest

from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.contract import expect_status_code


@pytest.mark.contract_cassette("not-found/unknown-job")
def test_unknown_job_id_is_not_found(contract_client: ContractClient, unknown_job_id: str) -> None:
    """GET a job id that does not exist: 404 or 422."""
    response = contract_client.get_status(unknown_job_id)
    expect_status_code(
        response, (404, 422), f"GET unknown job {unknown_job_id}", contract_client.api_key
    )
