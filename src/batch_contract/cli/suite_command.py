"""`batch-contract test [PYTEST ARGS...]`: the contract suite, as installed with the `[suite]`
extra, run by pytest in a child process.

The wheel ships the checkout's `contract_tests/` and `cassettes/` (as `batch_contract/_suite/`);
from a checkout, the top-level folders are used. The cassettes default to the shipped ones and
`--cassette-dir DIR` names others (to replay, or to record into). The run takes this package's
pytest settings (`suite.ini`), never the configuration or conftests of the project it is run
from, and reads rule levels from the current folder's pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from batch_contract.errors import UsageError
from batch_contract.exitcodes import ExitCode
from batch_contract.suite import require_suite

PROG = "batch-contract test"
CASSETTE_OPTIONS = ("--cassette-dir", "--contract-cassette-dir")
USAGE = f"""usage: {PROG} [PYTEST ARGS ...]

Run the contract suite of Get Batch Job Status with pytest (needs the [suite] extra):

  {PROG}                                    replay the shipped cassettes, network blocked
  {PROG} --cassette-dir DIR                 replay the cassettes in DIR
  {PROG} --reference                        against the embedded reference server
  LLAMA_CLOUD_API_KEY=... {PROG} --live --base-url URL --job-id ID
  {PROG} --reference --record-mode=rewrite --cassette-dir DIR
                                                          record into DIR (or --live)

Every other argument goes to pytest as it is (-k, -x, --junitxml, ...); the suite's options are
listed by `{PROG} --help-options`. Exit codes are pytest's.
"""


def suite_folders() -> tuple[Path, Path]:
    """The contract suite's tests and its shipped cassettes: the wheel's copy, or a checkout's."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "_suite"
    if shipped.is_dir():
        return shipped / "contract_tests", shipped / "cassettes"
    checkout = package.parents[1]
    return checkout / "contract_tests", checkout / "cassettes"


def pytest_command(args: Sequence[str], cwd: Path) -> list[str]:
    """The pytest command line of a run with `args`."""
    tests, cassettes = suite_folders()
    if not tests.is_dir():
        raise UsageError(f"the contract suite is not installed with this package ({tests})")
    command = [sys.executable, "-m", "pytest", str(tests)]
    command += ["-c", str(Path(__file__).with_name("suite.ini")), "--rootdir", str(cwd)]
    command += ["--confcutdir", str(tests.parent)]
    if not any(arg.split("=", 1)[0] in CASSETTE_OPTIONS for arg in args):
        if _records(args):
            raise UsageError(
                "recording needs a folder of your own: add --cassette-dir DIR (the shipped "
                "cassettes are part of the installed package)"
            )
        command += ["--contract-cassette-dir", str(cassettes)]
    return [*command, *args]


def _records(args: Sequence[str]) -> bool:
    """Whether the arguments ask pytest-recording to write cassettes (a --record-mode but none)."""
    modes = [a.split("=", 1)[1] for a in args if a.startswith("--record-mode=")]
    modes += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--record-mode"]
    return any(mode != "none" for mode in modes)


def main(argv: Sequence[str]) -> int:
    """Runs the contract suite with pytest; returns pytest's exit code."""
    args = list(argv)
    if args[:1] in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return ExitCode.OK
    if args[:1] == ["--help-options"]:
        args = ["--help"]
    require_suite(PROG)
    command = pytest_command(args, Path.cwd())
    env = os.environ.copy()
    with tempfile.TemporaryDirectory(prefix="batch-contract-hypothesis-") as storage:
        # Hypothesis (under schemathesis) caches what it learns in `.hypothesis/` of the folder
        # it runs in, example database off or not: the user's project folder, here. A folder of
        # the run's own takes it, unless the user named one.
        env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", storage)
        return subprocess.run(command, env=env, check=False).returncode
