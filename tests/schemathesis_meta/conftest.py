"""The schemathesis meta-tests run contract_tests/test_schemathesis.py with pytester."""

pytest_plugins = ["pytester"]
