"""`validate-status` on hostile and odd input: what is a cassette, what a folder takes, entries
that cannot be read, endless and explosive inputs, malformed cassettes, output that a terminal or
GitHub would interpret, any output encoding, and the messages that say what to do.

Each case gives one line per problem and a documented exit code, never a traceback or a hang.
"""

from __future__ import annotations

import io
import json
import os
import resource
import select
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from batch_contract.cli import main as cli
from batch_contract.core import cassette_files
from batch_contract.exitcodes import ExitCode

EXAMPLES = Path(__file__).parents[1] / "examples"
GOOD = EXAMPLES / "valid" / "running.json"
BAD = EXAMPLES / "invalid" / "enum-status-unknown.json"
STATUSES = '"pending", "running", "dispatched", "completed", "failed", "cancelled"'
BAD_LINE = f'::$.job.status: expected one of {STATUSES}, found string "succeeded"'
URI = "http://reference.invalid/api/v1/beta/batch-processing/bjb-1"


@dataclass(frozen=True)
class Outcome:
    """What one run of the command did: exit code, stdout and stderr."""

    code: int
    out: str
    err: str


class _Terminal(io.BytesIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        """A terminal."""
        return True


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Outcome]:
    """Run `validate-status` in-process in a temporary folder: `run(*argv, stdin=b"")`."""
    monkeypatch.chdir(tmp_path)

    def go(*argv: str, stdin: bytes | io.BytesIO = b"") -> Outcome:
        """One run with `stdin` as standard input."""
        out, err = io.StringIO(), io.StringIO()
        options = cli.parse_validate_args(list(argv))
        source = stdin if isinstance(stdin, io.BytesIO) else io.BytesIO(stdin)
        code = cli.run_validate(options, stdin=source, stdout=out, stderr=err)
        return Outcome(code, out.getvalue(), err.getvalue())

    return go


def command(*argv: str) -> list[str]:
    """The argv of the installed `validate-status` with arguments."""
    return [str(Path(sys.executable).parent / "validate-status"), *argv]


def cassette(uri: str = URI, body: str | None = None, headers: str = "{}") -> str:
    """A vcrpy YAML cassette of one 200 GET of `uri` answered with `body` (the bad example)."""
    text = body if body is not None else BAD.read_text()
    return (
        "interactions:\n- request:\n    body: ''\n    headers: {}\n    method: GET\n"
        f"    uri: {uri}\n  response:\n    body:\n      string: {json.dumps(text)}\n"
        f"    headers: {headers}\n    status:\n      code: 200\n      message: OK\nversion: 1\n"
    )


# 1. What is read ---------------------------------------------------------------------------------


def test_a_body_with_an_interactions_key_is_a_body(run: Callable[..., Outcome]) -> None:
    """A response body with a top-level `"interactions": []` is a body, not an empty cassette:
    checked (and found invalid) from a file exactly as from stdin."""
    body = json.loads(BAD.read_text())
    body["interactions"] = []
    Path("bad.json").write_text(json.dumps(body))
    Path("good.json").write_bytes(GOOD.read_bytes())
    outcome = run("bad.json", "good.json")
    assert outcome == Outcome(1, f"bad.json{BAD_LINE}\n2 documents: 1 valid, 1 invalid\n", "")
    assert run(stdin=json.dumps(body).encode()).code == ExitCode.VIOLATION


def test_a_fifo_in_a_folder_is_reported_and_the_rest_checked(tmp_path: Path) -> None:
    """A FIFO in a folder is named as not a regular file; nothing waits on it, the other files are
    checked, and the run exits 2."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_bytes(GOOD.read_bytes())
    os.mkfifo(folder / "b.json")
    (folder / "c.json").write_bytes(BAD.read_bytes())
    done = subprocess.run(
        command("-q", "in"), cwd=tmp_path, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (2, "2 documents: 1 valid, 1 invalid\n")
    assert done.stderr == "validate-status: in/b.json: not a regular file\n"


@pytest.mark.parametrize("name", ["fifo", "/dev/zero", "/dev/urandom"])
def test_an_explicit_path_that_is_not_a_regular_file_is_one_line(tmp_path: Path, name: str) -> None:
    """A FIFO or an endless device named on the command line is refused in one line, exit 2:
    nothing blocks, and memory stays bounded (a limit on the address space proves it)."""
    if name == "fifo":
        os.mkfifo(tmp_path / "fifo")

    def limit() -> None:
        """At most 1 GiB of address space."""
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        command(name, str(GOOD)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )
    assert (done.returncode, done.stdout) == (2, "1 document: 1 valid, 0 invalid\n")
    assert done.stderr == f"validate-status: {name}: not a regular file\n"


def test_a_dangling_symlink_is_named_and_the_rest_checked(run: Callable[..., Outcome]) -> None:
    """An entry of a folder that cannot be read is reported by its own path; the entries after it
    are still checked and the run exits 2."""
    Path("in").mkdir()
    Path("in/a.json").symlink_to("nowhere.json")
    Path("in/b.json").write_bytes(BAD.read_bytes())
    outcome = run("in")
    assert outcome.out == f"in/b.json{BAD_LINE}\n1 document: 0 valid, 1 invalid\n"
    assert outcome.err == "validate-status: in/a.json: cannot read: No such file or directory\n"
    assert outcome.code == ExitCode.USAGE


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_a_file_without_permission_is_named_and_the_rest_checked(
    run: Callable[..., Outcome],
) -> None:
    """A file of a folder that may not be read is named by its own path; the rest is checked."""
    Path("in").mkdir()
    Path("in/a.json").write_bytes(GOOD.read_bytes())
    Path("in/a.json").chmod(0)
    Path("in/b.json").write_bytes(BAD.read_bytes())
    outcome = run("in")
    assert outcome.err == "validate-status: in/a.json: cannot read: Permission denied\n"
    assert outcome.code == ExitCode.USAGE


def test_a_base_url_with_a_path_prefix_is_read(run: Callable[..., Outcome]) -> None:
    """A cassette recorded under a base URL with a path prefix holds documents of the endpoint."""
    uri = "https://host/llama/api/v1/beta/batch-processing/bjb-1?project_id=p"
    Path("prefix.yaml").write_text(cassette(uri))
    outcome = run("prefix.yaml")
    assert outcome.out == (
        f"prefix.yaml:interactions[0]{BAD_LINE}\n1 document: 0 valid, 1 invalid\n"
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_broken_pipe_never_ends_a_run_with_invalid_documents_in_exit_0(
    tmp_path: Path, fmt: str
) -> None:
    """`validate-status all-invalid.ndjson | head -1`: the reader goes away, and the run ends with
    exit 1, quietly."""
    line = json.dumps(json.loads(BAD.read_text()), separators=(",", ":"))
    (tmp_path / "all.ndjson").write_text((line + "\n") * 20000)
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'"$0" --format {fmt} all.ndjson | head -1; exit "${{PIPESTATUS[0]}}"',
            *command(),
        ],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == ExitCode.VIOLATION
    assert done.stderr == b""


# 2. Bounded and traceback-free -------------------------------------------------------------------

MALFORMED_CASSETTES = sorted((EXAMPLES / "malformed-cassettes").glob("*.yaml"))


@pytest.mark.parametrize("path", MALFORMED_CASSETTES, ids=[p.stem for p in MALFORMED_CASSETTES])
def test_a_malformed_cassette_is_one_line(run: Callable[..., Outcome], path: Path) -> None:
    """A cassette of the wrong shape (tests/examples/malformed-cassettes) is one line naming the
    interaction (or the file, when the file as a whole is wrong), and exit 1."""
    Path("odd.yaml").write_bytes(path.read_bytes())
    outcome = run("-q", "odd.yaml")
    assert outcome.code == ExitCode.VIOLATION, outcome
    assert outcome.out == "1 document: 0 valid, 1 invalid\n"
    problem = run("odd.yaml").out.splitlines()[0]
    assert problem.startswith(("odd.yaml:interactions[0]: ", "odd.yaml: not a ")), problem


def test_a_json_cassette_whose_interactions_is_a_string_is_one_line(
    run: Callable[..., Outcome],
) -> None:
    """A JSON file of a cassette's shape whose interactions is not a list is one line, exit 1."""
    Path("odd.json").write_text('{"interactions": "abc", "version": 1}')
    outcome = run("odd.json")
    assert outcome == Outcome(
        1,
        "odd.json: not a vcrpy cassette ('interactions' is not a list)\n"
        "1 document: 0 valid, 1 invalid\n",
        "",
    )


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_decompression_stops_at_the_document_limit(
    run: Callable[..., Outcome], monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """A compressed body is decompressed no further than the document size limit: a bomb is a
    one-line problem, and memory stays near the limit while it is read."""
    monkeypatch.setattr(cassette_files, "MAX_DOCUMENT_BYTES", 1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    chunk = b" " * (1 << 20)
    bomb = b"".join(packer.compress(chunk) for _ in range(256)) + packer.flush()
    import base64

    text = cassette(headers="{content-encoding: [" + encoding + "]}").replace(
        "string: ", "string: !!binary |\n        " + base64.b64encode(bomb).decode() + "\n#"
    )
    Path("bomb.yaml").write_text(text)
    import tracemalloc

    tracemalloc.start()
    try:
        outcome = run("bomb.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.out == (
        f"bomb.yaml:interactions[0]: document too large once decompressed ({encoding}): over "
        "the limit of 1048576 bytes\n1 document: 0 valid, 1 invalid\n"
    )
    assert peak < 32 << 20


def test_yaml_aliases_are_bounded(run: Callable[..., Outcome]) -> None:
    """A cassette whose aliases repeat one interaction many times is refused in one line."""
    text = cassette().replace("interactions:\n- request:", "interactions:\n- &one\n  request:")
    text = text.replace("version: 1", "- *one\n" * 20000 + "version: 1")
    Path("aliases.yaml").write_text(text)
    outcome = run("aliases.yaml")
    assert outcome == Outcome(
        1,
        "aliases.yaml: not a readable YAML cassette: its aliases expand it beyond its size\n"
        "1 document: 0 valid, 1 invalid\n",
        "",
    )


def test_stdin_that_never_ends_is_bounded(tmp_path: Path) -> None:
    """`validate-status < /dev/zero`: one document too large, in bounded memory."""
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            command(), stdin=zero, capture_output=True, text=True, timeout=60, cwd=tmp_path
        )
    assert done.returncode == ExitCode.VIOLATION
    assert done.stdout.startswith("<stdin>: document too large: ")
    assert done.stderr == ""


def test_an_ndjson_line_that_never_ends_is_reported_at_once(tmp_path: Path) -> None:
    """`validate-status --ndjson - < /dev/zero`: the endless line is reported as too large as
    soon as it passes the limit (it used to be read for ever with nothing said); the command
    then reads on for the line's end, and SIGTERM ends it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open("/dev/zero", "rb") as zero:
        process = subprocess.Popen(
            command("--ndjson", "-"), stdin=zero, stdout=subprocess.PIPE, cwd=tmp_path, env=env
        )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else b""
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stdout.close()
    assert line == b"<stdin>:1: document too large: 16777217 bytes (limit 16777216) or more\n"


def test_jobs_are_capped_by_the_descriptor_limit(tmp_path: Path) -> None:
    """`--jobs 5000` under a limit of 64 open files, on a machine that claims 5000 processors:
    the run works within the limit, with no traceback."""
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(200):
        (folder / f"{number:03}.json").write_bytes(GOOD.read_bytes())
    script = (
        "import os, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
        "os.sched_getaffinity = lambda pid: set(range(5000))\n"
        "os.cpu_count = lambda: 5000\n"
        "from batch_contract.cli import main as cli\n"
        "sys.exit(cli.validate_main(['-q', '--jobs', '5000', sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "200 documents: 200 valid, 0 invalid\n"


def test_jobs_are_capped_by_processors_and_work() -> None:
    """The number of workers is at most the processors this process may use, the units of work
    and what the descriptor limit leaves room for."""
    from batch_contract.engine.parallel import worker_count

    assert worker_count(5000, units=3, processors=64, descriptors=1024) == 3
    assert worker_count(5000, units=300, processors=4, descriptors=1024) == 4
    assert worker_count(5000, units=300, processors=5000, descriptors=64) < 32
    assert worker_count(5000, units=300, processors=5000, descriptors=20) == 1


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_any_output_encoding_works(tmp_path: Path, encoding: str) -> None:
    """Text the output encoding cannot hold is written escaped, never a UnicodeEncodeError."""
    body = json.loads(BAD.read_text())
    body["job"]["status"] = "réussi ✓ 完了"
    (tmp_path / "é.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run(command("é.json"), cwd=tmp_path, capture_output=True, timeout=60, env=env)
    assert (done.returncode, done.stderr) == (1, b"")
    text = done.stdout.decode(encoding)
    assert "\\u2713" in text
    assert text.endswith("1 document: 0 valid, 1 invalid\n")


# 3. Safe output ----------------------------------------------------------------------------------

HOSTILE = "\x1b[31m\u202e\x85\u200b\x07"
ESCAPED = "\\u001b[31m\\u202e\\u0085\\u200b\\u0007"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_and_format_characters_are_escaped(run: Callable[..., Outcome], fmt: str) -> None:
    """C0, C1, ESC, bidi and other format characters are written escaped, in values, keys and
    file names, in text and GitHub output."""
    body = json.loads(GOOD.read_text())
    body["job"]["status"] = HOSTILE
    body["job"][HOSTILE] = 1
    name = f"odd{HOSTILE}.json"
    Path(name).write_text(json.dumps(body, ensure_ascii=False))
    outcome = run("--profile", "strict", "--format", fmt, name)
    assert outcome.code == ExitCode.VIOLATION
    for char in "\x1b\u202e\x85\u200b\x07":
        assert char not in outcome.out
    assert f"odd{ESCAPED}.json" in outcome.out.replace("%3A", ":")
    assert f'$.job["{ESCAPED}"]' in outcome.out
    assert f'found string "{ESCAPED}"' in outcome.out


def test_a_file_name_in_a_message_on_stderr_is_escaped(run: Callable[..., Outcome]) -> None:
    """The name of a path that cannot be read is escaped on stderr too."""
    outcome = run(f"gone{HOSTILE}.json", str(GOOD))
    assert outcome.err == (
        f"validate-status: gone{ESCAPED}.json: cannot read: No such file or directory\n"
    )


# 4. Messages that say what to do -----------------------------------------------------------------


def test_a_missing_offset_is_named(run: Callable[..., Outcome]) -> None:
    """A date-time without an offset is reported as missing its offset."""
    outcome = run(str(EXAMPLES / "invalid" / "datetime-no-offset.json"))
    assert outcome.out.splitlines()[0].endswith(
        "::$.job.created_at: expected an RFC 3339 date-time, found string "
        '"2026-03-02T09:14:05.120" (no UTC offset: add Z or +hh:mm)'
    )


def test_ndjson_read_as_one_document_hints_at_ndjson(run: Callable[..., Outcome]) -> None:
    """Several documents, one a line, in a `.json` file or on stdin: the message says --ndjson."""
    line = json.dumps(json.loads(GOOD.read_text()), separators=(",", ":"))
    Path("lines.json").write_text(line + "\n" + line + "\n")
    outcome = run("lines.json")
    assert outcome.out == (
        "lines.json: trailing data after the document at line 2 column 1 "
        "(one document a line? use --ndjson)\n1 document: 0 valid, 1 invalid\n"
    )


def test_reading_a_terminal_says_so(run: Callable[..., Outcome]) -> None:
    """With no path and a terminal as standard input, the command says it is reading it."""
    outcome = run(stdin=_Terminal(GOOD.read_bytes()))
    assert outcome.err == (
        "validate-status: reading standard input (end it with Ctrl-D; --help lists the options)\n"
    )
    assert outcome.code == ExitCode.OK


def test_a_folder_without_documents_is_named_escaped(run: Callable[..., Outcome]) -> None:
    """ "No documents found in" names the folder with its control characters escaped."""
    Path(f"empty{HOSTILE}").mkdir()
    outcome = run(f"empty{HOSTILE}")
    assert outcome.err == f"validate-status: no documents found in empty{ESCAPED}\n"
    assert outcome.code == ExitCode.USAGE
