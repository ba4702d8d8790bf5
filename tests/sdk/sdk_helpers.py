"""Helpers of the SDK tests: the SDK's strict parse, and a value-by-value comparison with ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from llama_cloud._models import validate_type
from llama_cloud.types.beta.batch_get_status_response import BatchGetStatusResponse

from batch_contract.core.semantics import instant

TIMESTAMPS = ("completed_at", "created_at", "effective_at", "started_at", "updated_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sdk_strict_parse(body: Any) -> BatchGetStatusResponse:
    """Parse a body exactly as the SDK does with `_strict_response_validation=True`.

    `BaseClient._process_response_data` calls `validate_type(type_=cast_to, value=data)` in
    strict mode (llama_cloud/_base_client.py); a `pydantic.ValidationError` is a rejection.
    """
    return validate_type(type_=BatchGetStatusResponse, value=body)


def same_values(model: BatchGetStatusResponse, body: dict[str, Any]) -> list[str]:
    """Where the SDK's parse differs from the body: fields, values, timestamps as instants."""
    problems: list[str] = []
    dumped = model.to_dict(mode="python")
    if set(dumped) != set(body) or set(dumped["job"]) != set(body["job"]):
        problems.append(f"fields differ: {sorted(dumped['job'])} vs {sorted(body['job'])}")
    if dumped["progress_percentage"] != body["progress_percentage"]:
        problems.append(f"progress_percentage: {dumped['progress_percentage']!r}")
    for name, value in body["job"].items():
        parsed = dumped["job"].get(name)
        if name in TIMESTAMPS and isinstance(value, str):
            assert isinstance(parsed, datetime), name
            exact = instant(value)
            assert exact is not None, name
            seconds, leap, digits = exact  # the SDK keeps microseconds, and has no leap second
            micros = seconds * 1_000_000 + int((digits + "000000")[:6])
            if leap or (parsed - _EPOCH) // timedelta(microseconds=1) != micros:
                problems.append(f"{name}: {value} parsed as {parsed.isoformat()}")
        elif parsed != value:  # numbers compare by value: the SDK makes 5.0 an int 5
            problems.append(f"{name}: {value!r} parsed as {parsed!r}")
    return problems
