"""One log line per request, with nothing secret in it: an ASGI middleware."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batch_contract.secret import Secret

LOGGER = logging.getLogger("batch_contract.server")
"""The logger of the reference server's access lines (INFO)."""

_SECRET_PARAMETER = re.compile(
    r"((?:^|&)[^=&]*(?:key|token|secret|passw|auth|sig|credential)[^=&]*=)[^&]*", re.IGNORECASE
)
REDACTED = "[redacted]"


def scrub(text: str, secret: Secret) -> str:
    """`text` with the secret, in any form (`Secret.forms`), replaced by a placeholder."""
    return secret.replace(text, REDACTED)


def request_target(scope: Scope) -> str:
    """Path and query of a request, with the values of secret-looking parameters redacted."""
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else str(scope.get("path", ""))
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    if not query:
        return path
    return path + "?" + _SECRET_PARAMETER.sub(r"\1" + REDACTED, query)


class AccessLog:
    """Logs `client "METHOD target" status ms` once per HTTP request; never a header."""

    def __init__(self, app: ASGIApp, secret: Secret) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through and log it when the response is done."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            client = scope.get("client")
            who = f"{client[0]}:{client[1]}" if client else "-"
            elapsed = (time.perf_counter() - started) * 1000
            line = f'{who} "{scope["method"]} {request_target(scope)}" {status} {elapsed:.1f}ms'
            LOGGER.info("%s", scrub(line, self.secret))
