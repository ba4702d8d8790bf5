"""Against a stand-in deployment that echoes the key back in every form and place
(`echo_server`), the contract suite shows it nowhere: failing runs in every report mode, their
JUnit XML and log files, and the cassettes of a recording, whose compressed bodies are stored
decoded and replay green. The oracle is `canary.holds_canary`, which shares no code with the
scrubber."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .canary import CANARY, holds_canary
from .echo_server import KEPT_JOBS, RETRIED_JOB, EchoServer, echo_server

ROOT = Path(__file__).resolve().parents[3]
MODES = {
    "tb-auto": ["--tb=auto"],
    "tb-long-locals": ["--tb=long", "-l"],
    "tb-short": ["--tb=short"],
    "tb-line": ["--tb=line"],
    "tb-native": ["--tb=native"],
    "tb-no-all-sections": ["--tb=no", "-rA"],
    "very-verbose": ["-vv", "-l"],
    "full-trace": ["--full-trace", "-l"],
    "live-logs": ["--log-cli-level=DEBUG", "-rA"],
}


@pytest.fixture(scope="module")
def breaking() -> Iterator[EchoServer]:
    """The stand-in that breaks the contract with the key in `job.status`, and echoes it."""
    with echo_server(breaking=True) as server:
        yield server


def run_suite(server: EchoServer, *options: str) -> tuple[int, str]:
    """Runs the contract suite against `server` in a subprocess with the canary key in the
    environment; returns the exit code and everything printed."""
    jobs = [arg for job in server.job_ids for arg in ("--job-id", job)]
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--live", "--contract-base-url", server.base_url, *jobs, "--poll-interval", "0.01",
        *options,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


@pytest.mark.parametrize("mode", MODES.values(), ids=list(MODES))
def test_a_failing_run_against_an_echoing_server_never_shows_the_key(
    tmp_path: Path, breaking: EchoServer, mode: list[str]
) -> None:
    """The run fails, quoting what the server sent (masked), and neither its output, its JUnit
    XML (captured logs included) nor its log file holds the key in any form."""
    junit, log = tmp_path / "junit.xml", tmp_path / "run.log"
    code, output = run_suite(
        breaking, "--junitxml", str(junit), "-o", "junit_logging=all", "--log-level=DEBUG",
        "--log-file", str(log), "--log-file-level=DEBUG", *mode,
    )  # fmt: skip
    assert code == 1, output[-3000:]
    assert "***" in output + junit.read_text("utf-8")  # the echoes were shown, masked
    assert not holds_canary(output), _first_leak(output)
    assert not holds_canary(junit.read_bytes()), _first_leak(junit.read_text("utf-8"))
    assert not holds_canary(log.read_bytes()), _first_leak(log.read_text("utf-8", "replace"))


def _first_leak(text: str) -> str:
    """The first line that holds the key, for the failure message (itself masked by the outer
    run's plugin only if that run had the key: this suite's runs do not)."""
    return next((line[:300] for line in text.splitlines() if holds_canary(line)), "(spans lines)")


def _cassettes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text("utf-8")
        for path in folder.rglob("*.yaml")
        if path.is_file()
    }


def test_recording_an_echoing_server_writes_no_key_and_compressed_bodies_replay(
    tmp_path: Path,
) -> None:
    """--record-mode=rewrite against a stand-in that honours the contract but echoes the key in
    headers, an undocumented field, a Latin-1 404 and a 503 before the retry succeeds, with bodies
    sent as `GZIP`, `gzip, gzip` and `deflate`: no cassette holds the key; the compressed bodies
    are stored decoded, without `Content-Encoding`; replaying them passes offline. vcrpy's INFO
    record of each response (a compressed body shown as a bytes literal) is masked in the
    report, the JUnit XML and the log file."""
    folder, junit, log = tmp_path / "cassettes", tmp_path / "junit.xml", tmp_path / "run.log"
    with echo_server(breaking=False) as server:
        code, output = run_suite(
            server, "--record-mode=rewrite", "--cassette-dir", str(folder),
            "-k", "not schemathesis", "--log-level=INFO", "-rA", "--junitxml", str(junit),
            "-o", "junit_logging=all", "--log-file", str(log),
        )  # fmt: skip
    assert code == 0, output[-3000:]
    assert "Appending request" in output  # vcrpy logged each response, compressed bodies as bytes
    assert not holds_canary(output), _first_leak(output)
    assert not holds_canary(junit.read_text("utf-8")), _first_leak(junit.read_text("utf-8"))
    assert not holds_canary(log.read_text("utf-8")), _first_leak(log.read_text("utf-8"))
    cassettes = _cassettes(folder)
    for job in KEPT_JOBS:
        assert f"status/{job}.yaml" in cassettes, output[-3000:]
    assert f"status/{RETRIED_JOB}.yaml" in cassettes, output[-3000:]
    assert "not-found/unknown-job.yaml" in cassettes, output[-3000:]
    for name, text in cassettes.items():
        assert not holds_canary(text), (name, _first_leak(text))
        assert not holds_canary(text.encode("utf-8")), name
        assert "content-encoding" not in text.lower(), name
    for job in KEPT_JOBS:
        document = yaml.safe_load(cassettes[f"status/{job}.yaml"])
        body = document["interactions"][0]["response"]["body"]["string"]
        assert isinstance(body, str), body
        assert '"status": "completed"' in body
    retried = yaml.safe_load(cassettes[f"status/{RETRIED_JOB}.yaml"])["interactions"]
    assert [i["response"]["status"]["code"] for i in retried] == [503, 200]

    replayed = [*KEPT_JOBS, RETRIED_JOB]  # the retried job replays its 503, then its 200
    jobs = [arg for job in replayed for arg in ("--job-id", job)]
    replay = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
         "--cassette-dir", str(folder), *jobs, "-q"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert replay.returncode == 0, replay.stdout.decode()[-3000:]
    assert f"{2 + 4 * len(replayed)} passed" in replay.stdout.decode()


def test_a_body_the_client_cannot_decode_is_refused_and_the_old_cassette_stays(
    tmp_path: Path,
) -> None:
    """A 404 sent with a `Content-Encoding` the client leaves as it is cannot be scrubbed: its
    cassette is refused in one line naming the interaction, and the cassette already there
    stays as it was."""
    folder = tmp_path / "cassettes"
    previous = folder / "not-found" / "unknown-job.yaml"
    previous.parent.mkdir(parents=True)
    previous.write_text("the previous cassette\n")
    with echo_server(breaking=False, undecodable=True) as server:
        code, output = run_suite(
            server, "--record-mode=rewrite", "--cassette-dir", str(folder), "-k", "not_found"
        )
    assert code == 1, output[-3000:]
    assert previous.read_text() == "the previous cassette\n"
    refusals = [line for line in output.splitlines() if "not written:" in line]
    assert refusals, output[-3000:]
    assert refusals[0].startswith("batch-contract: not written: "), refusals
    assert "not-found/unknown-job.yaml: interaction 1: the response body of GET " in refusals[0]
    assert "cannot be decoded (Content-Encoding: x-hostile" in refusals[0]
    assert "Traceback" not in output
    assert not holds_canary(output), _first_leak(output)
