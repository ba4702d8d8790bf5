"""The semantic rules beyond the schema: named checks of one response, or of successive polls.

A body can match every type and enum and still be wrong (12 of 10 items processed, a completed job
with no completion time). Each rule is a named function with a default severity (docs/rules.md).
The checks themselves live in `semantics`; this module names them, sets their severities
(defaults, pyproject.toml, `--rule NAME=LEVEL`) and turns findings into `Violation`s with
`keyword="rule:NAME"`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args

from batch_contract.core.config import find_pyproject, read_tool_table
from batch_contract.core.results import Violation
from batch_contract.core.semantics import (
    counts_non_decreasing,
    counts_non_decreasing_applies,
    counts_within_total,
    counts_within_total_applies,
    failed_has_error_message,
    failed_has_error_message_applies,
    pending_not_started,
    pending_not_started_applies,
    progress_matches_counts,
    progress_matches_counts_applies,
    progress_non_decreasing,
    progress_non_decreasing_applies,
    status_forward_only,
    status_forward_only_applies,
    sum_within_total,
    sum_within_total_applies,
    terminal_has_completed_at,
    terminal_has_completed_at_applies,
    terminal_is_final,
    terminal_is_final_applies,
    timestamps_ordered,
    timestamps_ordered_applies,
    updated_after_created,
    updated_after_created_applies,
)
from batch_contract.errors import UsageError

Level = Literal["error", "warning", "off"]
LEVELS: tuple[Level, ...] = get_args(Level)
Kind = Literal["document", "sequence"]


class Rule(NamedTuple):
    """A named semantic rule: its default severity, a one-line summary, the check itself and
    when it applies."""

    name: str
    default: Level
    summary: str
    kind: Kind
    check: Callable[..., Any]
    applies: Callable[..., bool]
    """Whether the check has anything to judge in a body `(job, progress)` or in the polls."""
    reads: tuple[str, ...] = ()
    """The fields the check reads (`job.total_items`, `progress_percentage`): it runs on a body
    only when none of them breaks the schema (`check.ContractCheck`)."""


_D: Kind = "document"
_S: Kind = "sequence"
RULES: Mapping[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "counts-within-total",
            "error",
            "each of processed, failed and skipped items <= total_items",
            _D,
            counts_within_total,
            counts_within_total_applies,
            ("job.total_items", "job.processed_items", "job.failed_items", "job.skipped_items"),
        ),
        Rule(
            "sum-within-total",
            "warning",
            "processed + failed + skipped items <= total_items",
            _D,
            sum_within_total,
            sum_within_total_applies,
            ("job.total_items", "job.processed_items", "job.failed_items", "job.skipped_items"),
        ),
        Rule(
            "progress-matches-counts",
            "warning",
            "progress_percentage agrees with the counts, within 1 point",
            _D,
            progress_matches_counts,
            progress_matches_counts_applies,
            (
                "progress_percentage",
                "job.total_items",
                "job.processed_items",
                "job.failed_items",
                "job.skipped_items",
            ),
        ),
        Rule(
            "terminal-has-completed-at",
            "warning",
            "a completed, failed or cancelled job has completed_at",
            _D,
            terminal_has_completed_at,
            terminal_has_completed_at_applies,
            ("job.status", "job.completed_at"),
        ),
        Rule(
            "failed-has-error-message",
            "warning",
            "a failed job has an error_message",
            _D,
            failed_has_error_message,
            failed_has_error_message_applies,
            ("job.status", "job.error_message"),
        ),
        Rule(
            "pending-not-started",
            "warning",
            "a pending job has no started_at",
            _D,
            pending_not_started,
            pending_not_started_applies,
            ("job.status", "job.started_at"),
        ),
        Rule(
            "timestamps-ordered",
            "error",
            "created_at <= started_at <= completed_at",
            _D,
            timestamps_ordered,
            timestamps_ordered_applies,
            ("job.created_at", "job.started_at", "job.completed_at"),
        ),
        Rule(
            "updated-after-created",
            "error",
            "updated_at >= created_at",
            _D,
            updated_after_created,
            updated_after_created_applies,
            ("job.created_at", "job.updated_at"),
        ),
        Rule(
            "status-forward-only",
            "error",
            "status never goes back: pending, dispatched, running, terminal",
            _S,
            status_forward_only,
            status_forward_only_applies,
            ("job.status",),
        ),
        Rule(
            "terminal-is-final",
            "error",
            "a completed, failed or cancelled status never changes",
            _S,
            terminal_is_final,
            terminal_is_final_applies,
            ("job.status",),
        ),
        Rule(
            "counts-non-decreasing",
            "error",
            "processed, failed and skipped items never go down between polls",
            _S,
            counts_non_decreasing,
            counts_non_decreasing_applies,
            ("job.processed_items", "job.failed_items", "job.skipped_items"),
        ),
        Rule(
            "progress-non-decreasing",
            "error",
            "progress_percentage never goes down between polls",
            _S,
            progress_non_decreasing,
            progress_non_decreasing_applies,
            ("progress_percentage",),
        ),
    )
}
"""Every rule, in the order `batch-contract rules` lists them."""
_DOCUMENT_RULES = tuple(rule for rule in RULES.values() if rule.kind == "document")
_SEQUENCE_RULES = tuple(rule for rule in RULES.values() if rule.kind == "sequence")


def default_levels() -> dict[str, Level]:
    """Every rule's default severity."""
    return {name: rule.default for name, rule in RULES.items()}


def _level(name: str, level: Any, where: str) -> Level:
    """A checked (rule, level) pair; anything unknown is a one-line UsageError."""
    if name not in RULES:
        raise UsageError(f"{where}: unknown rule {name!r} (known: {', '.join(RULES)})")
    if level not in LEVELS:
        raise UsageError(f"{where}: level of {name} must be error, warning or off, not {level!r}")
    return level  # type: ignore[no-any-return]


def load_levels(start: Path | None = None) -> dict[str, Level]:
    """Defaults overlaid with `[tool.batch-contract.rules]` of the nearest pyproject.toml."""
    levels = default_levels()
    path = find_pyproject(start)
    if path is not None:
        table, label = read_tool_table(path, "rules")
        for name, level in table.items():
            levels[name] = _level(name, level, label)
    return levels


def parse_rule_option(text: str, option: str = "--rule") -> tuple[str, Level]:
    """`NAME=LEVEL` from a `--rule` option (or the `option` named), checked."""
    name, sep, level = text.partition("=")
    if not sep:
        raise UsageError(
            f"{option} {text}: expected NAME=LEVEL, such as counts-within-total=warning"
        )
    return name.strip(), _level(name.strip(), level.strip(), f"{option} {text}")


def _violation(path: str, rule: Rule, level: Level, expected: str, found: str) -> Violation:
    """A Violation of a rule at a level other than off."""
    return Violation(
        path, f"rule:{rule.name}", expected, found, "error" if level == "error" else "warning"
    )


def _checked(levels: Mapping[str, Level]) -> None:
    """Refuse a levels mapping naming an unknown rule or level: a typo must not pass silently."""
    for name, level in levels.items():
        _level(name, level, "rule levels")


def checked_levels(levels: Mapping[str, Level] | None) -> dict[str, Level]:
    """Every rule's level: the defaults overlaid with `levels`, each checked."""
    if levels is None:
        return default_levels()
    _checked(levels)
    return {**default_levels(), **levels}


def rule_findings(
    value: Any, active: tuple[tuple[Rule, Level], ...], bare: bool
) -> tuple[Violation, ...]:
    """The findings of the `active` document rules over a status body, or over a bare job
    (`bare`: paths lose their `job.`), in rule order."""
    if bare:
        job, progress = value, None
    elif type(value) is dict or isinstance(value, Mapping):
        job, progress = value.get("job"), value.get("progress_percentage")
    else:
        return ()
    if type(job) is not dict and not isinstance(job, Mapping):
        return ()
    out: tuple[Violation, ...] = ()
    for rule, level in active:
        for field, expected, found in rule.check(job, progress):
            path = "$." + (field[4:] if bare and field.startswith("job.") else field)
            out += (_violation(path, rule, level, expected, found),)
    return out


def check_sequence(
    docs: Sequence[Mapping[str, Any]], levels: Mapping[str, Level] | None = None
) -> tuple[Violation, ...]:
    """The life-cycle rules over successive polls of one job; paths are `$[poll].job.status`.

    Sorted by poll, then in rule order.
    """
    if levels is not None:
        _checked(levels)
    polls = docs if isinstance(docs, list | tuple) else list(docs)  # each rule reads them all
    found: list[tuple[int, int, Violation]] = []
    for order, rule in enumerate(_SEQUENCE_RULES):
        level = rule.default if levels is None else levels.get(rule.name, rule.default)
        if level == "off":
            continue
        for index, field, expected, what in rule.check(polls):
            violation = _violation(f"$[{index}].{field}", rule, level, expected, what)
            found.append((index, order, violation))
    return tuple(violation for _, _, violation in sorted(found, key=lambda item: item[:2]))
