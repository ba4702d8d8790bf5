"""The contract suite with pytest's plugin autoloading off (`PYTEST_DISABLE_PLUGIN_AUTOLOAD`,
`--disable-plugin-autoload`, as CI setups often set): the suite's conftest registers the plugins it
needs that pytest would have loaded from their entry points, and nothing else."""

from __future__ import annotations

import importlib

import pytest

AUTOLOADED = (
    ("batch_contract", "batch_contract.pytest_plugin.entry"),
    ("batch_contract_fixtures", "batch_contract.pytest_plugin.fixtures"),
    ("recording", "pytest_recording.plugin"),
)
"""(entry point name, module) of each plugin the contract suite needs from an entry point."""


def load_autoloaded(pluginmanager: pytest.PytestPluginManager) -> None:
    """Registers the `AUTOLOADED` plugins pytest did not load; called from the suite conftest's
    `pytest_addoption`, before the command line is parsed (their options then exist)."""
    for name, module in AUTOLOADED:
        if pluginmanager.has_plugin(name) or pluginmanager.has_plugin(module):
            continue
        try:
            plugin = importlib.import_module(module)
        except ImportError:  # no [suite]: `entry.load_suite` says so in one line
            continue
        if not pluginmanager.is_registered(plugin):
            pluginmanager.register(plugin, module)
