"""`run_validate` is a library call: a reader that has gone leaves the verdict as it is and
changes nothing in the calling process (no file descriptor redirected)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from batch_contract.cli.main import parse_validate_args, run_validate
from batch_contract.exitcodes import ExitCode

INVALID = Path(__file__).parents[1] / "examples" / "invalid"


class GoneReader(io.StringIO):
    """A standard output whose reader has gone: every write raises BrokenPipeError."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_gone_changes_no_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    """With standard output gone, run_validate returns the exit code of what it saw and never
    calls os.dup2 (which would point the caller's fd 1 elsewhere for good)."""
    calls: list[object] = []
    monkeypatch.setattr(os, "dup2", lambda *args: calls.append(args))
    files = [str(path) for path in sorted(INVALID.glob("*.json"))[:3]]
    code = run_validate(
        parse_validate_args(files),
        stdin=sys.stdin.buffer,
        stdout=GoneReader(),
        stderr=io.StringIO(),
    )
    assert code == ExitCode.VIOLATION
    assert calls == []
