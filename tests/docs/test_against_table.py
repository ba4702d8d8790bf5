"""`benchmarks/run.py --against`'s table (benchmarks/against.py): the shares, changes, the cost
of a broken line and the target verdicts it prints are the ones its timings give."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def against(monkeypatch: pytest.MonkeyPatch) -> Any:
    """benchmarks/against.py, imported as run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import against

    yield against
    sys.modules.pop("against", None)
    sys.modules.pop("producer", None)


def test_the_table_is_what_the_timings_give(against: Any) -> None:
    """Shares are the parse time over the run time; a broken line's cost is its time per line
    over a valid line's, the start-up (a run over ten broken lines, which loads everything an NDJSON
    run does) taken off first; the verdicts follow."""
    sides = [against.Side("old", Path("a")), against.Side("new", Path("b"))]
    seconds = {
        "realistic log: share of orjson's rate": (2.0, 1.6),
        "realistic log --profile strict: share": (4.0, 2.5),
        "hostile log: share of orjson's rate": (8.0, 8.4),
        "valid lines alone (s)": (1.1, 1.1),
        "broken lines alone (s)": (0.3, 0.2),
        "ten broken lines: NDJSON start-up (s)": (0.1, 0.105),
        "one valid file (s)": (0.05, 0.0525),
        "one invalid file (s)": (0.2, 0.3),
        "file with a rule warning (s)": (0.2, 0.2),
    }
    table = [
        against.Row(label, [], lines={"valid": 100_000, "broken": 10_000}.get(label.split()[0], 0),
                    share="share" in label, ceiling_file="c" if "share" in label else "")
        for label in seconds
    ]  # fmt: skip
    for row in table:
        row.times = {"old": [seconds[row.label][0]], "new": [seconds[row.label][1]]}
    lines = against.report(sides, table, {"c": [1.0]})
    assert lines[:2] == ["| input | old | new | change |", "|---|---:|---:|---:|"]
    assert "| realistic log: share of orjson's rate | 0.500 | 0.625 | +25% |" in lines
    assert "| one invalid file (s) | 0.200 | 0.300 | +50% time |" in lines
    # old: (0.3 - 0.1) / 10k = 20 us against (1.1 - 0.1) / 100k = 10 us, 2.0; new: 9.5 us
    # against 9.95 us, 0.95
    assert "| a broken line, in valid lines | 2.0 | 1.0 | -52% |" in lines
    assert "- hostile log: share of orjson's rate: NOT met" in lines
    assert "- one valid file (s): met" in lines  # 5% slower, within 10%
    assert "- one invalid file (s): NOT met" in lines
    assert "- strict profile at 0.35 or more of the parse rate: met (0.400)" in lines
    assert "- a broken line at most 3 valid ones: met (1.0)" in lines
