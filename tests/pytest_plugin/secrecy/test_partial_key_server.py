"""Against a stand-in deployment that echoes parts of a key shaped as LlamaCloud's
(`partial_server`: its secret part without `llx-` in every form, the key split in two, a
provider's hint, hex of a prefix, the key with a separator inside, a key cut before a
JSON-escaped ellipsis), the contract suite shows none of them: not in the cassettes of a
recording, nor in a failing run's terminal output, JUnit XML or log file. The oracle is
`canary.holds_part`, which shares no code with the scrubber."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from .canary import LLX, holds_part
from .partial_server import HEX_NAME, KEPT_JOB, PartialServer, partial_server

ROOT = Path(__file__).resolve().parents[3]
CUT = LLX[:10]
"""What the cut key shows: shorter than a run, masked only as a key cut before its ellipsis."""


def run_suite(server: PartialServer, *options: str) -> tuple[int, str]:
    """Runs the contract suite against `server` in a subprocess with the key in the environment;
    returns the exit code and everything printed."""
    jobs = [arg for job in server.job_ids for arg in ("--job-id", job)]
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--live", "--contract-base-url", server.base_url, *jobs, "--poll-interval", "0.01",
        *options,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": LLX}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def _leaks(text: str) -> bool:
    return holds_part(text) or CUT.lower() in text.lower()


def _first_leak(text: str) -> str:
    return next((line[:300] for line in text.splitlines() if _leaks(line)), "(spans lines)")


def test_recording_a_server_that_echoes_parts_of_the_key_writes_none(tmp_path: Path) -> None:
    """--record-mode=rewrite against a stand-in that honours the contract and echoes every part
    of the key in undocumented fields and a 404: the cassettes hold the fields, masked, and no
    part of the key; neither does the run's output, JUnit XML or log file."""
    folder, junit, log = tmp_path / "cassettes", tmp_path / "junit.xml", tmp_path / "run.log"
    with partial_server(breaking=False) as server:
        code, output = run_suite(
            server, "--record-mode=rewrite", "--cassette-dir", str(folder),
            "-k", "not schemathesis", "--log-level=DEBUG", "-rA", "--junitxml", str(junit),
            "-o", "junit_logging=all", "--log-file", str(log), "--log-file-level=DEBUG",
        )  # fmt: skip
    assert code == 0, output[-3000:]
    status = folder / "status" / f"{KEPT_JOB}.yaml"
    cassettes = {path: path.read_text("utf-8") for path in folder.rglob("*.yaml")}
    assert status in cassettes, output[-3000:]
    body = yaml.safe_load(cassettes[status])["interactions"][0]["response"]["body"]["string"]
    assert '"x_secret-raw": "<LLAMA_CLOUD_API_KEY>"' in body
    assert '"x_split-second": "<LLAMA_CLOUD_API_KEY>"' in body
    assert '"x_<LLAMA_CLOUD_API_KEY>": 1' in body, HEX_NAME
    for path, text in cassettes.items():
        assert not _leaks(text), (path, _first_leak(text))
    for name, text in [("output", output), ("junit", junit.read_text()), ("log", log.read_text())]:
        assert not _leaks(text), (name, _first_leak(text))


def test_a_failing_run_against_a_server_that_echoes_parts_of_the_key_shows_none(
    tmp_path: Path,
) -> None:
    """The stand-in puts a part of the key in each job's `job.status`: the run fails quoting each
    (masked), and neither the terminal (`-vv -rA`, live logs), the JUnit XML nor the log file
    holds any part of the key."""
    junit, log = tmp_path / "junit.xml", tmp_path / "run.log"
    with partial_server(breaking=True) as server:
        code, output = run_suite(
            server, "--junitxml", str(junit), "-o", "junit_logging=all", "--log-level=DEBUG",
            "--log-file", str(log), "--log-file-level=DEBUG", "-vv", "-rA",
            "--log-cli-level=DEBUG", "-k", "not schemathesis",
        )  # fmt: skip
    assert code == 1, output[-3000:]
    assert "***" in output
    for name, text in [("output", output), ("junit", junit.read_text()), ("log", log.read_text())]:
        assert not _leaks(text), (name, _first_leak(text))
