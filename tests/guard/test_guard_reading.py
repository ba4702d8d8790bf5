"""The guard reads safely, proved with hostile doubles: a caller's stream keeps every raw byte
(`client.stream` + `iter_raw`, sync and async, compressed or not); a 100 MB body costs the guard
at most the size limit plus one chunk, counted at the stream (httpx.MockTransport) and at the
socket (a streaming server on 127.0.0.1); the endpoint is judged with a trailing slash and behind
a redirect; and every response the guard sees is either checked or skipped with a reason."""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from batch_contract.assertions import BatchStatusMismatch
from batch_contract.core.limits import MAX_DOCUMENT_BYTES
from batch_contract.guard import ContractViolationWarning, GuardStats, StatusGuard

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE: dict[str, Any] = json.loads((ROOT / "docs" / "example-response.json").read_bytes())
BASE = "http://127.0.0.1:9"
STATUS = "/api/v1/beta/batch-processing/bjb-1"
VALID = json.dumps(EXAMPLE).encode()
BROKEN_DOC = copy.deepcopy(EXAMPLE)
BROKEN_DOC["job"]["status"] = "queued"
BROKEN = json.dumps(BROKEN_DOC).encode()
HUGE = 100 * 1024 * 1024
CHUNK = 64 * 1024
JSON = {"content-type": "application/json"}


class Counting(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of `size` bytes sent `CHUNK` bytes at a time (sync or async), counting what was
    pulled from it: a hostile server that would send 100 MB to whoever keeps reading."""

    def __init__(self, size: int, prefix: bytes = b"") -> None:
        self.size = size
        self.prefix = prefix
        self.pulled = 0

    def _chunks(self) -> Iterator[bytes]:
        first = self.prefix + b" " * (CHUNK - len(self.prefix))
        while self.pulled < self.size:
            chunk = first if self.pulled == 0 else b" " * min(CHUNK, self.size - self.pulled)
            self.pulled += len(chunk)
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk


def mock(body: bytes | httpx.SyncByteStream, headers: dict[str, str] | None = None) -> Any:
    """A transport answering 200 with `body` as a one-shot stream (never pre-read)."""

    def answer(request: httpx.Request) -> httpx.Response:
        stream = body if isinstance(body, httpx.SyncByteStream) else httpx.ByteStream(body)
        if isinstance(body, bytes):
            stream = Once(body)
        return httpx.Response(200, stream=stream, headers={**JSON, **(headers or {})})

    return httpx.MockTransport(answer)


class Once(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that can be iterated once only, in two chunks, like a network stream."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.used = False

    def _chunks(self) -> Iterator[bytes]:
        assert not self.used, "the body was read twice from the network"
        self.used = True
        half = len(self.raw) // 2
        yield from (self.raw[:half], self.raw[half:])

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk


@pytest.mark.parametrize("encoding", [None, "gzip"])
@pytest.mark.parametrize("body", [VALID, BROKEN], ids=["valid", "broken"])
def test_client_stream_and_iter_raw_keep_every_raw_byte(encoding: str | None, body: bytes) -> None:
    """`client.stream(...)` then `iter_raw()` with the guard installed (warn mode): no
    `StreamConsumed`, the caller gets the raw bytes as sent (still compressed), and the guard
    judged the decoded body."""
    raw = gzip.compress(body) if encoding else body
    headers = {"content-encoding": encoding} if encoding else {}
    guard = StatusGuard("warn")
    with httpx.Client(
        base_url=BASE, transport=mock(raw, headers), event_hooks={"response": [guard]}
    ) as http:
        expect = pytest.warns(ContractViolationWarning) if body is BROKEN else nullcontext()
        with expect, http.stream("GET", STATUS) as response:
            assert b"".join(response.iter_raw()) == raw
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=int(body is BROKEN))


def test_async_stream_and_aiter_raw_keep_every_raw_byte() -> None:
    """The async hook on `AsyncClient.stream(...)` then `aiter_raw()`: every raw byte arrives,
    and the body was judged."""
    guard = StatusGuard("raise")

    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Once(VALID), headers=JSON)

    async def run() -> bytes:
        async with (
            httpx.AsyncClient(
                base_url=BASE,
                transport=httpx.MockTransport(answer),
                event_hooks={"response": [guard.async_hook]},
            ) as http,
            http.stream("GET", STATUS) as response,
        ):
            return b"".join([chunk async for chunk in response.aiter_raw()])

    assert asyncio.run(run()) == VALID
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=0)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_100_mb_body_costs_the_guard_at_most_the_limit_plus_a_chunk(flavour: str) -> None:
    """A 100 MB body without Content-Length: the guard pulls no more than the limit + 1 byte,
    rounded up to the stream's chunk, calls it too large, and the caller (warn mode) can still
    read all 100 MB."""
    guard = StatusGuard("warn")
    body = Counting(HUGE, prefix=b'{"job": ')
    pulled_by_guard = -1

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body, headers=JSON)

    async def aanswer(request: httpx.Request) -> httpx.Response:
        return answer(request)

    def hook(response: httpx.Response) -> None:
        nonlocal pulled_by_guard
        guard(response)
        pulled_by_guard = body.pulled

    async def ahook(response: httpx.Response) -> None:
        nonlocal pulled_by_guard
        await guard.async_hook(response)
        pulled_by_guard = body.pulled

    def read_sync() -> int:
        with (
            httpx.Client(
                base_url=BASE,
                transport=httpx.MockTransport(answer),
                event_hooks={"response": [hook]},
            ) as http,
            http.stream("GET", STATUS) as response,
        ):
            return sum(len(chunk) for chunk in response.iter_raw())

    async def read_async() -> int:
        async with (
            httpx.AsyncClient(
                base_url=BASE,
                transport=httpx.MockTransport(aanswer),
                event_hooks={"response": [ahook]},
            ) as http,
            http.stream("GET", STATUS) as response,
        ):
            return sum([len(chunk) async for chunk in response.aiter_raw()])

    with pytest.warns(ContractViolationWarning, match="document too large"):
        total = read_sync() if flavour == "sync" else asyncio.run(read_async())
    assert MAX_DOCUMENT_BYTES < pulled_by_guard <= MAX_DOCUMENT_BYTES + CHUNK
    assert total == HUGE
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=1)


def test_a_declared_100_mb_body_is_judged_without_reading_a_byte() -> None:
    """A Content-Length over the limit is too large before anything is read: the stream is
    untouched when the guard is done."""
    guard = StatusGuard("raise")
    body = Counting(HUGE)
    transport = mock(body, {"content-length": str(HUGE)})
    with (
        httpx.Client(base_url=BASE, transport=transport, event_hooks={"response": [guard]}) as http,
        pytest.raises(BatchStatusMismatch, match="document too large"),
    ):
        http.get(STATUS)
    assert body.pulled == 0


def test_a_streaming_server_sends_little_of_its_100_mb() -> None:
    """A server on 127.0.0.1 streams 100 MB (chunked, no length) and counts what it could send
    before the guard (raise mode) made the client close: the limit and the sockets' buffers,
    far from 100 MB."""
    sent = 0
    done = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        nonlocal sent
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"transfer-encoding: chunked\r\n\r\n"
            )
            chunk = b" " * CHUNK
            framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
            try:
                while sent < HUGE:
                    conn.sendall(framed)
                    sent += len(chunk)
            except OSError:
                pass
        done.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    guard = StatusGuard("raise")
    url = f"http://127.0.0.1:{listener.getsockname()[1]}{STATUS}"
    try:
        with (
            httpx.Client(event_hooks={"response": [guard]}, timeout=30) as http,
            pytest.raises(BatchStatusMismatch, match="document too large"),
        ):
            http.get(url)
        assert done.wait(30)
    finally:
        listener.close()
    assert sent < MAX_DOCUMENT_BYTES + 24 * 1024 * 1024, sent
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=1)


def test_trailing_slash_is_the_endpoint() -> None:
    """`.../{job_id}/` is judged like `.../{job_id}` (the cassette reader accepts both)."""
    guard = StatusGuard("raise")
    with (
        httpx.Client(
            base_url=BASE, transport=mock(BROKEN), event_hooks={"response": [guard]}
        ) as http,
        pytest.raises(BatchStatusMismatch) as raised,
    ):
        http.get(STATUS + "/")
    assert raised.value.title.startswith("status of job bjb-1: ")


def redirecting(target: bytes) -> httpx.MockTransport:
    """The endpoint redirects (307) to /elsewhere/..., which answers `target`."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/elsewhere"):
            return httpx.Response(200, stream=Once(target), headers=JSON)
        return httpx.Response(307, headers={"location": "/elsewhere/status.json"})

    return httpx.MockTransport(answer)


def test_a_redirect_from_the_endpoint_leads_to_a_judged_response() -> None:
    """httpx following a redirect from the endpoint: the response it leads to is judged as the
    job's status, and the redirect itself is counted as skipped."""
    guard = StatusGuard("raise")
    with (
        httpx.Client(
            base_url=BASE,
            transport=redirecting(BROKEN),
            event_hooks={"response": [guard]},
            follow_redirects=True,
        ) as http,
        pytest.raises(BatchStatusMismatch) as raised,
    ):
        http.get(STATUS)
    assert raised.value.title.startswith("status of job bjb-1: ")
    assert guard.stats == GuardStats(checked=1, skipped=1, invalid=1)
    assert guard.skip_reasons == {"redirect": 1}


class Redirector(threading.Thread):
    """A stdlib server on 127.0.0.1: the endpoint redirects to /elsewhere, which answers BROKEN."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/elsewhere"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(BROKEN)))
                    self.end_headers()
                    self.wfile.write(BROKEN)
                else:
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere/status")
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(daemon=True)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def run(self) -> None:
        """Serves until shut down."""
        self.server.serve_forever()


def test_requests_follows_a_redirect_to_a_judged_response() -> None:
    """requests following a redirect from the endpoint: the response it leads to is judged."""
    server = Redirector()
    server.start()
    guard = StatusGuard("raise")
    try:
        with requests.Session() as session:
            session.hooks["response"].append(guard.requests_hook)
            url = f"http://127.0.0.1:{server.server.server_address[1]}{STATUS}"
            with pytest.raises(BatchStatusMismatch) as raised:
                session.get(url, timeout=10)
    finally:
        server.server.shutdown()
        server.server.server_close()
    assert raised.value.title.startswith("status of job bjb-1: ")
    assert guard.stats == GuardStats(checked=1, skipped=1, invalid=1)


def test_requests_stream_is_left_to_the_caller_and_counted() -> None:
    """requests with `stream=True`: the guard reads nothing (the caller's `raw` stream is whole)
    and counts the response as skipped, "streamed, not read"."""
    server = Redirector()
    server.start()
    guard = StatusGuard("raise")
    try:
        with requests.Session() as session:
            session.hooks["response"].append(guard.requests_hook)
            url = f"http://127.0.0.1:{server.server.server_address[1]}/elsewhere{STATUS}"
            with session.get(url, timeout=10, stream=True) as response:
                assert response.raw.read() == BROKEN
    finally:
        server.server.shutdown()
        server.server.server_close()
    assert guard.stats == GuardStats(checked=0, skipped=1, invalid=0)
    assert guard.skip_reasons == {"streamed, not read": 1}


def test_every_response_seen_is_checked_or_skipped_with_a_reason() -> None:
    """A mix of requests through one guard: checked + skipped equals the responses seen, and the
    reasons add up to the skipped count."""

    def answer(request: httpx.Request) -> httpx.Response:
        status = int(request.url.params.get("status", "200"))
        return httpx.Response(status, stream=Once(VALID), headers=JSON)

    guard = StatusGuard("raise", sample=0.5, seed=3)
    urls = [STATUS, STATUS + "/", STATUS + "?status=404", "/other", STATUS + "?status=500"] * 8
    with httpx.Client(
        base_url=BASE, transport=httpx.MockTransport(answer), event_hooks={"response": [guard]}
    ) as http:
        for url in urls:
            http.get(url)
        http.post(STATUS)
    stats = guard.stats
    assert stats.checked + stats.skipped == len(urls) + 1
    assert sum(guard.skip_reasons.values()) == stats.skipped
    assert guard.skip_reasons["not 2xx"] == 16
    assert guard.skip_reasons["other request"] == 9
    assert guard.skip_reasons["sampled out"] + stats.checked == 16
