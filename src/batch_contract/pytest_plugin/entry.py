"""The `pytest11` entry point of batch-contract, light because every pytest run of an environment
that has the package loads it.

It registers the contract suite's options (each named `--contract-...`: the short names are
the suite conftest's, `options.add_suite_aliases`) and loads the suite's plugins
(`batch_contract.pytest_plugin.plugin` and `batch_contract.pytest_plugin.schemathesis_support`,
which import httpx, vcrpy and schemathesis) only when a run asks for the suite: an option only the
suite uses is given, or the contract suite's conftest is loaded (it calls `load_suite`). A test's
fixture names never load it: a project's own `unknown_job_id` or `contract_client` stays its own.
Without the `[suite]` extra, asking for the suite stops the run with one line naming the extra.
An unrelated test suite never loads them, and gets no marker from us."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from batch_contract.pytest_plugin import deselection
from batch_contract.pytest_plugin.options import (
    add_coverage_options,
    add_options,
    add_report_options,
    add_schemathesis_options,
)

SUITE_PLUGINS = (
    "batch_contract.pytest_plugin.plugin",
    "batch_contract.pytest_plugin.schemathesis_support",
)
"""The contract suite's pytest plugins, registered under these names when a run needs them."""
SUITE_OPTIONS = (
    "--contract-live",
    "--contract-reference",
    "--contract-reference-break",
    "--contract-job-id",
)
"""Options that only the contract suite uses: giving one loads it."""
SCHEMATHESIS_OPTIONS = ("--contract-st-max-examples", "--contract-st-seed")
CASSETTE_MARKER = (
    "contract_cassette(name): cassette of a contract test, formatted with its "
    "parameters (e.g. 'status/{status_job_id}')"
)
_LOADED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Registers the batch-contract option group (the suite's options and schemathesis's)."""
    add_options(parser)
    add_schemathesis_options(parser)
    add_coverage_options(parser)
    add_report_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Loads the suite when an option only it uses is given."""
    for name in (*SUITE_OPTIONS, *SCHEMATHESIS_OPTIONS):
        if config.getoption(name) not in (None, False, []):
            load_suite(config, f"{name} (the contract suite)")
            return


def suite_loaded(config: pytest.Config) -> bool:
    """Whether this run has loaded the contract suite's plugins."""
    return config.stash.get(_LOADED, False)


def load_suite(config: pytest.Config, what: str = "the contract suite") -> None:
    """Registers the contract suite's plugins for this run (pytest then runs their
    `pytest_configure`); a one-line `pytest.UsageError` naming the extra if it is not installed."""
    if suite_loaded(config):
        return
    from batch_contract.errors import UsageError
    from batch_contract.suite import require_suite

    try:
        require_suite(what)
    except UsageError as error:
        raise pytest.UsageError(f"batch-contract: {error}") from None
    config.stash[_LOADED] = True
    config.addinivalue_line("markers", CASSETTE_MARKER)
    for name in SUITE_PLUGINS:
        module = importlib.import_module(name)
        if not config.pluginmanager.is_registered(module):
            config.pluginmanager.register(module, name)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Under pytest-xdist, in the controller: takes the contract tests a worker deselected. Here,
    in the light plugin, because a controller that collects nothing may never load the suite."""
    deselection.from_worker(node.config, node)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Says why contract tests were deselected, so a green run never hides an unchecked suite;
    and, under pytest-xdist, once tests ran, that the life-cycle rules across tests held each
    worker's tests to each other only."""
    for line in deselection.summary(config):
        terminalreporter.write_line(f"batch-contract: {line}", yellow=True)
    ran = any(terminalreporter.stats.get(key) for key in ("passed", "failed", "error"))
    if ran and _workers_apart(config):
        terminalreporter.write_line(
            "batch-contract: the life-cycle rules across tests held each xdist worker's tests to "
            "each other only, not to the other workers' (-n): run without -n to hold the whole "
            "run to them",
            yellow=True,
        )


def _workers_apart(config: pytest.Config) -> bool:
    """Whether this is the controller of a pytest-xdist run of the suite against a server (live
    or reference), whose workers each keep their own job history (`history`)."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return False
    if getattr(config.option, "dist", "no") == "no":
        return False
    return bool(
        config.getoption("--contract-live", False)
        or config.getoption("--contract-reference", False)
    )
