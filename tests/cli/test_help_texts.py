"""Every exit code and `--version` appear in the --help of validate-status and batch-contract."""

from __future__ import annotations

import contextlib
import io

import pytest

from batch_contract.cli.main import build_validate_parser, main
from batch_contract.exitcodes import ExitCode


def validate_help() -> str:
    """`validate-status --help`, as printed."""
    return build_validate_parser().format_help()


def batch_contract_help() -> str:
    """`batch-contract --help`, as printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--help"]) == ExitCode.OK
    return out.getvalue()


@pytest.mark.parametrize("text", [validate_help, batch_contract_help], ids=lambda f: f.__name__)
def test_help_names_every_exit_code_and_version(text: object) -> None:
    """The help names --version and each exit code with its meaning."""
    shown = " ".join(text().split())  # type: ignore[operator]
    assert "--version" in shown
    assert "Exit codes: 0 " in shown
    for code in ExitCode:
        assert f"; {code.value} " in shown or f": {code.value} " in shown, code.name
