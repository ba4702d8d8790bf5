"""The `[bench]` install runs the benchmarks the docs name: every module a script of
benchmarks/ imports (at its top or inside a function) is installed, and `coverage.py` and
`guard.py`, which used to stop with a traceback there (no reference server without `[suite]`, no
httpx), print their usage."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


def imported_modules() -> set[str]:
    """The top-level names of the modules the benchmark scripts import, apart from the standard
    library and the scripts themselves, read from their source."""
    local = {path.stem for path in BENCHMARKS.glob("*.py")}
    found: set[str] = set()
    for path in BENCHMARKS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - local - set(sys.stdlib_module_names)


def test_every_module_the_benchmarks_import_is_installed(bench_venv: Any, tmp_path: Path) -> None:
    """None of them is missing from the `[bench]` install (the SDK that guard.py imports inside
    a function among them)."""
    modules = sorted(imported_modules())
    assert {"batch_contract", "httpx", "llama_cloud"} <= set(modules)
    probe = (
        "import importlib.util as u, sys; print([m for m in sys.argv[1:] if not u.find_spec(m)])"
    )
    done = bench_venv.run(bench_venv.bin("python"), "-c", probe, *modules, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "[]\n")


@pytest.mark.parametrize("name", ["coverage", "guard"])
def test_the_benchmark_prints_its_usage(bench_venv: Any, name: str) -> None:
    """`python benchmarks/NAME.py --help` on the `[bench]` install: its usage, exit 0."""
    done = bench_venv.run(
        bench_venv.bin("python"), str(BENCHMARKS / f"{name}.py"), "--help", cwd=ROOT
    )
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith(f"usage: {name}.py "), done.stdout
