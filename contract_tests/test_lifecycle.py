"""The life-cycle of a job, polled until a terminal status (and once more): every response
valid, status only forward, terminal final, counts and progress never decreasing."""

import pytest

from batch_contract.core.rules import Level
from batch_contract.core.schemas import Profile
from batch_contract.pytest_plugin.client import ContractClient
from batch_contract.pytest_plugin.polling import PollSettings, poll_until_terminal


@pytest.mark.contract_cassette("lifecycle/{lifecycle_job_id}")
def test_lifecycle_moves_forward_only(
    contract_client: ContractClient,
    contract_profile: Profile,
    poll_settings: PollSettings,
    contract_rule_levels: dict[str, Level],
    lifecycle_job_id: str,
) -> None:
    """Poll the job to a terminal status; every poll and every step honours the contract."""
    documents = poll_until_terminal(
        contract_client,
        lifecycle_job_id,
        contract_profile,
        poll_settings,
        levels=contract_rule_levels,
    )
    assert documents, "no response was checked"
