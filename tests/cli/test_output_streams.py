"""The console scripts with standard streams that cannot be used: stdout closed (`>&-`) or on a
full disk (`>/dev/full`), stderr closed (`2>&-`) or read by a reader that has gone, stdin closed
(`<&-`).

Each runs an installed script in a child process whose streams really are in that state (a
closed descriptor, /dev/full, a pipe whose read end was closed before the start), not a stand-in:
one line on stderr when stderr can take it, a documented exit code, never a traceback, and
never exit 0 for a run that found an invalid document or a path it could not read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from batch_contract.exitcodes import ExitCode

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "tests" / "examples"
GOOD = EXAMPLES / "valid" / "running.json"
BAD = EXAMPLES / "malformed" / "truncated.json"
CASSETTES = ROOT / "cassettes"
SPEC = ROOT / "src" / "batch_contract" / "watch" / "baseline" / "provider-openapi.json"

SUITE_RUN = ["batch-contract", "test", "-q", "-p", "no:cacheprovider", "-k", "status_body"]
"""The installed contract suite, a part of its replay: pytest in a child process, whose output
passes through the command's own."""


@dataclass(frozen=True)
class Outcome:
    """What one run did: exit code, stdout and stderr (None where the stream was not captured)."""

    code: int
    out: str | None
    err: str | None


def script(name: str) -> str:
    """The installed console script `name`, next to this interpreter."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is not installed next to {sys.executable}"
    return str(path)


def environment(*, unbuffered: bool) -> dict[str, str]:
    """This environment, with Python's output buffered as by default or not at all."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    env.pop("LLAMA_CLOUD_API_KEY", None)
    return {**env, "PYTHONUNBUFFERED": "1"} if unbuffered else env


def in_shell(argv: list[str], redirection: str, cwd: Path, *, unbuffered: bool = False) -> Outcome:
    """Run `argv` through bash with `redirection` (`>&-`, `2>&-`, `<&-`), capturing the streams
    the redirection leaves open."""
    done = subprocess.run(
        ["bash", "-c", f'"$@" {redirection}', "bash", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(unbuffered=unbuffered),
        stdin=subprocess.DEVNULL,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def with_reader_gone(argv: list[str], cwd: Path, stream: str) -> Outcome:
    """Run `argv` with `stream` ("stdout" or "stderr") a pipe whose reader has already gone:
    every write to it fails with EPIPE. The other stream is captured."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=write_end if stream == "stdout" else subprocess.PIPE,
            stderr=write_end if stream == "stderr" else subprocess.PIPE,
            timeout=120,
            env=environment(unbuffered=False),
        )
    finally:
        os.close(write_end)
    out = None if done.stdout is None else done.stdout.decode()
    err = None if done.stderr is None else done.stderr.decode()
    return Outcome(done.returncode, out, err)


# Every command that writes to stdout, and the name its messages start with.
WRITERS = {
    "validate": (["validate-status", str(GOOD)], "validate-status"),
    "validate-json": (["validate-status", "--format", "json", str(GOOD)], "validate-status"),
    "validate-version": (["validate-status", "--version"], "validate-status"),
    "validate-help": (["validate-status", "--help"], "validate-status"),
    "batch-contract-validate": (
        ["batch-contract", "validate", str(GOOD)],
        "batch-contract validate",
    ),
    "batch-contract-version": (["batch-contract", "--version"], "batch-contract"),
    "batch-contract-help": (["batch-contract", "--help"], "batch-contract"),
    "coverage-text": (["batch-contract", "coverage", str(CASSETTES)], "batch-contract coverage"),
    "coverage-json": (
        ["batch-contract", "coverage", "--format", "json", str(CASSETTES)],
        "batch-contract coverage",
    ),
    "coverage-markdown": (
        ["batch-contract", "coverage", "--format", "markdown", str(CASSETTES)],
        "batch-contract coverage",
    ),
    "drift": (["batch-contract", "drift", str(CASSETTES), str(CASSETTES)], "batch-contract drift"),
    "watch": (["batch-contract", "watch", "--spec", str(SPEC)], "batch-contract watch"),
    "rules": (["batch-contract", "rules"], "batch-contract rules"),
    "serve-list-jobs": (["batch-contract", "serve", "--list-jobs"], "batch-contract serve"),
    "test": (SUITE_RUN, "batch-contract test"),
}


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_a_closed_stdout_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    """`cmd >&-`: Python starts the command with no standard output at all; the first write says
    so in one line, `PROG: cannot write standard output: it is closed`, and the exit code is 2."""
    argv, prog = WRITERS[case]
    outcome = in_shell([script(argv[0]), *argv[1:]], ">&-", tmp_path)
    assert outcome == Outcome(
        ExitCode.USAGE, "", f"{prog}: cannot write standard output: it is closed\n"
    )


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("case", sorted(WRITERS))
def test_a_full_stdout_is_one_line_and_exit_2(case: str, unbuffered: bool, tmp_path: Path) -> None:
    """`cmd >/dev/full`: whether the write itself fails (unbuffered) or the flush at the end
    does (buffered), the command says so in one line and exits 2, as `report -o /dev/full`
    does."""
    argv, prog = WRITERS[case]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [script(argv[0]), *argv[1:]],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env=environment(unbuffered=unbuffered),
        )
    assert (done.returncode, done.stderr) == (
        ExitCode.USAGE,
        f"{prog}: cannot write standard output: No space left on device\n",
    )


# Commands that earn a non-zero exit code by what they found, and the stdout and code each has
# with every stream usable; the messages they write on stderr are not counted on.
FINDINGS = {
    "validate-invalid-and-missing": (
        ["validate-status", "--quiet", str(BAD), "missing.json"],
        "1 document: 0 valid, 1 invalid\n",
        ExitCode.USAGE,
    ),
    "validate-missing": (
        ["validate-status", "missing.json"],
        "0 documents: 0 valid, 0 invalid\n",
        ExitCode.USAGE,
    ),
    "validate-invalid": (
        ["validate-status", "--quiet", str(BAD), str(GOOD)],
        "2 documents: 1 valid, 1 invalid\n",
        ExitCode.VIOLATION,
    ),
    "coverage-missing": (["batch-contract", "coverage", "missing.json"], None, ExitCode.USAGE),
    "drift-missing": (
        ["batch-contract", "drift", "missing", str(CASSETTES)],
        "",
        ExitCode.USAGE,
    ),
    "report-missing": (
        ["batch-contract", "report", "missing", "-o", "page.html"],
        "",
        ExitCode.USAGE,
    ),
    "watch-missing": (["batch-contract", "watch", "--spec", "missing.json"], "", ExitCode.USAGE),
    "test-passing": (SUITE_RUN, None, ExitCode.OK),
}


@pytest.mark.parametrize("case", sorted(FINDINGS))
def test_a_stderr_whose_reader_has_gone_keeps_the_exit_code(case: str, tmp_path: Path) -> None:
    """`cmd 2>&1 | head -0`, made certain: stderr's reader has gone before the command starts.
    The message it cannot write is dropped, and the exit code is the one the run earned (it
    was 0 for every command)."""
    argv, out, code = FINDINGS[case]
    outcome = with_reader_gone([script(argv[0]), *argv[1:]], tmp_path, "stderr")
    assert outcome.code == code
    if out is not None:
        assert outcome.out == out


@pytest.mark.parametrize("case", sorted(FINDINGS))
def test_a_closed_stderr_keeps_the_exit_code(case: str, tmp_path: Path) -> None:
    """`cmd 2>&-`: with no standard error at all, the exit code is still the one the run earned
    (`validate-status missing.json` exited 1, from a traceback nobody could see)."""
    argv, out, code = FINDINGS[case]
    outcome = in_shell([script(argv[0]), *argv[1:]], "2>&-", tmp_path)
    assert outcome.code == code
    assert outcome.err == ""
    if out is not None:
        assert outcome.out == out


def test_a_reader_gone_never_turns_an_unreadable_path_into_exit_0(tmp_path: Path) -> None:
    """`batch-contract coverage missing.json cassettes/ | head -0`, made certain: the path it
    could not read is still said on stderr, and as the command could not finish its report,
    it exits 3 (documented: the reader of the output left before the command finished), never
    0."""
    argv = [script("batch-contract"), "coverage", "missing.json", str(CASSETTES)]
    outcome = with_reader_gone(argv, tmp_path, "stdout")
    assert outcome == Outcome(
        ExitCode.INCOMPLETE,
        None,
        "batch-contract coverage: missing.json: cannot read: No such file or directory\n",
    )


@pytest.mark.parametrize("argv", [[], ["--ndjson"], ["-"]], ids=["default", "ndjson", "dash"])
def test_a_closed_stdin_is_a_path_that_cannot_be_read(argv: list[str], tmp_path: Path) -> None:
    """`validate-status <&-`: standard input is refused as any path that cannot be read, in one
    line, with exit code 2."""
    outcome = in_shell([script("validate-status"), *argv], "<&-", tmp_path)
    assert outcome == Outcome(
        ExitCode.USAGE,
        "0 documents: 0 valid, 0 invalid\n",
        "validate-status: -: cannot read: standard input is closed\n",
    )


def test_the_suite_stops_when_the_reader_of_its_output_has_gone(tmp_path: Path) -> None:
    """`batch-contract test | head -0`, made certain: the child pytest is stopped and the exit
    code is 3 (the reader left before the command finished), never the child's 0 or 1."""
    outcome = with_reader_gone([script("batch-contract"), *SUITE_RUN[1:]], tmp_path, "stdout")
    assert outcome.code == ExitCode.INCOMPLETE
    assert outcome.err == ""
