"""Differential test: every body our documented profile accepts, the SDK's strict model accepts,
except for the known differences (SDK section of docs/contract-decisions.md), which it must
then reject."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pydantic
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sdk_helpers import TIMESTAMPS, same_values, sdk_strict_parse

from batch_contract.core.check import ContractCheck

INT64_MAX = 2**63 - 1
COUNTS = ("total_items", "processed_items", "failed_items", "skipped_items")
_STATUSES = ("pending", "running", "dispatched", "completed", "failed", "cancelled")


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """RFC 3339 date-times over the whole grammar: year 0000, leap seconds, case, long fractions."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    year = 0 if draw(st.integers(0, 15)) == 0 else moment.year
    if year == 0 and moment.month == 2 and moment.day == 29:
        year = 4  # the year 0000 is a leap year too, but datetime cannot say so; keep it simple
    offset = draw(st.sampled_from([0, 0, 60, -300, 330, 23 * 60 + 59, -(23 * 60 + 59)]))
    second = f"{moment.second:02d}"
    if draw(st.integers(0, 9)) == 0:  # a leap second, where the time in UTC is 23:59:60
        local = datetime(2016, 12, 31, 23, 59) + timedelta(minutes=offset)
        year, moment, second = local.year, local, "60"
    text = f"{year:04d}-{moment:%m-%d}T{moment:%H:%M}:{second}"
    digits = draw(st.sampled_from([0, 0, 1, 3, 6, 7, 9, 12]))
    if digits:
        text += "." + "".join(
            draw(st.lists(st.sampled_from("0123456789"), min_size=digits, max_size=digits))
        )
    if offset == 0 and draw(st.booleans()):
        text += "Z"
    else:
        sign = "-" if offset < 0 or (offset == 0 and draw(st.booleans())) else "+"
        text += f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return text.lower() if draw(st.integers(0, 4)) == 0 else text


_COUNT = (
    st.integers(0, 2**70)
    | st.integers(0, 10**6)
    | st.sampled_from([0.0, 5.0, 2.0**63 - 1024, 2.0**63, 1e20])
)
_TEXT = st.text(max_size=12)
_OPTIONAL: dict[str, st.SearchStrategy[Any]] = {
    "completed_at": timestamps(),
    "created_at": timestamps(),
    "directory_id": _TEXT,
    "effective_at": timestamps(),
    "error_message": _TEXT,
    "failed_items": _COUNT,
    "job_record_id": _TEXT,
    "processed_items": _COUNT,
    "skipped_items": _COUNT,
    "started_at": timestamps(),
    "updated_at": timestamps(),
    "workflow_id": _TEXT,
}
_ABSENT = object()


@st.composite
def documented_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Bodies of every shape the documented profile allows: nulls, absences, extra fields."""
    job: dict[str, Any] = {
        "id": draw(_TEXT),
        "job_type": draw(st.sampled_from(["parse", "extract", "classify"])),
        "project_id": draw(_TEXT),
        "status": draw(st.sampled_from(_STATUSES)),
        "total_items": draw(_COUNT),
    }
    for name, values in _OPTIONAL.items():
        value = draw(st.just(_ABSENT) | st.none() | values)
        if value is not _ABSENT:
            job[name] = value
    job.update(
        draw(st.dictionaries(st.sampled_from(["priority", "x-trace"]), st.integers(), max_size=1))
    )
    progress = draw(st.integers(0, 100) | st.floats(0, 100))
    return {"job": job, "progress_percentage": progress}


def known_difference(body: dict[str, Any]) -> str | None:
    """The documented difference this body shows, if any (SDK section of contract-decisions.md)."""
    job = body["job"]
    for name in TIMESTAMPS:
        value = job.get(name)
        if isinstance(value, str) and value[17:19] == "60":
            return "leap-second"
        if isinstance(value, str) and value.startswith("0000"):
            return "year-0000"
    for name in COUNTS:
        value = job.get(name)
        if isinstance(value, float) and value > INT64_MAX:
            return "integral-float-beyond-int64"
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documented_bodies())
def test_documented_profile_accepted_by_sdk(body: dict[str, Any]) -> None:
    """A body we accept parses in the SDK's strict model to the same values, unless it shows a
    known difference, which the SDK must then reject."""
    assume(not ContractCheck("documented", "status").schema_violations(body))
    difference = known_difference(body)
    try:
        model = sdk_strict_parse(body)
    except pydantic.ValidationError:
        assert difference is not None, "the SDK rejects a body we accept, for an unknown reason"
        return
    assert difference is None, f"known difference {difference} no longer holds"
    assert same_values(model, body) == []
