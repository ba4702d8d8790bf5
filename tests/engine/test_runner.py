"""The run's tally: every verdict counted once, valid or invalid exactly as `Result.is_valid` says,
and every warning counted."""

from __future__ import annotations

import pytest

from batch_contract.core.reading import Document
from batch_contract.core.results import Result, Tally, Violation
from batch_contract.engine.runner import Passed

ERROR = Violation("$.job.status", "enum", "one of ...", 'string "x"')
WARNING = Violation("$.job", "rule:pending-not-started", "...", "...", severity="warning")
RESULTS = [
    pytest.param(Result(Document("a")), id="clean"),
    pytest.param(Result(Document("a"), problem="malformed JSON"), id="problem"),
    pytest.param(Result(Document("a"), (ERROR,)), id="error"),
    pytest.param(Result(Document("a"), (WARNING,)), id="warning"),
    pytest.param(Result(Document("a"), (WARNING, WARNING)), id="two-warnings"),
    pytest.param(Result(Document("a"), (ERROR, WARNING)), id="error-and-warning"),
]


@pytest.mark.parametrize("warnings_as_errors", [False, True])
@pytest.mark.parametrize("result", RESULTS)
def test_a_result_counts_as_its_verdict_says(result: Result, warnings_as_errors: bool) -> None:
    """One document, valid exactly when `is_valid` says so, with its warnings counted."""
    tally = Tally()
    tally.add(result, warnings_as_errors)
    valid = result.is_valid(warnings_as_errors)
    warnings = sum(v.severity == "warning" for v in result.violations)
    assert tally.counts == (1, int(valid), int(not valid), warnings)


def test_passed_lines_count_as_valid_documents() -> None:
    """A run of lines that passed adds one valid document per line and no warning."""
    tally = Tally()
    tally.add_valid(len(Passed("s", [1, 2, 5]).numbers))
    tally.add(Result(Document("s", "3"), (ERROR,)))
    assert tally.counts == (4, 3, 1, 0)
