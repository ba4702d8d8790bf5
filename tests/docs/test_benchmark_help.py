"""Every benchmark script the README and docs/ name (`python benchmarks/NAME.py`) honours
`--help`: it prints its usage and exits 0 at once, running nothing. `quick_vs_rules.py` used to
run the whole benchmark instead."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMED = sorted(
    {
        name
        for page in PAGES
        for name in re.findall(r"python benchmarks/(\w+)\.py", page.read_text())
    }
)


def test_the_docs_name_the_benchmarks() -> None:
    """The scan finds the benchmark scripts the pages name (so the test below is not empty)."""
    assert {"run", "quick_vs_rules", "coverage", "guard"} <= set(NAMED)


@pytest.mark.parametrize("name", NAMED)
def test_help_prints_usage_and_runs_nothing(name: str) -> None:
    """`python benchmarks/NAME.py --help`: a usage line naming the script, no table, exit 0."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done
    assert done.stdout.startswith(f"usage: {name}.py "), done.stdout
    assert "us/line" not in done.stdout
