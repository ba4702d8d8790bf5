"""A hostile stand-in deployment on 127.0.0.1 that knows a key shaped as LlamaCloud's
(`canary.LLX`) and echoes parts of it (`canary.partial_forms`): its secret part without `llx-`
in every form, the key split in two, a provider's hint, hex of a prefix, the key with a line
feed, CR LF, tab, zero-width space or soft hyphen inside, and the key cut after 10 characters
before an ellipsis (JSON-escaped in the body, `\\u2026`).

`breaking=True`: each job's `job.status` is one of these (the suite fails and quotes it).
`breaking=False`: every body honours the contract and carries them all in undocumented fields
(`x_<name>`, and one named after hex of the key's first 20 characters), so a recording passes
and keeps its cassettes. Unknown jobs get a 404 carrying them all. Built on the standard library
only: it shares no code with the package."""

from __future__ import annotations

import http.server
import json
from contextlib import AbstractContextManager
from urllib.parse import urlsplit

from .canary import LLX, partial_forms
from .echo_server import serving
from .echo_server import status_body as echo_status_body

ECHOES = {**partial_forms(), "cut-ellipsis": LLX[:10] + "\u2026"}
PREFIX = "/api/v1/beta/batch-processing/"
HEX_NAME = "x_" + LLX[:20].encode().hex()


def job_id(number: int) -> str:
    """The id of the stand-in's job number `number`."""
    return f"bjb-{number:08d}-cccc-4ccc-bccc-cccccccccccc"


BREAKING_JOBS = {job_id(n): name for n, name in enumerate(ECHOES)}
"""Job id -> the part of the key its `job.status` holds (the breaking stand-in)."""
KEPT_JOB = job_id(100)
"""The job of the stand-in that honours the contract."""


def status_body(job: str, status: str, echoes: dict[str, str]) -> bytes:
    """The echoing stand-in's valid status document of `job` (completed), but for `status`, with
    `echoes` in undocumented fields in place of its own (JSON as a server writes it: non-ASCII
    and control characters escaped)."""
    document = json.loads(echo_status_body(job, status))
    del document["debug_echo"]
    document |= {f"x_{name}": form for name, form in echoes.items()}
    if echoes:
        document[HEX_NAME] = 1
    return json.dumps(document).encode()


class PartialServer(http.server.ThreadingHTTPServer):
    """The stand-in: what it answers depends on `breaking`."""

    daemon_threads = True

    def __init__(self, breaking: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.breaking = breaking

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def job_ids(self) -> list[str]:
        """The jobs a suite run asks for."""
        return list(BREAKING_JOBS) if self.breaking else [KEPT_JOB]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PartialServer
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        """As GET, without a body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Answers the status endpoint, echoing parts of the key."""
        url = urlsplit(self.path)
        job = url.path[len(PREFIX) :] if url.path.startswith(PREFIX) else ""
        if self.headers.get("Authorization") != f"Bearer {LLX}":
            self._send(401, json.dumps({"detail": ECHOES}).encode())
        elif "organization_id=not" in (url.query or ""):
            where = ["query", "organization_id"]
            detail = [{"loc": where, "msg": " ".join(ECHOES.values()), "type": "uuid_parsing"}]
            self._send(422, json.dumps({"detail": detail}).encode())
        elif self.server.breaking and job in BREAKING_JOBS:
            self._send(200, status_body(job, ECHOES[BREAKING_JOBS[job]], {}))
        elif job == KEPT_JOB:
            self._send(200, status_body(job, "completed", ECHOES))
        else:
            self._send(404, json.dumps({"detail": "no such job", **ECHOES}).encode())

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def partial_server(breaking: bool) -> AbstractContextManager[PartialServer]:
    """The stand-in, serving on 127.0.0.1 in a thread for the duration of the block."""
    return serving(PartialServer(breaking))
