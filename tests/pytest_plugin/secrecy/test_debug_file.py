"""`--debug`: pytest traces every hook call with its arguments to its debug file, a failing test's
exception among them before any report is made of it. Against a stand-in that echoes the key in
every form, that file holds the trace, masked, and no form of the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .canary import CANARY, holds_canary
from .echo_server import echo_server

ROOT = Path(__file__).resolve().parents[3]


def test_the_debug_file_of_a_failing_run_shows_no_key(tmp_path: Path) -> None:
    """The run fails quoting the echoed key (masked); its `--debug` file traces the hook calls
    that carry the failure (`pytest_runtest_makereport` with the exception) and holds no form of
    the key."""
    debug = tmp_path / "pytestdebug.log"
    with echo_server(breaking=True) as server:
        jobs = [arg for job in server.job_ids[:3] for arg in ("--job-id", job)]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
             "--live", "--contract-base-url", server.base_url, *jobs, "--poll-interval", "0.01",
             "--st-max-examples", "3", "-q", f"--debug={debug}"],
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY},
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 1, output[-3000:]
    traced = debug.read_text("utf-8", "replace")
    assert "pytest_runtest_makereport [hook]" in traced
    assert "excinfo=<ExceptionInfo" in traced
    assert "***" in traced
    assert not holds_canary(traced), next(
        (line[:300] for line in traced.splitlines() if holds_canary(line)), "(spans lines)"
    )
