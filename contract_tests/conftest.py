"""The contract suite's fixtures come from the batch_contract pytest plugin, which this conftest
loads (it needs the `[suite]` extra); every test here takes `contract_target`, directly or through
`contract_client`. The cassettes of pytest-recording are configured here, for this folder only."""

from pathlib import Path
from typing import Any

import pytest

from batch_contract.pytest_plugin.autoload import load_autoloaded
from batch_contract.pytest_plugin.entry import load_suite
from batch_contract.pytest_plugin.options import SPEC_URL, add_suite_aliases
from batch_contract.pytest_plugin.targets import Target


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The suite's short option names (`--live`, `--reference`, `--job-id`, ...), as aliases of
    the plugin's `--contract-` options, each only where no plugin or conftest has taken it: only a
    run that collects this folder has them. A run with plugin autoloading off
    (`PYTEST_DISABLE_PLUGIN_AUTOLOAD`, `--disable-plugin-autoload`) gets the plugins it needs
    here."""
    load_autoloaded(pluginmanager)
    add_suite_aliases(parser)


def pytest_configure(config: pytest.Config) -> None:
    """This folder is the contract suite: load its plugins (one line naming the extra if it is not
    installed)."""
    load_suite(config)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The watch of the provider's OpenAPI document is collected only on request
    (`--contract-spec-url`)."""
    if collection_path.name == "test_watch.py" and config.getoption(SPEC_URL) is None:
        return True
    return None


@pytest.fixture(autouse=True)
def _contract_target_in_use(contract_target: Target) -> Target:
    """Marks every test of this folder as a contract test (the plugin selects them by it)."""
    return contract_target


@pytest.fixture(scope="module")
def vcr_cassette_dir(contract_cassette_dir: str) -> str:
    """pytest-recording's cassette folder: cassettes/ (a staging folder while recording)."""
    return contract_cassette_dir


@pytest.fixture
def vcr_config(contract_vcr_config: dict[str, Any]) -> dict[str, Any]:
    """pytest-recording's vcrpy options: secrets scrubbed, readable bodies, method+path matching."""
    return contract_vcr_config
