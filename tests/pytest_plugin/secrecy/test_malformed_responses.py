"""A deployment whose answers are not HTTP at all, with the key inside the bytes it sends: the
client's parser (h11) quotes the line it refused as a bytes literal, and the suite's one-line
"cannot reach" message shows it masked, whatever the key's form there."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .canary import CANARY, holds_canary

ROOT = Path(__file__).resolve().parents[3]
WIDE = CANARY.encode("utf-16-le")
ANSWERS = {
    "utf-16-header-line": b"HTTP/1.1 200 OK\r\nX-Echo: " + WIDE + b"\r\n\r\n",
    "utf-16-status-line": b"HTTP/1.1 200 " + WIDE + b"\r\n\r\n",
    "gzip-status-line": b"HTTP/1.1 " + gzip.compress(CANARY.encode()) + b"\r\n\r\n",
}


@contextmanager
def answering(answer: bytes) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that reads each request and writes `answer`; yields its URL."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                client.settimeout(2)
                try:
                    client.recv(65536)
                    client.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        server.close()
        thread.join(5)


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=list(ANSWERS))
def test_the_refused_answer_is_quoted_masked(answer: bytes) -> None:
    """The run stops at its start in one line naming the address, and the key shows in no form
    (the UTF-16 text quoted with `\\x00` escapes, the gzip stream as a bytes literal)."""
    with answering(answer) as url:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
             "--live", "--contract-base-url", url, "--job-id", "bjb-1", "--http-retries", "0"],
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY},
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode != 0
    assert f"cannot reach {url}" in output, output[-2000:]
    assert "***" in output
    assert not holds_canary(output), output[-2000:]
