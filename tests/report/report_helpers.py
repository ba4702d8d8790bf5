"""The report tests' shared helpers: building a page with the command, and the coverage JSON of
the same input from `batch-contract coverage` run as its own process (the oracle of the arrows)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from batch_contract.report.command import main

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
RECORDINGS = HERE / "recordings"
SHIPPED = ROOT / "cassettes"
ARTIFACTS = ROOT / "test-artifacts"
"""Screenshots CI keeps (gitignored)."""


def build(out: Path, *argv: str) -> tuple[int, str]:
    """Runs `batch-contract report ARGV -o OUT`; returns the exit code and stderr."""
    err = io.StringIO()
    code = main([*argv, "-o", str(out)], io.StringIO(), err)
    return code, err.getvalue()


def coverage_json(*paths: Path) -> dict[str, Any]:
    """`batch-contract coverage --format json PATHS`, run as its own process."""
    done = subprocess.run(
        [sys.executable, "-m", "batch_contract", "coverage", "--format", "json", *map(str, paths)],
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def expected_diagram(coverage: dict[str, Any]) -> tuple[set[str], dict[tuple[str, str], int]]:
    """The statuses and the legal transitions (with their counts) the coverage JSON lists."""
    statuses = {
        row["item"].split("=", 1)[1]
        for row in coverage["items"]
        if row["item"].startswith("job.status=")
    }
    moves = {}
    for row in coverage["items"]:
        if row["area"] == "transitions":
            a, b = row["item"].removeprefix("transition=").split("->")
            moves[(a, b)] = row["seen"]
    return statuses, moves
