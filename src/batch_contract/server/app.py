"""The reference server's Starlette application: auth, validation, jobs and breaks."""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Collection, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from batch_contract import ENDPOINT_PATH
from batch_contract.errors import UsageError
from batch_contract.secret import Secret
from batch_contract.server.access_log import AccessLog
from batch_contract.server.book import JobBook
from batch_contract.server.breaks import break_body, check_breaks, served_spec
from batch_contract.server.jobs import build_jobs, unknown_job
from batch_contract.server.params import query_errors

ALLOW = "GET, HEAD"
"""The methods of the endpoint; HEAD answers like GET without a body and advances no job."""
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
SPEC_PATH = "/api/openapi.json"
"""Where the server serves its OpenAPI document, as the provider does (no key needed)."""
SPEC_FILE = Path(__file__).resolve().parents[1] / "watch" / "baseline" / "provider-openapi.json"
"""The provider's OpenAPI document (the watch's shipped baseline), served as it is."""


def _unauthorized(detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=401, headers=_CHALLENGE)


class StatusEndpoint:
    """Answers `GET /api/v1/beta/batch-processing/{job_id}` as the provider does (or breaks it)."""

    def __init__(self, book: JobBook, api_key: Secret, breaks: Sequence[str]) -> None:
        self.book = book
        self._key = api_key.get_secret_value().encode()
        self.breaks = frozenset(breaks)

    def check_auth(self, request: Request) -> Response | None:
        """None when the bearer key is right, else the 401 that FastAPI's HTTPBearer would send."""
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if not (header and scheme and credentials):
            return _unauthorized("Not authenticated")
        if scheme.lower() != "bearer":
            return _unauthorized("Invalid authentication credentials")
        if not hmac.compare_digest(credentials.encode(), self._key):
            return _unauthorized("Invalid API key")
        return None

    async def handle(self, request: Request) -> Response:
        """Auth first, then query validation (422), then the job (404 when unknown)."""
        if "auth-not-enforced" not in self.breaks:
            denied = self.check_auth(request)
            if denied is not None:
                return denied
        errors = query_errors(request.query_params)
        if errors:
            return JSONResponse({"detail": errors}, status_code=422)
        job_id = request.path_params["job_id"]
        job = self.book.get(job_id)
        if job is None:
            if "unknown-id-200" not in self.breaks:
                return JSONResponse({"detail": "Batch job not found"}, status_code=404)
            body = unknown_job(job_id)
        else:
            step = self.book.step(job, advance=request.method == "GET")
            body = job.body(step)
            went_back = step >= len(job.steps) > 1 and job.steps[-1].status == "completed"
            if went_back and "completed-goes-back" in self.breaks:
                body["job"]["status"] = "running"
        return self.respond(break_body(body, self.breaks))

    def respond(self, body: object) -> Response:
        """The 200 response for a body, or what the HTTP-level breaks make of it."""
        if "server-error" in self.breaks:
            return PlainTextResponse("Internal Server Error", status_code=500)
        response = JSONResponse(body)
        if "body-not-json" in self.breaks:
            raw = bytes(response.body)
            return Response(raw[: len(raw) // 2], media_type="application/json")
        if "wrong-content-type" in self.breaks:
            return JSONResponse(body, media_type="text/plain")
        return response


def _spec_endpoint(breaks: Collection[str]) -> Route:
    """The route of `SPEC_PATH`: the provider's document, or what `spec-new-status` makes of
    it."""
    spec = served_spec(json.loads(SPEC_FILE.read_text(encoding="utf-8")), breaks)

    async def spec_document(request: Request) -> Response:
        return JSONResponse(spec)

    return Route(SPEC_PATH, spec_document, methods=["GET"])


async def _http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's JSON body for routing errors (404 unknown path, 405 with a stable Allow)."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ALLOW
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def create_app(
    *,
    seed: int = 0,
    breaks: Sequence[str] = (),
    api_key: str | Secret,
    step_seconds: float | None = None,
) -> Starlette:
    """A fresh reference server application with its own job state."""
    api_key = api_key if isinstance(api_key, Secret) else Secret(api_key)
    if not api_key:
        raise UsageError("the reference server needs a non-empty API key")
    if step_seconds is not None and not 0 < step_seconds < math.inf:
        raise UsageError(f"--step-seconds must be a positive finite number, got {step_seconds}")
    book = JobBook(build_jobs(seed), step_seconds)
    endpoint = StatusEndpoint(book, api_key, check_breaks(breaks))
    app = Starlette(
        routes=[
            Route(ENDPOINT_PATH, endpoint.handle, methods=["GET"]),
            _spec_endpoint(endpoint.breaks),
        ],
        exception_handlers={HTTPException: _http_error},
        middleware=[Middleware(AccessLog, secret=api_key)],
    )
    app.state.book = book
    return app
