"""StatusGuard on a plain httpx client, against a stand-in on 127.0.0.1 that echoes the key in its
reason phrase (httpx shows it in a response's repr) and in its body: the guard's frames in a
traceback hold no form of it, neither when it raises a violation (pytest's default `--tb=long`
shows each frame's arguments) nor when the body was cut short while it read (the caller's read
error, with every frame's locals captured)."""

from __future__ import annotations

import asyncio
import http.server
import json
import traceback
from contextlib import AbstractContextManager

import httpx
import pytest

from batch_contract.assertions import BatchStatusMismatch
from batch_contract.guard import StatusGuard

from .canary import CANARY, echoed_forms, holds_canary
from .stand_in import StandIn, standing_in

FORMS = [form for form in echoed_forms().values() if "\x00" not in form]
STATUS = "/api/v1/beta/batch-processing/bjb-1"
HEADERS = {"Authorization": f"Bearer {CANARY}"}


def breaking_body() -> bytes:
    """A status body whose `job.status` breaks the contract, with every form of the key beside."""
    job = {
        "id": "bjb-1",
        "job_type": "parse",
        "project_id": "proj-1",
        "status": "unheard-of",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:05:00Z",
    }
    return json.dumps({"job": job, "echo": FORMS}).encode()


class _Echoing(http.server.BaseHTTPRequestHandler):
    """A 200 whose reason phrase is `OK <key>` and whose body breaks the contract; with the
    server's `cut` set, the body stops at half its Content-Length."""

    protocol_version = "HTTP/1.1"
    server: StandIn

    def do_GET(self) -> None:
        """The answer, whatever the path."""
        body = breaking_body()
        cut = self.server.settings["cut"]
        self.send_response(200, f"OK {CANARY}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + (1000 if cut else 0)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if cut else body)
        self.wfile.flush()
        self.close_connection = cut

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def echoing(cut: bool = False) -> AbstractContextManager[str]:
    """The stand-in on 127.0.0.1 for the block; yields its base URL."""
    return standing_in(_Echoing, cut=cut)


def guard_frames(error: BaseException) -> str:
    """Every frame of the guard in `error`'s traceback, its locals captured as a reporter that
    shows locals captures them (their reprs)."""
    shown = traceback.TracebackException.from_exception(error, capture_locals=True)
    frames = [frame for frame in shown.stack if frame.filename.endswith("batch_contract/guard.py")]
    assert frames, "the traceback shows no frame of the guard"
    return "".join(f"{frame.name}: {frame.locals}\n" for frame in frames)


USER_TEST = """
import os, httpx
from batch_contract.guard import StatusGuard

def test_status_through_the_guard():
    client = httpx.Client(
        base_url=os.environ["STAND_IN"],
        headers={"Authorization": "Bearer " + os.environ["LLAMA_CLOUD_API_KEY"]},
        event_hooks={"response": [StatusGuard(on_violation="raise")]},
    )
    client.get("/api/v1/beta/batch-processing/bjb-1")
"""


def test_a_raised_violation_shows_no_key_with_the_default_long_traceback(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's test with the guard raising on a plain httpx.Client: pytest's default
    `--tb=long` (each frame's arguments) and the JUnit XML show the violation, not the key
    the reason phrase and the body echo."""
    pytester.makepyfile(test_user=USER_TEST)
    junit = pytester.path / "junit.xml"
    with echoing() as url:
        monkeypatch.setenv("STAND_IN", url)
        monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--tb=long", "--junitxml", str(junit)
        )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, output
    assert "BatchStatusMismatch" in output
    assert "unheard-of" in output
    assert not holds_canary(output), output
    assert not holds_canary(junit.read_text("utf-8"))


def test_a_raised_violation_leaves_no_key_in_the_guards_frames() -> None:
    """Sync and async hooks: every local of every guard frame the exception's traceback holds
    is free of the key (the response, whose repr shows the reason phrase, and the body)."""
    guard = StatusGuard("raise")
    with echoing() as url:
        with (
            httpx.Client(base_url=url, headers=HEADERS, event_hooks={"response": [guard]}) as http,
            pytest.raises(BatchStatusMismatch) as raised,
        ):
            http.get(STATUS)
        shown = guard_frames(raised.value)

        async def fetch() -> None:
            hooks = {"response": [guard.async_hook]}
            async with httpx.AsyncClient(base_url=url, headers=HEADERS, event_hooks=hooks) as http:
                await http.get(STATUS)

        with pytest.raises(BatchStatusMismatch) as raised:
            asyncio.run(fetch())
        shown += guard_frames(raised.value)
    assert "__call__" in shown
    assert "async_hook" in shown
    assert not holds_canary(shown), shown
    assert guard.stats.invalid == 2


def test_a_body_cut_short_leaves_no_key_in_the_guards_frames() -> None:
    """The connection breaks while the guard reads: the caller's read error passes through the
    guard's replay, and no guard frame it shows holds a chunk of the body read so far."""
    guard = StatusGuard("raise")
    hooks = {"response": [guard]}
    with (
        echoing(cut=True) as url,
        httpx.Client(base_url=url, headers=HEADERS, event_hooks=hooks) as http,
        pytest.raises(httpx.RemoteProtocolError) as raised,
    ):
        http.get(STATUS)
    shown = guard_frames(raised.value)
    assert "__iter__" in shown
    assert not holds_canary(shown), shown
    assert guard.skip_reasons == {"read failed": 1}


def test_the_guard_frames_of_an_async_read_failure_hold_no_key() -> None:
    """The same through `guard.async_hook` on an httpx.AsyncClient."""
    guard = StatusGuard("raise")

    async def fetch(url: str) -> None:
        hooks = {"response": [guard.async_hook]}
        async with httpx.AsyncClient(base_url=url, headers=HEADERS, event_hooks=hooks) as http:
            await http.get(STATUS)

    with echoing(cut=True) as url, pytest.raises(httpx.RemoteProtocolError) as raised:
        asyncio.run(fetch(url))
    shown = guard_frames(raised.value)
    assert not holds_canary(shown), shown
    assert guard.skip_reasons == {"read failed": 1}


def test_the_stand_in_echoes_the_key_where_the_guard_reads() -> None:
    """The hazard is real: without a guard, httpx shows the reason phrase in a response's repr,
    and the body it reads holds the key."""
    with echoing() as url, httpx.Client(base_url=url, headers=HEADERS) as http:
        response = http.get(STATUS)
    assert holds_canary(repr(response))
    assert holds_canary(response.content)
