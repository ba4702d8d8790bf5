"""Against a stand-in deployment that echoes the key compressed, the contract suite shows it
nowhere: as a web framework's session token (base64url of a zlib stream of JSON holding the key,
`.eJy...`, as Flask writes its session cookie) in the `Location` and `WWW-Authenticate` headers,
a 404 body and, for one job, `job.status`; and in a 503 body compressed twice but labelled
`Content-Encoding: gzip` once (a gzip middleware applied twice), which the client decodes to a
gzip stream that cannot be scrubbed. The oracle (`_holds`) decodes every base64 token and
inflates every stream it finds itself: it shares no code with the scrubber."""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import http.server
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import yaml

from .canary import LLX
from .echo_server import status_body
from .stand_in import StandIn, standing_in

ROOT = Path(__file__).resolve().parents[3]
PREFIX = "/api/v1/beta/batch-processing/"
KEPT_JOB = "bjb-00000001-dddd-4ddd-bddd-dddddddddddd"
"""Honours the contract; each keyed request of it is answered 503 (twice compressed), then 200."""
BREAKING_JOB = "bjb-00000002-dddd-4ddd-bddd-dddddddddddd"
"""Its `job.status` is the session token."""
SESSION = "." + base64.urlsafe_b64encode(
    zlib.compress(json.dumps({"api_key": LLX, "user": "u"}).encode())
).decode().rstrip("=")
_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}")
_STREAM = re.compile(b"\x1f\x8b|\x78[\x01\x5e\x9c\xda]")
"""Where a gzip or zlib stream may start."""


def _inflated(raw: bytes) -> list[bytes]:
    """What `raw` inflates to from each gzip or zlib header in it, also nested."""
    found = []
    for start in _STREAM.finditer(raw):
        with contextlib.suppress(zlib.error):
            inner = zlib.decompressobj(47).decompress(raw[start.start() :])
            found += [inner, *_inflated(inner)]
    return found


def _holds(data: str | bytes) -> bool:
    """Whether text or bytes hold the key verbatim, or inside a compressed stream, raw or as a
    base64 or base64url token (any letter case of the key)."""
    raw = data if isinstance(data, bytes) else data.encode("latin-1", "replace")
    found = [raw, *_inflated(raw)]
    for token in _TOKEN.findall(raw.decode("latin-1")):
        for start in range(4):
            part = token[start:].replace("-", "+").replace("_", "/")
            with contextlib.suppress(binascii.Error, ValueError):
                decoded = base64.b64decode(part[: len(part) // 4 * 4])
                found += [decoded, *_inflated(decoded)]
    return any(LLX.lower().encode() in each.lower() for each in found)


class _Compressing(http.server.BaseHTTPRequestHandler):
    """Echoes the key as the session token in two headers and every body; answers each keyed
    request of `KEPT_JOB` by turns with a twice-compressed 503 and a valid 200."""

    server: StandIn
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, coding: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if coding:
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Location", f"/login?state={SESSION}")
        self.send_header("WWW-Authenticate", f'Bearer error_description="{SESSION}"')
        self.send_header("Retry-After-Ms", "1")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """Answers the status endpoint."""
        job = self.path.partition("?")[0].removeprefix(PREFIX)
        keyed = self.headers.get("Authorization") == f"Bearer {LLX}"
        asked = self.server.settings["asked"]
        asked[job] = asked.get(job, 0) + keyed
        if job == KEPT_JOB and keyed and asked[job] % 2 == 1:
            busy = json.dumps({"detail": f"busy: {LLX}"}).encode()
            self._send(503, gzip.compress(gzip.compress(busy)), "gzip")
        elif job in (KEPT_JOB, BREAKING_JOB):
            self._send(200, status_body(job, SESSION if job == BREAKING_JOB else "completed"))
        else:
            self._send(404, json.dumps({"detail": "no such job", "session": SESSION}).encode())

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def run_suite(url: str, job: str, *options: str) -> tuple[int, str]:
    """Runs the contract suite against `url` for `job` in a subprocess with the key in the
    environment; returns the exit code and everything printed."""
    command = [
        sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
        "--live", "--contract-base-url", url, "--job-id", job, "--poll-interval", "0.01",
        "-k", "not schemathesis", *options,
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": LLX}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")


def test_the_oracle_finds_what_the_stand_in_sends() -> None:
    """The oracle finds the key in the session token and in the twice-compressed body."""
    assert _holds(SESSION)
    assert _holds(gzip.compress(gzip.compress(LLX.encode())))
    assert not _holds(SESSION.replace("e", "f"))


def test_recording_a_server_that_echoes_the_key_compressed_writes_none(tmp_path: Path) -> None:
    """--record-mode=rewrite: the session token becomes the placeholder in the headers and the 404
    body; the cassettes whose 503 body is still a gzip stream once decoded are refused in one
    line each; no file under the folder, nor the output, JUnit XML or log file holds the key."""
    folder, junit, log = tmp_path / "cassettes", tmp_path / "junit.xml", tmp_path / "run.log"
    with standing_in(_Compressing, asked={}) as url:
        code, output = run_suite(
            url, KEPT_JOB, "--record-mode=rewrite", "--cassette-dir", str(folder), "-rA",
            "--log-level=DEBUG", "--junitxml", str(junit), "-o", "junit_logging=all",
            "--log-file", str(log), "--log-file-level=DEBUG",
        )  # fmt: skip
    assert code == 1, output[-3000:]
    for kind in ("status", "lifecycle"):
        assert not (folder / kind / f"{KEPT_JOB}.yaml").exists()
        assert (
            f"batch-contract: not written: {folder / kind / KEPT_JOB}.yaml would hold the API key "
            f"(interaction 1: response body of GET {PREFIX}{KEPT_JOB})"
        ) in output, output[-3000:]
    not_found = yaml.safe_load((folder / "not-found" / "unknown-job.yaml").read_text("utf-8"))
    response = not_found["interactions"][0]["response"]
    assert response["headers"]["location"] == ["/login?state=.<LLAMA_CLOUD_API_KEY>"]
    assert '"session": ".<LLAMA_CLOUD_API_KEY>"' in response["body"]["string"]
    for path in folder.rglob("*"):
        assert path.is_dir() or not _holds(path.read_bytes()), path
    for name, text in [("output", output), ("junit", junit.read_text()), ("log", log.read_text())]:
        assert not _holds(text), name


def test_a_failing_run_against_a_server_that_echoes_the_key_compressed_shows_none(
    tmp_path: Path,
) -> None:
    """`job.status` is the session token: the run fails quoting it masked, and neither the
    terminal (`-rA --tb=long -l`), the JUnit XML nor the log file holds the key."""
    junit, log = tmp_path / "junit.xml", tmp_path / "run.log"
    with standing_in(_Compressing, asked={}) as url:
        code, output = run_suite(
            url, BREAKING_JOB, "-rA", "--tb=long", "-l", "--junitxml", str(junit),
            "-o", "junit_logging=all", "--log-file", str(log), "--log-file-level=DEBUG",
        )  # fmt: skip
    assert code == 1, output[-3000:]
    assert 'found string ".***..."' in output, output[-3000:]
    for name, text in [("output", output), ("junit", junit.read_text()), ("log", log.read_text())]:
        assert not _holds(text), name


def _cassette(job: str, body: bytes) -> dict[str, object]:
    """One interaction of a GET of `job` answered 200 with `body` gzip-compressed, as a recorder
    that keeps the wire form stores it."""
    uri = f"https://staging.invalid{PREFIX}{job}"
    headers = {"content-type": ["application/json"], "content-encoding": ["gzip"]}
    response = {"body": {"string": gzip.compress(body)}, "headers": headers}
    return {
        "request": {"body": None, "headers": {}, "method": "GET", "uri": uri},
        "response": {**response, "status": {"code": 200, "message": "OK"}},
    }


def test_drift_and_the_report_page_over_cassettes_holding_the_token_show_no_key(
    tmp_path: Path,
) -> None:
    """Cassettes another recorder wrote from the stand-in (the session token in `job.status` and
    as a property name, bodies kept compressed): `batch-contract drift` in each format and
    `batch-contract report` quote them masked (they showed the token as it came)."""
    old, new, page = tmp_path / "old", tmp_path / "new", tmp_path / "report.html"
    document = json.loads(status_body(BREAKING_JOB, SESSION))
    document["job"][SESSION] = 1
    for folder, body in [(old, status_body(KEPT_JOB, "completed")), (new, json.dumps(document))]:
        folder.mkdir()
        interactions = [_cassette(KEPT_JOB, body.encode() if isinstance(body, str) else body)]
        text = yaml.safe_dump({"interactions": interactions, "version": 1})
        (folder / "status.yaml").write_text(text, "utf-8")
    env = {"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": LLX}
    shown = ""
    for args in (
        *(["drift", "--format", form, str(old), str(new)] for form in ("text", "markdown", "json")),
        ["report", str(new), "-o", str(page)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "batch_contract", *args],
            env=env, capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr.decode()
        shown += (done.stdout + done.stderr).decode("utf-8")
    assert "enum-value-added: '.***'" in shown, shown
    assert not _holds(shown), shown
    assert not _holds(page.read_text("utf-8"))


def test_a_session_token_wrapped_or_cut_by_a_reporter_is_masked() -> None:
    """The session token across a line break a reporter inserted (`E   ` prefix), and cut short
    before an ellipsis: each is masked whole, the line break kept."""
    from batch_contract.secret import Secret

    key = Secret(LLX)
    wrapped = f"E       AssertionError: {SESSION[:40]}\nE         {SESSION[40:]}"
    assert _holds(wrapped.replace("\nE         ", ""))
    assert key.mask(wrapped) == "E       AssertionError: .***\n"
    assert key.mask(f"found string '{SESSION[:60]}...'") == "found string '.***...'"
