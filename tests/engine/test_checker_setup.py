"""The checker runs the rules at the levels it was given, for single documents and for NDJSON
lines alike, and its fast lane does decide the clean lines of a stream (the one check is asked
only about the lines the lane leaves). Expected verdicts are written out here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from batch_contract.core.reading import Document, LineBlock
from batch_contract.core.results import Result
from batch_contract.core.rules import Level
from batch_contract.engine.runner import Checker, Passed

EXAMPLES = Path(__file__).parents[1] / "examples"
RULE_EXAMPLES = Path(__file__).parents[1] / "core" / "rules" / "examples"
ABOVE = RULE_EXAMPLES / "counts-within-total" / "bad" / "failed-above-total.json"
KEYWORD = "rule:counts-within-total"


def verdicts(checker: Checker, raw: bytes) -> list[tuple[str, str]]:
    """(keyword, severity) of each violation of one body, checked alone and then as an NDJSON
    line (a line that passed has none): the two must agree, and are returned once."""
    single = checker.check(Document("one.json", None, raw))
    line = orjson.dumps(json.loads(raw)) + b"\n"
    [item] = checker.check_block(LineBlock("log.ndjson", 1, [line]))
    in_line = item.violations if isinstance(item, Result) else ()
    found = [(v.keyword, v.severity) for v in single.violations]
    assert found == [(v.keyword, v.severity) for v in in_line]
    return found


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param(None, [(KEYWORD, "error")], id="default"),
        pytest.param({"counts-within-total": "warning"}, [(KEYWORD, "warning")], id="warning"),
        pytest.param({"counts-within-total": "off"}, [], id="off"),
    ],
)
def test_rules_run_at_the_levels_given(
    levels: dict[str, Level] | None, expected: list[tuple[str, str]]
) -> None:
    """11 failed items of 10: an error by default, a warning or nothing when the level says so,
    in a single document and in an NDJSON line."""
    raw = ABOVE.read_bytes()
    found = verdicts(Checker(levels=levels), raw)
    assert [pair for pair in found if pair[0] == KEYWORD] == expected
    if levels and levels["counts-within-total"] == "off":
        assert Checker(levels=levels).check(Document("one.json", None, raw)).is_valid()


def test_the_lane_decides_the_clean_lines_of_a_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 clean compact lines in one key order: the lane clears them itself (learning the key
    order from the first lines the one check finds clean, where it differs from the schema's), so
    the check is asked about few of them, if any; every line passes."""
    body: Any = json.loads((EXAMPLES / "valid" / "completed.json").read_bytes())
    lines = []
    for n in range(2000):
        body["job"]["id"] = f"bjb-{n:06d}"
        lines.append(orjson.dumps(body) + b"\n")
    checker = Checker()
    checker.prepare_lines()
    asked = []
    real = checker._check

    class Counting:
        """The checker's one check, counting the bodies it is asked about."""

        def violations(self, value: Any, job_id: str | None = None) -> Any:
            asked.append(value)
            return real.violations(value, job_id)

    monkeypatch.setattr(checker, "_check", Counting())
    items = checker.check_block(LineBlock("log.ndjson", 1, lines))
    assert all(isinstance(item, Passed) for item in items)
    assert sum(len(item.numbers) for item in items if isinstance(item, Passed)) == 2000
    assert len(asked) <= 64
