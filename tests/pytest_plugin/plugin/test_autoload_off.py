"""With pytest's plugin autoloading off (`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`, common in CI, or
`--disable-plugin-autoload`), the contract suite still runs: its conftest registers the plugins it
needs from their entry points (ours and pytest-recording), and `batch-contract test` works from
any folder. Each run is a child process, with the environment variable as a user sets it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SUMMARY = "75 passed, 1 deselected"
"""The replay of the shipped cassettes (schemathesis's test needs a server)."""


def run(command: list[str], cwd: Path, off_by_env: bool) -> subprocess.CompletedProcess[str]:
    """`command` in `cwd`, autoloading off by the environment variable or not at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    if off_by_env:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("how", ["environment", "option"])
def test_the_suite_replays_with_autoloading_off(how: str) -> None:
    """`pytest contract_tests` replays green, not an INTERNALERROR about a missing option."""
    command = [sys.executable, "-m", "pytest", "contract_tests", "-q", "-p", "no:cacheprovider"]
    if how == "option":
        command.append("--disable-plugin-autoload")
    done = run(command, ROOT, off_by_env=how == "environment")
    assert done.returncode == 0, done.stdout + done.stderr
    assert SUMMARY in done.stdout.splitlines()[-1]


def test_batch_contract_test_runs_with_autoloading_off(tmp_path: Path) -> None:
    """`batch-contract test`, from a folder that is not the checkout, replays green; it used to
    stop with `unrecognized arguments: --contract-cassette-dir`, exit 4."""
    command = [sys.executable, "-m", "batch_contract", "test", "-q", "-p", "no:cacheprovider"]
    done = run(command, tmp_path, off_by_env=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert SUMMARY in done.stdout.splitlines()[-1]


USER_TEST = """
def test_schema(batch_status_schema, assert_batch_status):
    assert batch_status_schema["type"] == "object"
"""


@pytest.mark.parametrize("off_by_env", [True, False])
def test_a_users_suite_gets_the_fixtures_with_p_batch_contract_fixtures(
    tmp_path: Path, off_by_env: bool
) -> None:
    """A user's suite, `-p batch_contract_fixtures` in its options (docs/contract-suite.md), gets
    the fixtures with autoloading off, and runs the same with it on."""
    (tmp_path / "test_user.py").write_text(USER_TEST)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    done = run([*command, "-p", "batch_contract_fixtures"], tmp_path, off_by_env=off_by_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout.splitlines()[-1]
