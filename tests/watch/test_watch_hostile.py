"""Hostile input to `batch-contract watch`: each gives one line on stderr and exit 2, never a
traceback, a hang or unbounded memory. URLs are served on 127.0.0.1 by servers made to misbehave."""

from __future__ import annotations

import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from batch_contract.watch.sources import BASELINE, MAX_SPEC_BYTES

from .conftest import Run
from .sdk_layout import build_wheel, layout, unpack

PROG = "batch-contract watch: "
SPEC = json.loads((BASELINE / "provider-openapi.json").read_text(encoding="utf-8"))
EP = "/api/v1/beta/batch-processing/{job_id}"
RECORDINGS = Path(__file__).parent / "recordings"


def one_line(code: int, out: str, err: str) -> str:
    """The one error line of a run that must end with exit 2 and print nothing else."""
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(PROG)
    assert "Traceback" not in err
    return err[len(PROG) : -1]


def spec_with(**changes: object) -> dict[str, object]:
    """A copy of the baseline spec with some components' schemas replaced."""
    spec = json.loads(json.dumps(SPEC))
    spec["components"]["schemas"].update(changes)
    return spec


def write(folder: Path, name: str, content: str | bytes) -> str:
    """A file in `folder` holding `content`; its path."""
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{\n  "openapi": [unclosed\n', "not JSON or YAML (ParserError at line 3)"),
        (b"\x00\x01\x02 binary", "not JSON or YAML (ReaderError)"),
        (b"openapi: 3.1.0\ninfo: {title: caf\xe9}\n", "not JSON or YAML (not UTF-8 text)"),
        ('{"openapi": "3.1.0", "paths": {}}'.encode("utf-16"), "not JSON or YAML (not UTF-8 text)"),
        ("openapi: 3.1.0\npaths: {}\n".encode("utf-32"), "not JSON or YAML (not UTF-8 text)"),
        (b"\x1f\x8b\x08\x00 the rest", "gzip-compressed, not JSON or YAML text"),
        (b"just a sentence, no document", "not an OpenAPI document (a str)"),
        (b"swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3.0 or 3.1 document (swagger 2.0)"),
        (b"openapi: 4.0.0\npaths: {}\n", "OpenAPI 4.0.0 is not read (3.0 and 3.1 are)"),
        (b"a: &a [*a, *a]\n", "its YAML aliases expand it beyond its size"),
        (b"[" * 600 + b"]" * 600, "nested deeper than 512 levels"),
    ],
    ids=[
        "json-syntax",
        "binary",
        "latin-1",
        "utf-16-bom",
        "utf-32-bom",
        "gzip",
        "a-string",
        "swagger-2",
        "openapi-4",
        "alias-loop",
        "deep",
    ],
)
def test_spec_that_is_not_an_openapi_document(
    run_watch: Run, tmp_path: Path, content: bytes, expected: str
) -> None:
    """What is not JSON or YAML, or not OpenAPI 3.0/3.1, is one line naming the problem."""
    path = write(tmp_path, "spec.yaml", content)
    assert one_line(*run_watch("--spec", path)) == f"{path}: {expected}"


def test_spec_of_one_gigabyte_is_refused_before_reading(run_watch: Run, tmp_path: Path) -> None:
    """A 1 GB file (sparse: nothing is written) is refused from its size, at once."""
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(1 << 30)
    started = time.monotonic()
    line = one_line(*run_watch("--spec", str(path)))
    assert line == f"{path}: too large: {1 << 30} bytes (limit {MAX_SPEC_BYTES})"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("schemas", "expected"),
    [
        (
            {"BatchJobResponse": {"$ref": "#/components/schemas/BatchJobResponse"}},
            "$.job: $ref cycle: #/components/schemas/BatchJobResponse -> "
            "#/components/schemas/BatchJobResponse",
        ),
        (
            {
                "BatchJobStatus": {"$ref": "#/components/schemas/Status2"},
                "Status2": {"allOf": [{"$ref": "#/components/schemas/BatchJobStatus"}]},
            },
            "$.job.status: $ref cycle: #/components/schemas/BatchJobStatus -> "
            "#/components/schemas/Status2 -> #/components/schemas/BatchJobStatus",
        ),
        (
            {"BatchJobType": {"$ref": "#/components/schemas/Nowhere"}},
            "$.job.job_type: $ref #/components/schemas/Nowhere points at nothing",
        ),
        (
            {"BatchJobType": {"$ref": "https://example.com/type.json"}},
            "$.job.job_type: only local $refs are read, not 'https://example.com/type.json'",
        ),
    ],
    ids=["self-cycle", "two-step-cycle", "dangling", "external"],
)
def test_ref_problems_are_one_line(
    run_watch: Run, tmp_path: Path, schemas: dict[str, object], expected: str
) -> None:
    """A $ref cycle on the response's way, a dangling or an external $ref: one line naming it."""
    path = write(tmp_path, "spec.json", json.dumps(spec_with(**schemas)))
    assert one_line(*run_watch("--spec", path)) == f"{path}: {expected}"


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        (
            {"A": {"$ref": "#/components/responses/B"}, "B": {"$ref": "#/components/responses/A"}},
            f"GET {EP}: 200: $ref cycle: #/components/responses/A -> #/components/responses/B -> "
            "#/components/responses/A",
        ),
        ({}, f"GET {EP}: 200: $ref #/components/responses/A points at nothing"),
    ],
    ids=["cycle", "dangling"],
)
def test_response_ref_problems_are_one_line(
    run_watch: Run, tmp_path: Path, responses: dict[str, object], expected: str
) -> None:
    """A 200 response written as a `$ref` that loops or points at nothing: one line naming it."""
    spec = json.loads(json.dumps(SPEC))
    spec["paths"][EP]["get"]["responses"]["200"] = {"$ref": "#/components/responses/A"}
    spec["components"]["responses"] = responses
    path = write(tmp_path, "spec.json", json.dumps(spec))
    assert one_line(*run_watch("--spec", path)) == f"{path}: {expected}"


def test_spec_missing_the_response_schema(run_watch: Run, tmp_path: Path) -> None:
    """A 200 response without a JSON schema cannot be compared: one line, exit 2."""
    spec = json.loads(json.dumps(SPEC))
    spec["paths"][EP]["get"]["responses"]["200"] = {"description": "Successful Response"}
    path = write(tmp_path, "spec.json", json.dumps(spec))
    line = one_line(*run_watch("--spec", path))
    assert line == f"{path}: GET {EP}: the 200 response has no JSON schema"


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"this is not a zip", "not a wheel (not a zip file)"), (b"", "not a wheel (not a zip file)")],
    ids=["text", "empty"],
)
def test_sdk_wheel_that_is_not_a_zip(
    run_watch: Run, tmp_path: Path, content: bytes, expected: str
) -> None:
    """A file that is not a zip is not a wheel: one line."""
    path = write(tmp_path, "llama_cloud-9.0.0-py3-none-any.whl", content)
    assert one_line(*run_watch("--sdk", path)) == f"{path}: {expected}"


def test_sdk_tree_without_the_package(run_watch: Run, tmp_path: Path) -> None:
    """A folder with no llama_cloud package: one line."""
    line = one_line(*run_watch("--sdk", str(tmp_path)))
    assert line == f"{tmp_path}: no llama_cloud package (no llama_cloud/resources/ folder)"


def test_usage_errors_are_one_line(run_watch: Run, tmp_path: Path) -> None:
    """Nothing to compare, a missing file, a bad option value, an unreadable recording path."""
    assert one_line(*run_watch()) == "nothing to compare: give --spec, --sdk or --docs"
    missing = str(tmp_path / "nope.json")
    assert one_line(*run_watch("--spec", missing)) == (
        f"{missing}: cannot read: No such file or directory"
    )
    assert one_line(*run_watch("--spec", missing, "--fail-on", "sometimes")).startswith(
        "argument --fail-on: invalid choice: 'sometimes'"
    )
    baseline = str(BASELINE / "provider-openapi.json")
    code, out, err = run_watch("--spec", baseline, "--recordings", missing)
    assert (code, out, err) == (
        2,
        run_watch("--spec", baseline)[1],  # the findings are still printed
        f"{PROG}{missing}: cannot read: No such file or directory\n",
    )
    assert one_line(*run_watch("--spec", baseline, "--baseline", str(tmp_path))) == (
        f"{tmp_path}/provider-openapi.json: the baseline has no provider-openapi.json"
    )


# --- URLs ----------------------------------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_url_that_does_not_answer_times_out(run_watch: Run, silent_port: int) -> None:
    """A server that accepts and never replies: one line after --timeout, not a hang."""
    url = f"http://127.0.0.1:{silent_port}/api/openapi.json"
    started = time.monotonic()
    line = one_line(*run_watch("--spec", url, "--timeout", "0.5"))
    assert line == f"{url}: no answer within 0.5 s"
    assert time.monotonic() - started < 10


class _Endless(BaseHTTPRequestHandler):
    """Answers 200 and streams bytes without end (`/long`: 64 MiB; `/announced`: a 1 GiB
    Content-Length; `/trickle`: one byte at a time)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path == "/announced":
            self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        chunk = b" " * 65536
        left = 4 * MAX_SPEC_BYTES // len(chunk) if self.path == "/long" else -1
        try:
            while left != 0:
                left -= 1
                if self.path == "/trickle":
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
                    continue
                self.wfile.write(chunk)
        except OSError:  # the client has gone
            return

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serves `handler` on 127.0.0.1 until the fixture ends; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def endless_url() -> Iterator[str]:
    """The base URL of a 127.0.0.1 server that streams endless bytes."""
    yield from _serve(_Endless)


def test_url_streaming_endless_bytes_is_cut_at_the_bound(run_watch: Run, endless_url: str) -> None:
    """A body without end is read no further than the size bound: one line."""
    url = f"{endless_url}/endless"
    line = one_line(*run_watch("--spec", url, "--timeout", "20"))
    assert line == f"{url}: too large: more than {MAX_SPEC_BYTES} bytes"


def test_a_recorder_patching_http_client_is_bypassed(
    run_watch: Run, endless_url: str, tmp_path: Path
) -> None:
    """With vcrpy's patch of http.client active (a cassette left open in the process), the
    fetch still stops at the size bound and nothing is recorded: the recorder would read the
    body whole to record it (a long body here, not an endless one, so that a regression fails
    instead of filling the memory)."""
    import vcr

    cassette = tmp_path / "left-open.yaml"
    url = f"{endless_url}/long"
    with vcr.VCR(record_mode="all").use_cassette(str(cassette)):
        line = one_line(*run_watch("--spec", url, "--timeout", "20"))
    assert line == f"{url}: too large: more than {MAX_SPEC_BYTES} bytes"
    assert not cassette.exists()


def test_url_announcing_one_gigabyte_is_refused_unread(run_watch: Run, endless_url: str) -> None:
    """A Content-Length over the bound is refused before the body is read."""
    url = f"{endless_url}/announced"
    line = one_line(*run_watch("--spec", url))
    assert line == f"{url}: too large: {1 << 30} bytes announced (limit {MAX_SPEC_BYTES})"


def test_url_trickling_bytes_meets_the_deadline(run_watch: Run, endless_url: str) -> None:
    """A body that keeps coming, a byte at a time, ends at --timeout for the whole body."""
    url = f"{endless_url}/trickle"
    started = time.monotonic()
    line = one_line(*run_watch("--spec", url, "--timeout", "1"))
    assert line == f"{url}: the body did not arrive within 1 s"
    assert time.monotonic() - started < 10


class _Dripper:
    """A raw-socket server on 127.0.0.1 that answers each connection a byte every 0.05 s: the
    status line (`/status`) or, after a whole status line, a header that never ends
    (`/headers`); to a TLS client, a 16 KiB handshake record. Stops when the test ends."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        with connection:
            request = connection.recv(65536)
            first = b"" if b"/status" in request else b"HTTP/1.1 200 OK\r\n"
            drip = b"HTTP/1.1 200 OK" if not first else b"X-Slow"
            if request.startswith(b"\x16"):  # a TLS ClientHello: a handshake record, dripped
                first, drip = b"\x16\x03\x03\x40\x00", b"\x02"
            try:
                connection.sendall(first)
                while not self.stop.is_set():
                    for byte in drip:
                        connection.sendall(bytes([byte]))
                        time.sleep(0.05)
                    drip = b"x"
            except OSError:  # the client has gone
                return

    def close(self) -> None:
        """Stop accepting and dripping."""
        self.stop.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture
def drip_url() -> Iterator[str]:
    """The base URL of a `_Dripper`."""
    server = _Dripper()
    yield f"http://127.0.0.1:{server.listener.getsockname()[1]}"
    server.close()


@pytest.mark.parametrize("part", ["status", "headers", "tls"])
def test_url_dripping_its_status_line_or_headers_meets_the_deadline(
    run_watch: Run, drip_url: str, part: str
) -> None:
    """A server that sends its status line, its headers or its TLS handshake a byte every 0.05 s
    (each read succeeds, well within the per-read timeout) is cut off at --timeout for the whole
    answer."""
    base = drip_url.replace("http:", "https:") if part == "tls" else drip_url
    url = f"{base}/{part}"
    started = time.monotonic()
    line = one_line(*run_watch("--spec", url, "--timeout", "1"))
    assert line == f"{url}: no answer within 1 s"
    assert time.monotonic() - started < 5


def test_url_refusing_connections(run_watch: Run) -> None:
    """A port nobody listens on: one line."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/openapi.json"
    assert one_line(*run_watch("--spec", url)) == f"{url}: cannot fetch: Connection refused"


class _Cut(BaseHTTPRequestHandler):
    """Sends the baseline spec whole (`/whole`), or announces it whole and closes the connection
    half way (`/cut`: by Content-Length; `/cut-chunked`: a chunk promised and not sent)."""

    def do_GET(self) -> None:
        body = json.dumps(SPEC).encode()
        half = body[: len(body) // 2]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        if self.path == "/cut-chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n%x\r\n" % (len(half), half, len(body) - len(half)))
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(half if self.path == "/cut" else body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def cut_url() -> Iterator[str]:
    """The base URL of a 127.0.0.1 server that cuts the spec short (`_Cut`)."""
    yield from _serve(_Cut)


def test_a_body_cut_short_is_never_read_as_whole(run_watch: Run, cut_url: str) -> None:
    """A connection that closes before the announced length, or inside a chunk, is one line
    (a cut spec could parse, as a YAML document cut between two lines does, and hide a change);
    the same server's whole answer is read."""
    size = len(json.dumps(SPEC).encode())
    url = f"{cut_url}/cut"
    line = one_line(*run_watch("--spec", url))
    assert line == f"{url}: the body ended after {size // 2} of the {size} bytes announced " + (
        "(Content-Length)"
    )
    url = f"{cut_url}/cut-chunked"
    assert one_line(*run_watch("--spec", url)).startswith(f"{url}: cannot fetch: ")
    code, _, err = run_watch("--spec", f"{cut_url}/whole")
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1/x", "cannot fetch: Invalid IPv6 URL"),
        ("http://127.0.0.1:abc/x", "cannot fetch: nonnumeric port: 'abc'"),
        ("HTTP://127.0.0.1:1/o k", "cannot fetch: URL can't contain control characters."),
        ("https://127.0.0.1:1/ok\nX: y", "cannot fetch: URL can't contain control characters."),
    ],
    ids=["ipv6-unclosed", "port-not-a-number", "space", "newline"],
)
def test_a_malformed_url_is_one_line(run_watch: Run, url: str, expected: str) -> None:
    """A URL that urllib cannot even send is one line, never a traceback."""
    line = one_line(*run_watch("--spec", url))
    shown = url.replace("\n", "\\u000a")
    assert line.startswith(f"{shown}: {expected}")


def _bounded_memory() -> None:
    """In the child: at most 2 GiB of address space, so that a regression fails, not the
    machine."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_an_sdk_that_is_no_regular_file_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """`--sdk` on /dev/zero (zipfile would read it for ever) or on a FIFO (it would block) is
    refused before a byte is read, as `--spec` and `--docs` refuse them; run in a child bounded
    in memory and time."""
    if kind == "fifo":
        path = str(tmp_path / "llama_cloud-9.0.0-py3-none-any.whl")
        os.mkfifo(path)
    else:
        path = "/dev/zero"
    command = [sys.executable, "-m", "batch_contract", "watch", "--sdk", path]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, preexec_fn=_bounded_memory
    )
    assert one_line(done.returncode, done.stdout, done.stderr) == f"{path}: not a regular file"


@pytest.mark.parametrize(
    "url",
    [
        "http://reader:S3cr3tPa55@127.0.0.1:1/openapi.json",
        "http://reader:a/S3cr3tPa55@127.0.0.1:1/openapi.json",
        "http://reader:19381/S3cr3tPa55@127.0.0.1:1/openapi.json",
        "http://reader:a?S3cr3tPa55@127.0.0.1:1/openapi.json",
        "http://reader:a#S3cr3tPa55@127.0.0.1:1/openapi.json",
        "HTTPS://S3cr3tPa55@127.0.0.1:1/openapi.json",
        "http:reader:S3cr3tPa55@127.0.0.1:1/openapi.json",
        " http://reader:S3cr3tPa55@127.0.0.1:1/openapi.json",
        "file://reader:S3cr3tPa55@127.0.0.1:1/openapi.json",
    ],
    ids=[
        "plain",
        "slash",
        "port-like",
        "question",
        "hash",
        "user-only",
        "no-slashes",
        "space",
        "file",
    ],
)
def test_a_url_with_a_password_is_refused_without_showing_it(run_watch: Run, url: str) -> None:
    """`https://user:pw@host/...`: urllib would not send the credentials (it looked the host up
    as `user:pw@host`, and the line printed the password); one line, the credentials masked,
    wherever the `@` falls (a password holding `/`, `?` or `#` moves it past the authority)."""
    code, out, err = run_watch("--spec", url)
    assert "S3cr3tPa55" not in out + err
    line = one_line(code, out, err)
    assert line.endswith(
        "://***@127.0.0.1:1/openapi.json: a user or password in the URL is not sent: serve the "
        "spec without one, or save it and pass the file"
    )


@pytest.mark.parametrize("kind", ["empty-folder", "no-json"])
def test_recordings_without_a_body_are_named(run_watch: Run, tmp_path: Path, kind: str) -> None:
    """`--recordings` over an empty folder, or over a file with no JSON body, says so in one
    line and exits 2, the findings still printed: `seen: 0` over nothing is not a count."""
    folder = tmp_path / "empty"
    folder.mkdir()
    where = str(folder if kind == "empty-folder" else RECORDINGS / "not-json" / "app.log")
    new = str(Path(__file__).parent / "specs" / "enum-status-value-added" / "new.json")
    code, out, err = run_watch("--spec", new, "--recordings", where)
    assert (code, err) == (2, f"{PROG}no recorded JSON body found in {where}\n")
    assert out == (
        'error: response-property-enum-value-added [spec] $.job.status: the enum value "queued" '
        'is added (old: -, new: "queued", seen: 0)\n'
        f"watch: 1 error(s), 0 warning(s), 0 info (spec {new})\n"
    )


def _padded(text: str, size: int, comment: str = "#") -> str:
    """`text` followed by comment lines, `size` bytes in all (cheap to parse, costly to hold
    were the bound not checked first)."""
    pad = size - len(text.encode())
    lines, rest = divmod(pad, 1000)
    body = (comment + "a" * 998 + "\n") * lines
    return text + body + (comment + "a" * (rest - 2) + "\n" if rest >= 2 else " " * rest)


@pytest.mark.parametrize("form", ["wheel", "tree"])
def test_an_sdk_source_file_over_256_kib_is_refused(
    run_watch: Run, tmp_path: Path, form: str
) -> None:
    """An SDK source file of 262,145 bytes (256 KiB and one) is refused in one line before it is
    parsed (a dense 4 MiB file costs `ast` gigabytes); one of exactly 262,144 bytes is read."""
    files = layout("2.13.0")
    files["llama_cloud/resources/exact.py"] = _padded("", 262_144)
    where = (
        build_wheel(tmp_path, "2.13.0", files)
        if form == "wheel"
        else unpack(tmp_path, "2.13.0", files)
    )
    assert run_watch("--sdk", str(where))[0] == 0
    files["llama_cloud/resources/over.py"] = _padded("", 262_145)
    folder = tmp_path / "over"
    folder.mkdir()
    if form == "wheel":
        where = build_wheel(folder, "2.13.0", files)
        expected = f"{where}: llama_cloud/resources/over.py: larger than 262144 bytes"
    else:
        where = unpack(folder, "2.13.0", files)
        expected = f"{where}: resources/over.py: larger than 262144 bytes"
    assert one_line(*run_watch("--sdk", str(where))) == expected


def test_an_sdk_with_more_than_4_mib_of_source_to_parse_is_refused(
    run_watch: Run, tmp_path: Path
) -> None:
    """Seventeen resource files of 250,000 bytes each (each under the per-file bound, 4.25 MB in
    all): one line once 4 MiB of source has been parsed, not hours of `ast`."""
    files = layout("2.13.0")
    for index in range(17):
        files[f"llama_cloud/resources/r{index:02d}.py"] = _padded("", 250_000)
    wheel = build_wheel(tmp_path, "2.13.0", files)
    line = one_line(*run_watch("--sdk", str(wheel)))
    assert line == f"{wheel}: more than 4194304 bytes of Python source to parse"


def test_a_yaml_spec_over_2_mib_is_refused_and_json_up_to_16_mib_is_read(
    run_watch: Run, tmp_path: Path
) -> None:
    """YAML costs PyYAML about 200 bytes a byte: a YAML spec over 2 MiB (2,097,153 bytes) is
    refused in one line; one of exactly 2 MiB is read, and so is a 3 MiB JSON spec."""
    import yaml

    text = yaml.safe_dump(SPEC)
    exact = write(tmp_path, "exact.yaml", _padded(text, 2_097_152))
    assert run_watch("--spec", exact)[:2] == (
        0,
        f"watch: 0 error(s), 0 warning(s), 0 info (spec {exact})\n",
    )
    over = write(tmp_path, "over.yaml", _padded(text, 2_097_153))
    assert one_line(*run_watch("--spec", over)) == (
        f"{over}: not JSON, and too large to read as YAML: 2097153 bytes (limit 2097152 for "
        "YAML, 16777216 for JSON)"
    )
    document = json.dumps(SPEC)
    big = write(tmp_path, "big.json", document + " " * (3 * 1024 * 1024 - len(document)))
    assert run_watch("--spec", big)[0] == 0


def test_a_connection_opened_after_the_deadline_is_not_made() -> None:
    """A connection of the fetch (a redirect's next hop) opened once the deadline has passed
    fails at once, and one opened before it waits for the connect and a TLS handshake no longer
    than the time left: the deadline covers the connect too."""
    from batch_contract.watch.sources import _bounded_connection

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        late = _bounded_connection(http.client.HTTPConnection, time.monotonic() - 1)
        connection = late("127.0.0.1", port, timeout=30)
        with pytest.raises(TimeoutError):
            connection.connect()
        listener.settimeout(0.2)
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing tried to connect
        soon = _bounded_connection(http.client.HTTPConnection, time.monotonic() + 2)
        connection = soon("127.0.0.1", port, timeout=30)
        connection.connect()
        assert 0 < connection.timeout <= 2
        connection.close()
