"""Project-level pytest glue: pytester for the plugin and meta-tests (pytest_plugins may only be
declared in the top-level conftest)."""

pytest_plugins = ["pytester"]
