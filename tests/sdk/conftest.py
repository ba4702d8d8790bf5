"""Fixtures for the official-SDK compatibility tests: a reference server and a strict SDK client.

llama-cloud is part of the `dev` extra: when it is missing these tests fail at import, never skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llama_cloud import LlamaCloud

from batch_contract.server import RunningServer, running_server


@pytest.fixture
def reference_server() -> Iterator[RunningServer]:
    """A fresh reference server on loopback (moving jobs start at their first step)."""
    with running_server() as server:
        yield server


@pytest.fixture
def strict_client(reference_server: RunningServer) -> Iterator[LlamaCloud]:
    """The official SDK client, strict response validation on, pointed at the reference server."""
    client = LlamaCloud(
        api_key=reference_server.api_key.get_secret_value(),
        base_url=reference_server.base_url,
        max_retries=0,
        _strict_response_validation=True,
    )
    with client:
        yield client
