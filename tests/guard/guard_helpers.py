"""Helpers of the guard tests: the canary key and the official SDK with a guard hooked in."""

from __future__ import annotations

import httpx
from llama_cloud import AsyncLlamaCloud, LlamaCloud

from batch_contract.guard import StatusGuard
from batch_contract.server import RunningServer

CANARY = "llx-canary-7f3b9c2e41d8a6"
"""The API key of every guard test: it must never show in an exception, warning or log record."""


def sdk_client(server: RunningServer, guard: StatusGuard, **options: object) -> LlamaCloud:
    """The official SDK over an httpx.Client that has the guard as its response hook."""
    http = httpx.Client(event_hooks={"response": [guard]})
    return LlamaCloud(
        api_key=server.api_key.get_secret_value(),
        base_url=server.base_url,
        http_client=http,
        **options,  # type: ignore[arg-type]
    )


def async_sdk_client(
    server: RunningServer, guard: StatusGuard, **options: object
) -> AsyncLlamaCloud:
    """The official async SDK over an httpx.AsyncClient with `guard.async_hook` as response hook."""
    http = httpx.AsyncClient(event_hooks={"response": [guard.async_hook]})
    return AsyncLlamaCloud(
        api_key=server.api_key.get_secret_value(),
        base_url=server.base_url,
        http_client=http,
        **options,  # type: ignore[arg-type]
    )
