"""Each rule's `applies` predicate: a rule that finds something always applies, on the example
files and on any JSON; and it does not apply where it has nothing to judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch_contract.core.rules import RULES

EXAMPLES = Path(__file__).parent / "examples"


def _applies(name: str, example: Any) -> bool:
    rule = RULES[name]
    if rule.kind == "sequence":
        return rule.applies(example)
    return rule.applies(example["job"], example.get("progress_percentage"))


def _findings(name: str, example: Any) -> Any:
    rule = RULES[name]
    if rule.kind == "sequence":
        return rule.check(example)
    return rule.check(example["job"], example.get("progress_percentage"))


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.glob("*/bad/*.json")), ids=lambda p: f"{p.parts[-3]}/{p.stem}"
)
def test_a_rule_applies_to_its_bad_examples(path: Path) -> None:
    """Every bad example of a rule is a body (or polls) the rule applies to."""
    assert _applies(path.parts[-3], json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("name", "example"),
    [
        ("terminal-has-completed-at", {"job": {"status": "running"}}),
        ("failed-has-error-message", {"job": {"status": "completed"}}),
        ("pending-not-started", {"job": {"status": "running"}}),
        ("counts-within-total", {"job": {"total_items": 3}}),
        ("sum-within-total", {"job": {"total_items": 3, "failed_items": 1}}),
        ("progress-matches-counts", {"job": {"total_items": 3, "failed_items": 1}}),
        ("timestamps-ordered", {"job": {"created_at": "2026-01-01T00:00:00Z"}}),
        ("updated-after-created", {"job": {"updated_at": "2026-01-01T00:00:00Z"}}),
        ("status-forward-only", [{"job": {"status": "completed"}}, {"job": {"status": "failed"}}]),
        ("terminal-is-final", [{"job": {"status": "running"}}, {"job": {"status": "completed"}}]),
        ("counts-non-decreasing", [{"job": {"processed_items": 1}}, {"job": {}}]),
        ("progress-non-decreasing", [{"progress_percentage": 5}, {"job": {}}]),
    ],
)
def test_a_rule_does_not_apply_where_it_has_nothing_to_judge(name: str, example: Any) -> None:
    """Each rule has bodies (or polls) it does not apply to."""
    assert not _applies(name, example)


_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 12)
    | st.floats(-5, 120, allow_nan=False)
    | st.sampled_from(["pending", "dispatched", "running", "completed", "failed", "cancelled"])
    | st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2025-12-31T00:00:00Z"])
    | st.sampled_from(["", "  ", "boom"])
)
_FIELDS = st.sampled_from(
    sorted({field[4:] for rule in RULES.values() for field in rule.reads if field[:4] == "job."})
)
"""The job fields the document rules read."""
_BODIES = st.fixed_dictionaries(
    {"job": st.dictionaries(_FIELDS, _VALUES)}, optional={"progress_percentage": _VALUES}
)


@given(st.lists(_BODIES, min_size=1, max_size=4))
def test_a_rule_that_finds_something_applies(polls: list[dict[str, Any]]) -> None:
    """Whatever the bodies, a rule with a finding applies to them."""
    for name, rule in RULES.items():
        examples = [polls] if rule.kind == "sequence" else polls
        for example in examples:
            if _findings(name, example):
                assert _applies(name, example), (name, example)
