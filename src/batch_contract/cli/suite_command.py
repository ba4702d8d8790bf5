"""`batch-contract test [PYTEST ARGS...]`: the contract suite, as installed with the `[suite]`
extra, run by pytest in a child process.

The wheel ships the checkout's `contract_tests/` and `cassettes/` (as `batch_contract/_suite/`);
from a checkout, the top-level folders are used. The cassettes default to the shipped ones and
`--cassette-dir DIR` names others (to replay, or to record into). The run takes this package's
pytest settings (`suite.ini`), never the configuration or conftests of the project it is run
from, and reads rule levels from the current folder's pyproject.toml."""

from __future__ import annotations

import codecs
import io
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
listed by `{PROG} --help-options`. Exit codes are pytest's, but 2 when standard output
cannot be written and 3 when its reader left before the run finished.
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
        return _run(command, env)


def _run(command: list[str], env: dict[str, str]) -> int:
    """The child pytest's exit code. On a terminal the child writes to it itself (colours, the
    polling line); anywhere else its output passes through this process's standard output, so
    that one that cannot be written (closed, a full disk) ends the run in one line, exit 2, and a
    reader gone ends it with 3, as in every command, the child stopped. A closed standard error
    is the child's /dev/null: its messages are dropped, its exit code stands."""
    stderr = None if _open(2) else subprocess.DEVNULL
    if not _open(1):
        sys.stdout.write("\n")  # closed: the console's stream says so in one line, exit 2
    if sys.stdout.isatty():
        return subprocess.run(command, env=env, stderr=stderr, check=False).returncode
    decode = codecs.getincrementaldecoder("utf-8")("replace").decode
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=stderr) as child:
        assert isinstance(child.stdout, io.BufferedReader)
        try:
            while chunk := child.stdout.read1(1 << 16):
                sys.stdout.write(decode(chunk))
                sys.stdout.flush()
        except BaseException:
            child.kill()
            raise
        return child.wait()


def _open(fd: int) -> bool:
    """Whether the file descriptor was open when the command started."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
