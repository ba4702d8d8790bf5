"""How long a run offers its lines to the light path before the engines load: what it clears is
handed on with its source and line numbers, its budget of documents counts down, and a line it
cannot clear ends it for the rest of the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from batch_contract.core.reading import LineBlock
from batch_contract.core.results import Result
from batch_contract.engine import fastlane, runner
from batch_contract.engine.runner import Checker, Passed

EXAMPLES = Path(__file__).parents[1] / "examples"
VALID = orjson.dumps(json.loads((EXAMPLES / "valid" / "completed.json").read_bytes())) + b"\n"
INVALID = b'{"job": {}}\n'


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The fast lanes built during a test (one per checker that loads the engines)."""
    made: list[Any] = []
    build = fastlane.build
    monkeypatch.setattr(fastlane, "build", lambda *args: made.append(args) or build(*args))
    return made


def test_cleared_lines_keep_their_source_and_numbers(built: list[Any]) -> None:
    """A short block of clean lines and a blank one is cleared whole: one run of passed lines
    with the block's source and the numbers of the non-blank lines; no engine loads."""
    items = Checker().check_block(LineBlock("x.ndjson", 5, [VALID, b"\n", VALID]))
    assert items == [Passed("x.ndjson", [5, 7])]
    assert built == []


def test_the_budget_counts_down_to_the_engines(
    built: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a budget of three documents, three one-line blocks are cleared by the light path
    and the fourth loads the engines."""
    monkeypatch.setattr(runner, "LIGHT_DOCUMENTS", 3)
    checker = Checker()
    for number in (1, 2, 3):
        assert checker.check_block(LineBlock("x", number, [VALID])) == [Passed("x", [number])]
    assert built == []
    assert checker.check_block(LineBlock("x", 4, [VALID])) == [Passed("x", [4])]
    assert len(built) == 1


def test_a_line_the_light_path_cannot_clear_ends_it_for_the_run(built: list[Any]) -> None:
    """An invalid line loads the engines and gets its violations; the next blocks are judged by
    the engines, without error."""
    checker = Checker()
    (result,) = checker.check_block(LineBlock("x", 1, [INVALID]))
    assert isinstance(result, Result)
    assert result.violations
    assert len(built) == 1
    assert checker.check_block(LineBlock("x", 2, [VALID])) == [Passed("x", [2])]
    assert checker.check_block(LineBlock("x", 3, [VALID, VALID])) == [Passed("x", [3, 4])]
