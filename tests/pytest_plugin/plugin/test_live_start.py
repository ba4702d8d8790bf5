"""A live run that cannot work stops before its first test, with one line and exit code 4: a
deployment that refuses the key, or one that is down (its retry lines name the start-up check,
never a job id the user did not pass)."""

from __future__ import annotations

import socket
import subprocess
import sys
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


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def run_live_xdist(base_url: str, key: str) -> subprocess.CompletedProcess[str]:
    """The contract suite with --live against `base_url` under pytest-xdist (`-n 2`, as the CI
    example's live step runs it), in a subprocess."""
    command = [
        sys.executable, "-m", "pytest", str(SUITE), "--live", "--contract-base-url", base_url,
        "--job-id", JOB, "--http-retries", "1", "-p", "no:cacheprovider", "-n", "2",
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", KEY_ENV: key}
    return subprocess.run(
        command, cwd=SUITE.parent, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def test_under_xdist_a_refused_key_or_a_server_down_stops_with_one_line() -> None:
    """With `-n 2` too, a deployment that refuses the key, and one that is down, stop the run
    before its first test with the same one line and exit code 4 as without `-n`: no
    INTERNALERROR from xdist, no test reported."""
    with running_server(api_key="the-deployment-key-123") as server:
        refused = run_live_xdist(server.base_url, "not-the-deployment-key")
    down_url = f"http://127.0.0.1:{free_port()}"
    down = run_live_xdist(down_url, "some-key-12345678")
    refused_line = (
        f"! _pytest.outcomes.Exit: batch-contract: {server.base_url} refused the key in "
        f"{KEY_ENV} (HTTP 401): check the key and the base URL !"
    )
    down_line = f"! _pytest.outcomes.Exit: batch-contract: cannot reach {down_url}: "
    for base_url, done in ((server.base_url, refused), (down_url, down)):
        output = done.stdout + done.stderr
        assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
        assert "INTERNALERROR" not in output
        assert done.stderr == ""
        said = [line for line in done.stdout.splitlines() if "batch-contract: " in line]
        assert said[0] == f"batch-contract: live target {base_url}, profile documented"
        if base_url == down_url:
            assert said[-1].startswith(down_line), output
            assert said[-1].endswith(" (after 1 retries) !"), output
        else:
            assert said[-1] == refused_line, output
        retries = said[1:-1]
        assert all("retry 1/1 " in line and "after start-up check" in line for line in retries)
        assert len(retries) == (1 if base_url == down_url else 0), output
        assert "no tests ran" in done.stdout


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
    base_url = f"http://127.0.0.1:{free_port()}"
    result = run_live(pytester, base_url, "--http-retries", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str() + result.stderr.str()
    retries = [line for line in result.stdout.lines if "retry " in line]
    assert len(retries) == 2, text
    for line in retries:
        assert f"after start-up check of {base_url}: ConnectError" in line
    assert text.count(f"cannot reach {base_url}") == 1
    assert UNKNOWN_JOB_ID not in text
