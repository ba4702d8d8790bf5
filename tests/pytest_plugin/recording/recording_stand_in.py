"""The deployment stand-in of the recording tests: the standard library's HTTP server on
127.0.0.1, answering the endpoint as the suite expects (401 without the key, 404 for the suite's
unknown job, a valid completed body naming the id it decoded); each test's handler decides what
else it does."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote

from batch_contract.pytest_plugin.targets import UNKNOWN_JOB_ID

ROOT = Path(__file__).resolve().parents[3]
BODY = json.loads((ROOT / "tests/examples/valid/completed.json").read_text())
PREFIX = "/api/v1/beta/batch-processing/"


class StandIn(BaseHTTPRequestHandler):
    """Answers with the key `key` (set by each test's subclass)."""

    key = ""

    def job(self) -> str | None:
        """The decoded job id of the request path, None for another path."""
        raw = self.path.partition("?")[0]
        return unquote(raw[len(PREFIX) :]) if raw.startswith(PREFIX) else None

    def refused(self, job: str | None) -> bool:
        """Whether the request was answered 401 (no key) or 404 (no such job)."""
        if self.headers.get("Authorization") != f"Bearer {self.key}":
            self.answer(401, {"detail": "Invalid API key"})
        elif job is None or job == UNKNOWN_JOB_ID:
            self.answer(404, {"detail": "Job not found"})
        else:
            return False
        return True

    def answer_job(self, job: str) -> None:
        """A valid completed body naming `job`."""
        self.answer(200, {**BODY, "job": {**BODY["job"], "id": job}})

    def answer(self, status: int, body: object) -> None:
        """Sends `body` as JSON with `status`."""
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet."""
