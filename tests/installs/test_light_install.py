"""What the light install (no `[suite]`) answers: help everywhere, one line where the suite is
needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.install


def test_serve_help_prints_help(light_venv: Any, tmp_path: Path) -> None:
    """`batch-contract serve --help` prints the server's options and exits 0 without Starlette."""
    result = light_venv.run(light_venv.bin("batch-contract"), "serve", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("usage: batch-contract serve")
    for option in ("--port", "--break", "--list-jobs"):
        assert option in result.stdout


def test_the_suite_command_without_the_extra_is_one_line(light_venv: Any, tmp_path: Path) -> None:
    """`batch-contract test` on the light install exits 2 with one line naming the extra; its
    --help still works."""
    result = light_venv.run(light_venv.bin("batch-contract"), "test", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "batch-contract test needs the [suite] extra (httpx, starlette, "
        "uvicorn, vcr, pytest_recording, schemathesis not installed): "
        "pip install 'batch-contract[suite]'"
    ]
    shown = light_venv.run(light_venv.bin("batch-contract"), "test", "--help", cwd=tmp_path)
    assert shown.returncode == 0
