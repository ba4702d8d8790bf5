"""Helpers of the watch's tests: run the command in-process and capture what it printed."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from batch_contract.watch.command import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_watch(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Runs `batch-contract watch` with these arguments from a folder without a pyproject.toml
    (the project's own settings stay out), returning the exit code, stdout and stderr."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(args), out, err)
        return code, out.getvalue(), err.getvalue()

    return run
