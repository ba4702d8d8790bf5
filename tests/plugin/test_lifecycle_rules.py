"""The life-cycle rules over documents and sequences of polls."""

from typing import Any

from batch_contract.lifecycle import document_violations, sequence_violations


def doc(
    status: str, processed: int = 0, total: int = 10, progress: float = 0, **times: str
) -> dict[str, Any]:
    """A status document with the given status, count, total and timestamps."""
    return {
        "job": {"status": status, "processed_items": processed, "total_items": total, **times},
        "progress_percentage": progress,
    }


def keywords(violations: tuple[Any, ...]) -> list[str]:
    """The rule keywords of a list of violations."""
    return [v.keyword for v in violations]


def test_forward_sequence_with_skips_is_fine() -> None:
    """pending -> running -> completed (dispatched skipped) honours every rule."""
    docs = [doc("pending"), doc("running", 3, progress=30), doc("completed", 10, progress=100)]
    assert sequence_violations(docs) == ()


def test_backwards_status_is_caught() -> None:
    """running after completed breaks terminal finality."""
    assert keywords(sequence_violations([doc("completed"), doc("running")])) == [
        "terminal-is-final"
    ]
    assert keywords(sequence_violations([doc("running"), doc("pending")])) == [
        "status-moves-forward"
    ]


def test_decreasing_counts_and_progress_are_caught() -> None:
    """A count or progress going down is reported at its path."""
    found = sequence_violations([doc("running", 5, progress=50), doc("running", 4, progress=40)])
    assert [v.path for v in found] == ["$.job.processed_items", "$.progress_percentage"]


def test_count_above_total_and_time_order() -> None:
    """processed above total and started before created are document violations."""
    found = document_violations(
        doc("running", 11, created_at="2026-01-02T00:00:00Z", started_at="2026-01-01T00:00:00Z")
    )
    assert keywords(found) == ["count-within-total", "timestamp-order"]
