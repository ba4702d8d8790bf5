"""Fixtures of the guard tests: reference servers on loopback that take the canary key.

llama-cloud is part of the `dev` extra: when it is missing these tests fail at import, never skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from guard_helpers import CANARY

from batch_contract.server import RunningServer, running_server


@pytest.fixture
def serve() -> Callable[..., AbstractContextManager[RunningServer]]:
    """Starts a reference server on loopback with the canary key and the given breaks."""

    def start(*breaks: str) -> AbstractContextManager[RunningServer]:
        return running_server(breaks=breaks, api_key=CANARY)

    return start


@pytest.fixture
def faithful() -> Iterator[RunningServer]:
    """A faithful reference server on loopback with the canary key."""
    with running_server(api_key=CANARY) as server:
        yield server
