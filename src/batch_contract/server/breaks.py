"""Named contract breaks: each makes the reference server violate the contract in one way.

Body breaks rewrite every 200 body the server serves; the others change the HTTP exchange
(status, content type, auth, unknown ids) or the life-cycle, and are applied by the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from batch_contract.errors import UsageError

BREAKS: Mapping[str, str] = {
    "status-unknown": 'job.status is a value outside the enum ("queued")',
    "status-case": 'job.status is served in upper case ("RUNNING")',
    "job-type-unknown": 'job.job_type is a value outside the enum ("summarize")',
    "progress-above-100": "progress_percentage is 150",
    "progress-below-0": "progress_percentage is -5",
    "progress-string": 'progress_percentage is the number as a string ("100.0")',
    "missing-required": "job.total_items is left out",
    "null-required": "job.project_id is null",
    "count-fraction": "job.processed_items is a fraction (2.5)",
    "count-boolean": "job.processed_items is a boolean (true)",
    "count-above-total": "job.processed_items is total_items + 1 (schema-valid, a rule catches it)",
    "timestamp-malformed": 'job.created_at is not RFC 3339 ("2026-01-15 09:00:00")',
    "undocumented-field": 'job carries an undocumented field ("priority"; strict profile only)',
    "body-not-json": "200 responses carry a truncated, non-JSON body labelled application/json",
    "wrong-content-type": "200 responses carry valid JSON labelled text/plain",
    "server-error": "every request that would succeed answers 500 Internal Server Error",
    "auth-not-enforced": "requests without a key or with a wrong key are answered like good ones",
    "unknown-id-200": "an unknown job id is answered 200 with a made-up pending job",
    "completed-goes-back": "a moving job that reached completed reports running on later polls",
    "spec-new-status": 'the OpenAPI document at /api/openapi.json adds a status value ("queued")',
}
"""Every break name with one line on what it does, in the order `--list-breaks` prints them."""


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A body break that sets one field of the job object."""

    def apply(body: dict[str, Any]) -> None:
        body["job"][field] = value

    return apply


def _progress(value: Any) -> Callable[[dict[str, Any]], None]:
    """A body break that sets progress_percentage."""

    def apply(body: dict[str, Any]) -> None:
        body["progress_percentage"] = value

    return apply


def _upper_status(body: dict[str, Any]) -> None:
    body["job"]["status"] = str(body["job"]["status"]).upper()


def _progress_string(body: dict[str, Any]) -> None:
    body["progress_percentage"] = str(body["progress_percentage"])


def _drop_total(body: dict[str, Any]) -> None:
    del body["job"]["total_items"]


def _above_total(body: dict[str, Any]) -> None:
    body["job"]["processed_items"] = body["job"]["total_items"] + 1


BODY_BREAKS: Mapping[str, Callable[[dict[str, Any]], None]] = {
    "status-unknown": _set("status", "queued"),
    "status-case": _upper_status,
    "job-type-unknown": _set("job_type", "summarize"),
    "progress-above-100": _progress(150),
    "progress-below-0": _progress(-5),
    "progress-string": _progress_string,
    "missing-required": _drop_total,
    "null-required": _set("project_id", None),
    "count-fraction": _set("processed_items", 2.5),
    "count-boolean": _set("processed_items", True),
    "count-above-total": _above_total,
    "timestamp-malformed": _set("created_at", "2026-01-15 09:00:00"),
    "undocumented-field": _set("priority", "normal"),
}
"""The breaks that rewrite a 200 body, by name."""


SPEC_NEW_STATUS = "queued"
"""The status value `spec-new-status` adds to the served OpenAPI document."""


def served_spec(spec: dict[str, Any], breaks: Iterable[str]) -> dict[str, Any]:
    """The OpenAPI document the server serves: the provider's, or with `spec-new-status` a copy
    whose job status enum has one value more."""
    if "spec-new-status" not in breaks:
        return spec
    import copy

    changed = copy.deepcopy(spec)
    changed["components"]["schemas"]["BatchJobStatus"]["enum"].append(SPEC_NEW_STATUS)
    return changed


def check_breaks(names: Iterable[str]) -> tuple[str, ...]:
    """The names, deduplicated in BREAKS order; an unknown name is a UsageError."""
    wanted = set(names)
    unknown = sorted(wanted - BREAKS.keys())
    if unknown:
        raise UsageError(f"unknown break {unknown[0]!r} (batch-contract serve --list-breaks)")
    return tuple(name for name in BREAKS if name in wanted)


def break_body(body: dict[str, Any], breaks: Iterable[str]) -> dict[str, Any]:
    """Apply the active body breaks to a 200 body, in BREAKS order, and return it."""
    for name in breaks:
        rewrite = BODY_BREAKS.get(name)
        if rewrite is not None:
            rewrite(body)
    return body
