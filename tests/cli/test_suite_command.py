"""`batch-contract test`: the pytest command it runs, and what it refuses. (The runs themselves,
from a fresh install: tests/installs/test_installed_suite.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from batch_contract.cli.main import main
from batch_contract.cli.suite_command import pytest_command, suite_folders
from batch_contract.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]


def test_from_a_checkout_the_folders_are_the_top_level_ones() -> None:
    """Without the wheel's copy, the suite and cassettes are the checkout's own folders."""
    assert suite_folders() == (ROOT / "contract_tests", ROOT / "cassettes")


def test_the_shipped_cassettes_are_the_default(tmp_path: Path) -> None:
    """pytest runs on the suite with the package's settings, rooted in the current folder, and
    replays the shipped cassettes unless the arguments name a folder."""
    command = pytest_command(["-k", "status"], tmp_path)
    assert command[:4] == [sys.executable, "-m", "pytest", str(ROOT / "contract_tests")]
    assert command[command.index("-c") + 1].endswith("suite.ini")
    assert command[command.index("--rootdir") + 1] == str(tmp_path)
    assert command[command.index("--contract-cassette-dir") + 1] == str(ROOT / "cassettes")
    assert command[-2:] == ["-k", "status"]


@pytest.mark.parametrize("option", ["--cassette-dir", "--contract-cassette-dir"])
def test_a_named_cassette_folder_wins(tmp_path: Path, option: str) -> None:
    """`--cassette-dir DIR` (or `--contract-cassette-dir=DIR`) is passed on, and the shipped
    cassettes are not."""
    for args in ([option, "mine"], [f"{option}=mine"]):
        command = pytest_command(args, tmp_path)
        assert str(ROOT / "cassettes") not in command
        assert command[-len(args) :] == args


@pytest.mark.parametrize("args", [["--record-mode=rewrite"], ["--record-mode", "once"]])
def test_recording_into_the_shipped_cassettes_is_refused(tmp_path: Path, args: list[str]) -> None:
    """A recording run must name its own folder: the shipped cassettes belong to the package."""
    with pytest.raises(UsageError, match="recording needs a folder of your own"):
        pytest_command(["--reference", *args], tmp_path)
    assert pytest_command(["--record-mode=none"], tmp_path)


def test_the_command_line_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Through `batch-contract test`, the refusal is one line and exit code 2."""
    assert main(["test", "--reference", "--record-mode=rewrite"]) == 2
    assert capsys.readouterr().err == (
        "batch-contract test: recording needs a folder of your own: add --cassette-dir DIR (the "
        "shipped cassettes are part of the installed package)\n"
    )


def test_help_names_every_mode(capsys: pytest.CaptureFixture[str]) -> None:
    """`batch-contract test --help` prints the modes and exits 0 without running pytest."""
    assert main(["test", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: batch-contract test [PYTEST ARGS ...]")
