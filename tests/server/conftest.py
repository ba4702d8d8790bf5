"""Fixtures for the reference server's tests: in-process clients and a real loopback server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest

from batch_contract import ENDPOINT_PATH
from batch_contract.server import RunningServer, create_app, running_server

KEY = "test-key-Zq8"
"""The bearer key every in-process test server expects."""


class AppClient:
    """A synchronous face over httpx's ASGI transport: requests reach the app in-process."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and return the complete response."""
        return self._runner.run(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """Send a GET."""
        return self.request("GET", url, **kwargs)

    def close(self) -> None:
        """Close the client and its event loop."""
        self._runner.run(self._client.aclose())
        self._runner.close()


MakeClient = Callable[..., AppClient]


def job_path(job_id: str) -> str:
    """The endpoint path for a job id."""
    return ENDPOINT_PATH.format(job_id=job_id)


def auth(key: str = KEY) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build in-process clients of fresh reference apps (breaks, seed, step_seconds as wanted)."""
    clients: list[AppClient] = []

    def make(
        *, breaks: Sequence[str] = (), seed: int = 0, step_seconds: float | None = None
    ) -> AppClient:
        app = create_app(seed=seed, breaks=breaks, api_key=KEY, step_seconds=step_seconds)
        client = AppClient(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> AppClient:
    """An in-process client of a faithful reference app (seed 0)."""
    return make_client()


@pytest.fixture(scope="module")
def live_server() -> Iterator[RunningServer]:
    """A faithful reference server on a free loopback port, shared by one test module."""
    with running_server(api_key=KEY) as server:
        yield server
