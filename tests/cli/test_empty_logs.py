"""An NDJSON log with no document in it (empty, or only blank lines) is named and fails the run,
alone or beside other inputs, in one process or under `--jobs`, from a file or from stdin. Beside a
valid file it used to pass without a word (exit 0), while alone it was "no documents found"
(exit 2): a pre-commit batch passed or failed by where the empty log fell."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
LOGS = sorted((EXAMPLES / "empty-logs").iterdir())
VALID = EXAMPLES / "valid" / "completed.json"
SCRIPT = str(Path(sys.executable).parent / "validate-status")
SAID = "no document: the NDJSON log is empty or holds only blank lines"


def run(cwd: Path, *argv: str, stdin: bytes = b"") -> tuple[int, str]:
    """validate-status run in `cwd`: its exit code and standard output."""
    done = subprocess.run(
        [SCRIPT, *argv], cwd=cwd, input=stdin, capture_output=True, timeout=120, check=False
    )
    return done.returncode, done.stdout.decode()


@pytest.mark.parametrize("log", LOGS, ids=[log.name for log in LOGS])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_empty_log_fails_alone_and_beside_a_valid_file(
    tmp_path: Path, log: Path, jobs: str
) -> None:
    """Alone and after a valid file: one line naming the log, counted as an invalid document,
    exit 1, the same under `--jobs 2`."""
    shutil.copy(log, tmp_path / log.name)
    shutil.copy(VALID, tmp_path / "valid.json")
    line = f"{log.name}: {SAID}\n"
    assert run(tmp_path, "--jobs", jobs, log.name) == (
        1,
        f"{line}1 document: 0 valid, 1 invalid\n",
    )
    assert run(tmp_path, "--jobs", jobs, "valid.json", log.name) == (
        1,
        f"{line}2 documents: 1 valid, 1 invalid\n",
    )


@pytest.mark.parametrize("log", LOGS, ids=[log.name for log in LOGS])
def test_an_empty_log_on_stdin_fails(tmp_path: Path, log: Path) -> None:
    """The same log on standard input (`--ndjson -`) beside a valid NDJSON file: named
    `<stdin>`, exit 1."""
    (tmp_path / "valid.ndjson").write_bytes(VALID.read_bytes().replace(b"\n", b"") + b"\n")
    assert run(tmp_path, "--ndjson", "valid.ndjson", "-", stdin=log.read_bytes()) == (
        1,
        f"<stdin>: {SAID}\n2 documents: 1 valid, 1 invalid\n",
    )


def test_a_log_with_one_document_after_blank_lines_is_not_empty(tmp_path: Path) -> None:
    """Blank lines first, then one valid line: no such problem, exit 0."""
    body = VALID.read_bytes().replace(b"\n", b"")
    (tmp_path / "late.ndjson").write_bytes(b"\n \n\r\n" * 3000 + body + b"\n")
    assert run(tmp_path, "late.ndjson") == (0, "1 document: 1 valid, 0 invalid\n")


BIG = 3 << 20
"""Past the size at which `--jobs` cuts an NDJSON file into byte ranges for its workers (2 MiB)."""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_large_log_of_blank_lines_fails_as_a_small_one_does(tmp_path: Path, jobs: str) -> None:
    """3 MiB of blank lines, which `--jobs 2` cuts into ranges that each hold no document: named
    once and counted as one invalid document, exit 1, alone and after a valid file (under
    `--jobs 2` it was "no documents found", exit 2, or passed beside the valid file)."""
    (tmp_path / "blank.ndjson").write_bytes(b" \r\n\n" * (BIG // 4))
    shutil.copy(VALID, tmp_path / "valid.json")
    line = f"blank.ndjson: {SAID}\n"
    assert run(tmp_path, "--jobs", jobs, "blank.ndjson") == (
        1,
        f"{line}1 document: 0 valid, 1 invalid\n",
    )
    assert run(tmp_path, "--jobs", jobs, "valid.json", "blank.ndjson") == (
        1,
        f"{line}2 documents: 1 valid, 1 invalid\n",
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_large_log_whose_one_document_comes_last_is_not_empty(tmp_path: Path, jobs: str) -> None:
    """3 MiB of blank lines, then one valid line in the last range: no such problem, exit 0."""
    body = VALID.read_bytes().replace(b"\n", b"")
    (tmp_path / "late.ndjson").write_bytes(b"\n" * BIG + body + b"\n")
    assert run(tmp_path, "--jobs", jobs, "late.ndjson") == (0, "1 document: 1 valid, 0 invalid\n")
