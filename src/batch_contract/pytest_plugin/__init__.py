"""The pytest face: the light entry point, the contract suite's plugin, its
targets, HTTP client, recording, fixtures and schemathesis checks."""
