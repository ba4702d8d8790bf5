"""Bodies are counted by shape: held to counting each body's items one by one, on any body."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_contract.coverage.counting import Coverage

_COUNT = st.sampled_from([None, 0, 1, 5, 10, -1, 2.5, "3", True])
_TIME = st.sampled_from([None, "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 5])
_TEXT = st.sampled_from([None, "", "boom", 1])
_JOB_FIELDS = {
    "status": st.sampled_from([None, "pending", "running", "failed", "completed", "x", 3]),
    "job_type": st.sampled_from([None, "parse", "extract", "classify", "summarize", 1]),
    "total_items": _COUNT,
    "processed_items": _COUNT,
    "failed_items": _COUNT,
    "skipped_items": _COUNT,
    "created_at": _TIME,
    "started_at": _TIME,
    "completed_at": _TIME,
    "updated_at": _TIME,
    "effective_at": _TIME,
    "error_message": _TEXT,
    "directory_id": _TEXT,
}
_PROGRESS = st.sampled_from([None, 0, 0.0, 50.5, 99, 100, 100.0, 150, "x"])


@st.composite
def _bodies(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Bodies of one producer: the same keys, in the same order, with values that vary."""
    keys = [key for key in _JOB_FIELDS if draw(st.booleans())]
    top = [key for key in ("job", "progress_percentage", "extra") if draw(st.booleans())]
    bodies = []
    for _ in range(draw(st.integers(0, 12))):
        body: dict[str, Any] = {}
        for name in top:
            if name == "job" and draw(st.integers(0, 9)):
                body[name] = {key: draw(_JOB_FIELDS[key]) for key in keys}
            else:
                body[name] = draw(_PROGRESS if name == "progress_percentage" else _TEXT)
        bodies.append(body)
    return bodies


def _one_by_one(bodies: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, str]]:
    """Counts and first places, each body's items worked out on their own."""
    items = Coverage("documented")
    seen: dict[str, int] = {}
    first: dict[str, str] = {}
    for index, body in enumerate(bodies):
        for name in items.body_items(body):
            seen[name] = seen.get(name, 0) + 1
            first.setdefault(name, f"b{index}")
    return seen, first


@settings(max_examples=400)
@given(_bodies(), st.integers(0, 12))
def test_counting_by_shape_counts_what_each_body_shows(bodies: list[Any], halfway: int) -> None:
    """Counts and first places by shape equal those of each body on its own, also when the
    counts are read halfway through."""
    coverage = Coverage("documented")
    for index, body in enumerate(bodies):
        if index == halfway:
            assert coverage.seen is not None  # folds the shapes counted so far
        coverage.body(body, f"b{index}")
    assert (coverage.seen, coverage.first) == _one_by_one(bodies)
    assert coverage.bodies == len(bodies)


def test_first_place_is_the_earliest_body_of_any_shape() -> None:
    """An item shown by two shapes is first seen where the earlier of the two came."""
    coverage = Coverage("documented")
    coverage.body({"job": {"status": "failed", "total_items": 1}}, "a")
    coverage.http(404, "h")
    coverage.body({"job": {"status": "failed"}}, "b")
    coverage.body({"job": {"status": "failed", "total_items": 1}}, "c")
    assert coverage.first["job.status=failed"] == "a"
    assert coverage.seen["job.status=failed"] == 3
    assert coverage.first["http=404"] == "h"


@pytest.mark.parametrize(
    "bodies",
    [
        [{"job": {"job_type": "parse"}}, {"job": {"job_type": "extract"}}],
        [{"job": {"status": "pending"}}, {"job": {"status": "failed"}}],
        [{"progress_percentage": 0.0}, {"progress_percentage": 50.5}, {"progress_percentage": 1e2}],
        [{"job": {"processed_items": None}}, {"job": {"processed_items": 5}}],
        [{"job": {"error_message": "x"}}, {"job": {}}],
        [
            {"job": {"total_items": 5, "processed_items": 1}, "progress_percentage": 150},
            {"job": {"total_items": 5, "processed_items": 1}, "progress_percentage": "x"},
        ],
    ],
    ids=["enum-value", "status", "bound", "inner-type", "inner-key", "outer-type"],
)
def test_bodies_that_differ_in_one_respect_are_counted_apart(bodies: list[Any]) -> None:
    """Two bodies alike but for one value, type or key each show their own items."""
    coverage = Coverage("documented")
    for index, body in enumerate(bodies):
        coverage.body(body, f"b{index}")
    assert (coverage.seen, coverage.first) == _one_by_one(bodies)
