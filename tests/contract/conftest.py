"""The meta-tests run the contract suite with pytester."""

pytest_plugins = ["pytester"]
