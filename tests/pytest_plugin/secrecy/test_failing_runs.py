"""A FAILING contract run never shows the key: against a reference server and a live deployment
that break the contract, in every pytest report mode, with JUnit XML and captured debug logs, the
canary key appears nowhere in any form."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch_contract.server import RunningServer, running_server

from .canary import CANARY, holds_canary

ROOT = Path(__file__).resolve().parents[3]
MODES = {
    "tb-auto": ["--tb=auto"],
    "tb-long": ["--tb=long"],
    "tb-short": ["--tb=short"],
    "tb-native": ["--tb=native"],
    "showlocals": ["-l", "--tb=long"],
    "full-trace": ["--full-trace", "-l"],
    "very-verbose": ["-vv", "-l"],
}
BREAK = "progress-above-100"


@pytest.fixture(scope="module")
def broken_deployment() -> Iterator[RunningServer]:
    """A stand-in deployment on loopback that breaks the contract and knows the canary key."""
    with running_server(api_key=CANARY, breaks=[BREAK]) as server:
        yield server


def run_suite(tmp_path: Path, target: list[str], mode: list[str]) -> tuple[int, str, bytes]:
    """Runs the contract suite in a subprocess with the canary key in the environment; returns
    the exit code, everything printed, and the JUnit XML."""
    junit = tmp_path / "junit.xml"
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--log-level=DEBUG", "--poll-interval", "0.01", "--junitxml", str(junit), *target, *mode,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY, "BATCH_CONTRACT_JOB_IDS": ""}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    return (
        done.returncode,
        (done.stdout + done.stderr).decode("utf-8", "replace"),
        junit.read_bytes(),
    )


@pytest.mark.parametrize("mode", MODES.values(), ids=list(MODES))
def test_failing_reference_run_never_shows_the_key(tmp_path: Path, mode: list[str]) -> None:
    """--reference with a break and the key from the environment: the run fails, and neither its
    output nor its JUnit XML holds the key."""
    code, output, junit = run_suite(tmp_path, ["--reference", "--reference-break", BREAK], mode)
    assert code == 1, output[-2000:]
    assert "progress_percentage" in output
    assert not holds_canary(output)
    assert not holds_canary(junit)


@pytest.mark.parametrize("mode", MODES.values(), ids=list(MODES))
def test_failing_live_run_never_shows_the_key(
    tmp_path: Path, mode: list[str], broken_deployment: RunningServer
) -> None:
    """--live against a deployment that breaks the contract: the run fails, and neither its
    output nor its JUnit XML holds the key."""
    jobs = [arg for job in broken_deployment.job_ids for arg in ("--job-id", job)]
    target = ["--live", "--contract-base-url", broken_deployment.base_url, *jobs]
    code, output, junit = run_suite(tmp_path, target, mode)
    assert code == 1, output[-2000:]
    assert "progress_percentage" in output
    assert not holds_canary(output)
    assert not holds_canary(junit)
