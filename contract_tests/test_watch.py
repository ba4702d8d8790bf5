"""The provider's OpenAPI document against the baseline this contract was derived from
(`batch-contract watch`): collected only with `--contract-spec-url`, and then one test that fails
on every finding of severity `error` (a response the new document allows would fail the
documented profile)."""

import pytest

from batch_contract.errors import BatchContractError
from batch_contract.pytest_plugin.options import SPEC_URL
from batch_contract.pytest_plugin.targets import Target
from batch_contract.watch.command import fails, watch
from batch_contract.watch.render import render_text

SPEC_PATH = "/api/openapi.json"


def test_provider_spec_keeps_the_contract(
    pytestconfig: pytest.Config, contract_target: Target
) -> None:
    """The published OpenAPI document changes nothing the documented profile would fail on."""
    url = pytestconfig.getoption(SPEC_URL) or contract_target.base_url.rstrip("/") + SPEC_PATH
    try:
        findings, compared = watch(spec=url, timeout=pytestconfig.getoption("--http-timeout"))
    except BatchContractError as error:  # an unreadable document is a failure, in one line
        pytest.fail(f"batch-contract watch: {error}", pytrace=False)
    if fails(findings, "error"):
        errors = [finding for finding in findings if finding.severity == "error"]
        pytest.fail(
            "the provider's OpenAPI document breaks the contract:\n"
            + render_text(errors, compared),
            pytrace=False,
        )
