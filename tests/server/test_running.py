"""The reference server on real loopback: running_server, access lines and a clean stop."""

from __future__ import annotations

import logging
import socket
import time

import httpx
import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.secret import Secret
from batch_contract.server import DOCUMENTED_JOB_ID, MOVING_JOB_IDS, RunningServer, running_server
from batch_contract.server.access_log import REDACTED, request_target, scrub
from batch_contract.server.jobs import SKIPPING_JOB_IDS

from .conftest import KEY, auth, job_path


def test_running_server_describes_itself(live_server: RunningServer) -> None:
    """The handle gives a loopback base URL, the key and every job id, split moving/static."""
    assert live_server.base_url.startswith("http://127.0.0.1:")
    assert not live_server.base_url.endswith("/")
    assert live_server.api_key.get_secret_value() == KEY
    assert live_server.moving_job_ids == (*MOVING_JOB_IDS, *SKIPPING_JOB_IDS)
    assert DOCUMENTED_JOB_ID in live_server.static_job_ids
    assert set(live_server.job_ids) == {*live_server.moving_job_ids, *live_server.static_job_ids}
    assert len(live_server.static_job_ids) == 21


def test_every_job_answers_over_loopback_across_polls(live_server: RunningServer) -> None:
    """Over real HTTP, every id answers 200 with a valid body, poll after poll."""
    with httpx.Client(base_url=live_server.base_url, headers=auth()) as client:
        for _ in range(6):
            for job_id in live_server.job_ids:
                response = client.get(job_path(job_id))
                assert response.status_code == 200, job_id
                assert ContractCheck("documented").schema_violations(response.json()) == ()


def test_http_errors_over_loopback(live_server: RunningServer) -> None:
    """No key 401, wrong key 401, unknown id 404, bad project_id 422, POST 405 with Allow."""
    with httpx.Client(base_url=live_server.base_url) as client:
        path = job_path(DOCUMENTED_JOB_ID)
        assert client.get(path).status_code == 401
        assert client.get(path, headers=auth("wrong")).status_code == 401
        assert client.get(job_path("bjb-nope"), headers=auth()).status_code == 404
        bad = client.get(path, params={"project_id": "not-a-uuid"}, headers=auth())
        assert bad.status_code == 422
        post = client.post(path, headers=auth())
        assert (post.status_code, post.headers["allow"]) == (405, "GET, HEAD")
        head = client.head(path, headers=auth())
        assert (head.status_code, head.content) == (200, b"")


def test_a_generated_key_is_used_when_none_is_given() -> None:
    """Without api_key, a random development key protects the server."""
    with running_server() as server, httpx.Client(base_url=server.base_url) as client:
        assert server.api_key.get_secret_value().startswith("llx-dev-")
        assert len(server.api_key) > 20
        path = job_path(DOCUMENTED_JOB_ID)
        assert client.get(path, headers=auth(server.api_key.get_secret_value())).status_code == 200
        assert client.get(path, headers=auth(KEY)).status_code == 401


def test_the_server_stops_on_exit() -> None:
    """After the context ends nothing listens on the port any more."""
    with running_server(api_key=KEY, breaks=["status-case"]) as server:
        url = server.base_url + job_path(DOCUMENTED_JOB_ID)
        assert httpx.get(url, headers=auth()).json()["job"]["status"] == "PENDING"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, headers=auth())


def test_one_access_line_per_request_and_never_the_key(
    live_server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request logs one line with method, target, status and time; the key never shows."""
    caplog.set_level(logging.INFO, logger="batch_contract.server")
    with httpx.Client(base_url=live_server.base_url) as client:
        client.get(job_path(DOCUMENTED_JOB_ID), headers=auth())
        client.get(job_path(DOCUMENTED_JOB_ID), params={"api_key": KEY}, headers=auth("wrong"))
        client.get(job_path(KEY), headers=auth())
        client.post(job_path(DOCUMENTED_JOB_ID), headers=auth())
    deadline = time.monotonic() + 5  # the server logs a request once its response has gone out
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name == "batch_contract.server"]
        if len(lines) >= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(lines) == 4
    assert f'"GET {job_path(DOCUMENTED_JOB_ID)}" 200 ' in lines[0]
    assert f'"GET {job_path(DOCUMENTED_JOB_ID)}?api_key={REDACTED}" 401 ' in lines[1]
    assert f'"GET {job_path(REDACTED)}" 404 ' in lines[2]
    assert f'"POST {job_path(DOCUMENTED_JOB_ID)}" 405 ' in lines[3]
    assert all(line.endswith("ms") for line in lines)
    assert not [line for line in lines if KEY in line or "Bearer" in line]


def test_the_logged_client_is_the_peer_never_x_forwarded_for(
    live_server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A client on 127.0.0.1 sending `X-Forwarded-For` (a forged log line, header text): the line
    names the socket's own peer address and port, and no text of the header shows."""
    caplog.set_level(logging.INFO, logger="batch_contract.server")
    forged = '10.0.0.1:1 "GET /x" 200 1.0ms fake token=abc123def456ghi'
    host, port = live_server.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        peer = sock.getsockname()  # the server's peer: this socket, seen from its own side
        request = (
            f"GET {job_path(DOCUMENTED_JOB_ID)} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {KEY}\r\nX-Forwarded-For: {forged}\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.sendall(request.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    deadline = time.monotonic() + 5  # the server logs a request once its response has gone out
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name == "batch_contract.server"]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert len(lines) == 1
    assert lines[0].startswith(f'{peer[0]}:{peer[1]} "GET {job_path(DOCUMENTED_JOB_ID)}" 200 ')
    assert "10.0.0.1" not in lines[0]
    assert "abc123def456ghi" not in lines[0]


class _Lines(logging.Handler):
    """A project's own handler: keeps the messages it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


def _named(lines: list[str], logger: str) -> list[str]:
    """The lines of one logger."""
    return [line for line in lines if line.startswith(f"{logger}: ")]


def test_the_process_loggers_are_left_as_they_were() -> None:
    """A project that set up uvicorn's access logger (its handler, propagation) finds it as it set
    it once a reference server has run in its process, and that server's requests still add no
    uvicorn access line: only the server's own line. uvicorn's logging set-up used to empty the
    logger's handlers and turn its propagation off, process-wide, and name level 5 TRACE."""
    access = logging.getLogger("uvicorn.access")
    before = (access.handlers[:], access.propagate, access.level)
    mine = _Lines()
    access.handlers[:] = [mine]
    access.propagate = True
    root = _Lines()
    logging.getLogger().addHandler(root)
    own = logging.getLogger("batch_contract.server")
    own_level = own.level
    own.setLevel(logging.INFO)
    try:
        with running_server(api_key=KEY) as server:
            assert httpx.get(server.base_url + job_path(DOCUMENTED_JOB_ID)).status_code == 401
            deadline = time.monotonic() + 5  # the line is logged once the response has gone out
            while not _named(root.lines, own.name) and time.monotonic() < deadline:
                time.sleep(0.01)
        assert (access.handlers, access.propagate) == ([mine], True)
        assert logging.getLevelName(5) == "Level 5"
        assert mine.lines == []
        assert len(_named(root.lines, own.name)) == 1
        assert _named(root.lines, access.name) == []
    finally:
        logging.getLogger().removeHandler(root)
        own.setLevel(own_level)
        access.handlers[:], access.propagate, access.level = before


def test_secret_looking_query_values_and_the_key_are_scrubbed() -> None:
    """Values of key/token/secret parameters are redacted; the key is scrubbed anywhere."""
    scope = {"raw_path": b"/a", "query_string": b"x=1&access_token=t0k&Password=p&apiKey=z"}
    assert request_target(scope) == (
        f"/a?x=1&access_token={REDACTED}&Password={REDACTED}&apiKey={REDACTED}"
    )
    assert (
        scrub("before s3cr/t after s3cr%2Ft", Secret("s3cr/t"))
        == f"before {REDACTED} after {REDACTED}"
    )
