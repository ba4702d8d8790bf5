"""Running the reference server: bound sockets, uvicorn, and an in-process context manager."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from batch_contract.secret import Secret
from batch_contract.server.app import create_app
from batch_contract.server.jobs import build_jobs

_START_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningServer:
    """A reference server answering on loopback: where it is, its key and its jobs."""

    base_url: str
    api_key: Secret
    """Its key, masked when shown: `api_key.get_secret_value()` gives it."""
    job_ids: tuple[str, ...]
    moving_job_ids: tuple[str, ...]
    static_job_ids: tuple[str, ...]


def development_key() -> str:
    """A fresh random API key for a server started without one."""
    return "llx-dev-" + secrets.token_urlsafe(24)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to host:port (port 0 picks a free one); OSError if not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _NoAccessLines(H11Protocol):
    """uvicorn's h11 protocol without its access lines (the app logs its own, `AccessLog`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


class _Config(uvicorn.Config):
    """uvicorn's configuration without its logging set-up, which is process-wide: for
    `access_log=False` it empties the `uvicorn.access` logger's handlers and stops its
    propagation, for every other uvicorn of the process (a project's own, in the same pytest run
    as the `batch_reference_server` fixture); `_NoAccessLines` leaves those lines out instead."""

    def configure_logging(self) -> None:
        """Leaves the process's logging as it is."""


def uvicorn_server(app: Any) -> uvicorn.Server:
    """A uvicorn server for the app that leaves logging alone (the app logs its own lines; the
    process's loggers stay as they are) and trusts no proxy header: the client it logs is the
    socket's peer, never `X-Forwarded-For` (which uvicorn believes by default from 127.0.0.1, so
    any local client could forge it)."""
    config = _Config(
        app,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        lifespan="off",
        ws="none",
        http=_NoAccessLines,
        loop="asyncio",
        server_header=False,
    )
    return uvicorn.Server(config)


def base_url(sock: socket.socket) -> str:
    """The http:// base URL of a bound socket, without a trailing slash."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextlib.contextmanager
def running_server(
    *,
    seed: int = 0,
    breaks: Sequence[str] = (),
    api_key: str | Secret | None = None,
    step_seconds: float | None = None,
) -> Iterator[RunningServer]:
    """Start the reference server on a free 127.0.0.1 port in a thread; stop it on exit."""
    key = api_key if isinstance(api_key, Secret) else Secret(api_key or "")
    key = key or Secret(development_key())
    app = create_app(seed=seed, breaks=breaks, api_key=key, step_seconds=step_seconds)
    jobs = build_jobs(seed)
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn_server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="batch-contract-server", daemon=True
    )
    try:
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the reference server did not start")
            time.sleep(0.01)
        yield RunningServer(
            base_url=base_url(sock),
            api_key=key,
            job_ids=tuple(jobs),
            moving_job_ids=tuple(job_id for job_id, job in jobs.items() if job.moving),
            static_job_ids=tuple(job_id for job_id, job in jobs.items() if not job.moving),
        )
    finally:
        server.should_exit = True
        if thread.is_alive():
            thread.join(_START_TIMEOUT)
        sock.close()
