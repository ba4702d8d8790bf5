"""A stand-in deployment on 127.0.0.1 that honours the contract except in one sly way, chosen by
`mode`; built on the standard library only, it shares no code with the package.

One job, `JOB`. Its answers, by the number of authorized requests for it so far:

- `faithful`: running, then completed for good;
- `retry-hint-200`: every odd answer breaks the schema (status "exploded", progress 250) and
  carries `x-should-retry: true`, which the official SDK ignores on a 200 (it hands the body to
  its caller); the even ones are completed;
- `close-once`: the first answer is a 200 that promises 500 bytes, sends 7 and closes the
  connection; the rest are completed (the SDK retries the cut one);
- `back-after-confirm`: running, completed, completed, then running again for good (a terminal
  status left, seen only by a later test)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

KEY = "sly-key-0123456789abcdef"
JOB = "bjb-11111111-2222-4333-8444-555555555555"
PREFIX = "/api/v1/beta/batch-processing/"
MODES = ("faithful", "retry-hint-200", "close-once", "back-after-confirm")


def body(status: str, progress: float | None = None) -> bytes:
    """A status document of `JOB` (10 items) in `status`."""
    done = 10 if status == "completed" else 0
    job = {
        "id": JOB, "job_type": "parse", "project_id": "p", "status": status,
        "total_items": 10, "processed_items": done,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:01Z",
    }  # fmt: skip
    if status == "completed":
        job["completed_at"] = "2026-01-01T00:00:01Z"
    if status != "pending":
        job["started_at"] = "2026-01-01T00:00:00Z"
    shown = (100 if status == "completed" else 0) if progress is None else progress
    return json.dumps({"job": job, "progress_percentage": shown}).encode()


class SlyServer(http.server.ThreadingHTTPServer):
    """The stand-in; `answers` counts the authorized requests for `JOB`."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.answers = 0
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """Where the stand-in listens."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: SlyServer

    def _send(self, code: int, data: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self._send(401, b'{"detail": "Invalid API key"}')
        elif "organization_id=not-a-uuid" in query:
            detail = [{"loc": ["query", "organization_id"], "msg": "not a uuid", "type": "uuid"}]
            self._send(422, json.dumps({"detail": detail}).encode())
        elif path != PREFIX + JOB:
            self._send(404, b'{"detail": "Batch job not found"}')
        else:
            with self.server.lock:
                self.server.answers += 1
                number = self.server.answers
            self._answer(number)

    def _answer(self, number: int) -> None:
        mode = self.server.mode
        if mode == "retry-hint-200" and number % 2:
            self._send(200, body("exploded", 250), ("x-should-retry", "true"))
        elif mode == "close-once" and number == 1:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "500")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"job":')
            self.close_connection = True
        elif mode in ("faithful", "back-after-confirm") and number == 1:
            self._send(200, body("running"))
        elif mode == "back-after-confirm" and number > 3:
            self._send(200, body("running", 0))
        else:
            self._send(200, body("completed"))

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def sly_server(mode: str) -> Iterator[SlyServer]:
    """The stand-in in `mode`, serving on a thread until the block ends."""
    server = SlyServer(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
