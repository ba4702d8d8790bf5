"""`batch-contract serve`: listings, usage errors, and a real run stopped with Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from batch_contract.server import BREAKS, DOCUMENTED_JOB_ID, MOVING_JOB_IDS
from batch_contract.server.command import main
from batch_contract.server.jobs import build_jobs

from .conftest import auth, job_path

SECRET = "s3cret-Key-for-serve"


def test_list_breaks_prints_each_name_first_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--list-breaks prints one line per break, its name first, in BREAKS order."""
    assert main(["--list-breaks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(BREAKS)
    assert len(lines) >= 18
    assert all(BREAKS[line.split()[0]] in line for line in lines)


def test_list_jobs_prints_every_id_with_type_status_and_movement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--list-jobs prints each id first, then job_type, status and moving/static."""
    assert main(["--list-jobs", "--seed", "4"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [row[0] for row in rows] == list(build_jobs(4))
    assert rows[[r[0] for r in rows].index(DOCUMENTED_JOB_ID)][1:] == ["parse", "pending", "static"]
    assert rows[[r[0] for r in rows].index(MOVING_JOB_IDS[0])][1:] == [
        "parse",
        "pending->completed",
        "moving",
    ]
    assert sum(row[3] == "static" for row in rows) == 21


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--break", "nope"], "unknown break 'nope'"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--port", "x"], "argument --port: invalid int value: 'x'"),
        (["--step-seconds", "0"], "--step-seconds must be a positive finite number"),
        (["--step-seconds", "inf"], "--step-seconds must be a positive finite number, got inf"),
        (["--step-seconds", "nan"], "--step-seconds must be a positive finite number, got nan"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A bad option prints one line on stderr, no traceback, and exits 2."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("batch-contract serve: error: ")
    assert message in captured.err


def test_a_long_value_is_shown_cut_short(capsys: pytest.CaptureFixture[str]) -> None:
    """A 5,000-digit `--seed` (more than `int` reads) is quoted by its first 40 characters and
    its length, not echoed whole on a 5,000-character line."""
    assert main(["--seed", "9" * 5000]) == 2
    assert capsys.readouterr().err == (
        "batch-contract serve: error: argument --seed: invalid int value: "
        f"'{'9' * 40}...' (5000 characters)\n"
    )


def test_a_busy_port_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A port already listened on is reported in one line, exit 2."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """A `batch-contract serve --port 0` subprocess; `param` overrides its environment."""
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CLOUD_API_KEY"}
    env.update(getattr(request, "param", {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "batch_contract.server.command", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for stream in (process.stderr, process.stdout):
            if stream is not None:
                stream.close()


def _stop(process: subprocess.Popen[str]) -> str:
    """Send Ctrl-C, check a clean exit 0, and return the rest of stderr."""
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("serve", [{"LLAMA_CLOUD_API_KEY": SECRET}], indirect=True)
def test_serve_answers_logs_and_stops_on_ctrl_c(serve: subprocess.Popen[str]) -> None:
    """The command serves with the key from the environment, logs each request, never the key."""
    assert serve.stderr is not None
    banner = serve.stderr.readline()
    base = re.search(r"(http://127\.0\.0\.1:\d+)/api", banner)
    assert base is not None, banner
    with httpx.Client(base_url=base.group(1)) as client:
        assert client.get(job_path(DOCUMENTED_JOB_ID), headers=auth(SECRET)).status_code == 200
        assert client.get(job_path(DOCUMENTED_JOB_ID)).status_code == 401
        assert client.post(job_path(DOCUMENTED_JOB_ID)).headers["allow"] == "GET, HEAD"
    err = banner + _stop(serve)
    assert SECRET not in err
    assert "Bearer" not in err
    assert len(re.findall(r'"(GET|POST) /api/v1/beta/batch-processing/\S+" \d{3} ', err)) == 3
    assert err.rstrip().endswith("batch-contract serve: stopped")


def test_serve_without_a_key_prints_a_development_key(serve: subprocess.Popen[str]) -> None:
    """With LLAMA_CLOUD_API_KEY unset, the banner gives a generated key that works."""
    assert serve.stderr is not None
    banner, notice = serve.stderr.readline(), serve.stderr.readline()
    base = re.search(r"(http://127\.0\.0\.1:\d+)/api", banner)
    key = re.search(r"LLAMA_CLOUD_API_KEY is not set; development key for this run: (\S+)", notice)
    assert base is not None, banner
    assert key is not None, notice
    with httpx.Client(base_url=base.group(1)) as client:
        assert (
            client.get(job_path(DOCUMENTED_JOB_ID), headers=auth(key.group(1))).status_code == 200
        )
    _stop(serve)
