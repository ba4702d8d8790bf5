"""The benchmark's table (benchmarks/run.py): the ratios it prints are the ones its timings give."""

from __future__ import annotations

import io
import runpy
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

RUN_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


@cache
def bench() -> dict[str, Any]:
    """The names benchmarks/run.py defines, run as a module that is not its main."""
    return runpy.run_path(str(RUN_PY), run_name="bench_run")


MEDIANS = {
    "orjson parse only (ceiling)": (1.0, 1000),
    "validate-status": (2.5, 1000),
    "validate-status --jobs 2": (1.6, 1000),
    "2 x validate-status side by side": (3.125, 2000),
    "orjson parse only, strict-conformant": (1.0, 1000),
    "validate-status --profile strict, strict-conformant": (4.0, 1000),
    "validate-status --profile strict": (5.0, 1000),
    "orjson parse only, valid only": (1.0, 1000),
    "validate-status, valid only": (2.0, 1000),
    "orjson parse only, rules broken": (1.0, 1000),
    "validate-status, rules broken": (5.0, 1000),
    "jsonschema (pure Python)": (5.0, 100),
    "validate-status, 20 files": (0.2, 20),
    "check-jsonschema, 20 files": (2.0, 20),
    "check-jsonschema light, 20 files": (1.2, 20),
    "python -c pass": (0.02, 1),
    "validate-status, one file": (0.1, 1),
    "check-jsonschema, one file": (1.0, 1),
    "check-jsonschema light, one file": (0.6, 1),
    "validate-status, one invalid file": (0.2, 1),
    "check-jsonschema, one invalid file": (1.0, 1),
}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> str:
    """What the benchmark prints for the timings of MEDIANS (one round each)."""
    names = bench()
    timings = []
    for label, (seconds, documents) in MEDIANS.items():
        timing = names["Timing"](label, [], documents)
        timing.wall.append(seconds)
        timings.append(timing)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    names["_print"](timings, [], 1000, 20, 1)
    return out.getvalue()


@pytest.mark.parametrize(
    ("ratio", "value", "met"),
    [
        ("validate-status / orjson parse rate", "0.400", "yes"),
        ("validate-status --profile strict / orjson parse rate, strict-conformant", "0.250", "NO"),
        (
            "validate-status --profile strict / orjson parse rate (most lines strict-invalid)",
            "0.200",
            "",
        ),
        ("validate-status / orjson parse rate, rules broken, key order varied", "0.200", ""),
        ("check-jsonschema / validate-status, one invalid file", "5.000", ""),
        ("--jobs 2 speed-up over --jobs 1", "1.562", "NO"),
        (
            "2 one-process runs side by side / one run (the machine's own 2-process scaling)",
            "1.600",
            "",
        ),
        ("--jobs 2 speed-up / the machine's 2-process scaling", "0.977", ""),
        ("check-jsonschema / validate-status, 20 files", "10.000", "yes"),
        ("check-jsonschema light / validate-status, one file", "6.000", "yes"),
    ],
)
def test_ratio_rows(table: str, ratio: str, value: str, met: str) -> None:
    """Each ratio row holds the value its medians give, its target, and whether it meets it."""
    rows = {
        line.split(" | ")[0].removeprefix("| "): line.removesuffix(" |").split(" | ")[1:]
        for line in table.splitlines()
        if line.startswith("| ") and " | " in line
    }
    assert rows[ratio][0] == value
    assert rows[ratio][2] == met


@pytest.mark.parametrize(
    ("value", "target", "met"),
    [
        (0.397, ">= 0.40", "NO"),
        (0.4, ">= 0.40", "yes"),
        (1.799, ">= 1.8", "NO"),
        (1.5, "<= 1.5", "yes"),
        (1.51, "<= 1.5", "NO"),
        (0.1, "(info)", ""),
    ],
)
def test_a_target_is_judged_unrounded(value: float, target: str, met: str) -> None:
    """A ratio just short of its target is not met, even where it rounds to it: 0.397 is no
    0.40."""
    assert bench()["_verdict"](value, target) == met


@pytest.mark.parametrize(
    ("given", "line"),
    [
        ([], "reproduce: python benchmarks/run.py"),
        (
            ["--instructions", "--rounds", "7"],
            "reproduce: python benchmarks/run.py --instructions --rounds 7",
        ),
    ],
)
def test_reproduce_line(given: list[str], line: str) -> None:
    """The reproduce line repeats every option the run was given (--instructions included)."""
    assert bench()["_reproduce"](given) == line


def test_table_has_no_reproduce_line(table: str) -> None:
    """The table ends with its ratios: the reproduce line comes after any instruction counts."""
    assert table.rstrip().splitlines()[-1].startswith("| ")
