"""A hostile stand-in deployment on 127.0.0.1 that echoes the canary key back in every form
(`canary.echoed_forms`) and in every place a server can: field values (`job.status`), an
undocumented field, error bodies (a 404 in Latin-1, a 401, a 422, a 503 answered before a retry
succeeds), the `Location`, `WWW-Authenticate` and `Set-Cookie` headers, and bodies compressed as
`GZIP`, `gzip, gzip` or `deflate`.

`breaking=True`: every status names the key in `job.status` (one form per job), so the contract
suite fails and quotes it. `breaking=False`: every body honours the contract (the key only in an
undocumented field, headers and error bodies), so a recording passes and its cassettes are kept.
`undecodable=True`: the 404 comes with `Content-Encoding: x-hostile`, which no client decodes.
Built on the standard library only: it shares no code with the package."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar
from urllib.parse import urlsplit

from .canary import CANARY, echoed_forms

FORMS = echoed_forms()
ALL_FORMS = " ".join(FORMS.values())
HEADER_FORMS = [form for form in FORMS.values() if "\x00" not in form]
"""The forms a header can carry (HTTP allows no zero byte in one)."""
PREFIX = "/api/v1/beta/batch-processing/"
UNKNOWN = "bjb-ffffffff-ffff-4fff-bfff-ffffffffffff"
CODINGS = {"plain": None, "gzip-upper": "GZIP", "gzip-gzip": "gzip, gzip", "deflate": "deflate"}
"""The `Content-Encoding` of each job's answers (and of the error bodies, in turn)."""


def job_id(number: int) -> str:
    """The id of the stand-in's job number `number`."""
    return f"bjb-{number:08d}-aaaa-4aaa-baaa-aaaaaaaaaaaa"


BREAKING_JOBS = {job_id(n): name for n, name in enumerate(FORMS)}
"""Job id -> the form of the key its `job.status` holds (the breaking stand-in)."""
KEPT_JOBS = {job_id(100 + n): coding for n, coding in enumerate(CODINGS.values())}
"""Job id -> the `Content-Encoding` of its answers (the stand-in that honours the contract)."""
RETRIED_JOB = job_id(200)
"""A job whose first answer is a 503 naming the key, then a valid body (both stand-ins)."""


def compress(body: bytes, coding: str | None) -> bytes:
    """`body` with the `Content-Encoding` `coding` applied (None: as it is)."""
    if coding is None:
        return body
    for each in coding.lower().split(","):
        body = gzip.compress(body) if each.strip() == "gzip" else zlib.compress(body)
    return body


def status_body(job: str, status: str) -> bytes:
    """A valid status document of `job` (completed), but for `status`, with the key in every
    form in an undocumented field."""
    document = {
        "job": {
            "id": job,
            "job_type": "parse",
            "project_id": "proj-1",
            "status": status,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:05:00Z",
            "started_at": "2026-01-01T00:01:00Z",
            "completed_at": "2026-01-01T00:05:00Z",
            "total_items": 10,
            "processed_items": 10,
            "failed_items": 0,
            "skipped_items": 0,
        },
        "progress_percentage": 100,
        "debug_echo": ALL_FORMS,
    }
    return json.dumps(document, separators=(",", ":")).encode()


class EchoServer(http.server.ThreadingHTTPServer):
    """The stand-in: what it answers depends on `breaking`; it counts requests per job."""

    daemon_threads = True

    def __init__(self, breaking: bool, undecodable: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.breaking = breaking
        self.undecodable = undecodable
        self.asked: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def job_ids(self) -> list[str]:
        """The jobs a suite run asks for."""
        jobs = BREAKING_JOBS if self.breaking else KEPT_JOBS
        return [*jobs, RETRIED_JOB]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: EchoServer
    protocol_version = "HTTP/1.1"

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        coding: str | None = None,
        *,
        raw: bool = False,
    ) -> None:
        form = HEADER_FORMS[sum(self.server.asked.values()) % len(HEADER_FORMS)]
        body = body if raw else compress(body, coding)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if coding is not None:
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Location", f"https://login.invalid/next?key={form}")
        self.send_header("WWW-Authenticate", f'Bearer realm="{form}"')
        self.send_header("Set-Cookie", f"session={form}; Path=/")
        self.send_header("X-Debug-Key", form)
        self.send_header("Retry-After-Ms", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        """As GET, without a body."""
        self.do_GET()

    def do_GET(self) -> None:
        """Answers the status endpoint, echoing the key wherever it can."""
        url = urlsplit(self.path)
        job = url.path[len(PREFIX) :] if url.path.startswith(PREFIX) else ""
        with self.server.lock:
            self.server.asked[job] += 1
            asked = self.server.asked[job]
        plain = "text/plain; charset=iso-8859-1"
        if self.headers.get("Authorization") != f"Bearer {CANARY}":
            self._send(401, f'{{"detail":"expected {ALL_FORMS}"}}'.encode(), "application/json")
        elif "organization_id=not" in (url.query or ""):
            where = ["query", "organization_id"]
            detail = [{"loc": where, "msg": ALL_FORMS, "type": "uuid_parsing"}]
            body = {"detail": ALL_FORMS if self.server.breaking else detail}
            self._send(422, json.dumps(body).encode(), "application/json", "deflate")
        elif job == RETRIED_JOB and asked % 2 == 1:
            self._send(503, f"busy {ALL_FORMS}".encode("latin-1"), plain, "GZIP")
        elif self.server.breaking and job in BREAKING_JOBS:
            status = FORMS[BREAKING_JOBS[job]]
            coding = list(CODINGS.values())[asked % len(CODINGS)]
            self._send(200, status_body(job, status), "application/json", coding)
        elif job in KEPT_JOBS or job == RETRIED_JOB:
            self._send(200, status_body(job, "completed"), "application/json", KEPT_JOBS.get(job))
        else:
            body = f"clé inconnue: {ALL_FORMS}".encode("latin-1")
            if self.server.undecodable:
                self._send(404, zlib.compress(body), plain, "x-hostile", raw=True)
            else:
                self._send(404, body, plain, "gzip, gzip" if self.server.breaking else None)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


Served = TypeVar("Served", bound=http.server.HTTPServer)


@contextmanager
def serving(server: Served) -> Iterator[Served]:
    """`server` serving on a thread for the duration of the block, then closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def echo_server(breaking: bool, undecodable: bool = False) -> AbstractContextManager[EchoServer]:
    """The stand-in, serving on 127.0.0.1 in a thread for the duration of the block."""
    return serving(EchoServer(breaking, undecodable))
