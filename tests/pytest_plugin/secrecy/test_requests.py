"""The key is sent only when a contract test needs it, and never in clear over the network:
`--collect-only`, or a run that selects no contract test, sends nothing; plain http:// to a host
that is not loopback stops a --live run at start unless --allow-insecure-http is given."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .canary import CANARY

ROOT = Path(__file__).resolve().parents[3]


class Sink(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that counts the requests it receives and answers each with 404."""

    requests: int = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, Sink)
        self.server.requests += 1
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"detail":"Not Found"}')

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def sink() -> Iterator[Sink]:
    """A request sink on 127.0.0.1."""
    server = Sink(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def live(base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The contract suite with --live against `base_url` and the canary key, in a subprocess."""
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--live", "--contract-base-url", base_url, "--job-id", "bjb-1", *args,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _url(sink: Sink) -> str:
    host, port = sink.server_address[:2]
    return f"http://{host!s}:{port}"


def test_collect_only_sends_no_request(sink: Sink) -> None:
    """`--live --collect-only` lists the tests and sends the deployment nothing."""
    done = live(_url(sink), "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_status_body_matches_schema[bjb-1]" in done.stdout
    assert sink.requests == 0


def test_a_run_that_selects_no_contract_test_sends_no_request(sink: Sink) -> None:
    """`--live -k` matching nothing runs no test and sends the deployment nothing."""
    done = live(_url(sink), "-k", "no_such_test_anywhere")
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, done.stdout + done.stderr
    assert sink.requests == 0


def test_a_contract_test_does_reach_the_sink(sink: Sink) -> None:
    """The control: a run that selects a contract test does send requests to the same sink."""
    done = live(_url(sink), "-k", "unknown_job_id_is_not_found")
    assert sink.requests > 0, done.stdout + done.stderr


def test_plain_http_to_a_remote_host_is_refused() -> None:
    """--live over http:// to a host that is not loopback stops at start, in one line, exit 4."""
    done = live("http://staging.example.invalid", "--collect-only", "-q")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert done.stderr.strip() == (
        "ERROR: --live would send the key in clear text to http://staging.example.invalid: "
        "use https://, or pass --allow-insecure-http if that network is trusted"
    )


def test_allow_insecure_http_lets_the_user_choose() -> None:
    """With --allow-insecure-http the same run starts (collection only: nothing is sent)."""
    done = live("http://staging.example.invalid", "--allow-insecure-http", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
