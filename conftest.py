"""Project-level pytest glue: pytester for the plugin and meta-tests (pytest_plugins may only be
declared in the top-level conftest).

With the `[suite]` extra, the contract suite's plugins are imported here once: a pytest run loads
them only when it needs them, and pytester's in-process runs drop the modules a run imported when
it ends, so each run would import its own copies (warning classes included) next to the ones still
referenced."""

import importlib

from batch_contract.suite import missing_modules

if not missing_modules():
    for name in (
        "batch_contract.pytest_plugin.plugin",
        "batch_contract.pytest_plugin.schemathesis_support",
    ):
        importlib.import_module(name)

pytest_plugins = ["pytester"]
