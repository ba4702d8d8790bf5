"""The contract's items: derived from the profile's schema, the OpenAPI responses and the rules,
and counted from bodies (tests/coverage/bodies/*.json: a body and the items it shows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_contract.core.rules import RULES, check_sequence
from batch_contract.coverage.counting import AREAS, Coverage, allowed_transitions, contract_items

BODIES = Path(__file__).parent / "bodies"


def _names(profile: str = "documented", **levels: str) -> list[str]:
    return [item.name for item in contract_items(profile, levels)]  # type: ignore[arg-type]


def test_documented_items_per_area() -> None:
    """The documented profile has 9 values, 36 field states, 3 bounds, 5 outcomes, 12 moves, 12
    rules."""
    items = contract_items("documented")
    counts = {area: sum(item.area == area for item in items) for area in AREAS}
    assert counts == {
        "values": 9,
        "fields": 36,
        "bounds": 3,
        "http": 5,
        "transitions": 12,
        "rules": 12,
    }


def test_item_names_are_the_stable_ones() -> None:
    """Names read `job.status=failed`, `job.error_message=null`, `progress_percentage=0`, ..."""
    names = _names()
    for name in (
        "job.status=failed",
        "job.job_type=extract",
        "job.error_message=null",
        "job.error_message=absent",
        "job.error_message=present",
        "progress_percentage=0",
        "progress_percentage=100",
        "progress_percentage=between",
        "http=404",
        "transition=running->completed",
        "rule=terminal-has-completed-at",
    ):
        assert name in names


def test_strict_profile_drops_the_nulls_it_forbids() -> None:
    """The strict profile allows no null effective_at or counts: those four items go."""
    assert sorted(set(_names()) - set(_names("strict"))) == [
        "job.effective_at=null",
        "job.failed_items=null",
        "job.processed_items=null",
        "job.skipped_items=null",
    ]
    assert set(_names("strict")) < set(_names())


def test_required_fields_have_no_states() -> None:
    """Required, non-nullable fields (id, status, total_items) give no present/null/absent item."""
    names = _names()
    assert not [n for n in names if n.split("=")[0] in ("job.id", "job.status", "job.total_items")
                and n.split("=")[1] in ("present", "null", "absent")]  # fmt: skip


def test_transitions_are_the_changes_the_life_cycle_rules_allow() -> None:
    """Every pair of statuses is an item exactly when the sequence rules find nothing in it."""
    statuses = ["pending", "running", "dispatched", "completed", "failed", "cancelled"]
    rules = {name: "error" if rule.kind == "sequence" else "off" for name, rule in RULES.items()}
    for a in statuses:
        for b in statuses:
            polls = [{"job": {"status": a}}, {"job": {"status": b}}]
            allowed = a != b and not check_sequence(polls, rules)  # type: ignore[arg-type]
            assert ((a, b) in allowed_transitions("documented")) is allowed, (a, b)
    assert ("completed", "running") not in allowed_transitions("documented")
    assert ("pending", "completed") in allowed_transitions("documented")


def test_403_counts_only_when_seen() -> None:
    """http=403 is in the list but not in the total until a 403 is seen."""
    coverage = Coverage("documented")
    before = coverage.report()
    assert "http=403" not in before.missing
    coverage.http(403, "x")
    after = coverage.report()
    assert (after.total, after.covered) == (before.total + 1, 1)


def test_a_rule_turned_off_is_not_an_item() -> None:
    """A rule at `off` is not part of the contract checked, so not an item."""
    assert "rule=sum-within-total" in _names()
    assert "rule=sum-within-total" not in _names(**{"sum-within-total": "off"})


def test_codes_outside_the_openapi_are_not_items() -> None:
    """A 500 is counted as a response but gives no item."""
    coverage = Coverage("documented")
    coverage.http(500, "x")
    assert coverage.responses == 1
    assert coverage.seen == {}


@pytest.mark.parametrize("path", sorted(BODIES.glob("*.json")), ids=lambda p: p.stem)
def test_body_items(path: Path) -> None:
    """A body shows exactly the items its example file lists, in item order."""
    example = json.loads(path.read_text(encoding="utf-8"))
    coverage = Coverage("documented")
    coverage.body(example["body"], "here")
    seen = [item.name for item in coverage.items if item.name in coverage.seen]
    assert seen == example["items"]
    assert set(coverage.first.values()) <= {"here"}


def test_polls_give_transitions_and_sequence_rules() -> None:
    """Two polls of a job, pending then completed, show that move and the sequence rules that
    apply; first seen is the later poll."""
    coverage = Coverage("documented")
    polls = [
        {"job": {"status": "pending", "processed_items": 0}, "progress_percentage": 0},
        {"job": {"status": "completed", "processed_items": 3}, "progress_percentage": 100},
    ]
    coverage.polls(polls, ["a", "b"])
    assert coverage.first == {
        "transition=pending->completed": "b",
        "rule=status-forward-only": "b",
        "rule=counts-non-decreasing": "b",
        "rule=progress-non-decreasing": "b",
    }


def test_one_poll_gives_no_sequence_item() -> None:
    """A single poll has no transition and applies no sequence rule."""
    coverage = Coverage("documented")
    coverage.polls([{"job": {"status": "completed"}}], ["a"])
    assert coverage.seen == {}
