"""Against a stand-in deployment that breaks the contract in one sly way (`sly_deployment`), a
live run of the contract suite fails and says why: never a pass that checked less than it says.
The oracle is the stand-in's own behaviour, and the official SDK's where it decides (a 200 is
handed to the caller whatever `x-should-retry` says; a body cut short is retried)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .sly_deployment import JOB, KEY, SlyServer, sly_server

ROOT = Path(__file__).resolve().parents[3]


def run_suite(server: SlyServer, *options: str) -> tuple[int, str]:
    """Runs the live contract suite (schemathesis's test deselected: it fuzzes far beyond what
    the stand-in serves) against `server`; returns the exit code and everything printed."""
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--live", "--contract-base-url", server.base_url, "--job-id", JOB,
        "--poll-interval", "0.01", "-k", "not schemathesis", "-q", "-rA", *options,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": KEY}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def test_the_faithful_stand_in_passes() -> None:
    """The stand-in's faithful mode passes, so each failure below comes from its sly answer."""
    with sly_server("faithful") as server:
        code, output = run_suite(server)
    assert code == 0, output
    assert "6 passed" in output
    assert "life-cycle rules across tests held each xdist worker" not in output


def test_a_bad_200_asking_to_be_retried_is_checked() -> None:
    """A 200 that breaks the schema and carries `x-should-retry: true` reaches the test, as it
    reaches the SDK's caller: the run fails on its status and its progress, and retries none."""
    with sly_server("retry-hint-200") as server:
        code, output = run_suite(server)
    assert code == 1, output
    assert 'found string "exploded"' in output
    assert "expected a number <= 100, found number 250" in output
    assert "RetryWarning" not in output


def test_a_body_cut_short_is_retried_as_the_sdk_retries_it() -> None:
    """A 200 whose connection closes mid-body is a connection error, retried once: the run
    passes with one retry reported, never a misleading `StreamConsumed`."""
    with sly_server("close-once") as server:
        code, output = run_suite(server)
    assert code == 0, output
    assert "StreamConsumed" not in output
    assert "RemoteProtocolError" in output  # the retry's warning names the error


def test_a_terminal_job_seen_running_by_a_later_test_fails_that_test() -> None:
    """The life-cycle test sees running, completed, completed; the status test, later, sees
    running: that test fails, naming the rule and the test that saw the job completed."""
    with sly_server("back-after-confirm") as server:
        code, output = run_suite(server)
    assert code == 1, output
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1, output
    assert "test_status_body_matches_schema" in failed[0]
    assert (
        f"batch-contract: job {JOB} was 'completed' in contract_tests/test_lifecycle.py::"
        f"test_lifecycle_moves_forward_only[{JOB}], and here: job.status: expected "
        '"completed" for good, found string "running" [rule:terminal-is-final]'
    ) in output


ACROSS_WORKERS = (
    "batch-contract: the life-cycle rules across tests held each xdist worker's tests to each "
    "other only, not to the other workers' (-n): run without -n to hold the whole run to them"
)


def test_under_xdist_the_run_says_the_check_across_tests_was_split() -> None:
    """Under `-n 2` each worker holds only its own tests to the life-cycle rules across tests
    (documented); the run says so in its summary, so that a green run under -n does not claim
    the check the run without -n makes."""
    with sly_server("faithful") as server:
        code, output = run_suite(server, "-n", "2")
    assert code == 0, output
    assert ACROSS_WORKERS in output.splitlines()
