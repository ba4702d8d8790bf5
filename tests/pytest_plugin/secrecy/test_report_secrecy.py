"""`--contract-report` against a live deployment that echoes the key into every 200 body (in
every encoding, inside a string field) and into a response header: the page names the echo's
field, and holds no form of the key (read by a detector that shares no code with the package)."""

from __future__ import annotations

import json
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


class BodyEcho:
    """ASGI middleware: every 200 JSON body gets the key, in every form, in `job.error_message`
    (and the mark `echoed-here`); every response a header echoing it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass through, rewriting the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if start["status"] == 200:
                value = json.loads(body)
                value["job"]["error_message"] = "echoed-here " + " ".join(ECHOES)
                body = json.dumps(value).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"x-echo", ECHOES[0].encode()))
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


@pytest.fixture
def echoing() -> Iterator[str]:
    """A loopback deployment that knows the canary key and echoes it; yields its URL."""
    server = uvicorn_server(BodyEcho(create_app(api_key=CANARY)))
    sock = bind_socket("127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield base_url(sock)
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_a_live_report_holds_no_form_of_an_echoed_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, echoing: str, tmp_path: Path
) -> None:
    """--live --contract-report against the echoing deployment: the page is written, shows the
    echoing field's body, and holds the key in no form."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    page = tmp_path / "report.html"
    result = pytester.runpytest_inprocess(
        str(ROOT / "contract_tests"), "--live", "--contract-base-url", echoing,
        "--job-id", "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "--record-mode=none",
        "--contract-report", str(page), "-p", "no:cacheprovider", "-k", "status_body",
    )  # fmt: skip
    assert page.is_file(), result.stdout.str()
    text = page.read_text(encoding="utf-8")
    assert "echoed-here" in text
    assert not holds_canary(text)
    assert not holds_canary(result.stdout.str() + result.stderr.str())
