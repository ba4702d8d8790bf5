"""Recording the suite from a hostile deployment that echoes the key back in every encoding, in
a kept response header and in its 404 body: no file under the cassette folder holds the key in
any form, and the run says which recordings it refused."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batch_contract.server.app import create_app
from batch_contract.server.running import base_url, bind_socket, uvicorn_server

from .canary import CANARY, echoed_forms, holds_canary

ROOT = Path(__file__).resolve().parents[3]
ECHOES = list(echoed_forms().values())

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


class Echo:
    """ASGI middleware: every response gets a `WWW-Authenticate` header echoing the key in one
    form, and every 404 body becomes plain text echoing it in all forms."""

    def __init__(self, app: Any, wide: bool = False) -> None:
        self.app = app
        self.count = 0
        self.wide = wide
        """Whether 404 bodies are UTF-16 with no charset said: text that cannot be scrubbed."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass through, rewriting the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        form = ECHOES[self.count % len(ECHOES)]
        self.count += 1
        status = 0

        async def rewrite(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message["headers"] if k != b"content-length"]
                headers.append((b"www-authenticate", f'Bearer error="{form}"'.encode()))
                if status == 404:
                    headers = [(k, v) for k, v in headers if k != b"content-type"]
                    said = b"text/plain" if self.wide else b"text/plain; charset=utf-8"
                    headers.append((b"content-type", said))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and status == 404:
                text = "no job; your key: " + " ".join(ECHOES)
                body = text.encode("utf-16-le") if self.wide else text.encode()
                message = {**message, "body": body}
            await send(message)

        await self.app(scope, receive, rewrite)


@pytest.fixture
def hostile(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loopback deployment that knows the canary key and echoes it back; yields its URL."""
    app = Echo(create_app(api_key=CANARY), wide=getattr(request, "param", False))
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield base_url(sock)
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_recording_a_hostile_deployment_writes_no_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, hostile: str, tmp_path: Path
) -> None:
    """--live --record-mode=rewrite against the echoing deployment: every cassette written is
    free of the key in every form, and nothing printed holds it."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    folder = tmp_path / "cassettes"
    result = pytester.runpytest_inprocess(
        str(ROOT / "contract_tests"), "--live", "--contract-base-url", hostile,
        "--job-id", "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--record-mode=rewrite",
        "--cassette-dir", str(folder), "-p", "no:cacheprovider",
        "-k", "not_found or status_body or refused",
    )  # fmt: skip
    written = [path for path in folder.rglob("*") if path.is_file()]
    assert written, result.stdout.str()
    for path in written:
        assert not holds_canary(path.read_bytes()), path
    output = result.stdout.str() + result.stderr.str()
    assert not holds_canary(output)
    assert "not-found/unknown-job" in output or (folder / "not-found/unknown-job.yaml").is_file()


@pytest.mark.parametrize("hostile", [True], indirect=True, ids=["utf-16-404-body"])
def test_a_recording_that_cannot_be_scrubbed_is_refused_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, hostile: str, tmp_path: Path
) -> None:
    """A 404 body in UTF-16 with no charset said cannot be scrubbed: its cassette is refused in
    one line naming the interaction (every local shown, --tb=long), and the key shows nowhere;
    the refusal leaves no HTTP client patched by vcrpy in the process."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    folder = tmp_path / "cassettes"
    result = pytester.runpytest_inprocess(
        str(ROOT / "contract_tests"), "--live", "--contract-base-url", hostile,
        "--job-id", "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--record-mode=rewrite",
        "--cassette-dir", str(folder), "-p", "no:cacheprovider", "-k", "not_found",
        "-l", "--tb=long",
    )  # fmt: skip
    assert not (folder / "not-found" / "unknown-job.yaml").exists()
    output = result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(
        [
            "batch-contract: not written: */not-found/unknown-job.yaml would hold the API key "
            "(interaction 1: response body of GET /api/v1/beta/batch-processing/bjb-ffff*)"
        ]
    )
    assert not holds_canary(output)
    assert http.client.HTTPConnection.__module__ == "http.client", "vcrpy's patch was left on"
