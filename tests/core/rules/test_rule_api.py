"""The public API of the rules: registry, levels in force, bare jobs, sequences, robustness."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch_contract.core.check import contract_check
from batch_contract.core.results import Violation
from batch_contract.core.rules import RULES, Level, check_sequence
from batch_contract.core.semantics import instant
from batch_contract.errors import UsageError

EXAMPLES = Path(__file__).parent / "examples"
DOCUMENTED = Path(__file__).parent / "examples" / "pending-not-started" / "bad"


def _load(relative: str) -> Any:
    """An example file by its path under tests/core/rules/examples."""
    return json.loads((EXAMPLES / relative).read_text(encoding="utf-8"))


def test_registry_names_defaults_and_kinds() -> None:
    """The rules, their order, default severities and kinds are the documented ones."""
    assert [(r.name, r.default, r.kind) for r in RULES.values()] == [
        ("counts-within-total", "error", "document"),
        ("sum-within-total", "warning", "document"),
        ("progress-matches-counts", "warning", "document"),
        ("terminal-has-completed-at", "warning", "document"),
        ("failed-has-error-message", "warning", "document"),
        ("pending-not-started", "warning", "document"),
        ("timestamps-ordered", "error", "document"),
        ("updated-after-created", "error", "document"),
        ("status-forward-only", "error", "sequence"),
        ("terminal-is-final", "error", "sequence"),
        ("counts-non-decreasing", "error", "sequence"),
        ("progress-non-decreasing", "error", "sequence"),
    ]
    assert all(rule.check.__doc__ for rule in RULES.values())


def test_count_above_total_names_the_rule() -> None:
    """processed_items 5 of total_items 3 is an error of counts-within-total at the count."""
    doc = _load("counts-within-total/bad/processed-above-total.json")
    assert contract_check().rule_violations(doc) == (
        Violation(
            "$.job.processed_items",
            "rule:counts-within-total",
            "at most total_items (3)",
            "number 5",
            "error",
        ),
    )


def test_levels_change_severity_and_switch_off() -> None:
    """A level of warning downgrades an error rule; error upgrades a warning rule; off skips."""
    doc = _load("counts-within-total/bad/processed-above-total.json")
    doc["job"]["status"] = "failed"
    doc["job"]["completed_at"] = "2026-01-15T09:05:00Z"
    levels: dict[str, Level] = {
        "counts-within-total": "warning",
        "failed-has-error-message": "error",
    }
    assert [
        (v.keyword, v.severity) for v in contract_check(levels=levels).rule_violations(doc)
    ] == [
        ("rule:counts-within-total", "warning"),
        ("rule:failed-has-error-message", "error"),
    ]
    off: dict[str, Level] = {"counts-within-total": "off", "failed-has-error-message": "off"}
    assert contract_check(levels=off).rule_violations(doc) == ()


def test_unknown_rule_or_level_in_levels_is_refused() -> None:
    """A levels mapping with a misspelt rule or level is a UsageError, not a silent default."""
    doc = _load("counts-within-total/bad/processed-above-total.json")
    with pytest.raises(UsageError) as caught:
        contract_check(levels={"counts-within-total": "eror"}).rule_violations(doc)  # type: ignore[dict-item]
    assert str(caught.value) == (
        "rule levels: level of counts-within-total must be error, warning or off, not 'eror'"
    )
    with pytest.raises(UsageError, match=r"^rule levels: unknown rule 'count-within-total' "):
        check_sequence([doc], {"count-within-total": "off"})


def test_documented_example_only_warns() -> None:
    """The provider's own example is a pending job with a start time: one warning, no error."""
    doc = _load("pending-not-started/bad/documented-example.json")
    assert [(v.keyword, v.severity) for v in contract_check().rule_violations(doc)] == [
        ("rule:pending-not-started", "warning")
    ]


def test_bare_job_paths_and_no_progress_rule() -> None:
    """check_job reports paths without `job.` and does not judge progress it cannot see."""
    doc = _load("counts-within-total/bad/processed-above-total.json")
    doc["job"]["processed_items"] = 0
    doc["job"]["failed_items"] = 4
    assert [
        (v.path, v.keyword) for v in contract_check(part="job").rule_violations(doc["job"])
    ] == [("$.failed_items", "rule:counts-within-total")]
    assert [v.keyword for v in contract_check().rule_violations(doc)] == [
        "rule:counts-within-total"
    ]
    doc["job"]["failed_items"] = 0
    assert [v.keyword for v in contract_check().rule_violations(doc)] == [
        "rule:progress-matches-counts"
    ]
    assert contract_check(part="job").rule_violations(doc["job"]) == ()


def test_sequence_sorted_by_poll_then_rule() -> None:
    """Sequence violations come by poll index, then in rule order, whatever rule found them."""
    polls = _load("terminal-is-final/bad/completed-to-running.json")
    polls.insert(0, json.loads(json.dumps(polls[1])))
    polls[0]["job"]["processed_items"] = 11
    polls[0]["progress_percentage"] = 100
    found = [(v.path, v.keyword) for v in check_sequence(polls)]
    assert found == [
        ("$[1].job.processed_items", "rule:counts-non-decreasing"),
        ("$[2].job.status", "rule:terminal-is-final"),
    ]


def test_sequence_from_an_iterator() -> None:
    """Polls given as a one-pass iterator are read by every sequence rule."""
    polls = _load("terminal-is-final/bad/completed-to-running.json")
    polls[1]["progress_percentage"] = 50
    found = [v.keyword for v in check_sequence(iter(polls))]  # type: ignore[arg-type]
    assert found == ["rule:terminal-is-final", "rule:progress-non-decreasing"]


def test_sequence_leaving_terminal_is_reported_once() -> None:
    """completed -> running is terminal-is-final's, not also status-forward-only's."""
    polls = _load("terminal-is-final/bad/completed-to-running.json")
    assert [v.keyword for v in check_sequence(polls)] == ["rule:terminal-is-final"]


def test_instant_decisions() -> None:
    """Lower-case t/z, leap seconds, every fraction digit, the year 0000 and offsets compare as
    exact instants; junk is None."""
    assert instant("2026-01-15t09:00:00z") == instant("2026-01-15T09:00:00Z")
    ordered = [
        "2016-12-31T23:59:59.999999999Z",
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:60.1+00:00",
        "2017-01-01T00:59:60.9+01:00",
        "2017-01-01T00:00:00Z",
        "2017-01-01T00:00:00.0000000001Z",
    ]
    instants = [instant(text) for text in ordered]
    assert None not in instants
    assert instants == sorted(instants)  # type: ignore[type-var]
    assert len(set(instants)) == len(instants)
    assert instant("2026-01-15T10:00:00+01:00") == instant("2026-01-15T09:00:00Z")
    assert instant("2026-01-15T09:00:00.50Z") == instant("2026-01-15T09:00:00.5Z")
    year_zero, year_one = instant("0000-12-31T00:00:00Z"), instant("0001-01-01T00:00:00Z")
    assert year_zero is not None
    assert year_one is not None
    assert year_one[0] - year_zero[0] == 86_400
    assert instant("1970-01-01T00:00:00Z") == (0, 0, "")
    assert instant("2026-01-15T09:00:00") is None  # no offset
    assert instant("not a time at all, no") is None
    assert instant(1_700_000_000) is None


def test_robust_against_wrong_shapes() -> None:
    """Bodies of the wrong shape are the schema's business: rules neither raise nor report."""
    for doc in ([], "x", None, {"job": []}, {"job": {"total_items": "3", "processed_items": 5}}):
        assert contract_check().rule_violations(doc) == ()  # type: ignore[arg-type]
    assert check_sequence([None, {"job": None}, {"progress_percentage": "x"}]) == ()  # type: ignore[list-item]


_TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


def _rfc3339(moment: datetime, offset: int, digits: int, upper: bool) -> str:
    """A moment written in RFC 3339 at an offset in minutes, with some fraction digits."""
    local = moment + timedelta(minutes=offset)
    text = f"{local.year:04d}-{local:%m-%dT%H:%M:%S}"
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    sign, value = ("+" if offset >= 0 else "-"), abs(offset)
    text += "Z" if offset == 0 and upper else f"{sign}{value // 60:02d}:{value % 60:02d}"
    return text if upper else text.lower()


@given(
    st.tuples(_TIMES, _OFFSETS, st.integers(0, 6), st.booleans()),
    st.tuples(_TIMES, _OFFSETS, st.integers(0, 6), st.booleans()),
)
def test_order_rules_agree_with_instants(first: Any, second: Any) -> None:
    """updated-after-created fires exactly when updated_at is an earlier instant than created_at."""
    created, updated = _rfc3339(*first), _rfc3339(*second)
    job = {
        "id": "j",
        "job_type": "parse",
        "project_id": "p",
        "status": "running",
        "total_items": 0,
        "created_at": created,
        "updated_at": updated,
    }
    earlier = datetime.fromisoformat(updated.upper()) < datetime.fromisoformat(created.upper())
    found = [v.keyword for v in contract_check(part="job").rule_violations(job)]
    assert found == (["rule:updated-after-created"] if earlier else [])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    sorted({field[4:] for rule in RULES.values() for field in rule.reads if field[:4] == "job."})
)
"""The job fields the document rules read."""


@given(st.dictionaries(_FIELDS, _JSON), _JSON, st.lists(_JSON, max_size=4))
def test_never_raises_on_any_json(job: dict[str, Any], progress: Any, polls: list[Any]) -> None:
    """Whatever JSON comes in, rules return violations and never raise."""
    doc = {"job": job, "progress_percentage": progress}
    assert all(isinstance(v, Violation) for v in contract_check().rule_violations(doc))
    assert all(isinstance(v, Violation) for v in contract_check(part="job").rule_violations(job))
    assert all(isinstance(v, Violation) for v in check_sequence([doc, *polls, doc]))
