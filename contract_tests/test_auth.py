"""The endpoint lets no one in without the right key: no key and a wrong key are refused."""

import pytest

from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.contract import expect_status_code

REFUSED = (401, 403)


@pytest.mark.contract_cassette("auth/{status_job_id}.without-key")
def test_request_without_key_is_refused(
    contract_client: ContractClient, status_job_id: str
) -> None:
    """A request with no Authorization header gets 401 or 403."""
    response = contract_client.get_status(status_job_id, auth="none")
    expect_status_code(
        response, REFUSED, f"GET {status_job_id} without a key", contract_client.api_key
    )


@pytest.mark.contract_cassette("auth/{status_job_id}.wrong-key")
def test_request_with_wrong_key_is_refused(
    contract_client: ContractClient, status_job_id: str
) -> None:
    """A request with a wrong bearer key gets 401 or 403."""
    response = contract_client.get_status(status_job_id, auth="wrong")
    expect_status_code(
        response, REFUSED, f"GET {status_job_id} with a wrong key", contract_client.api_key
    )
