"""Edges of the sequence rules, of the date arithmetic behind the timestamp rules, and of the rule
levels, each with a hand-written expectation (the cases a mutation run found no test for)."""

from __future__ import annotations

import calendar
from typing import Any

import pytest

from batch_contract.core.rules import check_sequence, parse_rule_option
from batch_contract.core.semantics import (
    instant,
    progress_non_decreasing_applies,
    status_forward_only_applies,
    terminal_is_final_applies,
)
from batch_contract.errors import UsageError


def poll(status: Any = "running", progress: Any = 50, **counts: Any) -> dict[str, Any]:
    """One poll of a job: its status, counts and progress."""
    return {"job": {"id": "bjb-1", "status": status, **counts}, "progress_percentage": progress}


def found(polls: list[dict[str, Any]], **levels: Any) -> list[str]:
    """The sequence rules' findings as `path keyword severity` (levels with underscores)."""
    given = {name.replace("_", "-"): level for name, level in levels.items()} or None
    return [f"{v.path} {v.keyword} {v.severity}" for v in check_sequence(polls, given)]


def test_every_step_back_is_reported_even_after_an_unknown_status() -> None:
    """An unknown status is passed over, not the end of the check; each step back is reported."""
    polls = [poll("running"), poll("weird"), poll("pending"), poll("running"), poll("dispatched")]
    assert found(polls) == [
        "$[2].job.status rule:status-forward-only error",
        "$[4].job.status rule:status-forward-only error",
    ]


def test_every_count_that_goes_down_is_reported_in_count_order() -> None:
    """Two counts down in one poll are two findings, processed before failed; a null count is
    passed over and the later ones still compared."""
    polls = [
        poll(processed_items=5, failed_items=3, skipped_items=2),
        poll(processed_items=4, failed_items=1, skipped_items=2),
        poll(processed_items=None, failed_items=1, skipped_items=1),
    ]
    assert found(polls) == [
        "$[1].job.processed_items rule:counts-non-decreasing error",
        "$[1].job.failed_items rule:counts-non-decreasing error",
        "$[2].job.skipped_items rule:counts-non-decreasing error",
    ]


def test_every_drop_of_progress_is_reported_past_a_null() -> None:
    """A null progress is passed over; each drop after it is reported."""
    polls = [poll(progress=50), poll(progress=40), poll(progress=None), poll(progress=30)]
    assert found(polls) == [
        "$[1].progress_percentage rule:progress-non-decreasing error",
        "$[3].progress_percentage rule:progress-non-decreasing error",
    ]


def test_levels_naming_other_rules_keep_each_rules_default_and_order() -> None:
    """A levels mapping that turns the first sequence rule off still runs the others, each at
    its default level."""
    polls = [poll("completed", progress=100), poll("running", progress=40)]
    assert found(polls, status_forward_only="off") == [
        "$[1].job.status rule:terminal-is-final error",
        "$[1].progress_percentage rule:progress-non-decreasing error",
    ]


def test_when_a_sequence_rule_applies() -> None:
    """status-forward-only needs a known status after a non-terminal known one;
    terminal-is-final a poll after a terminal one; progress-non-decreasing two progresses."""
    assert not status_forward_only_applies([poll("weird"), poll("running")])
    assert status_forward_only_applies([poll("completed"), poll("running"), poll("running")])
    assert terminal_is_final_applies([poll("running"), poll("completed"), poll("completed")])
    assert progress_non_decreasing_applies([poll(progress=1), poll(progress=2)])
    assert not progress_non_decreasing_applies([poll(progress=1), poll(progress=None)])


@pytest.mark.parametrize("year", [1, 99, 100, 1600, 1900, 1970, 2000, 2024, 2100, 2400, 9999])
def test_instants_are_calendar_seconds(year: int) -> None:
    """Every day of a year, at 23:30 with offset +01:00, is the instant `calendar.timegm` gives
    (leap years, century years and the months around February included)."""
    first = calendar.timegm((year, 1, 1, 0, 0, 0))
    for day in range(366 if calendar.isleap(year) else 365):
        seconds = first + day * 86_400
        y, m, d = (int(part) for part in _date(seconds))
        text = f"{y:04d}-{m:02d}-{d:02d}T23:30:00+01:00"
        assert instant(text) == (seconds + 23 * 3600 + 30 * 60 - 3600, 0, ""), text


def _date(seconds: int) -> tuple[str, str, str]:
    """The UTC date of seconds since 1970, as the standard library's calendar gives it."""
    import time

    parts = time.gmtime(seconds)
    return str(parts.tm_year), str(parts.tm_mon), str(parts.tm_mday)


def test_a_rule_option_with_two_equal_signs_is_refused_for_its_level() -> None:
    """`--rule NAME=LEVEL=x` names the rule before the first `=`; the rest is a bad level."""
    with pytest.raises(UsageError, match="level of counts-within-total must be"):
        parse_rule_option("counts-within-total=off=x")
