"""A live run that cannot work stops before its first test, with one line and exit code 4: a
deployment that refuses the key, or one that is down (its retry lines name the start-up check,
never a job id the user did not pass)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from batch_contract.pytest_plugin.targets import KEY_ENV, UNKNOWN_JOB_ID
from batch_contract.server import running_server

SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
JOB = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def run_live(pytester: pytest.Pytester, base_url: str, *args: str) -> pytest.RunResult:
    """The contract suite with --live against `base_url`, in-process."""
    return pytester.runpytest_inprocess(
        str(SUITE), "--live", "--contract-base-url", base_url, "--job-id", JOB,
        "-p", "no:cacheprovider", *args,
    )  # fmt: skip


def test_a_refused_key_stops_the_run_at_start(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployment answers 401 to the key: one line, exit 4, no test failures."""
    monkeypatch.setenv(KEY_ENV, "not-the-deployment-key")
    with running_server(api_key="the-deployment-key-123") as server:
        result = run_live(pytester, server.base_url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = [line for line in result.stdout.lines if "batch-contract: " in line]
    assert said[1:] == [
        f"! _pytest.outcomes.Exit: batch-contract: {server.base_url} refused the key in "
        f"{KEY_ENV} (HTTP 401): check the key and the base URL !"
    ]
    assert "no tests ran" in result.stdout.str()
    assert len(result.stdout.lines) < 15


def test_a_server_that_is_down_is_one_line_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens: each retry line names the start-up check, the failure is said once, and
    the unknown job id of the check never shows."""
    monkeypatch.setenv(KEY_ENV, "some-key-12345678")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    result = run_live(pytester, base_url, "--http-retries", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    retries = [line for line in result.stdout.lines if "retry " in line]
    assert len(retries) == 2, text
    for line in retries:
        assert f"after start-up check of {base_url}: ConnectError" in line
    assert text.count(f"cannot reach {base_url}") == 1
    assert UNKNOWN_JOB_ID not in text
