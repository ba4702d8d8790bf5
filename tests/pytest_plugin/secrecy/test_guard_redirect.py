"""StatusGuard against a hostile deployment on 127.0.0.1 that redirects the status endpoint to
another origin (another port: the client drops the `Authorization` header there), carrying the
key it was sent in the `Location` query; the answer there echoes it in `job.status`. The guard
judges that answer as the job's, and its warning, log record or exception holds no form of the
key: the credentials of the requests before a redirect are masked too."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import llama_cloud
import pytest
import requests

from batch_contract.assertions import BatchStatusMismatch
from batch_contract.guard import LOGGER_NAME, StatusGuard

from .canary import LLX, holds_part
from .echo_server import status_body
from .stand_in import StandIn, standing_in

PATH = "/api/v1/beta/batch-processing/bjb-1"


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """With `next` set: a 302 to the same path there, the credentials sent carried in the query.
    Without: the status of the job, its `job.status` the key of the query."""

    server: StandIn
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Redirects, or echoes."""
        url = urlsplit(self.path)
        following = self.server.settings["next"]
        if following:
            sent = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self.send_response(302)
            self.send_header("Location", f"{following}{url.path}?k={quote(sent)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.settings["seen"].append(self.headers.get("Authorization"))
        echoed = parse_qs(url.query).get("k", [""])[0]
        body = status_body("bjb-1", echoed)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def deployment(seen: list[str | None]) -> Iterator[str]:
    """The redirecting origin (yielded, its base URL) and the echoing one behind it."""
    with (
        standing_in(_Redirecting, next=None, seen=seen) as elsewhere,
        standing_in(_Redirecting, next=elsewhere, seen=seen) as url,
    ):
        yield url


def _get(client: str, url: str, guard: StatusGuard) -> None:
    headers = {"Authorization": f"Bearer {LLX}"}
    if client == "httpx":
        with httpx.Client(event_hooks={"response": [guard]}, follow_redirects=True) as http:
            http.get(url, headers=headers)
    elif client == "httpx-async":

        async def get() -> None:
            hooks = {"response": [guard.async_hook]}
            async with httpx.AsyncClient(event_hooks=hooks, follow_redirects=True) as http:
                await http.get(url, headers=headers)

        asyncio.run(get())
    elif client == "sdk":  # its own httpx client follows redirects
        hooked = llama_cloud.DefaultHttpxClient(event_hooks={"response": [guard]})
        base_url = url.removesuffix(PATH)
        with llama_cloud.LlamaCloud(api_key=LLX, base_url=base_url, http_client=hooked) as sdk:
            sdk.beta.batch.get_status("bjb-1")
    else:
        with requests.Session() as session:
            session.hooks["response"].append(guard.requests_hook)
            session.get(url, headers=headers, timeout=10)


@pytest.mark.parametrize("client", ["httpx", "httpx-async", "requests", "sdk"])
@pytest.mark.parametrize("mode", ["raise", "warn", "log"])
def test_a_key_echoed_after_a_redirect_to_another_origin_is_masked(
    client: str, mode: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer the redirect led to, sent without the key, echoes it in `job.status`: the
    guard judges it, and what it reports shows the key as `***`."""
    seen: list[str | None] = []
    guard = StatusGuard(mode)
    shown = ""
    with (
        deployment(seen) as url,
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level(logging.WARNING, LOGGER_NAME),
    ):
        warnings.simplefilter("always")
        try:
            _get(client, url + PATH, guard)
        except BatchStatusMismatch as error:
            shown += str(error) + repr(error.violations)
            shown += "".join(traceback.format_exception(error))
    shown += "".join(str(w.message) + repr(getattr(w.message, "violations", "")) for w in caught)
    shown += "".join(r.getMessage() + repr(vars(r)) for r in caplog.records)
    assert seen == [None]  # the client dropped the key at the other origin
    assert guard.stats == (1, 1, 1)
    assert 'found string "***"' in shown, shown
    assert not holds_part(shown), shown
    assert json.dumps(LLX) not in shown
