"""A stand-in HTTP server on 127.0.0.1 for a handler of the tests, run in a thread for a block."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class StandIn(http.server.ThreadingHTTPServer):
    """The server: `settings` is what its handler reads of the test's choices."""

    daemon_threads = True

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler], **settings: Any) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.settings = settings


@contextmanager
def standing_in(
    handler: type[http.server.BaseHTTPRequestHandler], **settings: Any
) -> Iterator[str]:
    """`handler` served on 127.0.0.1 for the block; yields the base URL."""
    server = StandIn(handler, **settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
