"""The contract suite's fixtures come from the batch_contract pytest plugin (pytest11 entry point);
every test here takes `contract_target`, directly or through `contract_client`."""

import pytest

from batch_contract.targets import Target


@pytest.fixture(autouse=True)
def _contract_target_in_use(contract_target: Target) -> Target:
    """Marks every test of this folder as a contract test (the plugin selects them by it)."""
    return contract_target
