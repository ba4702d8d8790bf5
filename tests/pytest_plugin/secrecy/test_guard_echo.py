"""StatusGuard in production, against a server that echoes the request's key back in every form
(upper case, percent-encoded, hex, base64 of the key and of `user:key`, JSON and HTML escapes):
its warnings, log records and exceptions hold no form of the key."""

from __future__ import annotations

import base64
import json
import logging
import traceback
import warnings
from typing import Any

import httpx
import pytest

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.guard import LOGGER_NAME, StatusGuard

from .canary import CANARY, USER, echoed_forms, holds_canary

FORMS = echoed_forms()
URL = "http://127.0.0.1:9/api/v1/beta/batch-processing/bjb-1"
CREDENTIALS = {
    "bearer": {"authorization": f"Bearer {CANARY}"},
    "basic": {"authorization": "Basic " + base64.b64encode(f"{USER}:{CANARY}".encode()).decode()},
}


def body(place: str, form: str) -> bytes:
    """A status body that breaks the contract with the key, in `form`, in `place`."""
    job: dict[str, Any] = {
        "id": "bjb-1",
        "job_type": "parse",
        "project_id": "proj-1",
        "status": "running",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:05:00Z",
        "total_items": 10,
        "processed_items": 5,
    }
    if place == "status":
        job["status"] = form
    elif place == "long-status":  # shown cut short by the violation message
        job["status"] = "x" * 40 + form + "y" * 40
    else:  # an undocumented field, named by the strict profile
        job[form] = 1
    return json.dumps({"job": job, "progress_percentage": 50}).encode()


@pytest.mark.parametrize("credential", list(CREDENTIALS))
@pytest.mark.parametrize("place", ["status", "long-status", "property-name"])
@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
@pytest.mark.parametrize("mode", ["raise", "warn", "log"])
def test_the_guard_never_shows_an_echoed_key(
    mode: Any, form: str, place: str, credential: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever form the key comes back in, the guard's warning, log record or exception (its
    text, its violations and its traceback) holds none."""
    content = body(place, form)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=content, headers={"content-type": "application/json"}
        )
    )
    guard = StatusGuard(mode, profile="strict" if place == "property-name" else "documented")
    shown = ""
    with (
        httpx.Client(transport=transport, event_hooks={"response": [guard]}) as http,
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level(logging.WARNING, LOGGER_NAME),
    ):
        warnings.simplefilter("always")
        try:
            http.get(URL, headers=CREDENTIALS[credential])
        except BatchStatusMismatch as error:
            shown += str(error) + repr(error.violations)
            shown += "".join(traceback.format_exception(error))
    shown += "".join(str(w.message) + repr(getattr(w.message, "violations", "")) for w in caught)
    shown += "".join(r.getMessage() + repr(vars(r)) for r in caplog.records)
    assert guard.stats.invalid == 1
    with pytest.raises(BatchStatusMismatch) as unmasked:
        assert_batch_status(content, profile=guard.profile)
    if holds_canary(str(unmasked.value)):  # the hazard is real: the guard masked it
        assert "***" in shown
    assert not holds_canary(shown), shown
