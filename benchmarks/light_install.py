"""The light install, measured: what `pip install .` brings, and what it adds to an unrelated
pytest run.

    python benchmarks/light_install.py [--rounds 7] [--extra suite]

Makes two fresh virtual environments under a temporary folder: one with pytest alone, one with
this checkout (`pip install .`, or `.[EXTRA]`) and pytest. Prints the distributions the package
brought (`pip list` minus the fresh venv's own), checks that `validate-status
docs/example-response.json` exits 0, then runs a one-test suite in a folder of its own with each
environment's pytest, interleaved round after round, and prints the medians and their difference.
Needs the package index (or a pip configured to reach one)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_TEST = "def test_one():\n    assert 1 + 1 == 2\n"


def venv(folder: Path) -> Path:
    """A fresh virtual environment; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def pip(python: Path, *args: str) -> str:
    """Runs pip quietly in an environment; its standard output."""
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def distributions(python: Path) -> set[str]:
    """The names of the distributions installed in an environment."""
    lines = pip(python, "list", "--format=freeze").splitlines()
    return {line.split("==")[0].lower() for line in lines if "==" in line}


def run_once(python: Path, suite: Path) -> float:
    """Seconds one `python -m pytest` of the one-test suite takes; it must pass."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=suite,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the one-test suite failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--extra", default="", help="install .[EXTRA] instead of .")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="light-install-") as tmp:
        base = Path(tmp)
        alone = venv(base / "pytest-alone")
        ours = venv(base / "with-package")
        baseline = distributions(ours)
        target = f"{ROOT}[{args.extra}]" if args.extra else str(ROOT)
        pip(ours, "install", "--quiet", target)
        brought = sorted(distributions(ours) - baseline)
        print(
            f"`pip install {'.' if not args.extra else f'.[{args.extra}]'}` brings "
            f"{len(brought)} distributions: {', '.join(brought)}"
        )
        check = subprocess.run(
            [str(ours.parent / "validate-status"), str(ROOT / "docs" / "example-response.json")],
            capture_output=True,
            text=True,
        )
        print(f"validate-status docs/example-response.json: exit {check.returncode}")
        pip(ours, "install", "--quiet", "pytest")
        pip(alone, "install", "--quiet", "pytest")
        suite = base / "elsewhere"
        suite.mkdir()
        (suite / "test_one.py").write_text(ONE_TEST)
        for python in (alone, ours):  # warm the file cache and the bytecode
            run_once(python, suite)
        times: dict[str, list[float]] = {"pytest alone": [], "with the package": []}
        for _ in range(args.rounds):
            times["pytest alone"].append(run_once(alone, suite))
            times["with the package"].append(run_once(ours, suite))
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, value in medians.items():
            runs = " ".join(f"{v * 1000:.0f}" for v in times[name])
            print(f"{name:<18} median {value * 1000:6.1f} ms  (runs: {runs})")
        extra = (medians["with the package"] - medians["pytest alone"]) * 1000
        print(f"added to a one-test pytest run: {extra:+.1f} ms (target: at most 60 ms)")
        return 0 if check.returncode == 0 and extra <= 60 and len(brought) <= 12 else 1


if __name__ == "__main__":
    raise SystemExit(main())
