"""A malformed query parameter is refused with 422 and FastAPI's validation error body."""

import pytest

from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.contract import ContractViolation, expect_status_code, json_body

MALFORMED_ORGANIZATION_ID = "not-a-uuid"


@pytest.mark.contract_cassette("validation/malformed-organization-id")
def test_malformed_organization_id_is_refused(
    contract_client: ContractClient, unknown_job_id: str
) -> None:
    """GET with `organization_id=not-a-uuid`: 422 with a `detail` list naming the parameter."""
    response = contract_client.get_status(
        unknown_job_id, params={"organization_id": MALFORMED_ORGANIZATION_ID}
    )
    secret = contract_client.api_key
    expect_status_code(response, (422,), "GET with a malformed organization_id", secret)
    body = json_body(response, secret)
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list) or not all(isinstance(item, dict) for item in detail):
        raise ContractViolation(f"expected a 422 body with a `detail` list of objects, got {body}")
    locations = [item.get("loc") for item in detail]
    if ["query", "organization_id"] not in locations:
        raise ContractViolation(f"expected an error at ['query', 'organization_id'], got {detail}")
