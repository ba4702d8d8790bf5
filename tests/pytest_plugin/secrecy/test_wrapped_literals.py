"""A body shown as a bytes literal that pprint wrapped over several lines (pytest's `-vv -l` shows
a local `(b'...'\\n b'...')`): the key is masked where a wrap cut a form in two, and inside a
compressed body the wrap spread over many lines; and a contract run against a deployment that
cuts its bodies short (the HTTP client's frames then hold the partial body) shows the key in no
form, on the terminal or in the JUnit XML."""

from __future__ import annotations

import gzip
import http.server
import json
import pprint
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest

from batch_contract.secret import Secret

from .canary import CANARY, echoed_forms, holds_canary_wrapped
from .stand_in import StandIn, standing_in

ROOT = Path(__file__).resolve().parents[3]
FORMS = {name: form for name, form in echoed_forms().items() if not name.startswith("utf-16")}
"""The forms without a zero byte (a bytes literal shows a zero byte as `\\x00`, an escape the
forms with one are looked for as elsewhere)."""
KEY = Secret(CANARY)
WIDTH = 40
JOB = "bjb-11111111-2222-4333-8444-555555555550"


def shown_as_local(raw: bytes) -> str:
    """`raw` as pytest's `-vv -l` shows a local: pretty-printed, wrapped over several lines."""
    return "        data       = " + pprint.pformat(raw, width=WIDTH)


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_a_form_a_bytes_literal_wrap_cuts_is_masked(form: str) -> None:
    """Wherever the wrap falls inside the form (every offset), no form of the key survives and
    the line count stays."""
    for offset in range(WIDTH):
        text = shown_as_local(f'{{"pad": "{"x" * offset}", "echo": "{form}"}}'.encode())
        assert "\n b'" in text
        shown = KEY.mask(text)
        assert not holds_canary_wrapped(shown), (offset, shown)
        assert shown.count("\n") == text.count("\n")


@pytest.mark.parametrize("wbits", [31, 15, -15], ids=["gzip", "zlib", "deflate"])
def test_a_compressed_body_in_a_wrapped_literal_is_masked(wbits: int) -> None:
    """A compressed body, cut short as a client read it, shown over many lines: the literal is
    masked whole, and what is around it kept."""
    body = json.dumps({"echo": " ".join(FORMS.values())}).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    stream = packer.compress(body) + packer.flush()
    text = f"before\n{shown_as_local(stream[: len(stream) * 3 // 4])}\nafter"
    assert text.count("\n") > 10
    assert holds_canary_wrapped(text)
    shown = KEY.mask(text)
    assert not holds_canary_wrapped(shown), shown
    assert shown.startswith("before\n        data       = (***")
    assert shown.endswith(")\nafter")


class _Cutting(http.server.BaseHTTPRequestHandler):
    """Answers `JOB` with a 200 whose body (every form of the key, gzip-compressed when the
    server's `gzip` is set, without a Content-Encoding) stops at three quarters of its
    Content-Length; any other job a 404, any other method a 405."""

    protocol_version = "HTTP/1.1"
    server: StandIn

    def _answer(self, status: int, body: bytes, length: int) -> None:
        self.send_response(status)
        self.send_header("Allow", "GET")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:
        """The cut body for `JOB`; a 404 otherwise (the run's start-up check)."""
        if self.path.split("?")[0].rsplit("/", 1)[-1] != JOB:
            self._answer(404, b'{"detail": "not found"}', 23)
            return
        document = {"job": {"id": JOB, "status": "completed"}, "echo": list(FORMS.values())}
        body = json.dumps(document).encode()
        if self.server.settings["gzip"]:
            body = gzip.compress(body)
        self._answer(200, body[: len(body) * 3 // 4], len(body) + 1000)
        self.close_connection = True

    def _refuse(self) -> None:
        self._answer(405, b'{"detail": "no"}', 16)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = _refuse

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_body_cut_short_shows_no_key_under_very_verbose_locals(
    tmp_path: Path, compressed: bool
) -> None:
    """`-vv -l` on a run whose schemathesis test reads a body cut short: the client's frames hold
    the partial body as a wrapped bytes literal; the terminal and the JUnit XML show it, masked."""
    junit = tmp_path / "junit.xml"
    with standing_in(_Cutting, gzip=compressed) as url:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"), "-p", "no:cacheprovider",
             "--live", "--contract-base-url", url, "--job-id", JOB, "--http-retries", "0",
             "--st-max-examples", "3", "-k", "schemathesis", "-vv", "-l",
             "--junitxml", str(junit)],
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", "LLAMA_CLOUD_API_KEY": CANARY},
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 1, output[-2000:]
    assert "IncompleteRead" in output
    assert "data       = (" in output, output  # the partial body, as a wrapped literal
    assert not holds_canary_wrapped(output), output
    assert not holds_canary_wrapped(junit.read_text("utf-8"))


def test_a_wrapped_literal_with_an_escape_repr_never_writes_is_masked_without_a_warning() -> None:
    """Text that looks like a wrapped literal but holds `\\q` (an invalid escape, which Python
    warns about when it reads one) is masked across the wrap, and masking it warns nothing."""
    text = f"x = (b'abc\\q {CANARY[:5]}'\n b'{CANARY[5:]} \\x00'\n b'z')"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shown = Secret(CANARY).mask(text)  # a new pattern: nothing read before
    assert caught == []
    assert holds_canary_wrapped(text)
    assert not holds_canary_wrapped(shown), shown
