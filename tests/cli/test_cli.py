"""`validate-status` end to end: exact output of each format and option, inputs of every kind
(files, folders, NDJSON, cassettes, stdin), exit codes, and every bad input from a file and from
stdin.

Tests run in a temporary folder (no pyproject.toml above it, so the rules run at their defaults)
where `examples/` leads to tests/examples; the examples used for exact output trigger no rule.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import vcr

from batch_contract.cli import main as cli
from batch_contract.exitcodes import ExitCode

EXAMPLES = Path(__file__).parents[1] / "examples"
MALFORMED = sorted((EXAMPLES / "malformed").glob("*.json"))
ENDPOINT = "http://127.0.0.1:8000/api/v1/beta/batch-processing"


@dataclass(frozen=True)
class Outcome:
    """What one run of the command did: exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """The lines written to stdout."""
        return self.out.splitlines()


RunCli = Callable[..., Outcome]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working folder where `examples/` links to tests/examples (read only)."""
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run_cli(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> RunCli:
    """Run the real entry point in-process: `run_cli(*argv, stdin=b"", main=cli.validate_main)`."""

    def run(
        *argv: str, stdin: bytes = b"", main: Callable[..., int] = cli.validate_main
    ) -> Outcome:
        """One run with `stdin` as standard input."""
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Outcome(code, out, err)

    return run


def compact(path: Path) -> str:
    """An example document as one NDJSON line."""
    return json.dumps(json.loads(path.read_text(encoding="utf-8")), separators=(",", ":"))


SEVERAL = "examples/invalid/several-faults.json"
RUNNING = "examples/valid/running.json"
NAN = "examples/malformed/nan.json"
STATUSES = '"pending", "running", "dispatched", "completed", "failed", "cancelled"'
SEVERAL_LINES = [
    f'{SEVERAL}::$.job.created_at: expected an RFC 3339 date-time, found string "yesterday"',
    f"{SEVERAL}::$.job.id: expected a required property, found nothing (absent)",
    f'{SEVERAL}::$.job.status: expected one of {STATUSES}, found string "done"',
    f"{SEVERAL}::$.job.total_items: expected a number >= 0, found number -3",
    f"{SEVERAL}::$.progress_percentage: expected a number <= 100, found number 101",
]


def test_text_format_reports_every_violation_then_a_summary(run_cli: RunCli) -> None:
    """Text: one `SOURCE::$.path: expected X, found Y` line per violation, one line per document
    that is not JSON, then the counts; exit 1."""
    outcome = run_cli(SEVERAL, RUNNING, NAN)
    assert outcome.lines == [
        *SEVERAL_LINES,
        f"{NAN}: NaN or Infinity is not JSON at line 21 column 26",
        "3 documents: 1 valid, 2 invalid",
    ]
    assert (outcome.code, outcome.err) == (ExitCode.VIOLATION, "")


def test_valid_documents_exit_0(run_cli: RunCli) -> None:
    """Only valid documents: the summary line alone and exit 0."""
    outcome = run_cli(RUNNING, "examples/valid/completed.json")
    assert (outcome.code, outcome.out, outcome.err) == (
        ExitCode.OK,
        "2 documents: 2 valid, 0 invalid\n",
        "",
    )


def test_documented_example_is_valid(run_cli: RunCli) -> None:
    """The example response of the documentation honours the contract (exit 0)."""
    shutil.copy(Path(__file__).parents[2] / "docs" / "example-response.json", "example.json")
    assert run_cli("example.json").code == ExitCode.OK


def test_json_format_is_one_report(run_cli: RunCli) -> None:
    """JSON: one object with every document's verdict and violations (path, keyword, expected,
    found) and the counts, exactly."""
    outcome = run_cli("--format", "json", "examples/invalid/enum-status-unknown.json", RUNNING, NAN)
    status = {
        "path": "$.job.status",
        "keyword": "enum",
        "severity": "error",
        "expected": f"one of {STATUSES}",
        "found": 'string "succeeded"',
        "message": f'expected one of {STATUSES}, found string "succeeded"',
    }
    entries = [
        {
            "source": "examples/invalid/enum-status-unknown.json",
            "where": None,
            "valid": False,
            "problem": None,
            "violations": [status],
        },
        {"source": RUNNING, "where": None, "valid": True, "problem": None, "violations": []},
        {
            "source": NAN,
            "where": None,
            "valid": False,
            "problem": "NaN or Infinity is not JSON at line 21 column 26",
            "violations": [],
        },
    ]
    summary = {"documents": 3, "valid": 1, "invalid": 2, "warnings": 0, "unreadable": []}
    assert json.loads(outcome.out) == {"results": entries, "summary": summary}
    assert outcome.out == (
        '{"results": [\n'
        + ",\n".join("  " + json.dumps(entry, ensure_ascii=False) for entry in entries)
        + '\n], "summary": '
        + json.dumps(summary)
        + "}\n"
    )
    assert outcome.code == ExitCode.VIOLATION


def test_github_format_is_annotations(run_cli: RunCli) -> None:
    """GitHub: one `::error file=...,title=...::message` per violation, the line for NDJSON."""
    Path("polls.ndjson").write_text(
        compact(EXAMPLES / "valid/running.json")
        + "\n"
        + compact(EXAMPLES / "invalid/range-progress-above-100.json")
        + "\n"
    )
    outcome = run_cli(
        "--format", "github", "examples/invalid/missing-job-status.json", "polls.ndjson"
    )
    assert outcome.lines == [
        "::error file=examples/invalid/missing-job-status.json,title=batch-contract::"
        "$.job.status: expected a required property, found nothing (absent)",
        "::error file=polls.ndjson,line=2,title=batch-contract::"
        "$.progress_percentage: expected a number <= 100, found number 100.1",
        "3 documents: 1 valid, 2 invalid",
    ]
    assert outcome.code == ExitCode.VIOLATION


def test_quiet_prints_the_summary_only(run_cli: RunCli) -> None:
    """--quiet: no violation lines, the summary, and the same exit code."""
    outcome = run_cli("--quiet", SEVERAL, RUNNING)
    assert (outcome.code, outcome.out) == (ExitCode.VIOLATION, "2 documents: 1 valid, 1 invalid\n")


def test_max_errors_limits_the_lines_not_the_counts(run_cli: RunCli) -> None:
    """--max-errors N: the first N violation lines, how many were held back, the full counts."""
    outcome = run_cli("--max-errors", "2", SEVERAL)
    assert outcome.lines == [
        *SEVERAL_LINES[:2],
        "... 3 more violations not shown",
        "1 document: 0 valid, 1 invalid",
    ]
    assert outcome.code == ExitCode.VIOLATION


def test_profile_strict_reports_undocumented_fields(run_cli: RunCli) -> None:
    """--profile strict rejects unknown fields at both levels; the default profile accepts them."""
    path = "examples/strict-invalid/unknown-fields-at-both-levels.json"
    assert run_cli(path).code == ExitCode.OK
    outcome = run_cli("--profile", "strict", path)
    assert outcome.lines == [
        f'{path}::$.etag: expected no undocumented property, found string "W/\\"3\\""',
        f"{path}::$.job.attempt: expected no undocumented property, found number 2",
        f"{path}::$.job.tenant: expected no undocumented property, found null",
        "1 document: 0 valid, 1 invalid",
    ]
    assert outcome.code == ExitCode.VIOLATION


def test_profile_strict_rejects_null_effective_at(run_cli: RunCli) -> None:
    """--profile strict follows the provider's nullability: a null effective_at is a violation."""
    path = "examples/strict-invalid/null-effective_at.json"
    assert run_cli(path).code == ExitCode.OK
    outcome = run_cli("--profile", "strict", path)
    assert outcome.lines == [
        f"{path}::$.job.effective_at: expected string, found null",
        "1 document: 0 valid, 1 invalid",
    ]


def test_part_job_validates_a_bare_job(run_cli: RunCli) -> None:
    """--part job checks a job object on its own, with paths from its root."""
    job = json.loads((EXAMPLES / "valid/running.json").read_text())["job"]
    Path("job.json").write_text(json.dumps(job))
    job["status"] = "done"
    Path("bad-job.json").write_text(json.dumps(job))
    outcome = run_cli("--part", "job", "job.json", "bad-job.json")
    assert outcome.lines == [
        f'bad-job.json::$.status: expected one of {STATUSES}, found string "done"',
        "2 documents: 1 valid, 1 invalid",
    ]
    assert run_cli("--part", "job", RUNNING).code == ExitCode.VIOLATION


def test_ndjson_reports_line_numbers(run_cli: RunCli) -> None:
    """NDJSON: each line is a document named by its line number; blank lines count as lines but
    are not documents, and a bad line does not stop the rest."""
    good = compact(EXAMPLES / "valid/running.json")
    bad = compact(EXAMPLES / "invalid/enum-job_type-unknown.json")
    Path("log.jsonl").write_text(f"{good}\n{{truncated\n\n{bad}\n{good}")
    outcome = run_cli("log.jsonl")
    assert outcome.lines == [
        "log.jsonl:2: malformed JSON: unexpected character, expected a string key "
        "at line 1 column 2",
        'log.jsonl:4::$.job.job_type: expected one of "parse", "extract", "classify", '
        'found string "split"',
        "4 documents: 2 valid, 2 invalid",
    ]


def test_ndjson_accepts_crlf_line_ends(run_cli: RunCli) -> None:
    """Windows line ends (CRLF) do not change documents or line numbers."""
    good = compact(EXAMPLES / "valid/running.json")
    Path("crlf.ndjson").write_bytes(f"{good}\r\n\r\n[]\r\n".encode())
    assert run_cli("crlf.ndjson").lines == [
        "crlf.ndjson:3::$: expected object, found array",
        "2 documents: 1 valid, 1 invalid",
    ]


def test_ndjson_option_reads_stdin_line_by_line(run_cli: RunCli) -> None:
    """--ndjson reads stdin as one document per line, named `<stdin>:LINE`."""
    good = compact(EXAMPLES / "valid/running.json")
    outcome = run_cli("--ndjson", stdin=f"{good}\n[1]\n".encode())
    assert outcome.lines == [
        "<stdin>:2::$: expected object, found array",
        "2 documents: 1 valid, 1 invalid",
    ]


def test_large_ndjson_names_its_one_bad_line(run_cli: RunCli) -> None:
    """A 20,000-line NDJSON file with one bad line exits 1 and names exactly that line."""
    good = compact(EXAMPLES / "valid/running.json").encode()
    bad = compact(EXAMPLES / "invalid/range-processed_items-negative.json").encode()
    lines = [good] * 20_000
    lines[13_457 - 1] = bad
    Path("big.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    outcome = run_cli("big.ndjson")
    assert outcome.lines == [
        "big.ndjson:13457::$.job.processed_items: expected a number >= 0, found number -1",
        "20000 documents: 19999 valid, 1 invalid",
    ]
    assert outcome.code == ExitCode.VIOLATION


def test_folders_are_searched_recursively(run_cli: RunCli) -> None:
    """A folder contributes its *.json, *.ndjson and *.jsonl files at any depth, in name order,
    and nothing else (other files, hidden folders)."""
    good = (EXAMPLES / "valid/running.json").read_text()
    for name in ("in/a.json", "in/deep/er/b.json", "in/.hidden/x.json"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(good)
    Path("in/.hidden/x.json").write_text("not even JSON")
    Path("in/c.ndjson").write_text(compact(Path("in/a.json")) + "\n" + '{"job": 1}' + "\n")
    Path("in/notes.txt").write_text("not a document")
    outcome = run_cli("in")
    assert outcome.lines == [
        "in/c.ndjson:2::$.job: expected object, found number 1",
        "in/c.ndjson:2::$.progress_percentage: expected a required property, "
        "found nothing (absent)",
        "4 documents: 3 valid, 1 invalid",
    ]


def test_example_folders_give_their_verdicts(run_cli: RunCli) -> None:
    """The shipped example folders: every valid one passes, every invalid one fails."""
    valid = len(list((EXAMPLES / "valid").glob("*.json")))
    invalid = len(list((EXAMPLES / "invalid").glob("*.json")))
    assert run_cli("-q", "examples/valid").out == f"{valid} documents: {valid} valid, 0 invalid\n"
    outcome = run_cli("-q", "examples/invalid")
    assert outcome.out == f"{invalid} documents: 0 valid, {invalid} invalid\n"


def record_cassette(path: Path, serializer: str = "yaml") -> None:
    """Record a real vcrpy cassette of httpx calls to a loopback API: two status polls (one body
    valid, one not), a 404 of the endpoint, another endpoint, and a POST to the endpoint."""
    good = json.loads((EXAMPLES / "valid/running.json").read_text())
    bad = json.loads((EXAMPLES / "invalid/enum-status-unknown.json").read_text())

    def answer(request: httpx.Request) -> httpx.Response:
        """The fake API: which body each request gets."""
        if request.method != "GET":
            return httpx.Response(405, json={"detail": "Method Not Allowed"})
        if request.url.path.endswith("/bjb-missing"):
            return httpx.Response(404, json={"detail": "Not Found"})
        if "batch-processing" not in request.url.path:
            return httpx.Response(200, json={"items": [1, 2]})
        return httpx.Response(200, json=bad if request.url.path.endswith("/bjb-bad") else good)

    recorder = vcr.VCR(serializer=serializer, record_mode="all")
    with (
        recorder.use_cassette(str(path)),
        httpx.Client(transport=httpx.MockTransport(answer)) as client,
    ):
        assert client.get(f"{ENDPOINT}/bjb-good").status_code == 200
        assert client.get(f"{ENDPOINT}/bjb-bad?project_id=x").status_code == 200
        assert client.get(f"{ENDPOINT}/bjb-missing").status_code == 404
        assert client.get("http://127.0.0.1:8000/api/v1/projects").status_code == 200
        assert client.post(f"{ENDPOINT}/bjb-good").status_code == 405
    assert path.is_file()


@pytest.mark.parametrize(("name", "serializer"), [("polls.yaml", "yaml"), ("polls.json", "json")])
def test_cassette_validates_each_successful_get_of_the_endpoint(
    run_cli: RunCli, name: str, serializer: str
) -> None:
    """A vcrpy cassette (YAML or JSON) contributes each 200 GET of the endpoint it recorded, named
    by its interaction index; other statuses, endpoints and methods are ignored."""
    record_cassette(Path(name), serializer)
    outcome = run_cli(name)
    assert outcome.lines == [
        f"{name}:interactions[1]::$.job.status: "
        f'expected one of {STATUSES}, found string "succeeded"',
        "2 documents: 1 valid, 1 invalid",
    ]
    assert outcome.code == ExitCode.VIOLATION


def test_compressed_cassette_bodies_are_decoded(run_cli: RunCli) -> None:
    """A body vcrpy stored gzip-compressed (`!!binary`, `content-encoding: gzip`) is checked as
    the JSON it holds."""
    bad = (EXAMPLES / "invalid/range-progress-150.json").read_bytes()

    def answer(request: httpx.Request) -> httpx.Response:
        """The fake API: a gzip-compressed JSON body."""
        headers = {"content-encoding": "gzip", "content-type": "application/json"}
        return httpx.Response(200, content=gzip.compress(bad), headers=headers)

    with (
        vcr.use_cassette("gzip.yaml", record_mode="all"),
        httpx.Client(transport=httpx.MockTransport(answer)) as client,
    ):
        assert client.get(f"{ENDPOINT}/bjb-1").json()["progress_percentage"] == 150
    assert "!!binary" in Path("gzip.yaml").read_text()
    assert run_cli("gzip.yaml").lines == [
        "gzip.yaml:interactions[0]::$.progress_percentage: expected a number <= 100, "
        "found number 150",
        "1 document: 0 valid, 1 invalid",
    ]


def test_cassettes_in_folders_are_read(run_cli: RunCli) -> None:
    """Cassettes inside a folder are found, and other YAML files there are not documents."""
    Path("cassettes").mkdir()
    record_cassette(Path("cassettes/polls.yaml"))
    Path("cassettes/settings.yaml").write_text("record_mode: none\n")
    assert run_cli("-q", "cassettes").out == "2 documents: 1 valid, 1 invalid\n"


@pytest.mark.parametrize("argv", [[], ["-"]], ids=["no-path", "dash"])
def test_stdin_is_read_without_a_path_or_with_dash(run_cli: RunCli, argv: list[str]) -> None:
    """With no path, or `-`, the document comes from stdin and is named `<stdin>`."""
    raw = (EXAMPLES / "invalid/null-job-total_items.json").read_bytes()
    outcome = run_cli(*argv, stdin=raw)
    assert outcome.lines == [
        "<stdin>::$.job.total_items: expected integer, found null",
        "1 document: 0 valid, 1 invalid",
    ]


def test_unreadable_path_exits_2_and_the_rest_is_still_checked(run_cli: RunCli) -> None:
    """A path that cannot be read is one line on stderr and exit 2; readable paths still count."""
    outcome = run_cli("missing.json", RUNNING)
    assert outcome.code == ExitCode.USAGE
    assert outcome.err == "validate-status: missing.json: cannot read: No such file or directory\n"
    assert outcome.out == "1 document: 1 valid, 0 invalid\n"


def test_no_documents_exits_2(run_cli: RunCli) -> None:
    """A run that found no document at all is a usage error, never a silent pass."""
    Path("empty").mkdir()
    outcome = run_cli("empty")
    assert outcome.code == ExitCode.USAGE
    assert outcome.err == "validate-status: no documents found in empty\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--profile", "loose"], "argument --profile: invalid choice: 'loose'"),
        (["--part", "progress"], "argument --part: invalid choice: 'progress'"),
        (["--max-errors", "0"], "argument --max-errors: must be at least 1: 0"),
        (["--max-errors", "many"], "argument --max-errors: not a whole number: 'many'"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["--rule", "no-such-rule=off"], "unknown rule 'no-such-rule'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    run_cli: RunCli, argv: list[str], message: str
) -> None:
    """A wrong command line gives exit 2 and one line on stderr naming the problem."""
    outcome = run_cli(*argv, RUNNING)
    assert outcome.code == ExitCode.USAGE
    assert message in outcome.err
    assert outcome.err.count("\n") == 1
    assert "Traceback" not in outcome.err + outcome.out


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("n" * 80, "'" + "n" * 80 + "'", id="80-whole"),
        pytest.param("n" * 81, "'" + "n" * 40 + "...' (81 characters)", id="81-cut"),
        pytest.param(
            "it's" + "s" * 90, '"' + "it's" + "s" * 36 + '..." (94 characters)', id="quote"
        ),
    ],
)
def test_a_long_value_is_quoted_cut_short(run_cli: RunCli, value: str, shown: str) -> None:
    """A value argparse quotes in its complaint is shown whole up to 80 characters, else by its
    first 40 and its length: the line stays one readable line."""
    outcome = run_cli("--max-errors", value, RUNNING)
    assert outcome.code == ExitCode.USAGE
    assert outcome.err == (
        f"validate-status: argument --max-errors: not a whole number: {shown} (see --help)\n"
    )


INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_invalid_example_exits_1_naming_its_paths(run_cli: RunCli, path: Path) -> None:
    """Every wrong type, enum value, range, null or absence exits 1 with one line per expected
    violation, each naming the field's JSON path."""
    name = f"examples/invalid/{path.name}"
    wanted = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    outcome = run_cli(name)
    assert outcome.code == ExitCode.VIOLATION
    reported = [line.removeprefix(f"{name}::").split(": ", 1)[0] for line in outcome.lines[:-1]]
    assert reported == sorted(w.rsplit(" ", 1)[0] for w in wanted)
    assert outcome.lines[-1] == "1 document: 0 valid, 1 invalid"


def test_batch_contract_validate_is_the_same_command(run_cli: RunCli) -> None:
    """`batch-contract validate` gives the same output as `validate-status`."""
    outcome = run_cli("validate", SEVERAL, RUNNING, NAN, main=cli.main)
    assert outcome == run_cli(SEVERAL, RUNNING, NAN)


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_bad_input_is_one_line_and_exit_1(run_cli: RunCli, path: Path, source: str) -> None:
    """Every malformed example, from a file and from stdin: exit 1, one line naming the problem
    (with the words of its sidecar), the summary, nothing on stderr, no traceback."""
    fragment = path.with_suffix(".expected").read_text(encoding="utf-8").strip().partition(" ")[2]
    raw = path.read_bytes()
    if source == "file":
        name = f"examples/malformed/{path.name}"
        outcome = run_cli(name)
    else:
        name = "<stdin>"
        outcome = run_cli(stdin=raw)
    problem, summary = outcome.lines
    assert problem.startswith(f"{name}: ")
    assert fragment in problem
    assert summary == "1 document: 0 valid, 1 invalid"
    assert (outcome.code, outcome.err) == (ExitCode.VIOLATION, "")
    assert "Traceback" not in outcome.out


def test_installed_command_handles_bad_input_without_traceback(workdir: Path) -> None:
    """The real process, fed every malformed example from a folder and one from stdin, exits 1
    with one line each and no traceback (run as `python -m batch_contract validate`)."""
    command = [sys.executable, "-m", "batch_contract", "validate"]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    folder = subprocess.run(
        [*command, "examples/malformed"], capture_output=True, check=False, env=env, timeout=60
    )
    out = folder.stdout.decode()
    assert folder.returncode == ExitCode.VIOLATION, folder.stderr
    assert len(out.splitlines()) == len(MALFORMED) + 1
    assert out.endswith(f"{len(MALFORMED)} documents: 0 valid, {len(MALFORMED)} invalid\n")
    assert folder.stderr == b""
    binary = subprocess.run(
        [*command, "-"],
        input=(EXAMPLES / "malformed/binary.json").read_bytes(),
        capture_output=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert binary.returncode == ExitCode.VIOLATION
    assert binary.stdout == (
        b"<stdin>: binary data, not JSON text (a NUL byte)\n1 document: 0 valid, 1 invalid\n"
    )
    assert binary.stderr == b""


def installed(command: list[str]) -> list[str]:
    """The argv of an installed console script (`["validate-status"]`) or of `python` with
    options (`["-m", ...]`), run with this interpreter's environment."""
    if command[0].startswith("-"):
        return [sys.executable, *command]
    script = Path(sys.executable).parent / command[0]
    assert script.exists(), f"{command[0]} is not installed next to {sys.executable}"
    return [str(script), *command[1:]]


def buffered() -> dict[str, str]:
    """This environment, but with Python's output buffered as by default (no PYTHONUNBUFFERED)."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def many_invalid_lines(path: Path, count: int) -> Path:
    """An NDJSON file of `count` lines, every third one invalid."""
    valid = compact(EXAMPLES / "valid" / "completed.json")
    invalid = valid.replace('"job"', '"jobs"')
    lines = [invalid if index % 3 == 0 else valid for index in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [["validate-status"], ["-m", "batch_contract", "validate"]],
    ids=["validate-status", "python -m batch_contract"],
)
def test_the_console_scripts_end_with_all_their_output(
    workdir: Path, run_cli: RunCli, command: list[str]
) -> None:
    """The installed commands, which end their process without the interpreter's teardown,
    write every line first: 2,001 lines (over 200 KB, more than a pipe and Python's buffer
    hold) exactly as the in-process run, then exit 1 with nothing on stderr."""
    path = many_invalid_lines(workdir / "lines.ndjson", 6000)
    expected = run_cli(str(path))
    argv = [*installed(command), str(path)]
    done = subprocess.run(argv, capture_output=True, check=False, timeout=60, env=buffered())
    assert (done.returncode, done.stderr) == (ExitCode.VIOLATION, b"")
    assert done.stdout.decode() == expected.out
    assert len(expected.lines) == 2001


def test_a_reader_that_leaves_early_ends_the_run_quietly(workdir: Path) -> None:
    """`validate-status big.ndjson | head -1`: when the reader closes the pipe after one line,
    the command ends with nothing on stderr (no traceback, no "Exception ignored" from a flush at
    exit), and exit code 1: the invalid document it had seen still counts."""
    path = many_invalid_lines(workdir / "lines.ndjson", 60000)
    argv = installed(["validate-status"])
    process = subprocess.Popen([*argv, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == ExitCode.VIOLATION
    problem = "expected a required property, found nothing (absent)"
    assert first.decode() == f"{path}:1::$.job: {problem}\n"
    assert err == b""


def test_building_the_parser_spares_the_terminal_width_lookup() -> None:
    """Building validate-status's parser imports no `shutil` (argparse asks the terminal for its
    width through it for every argument it adds, about 3 ms of each start)."""
    script = (
        "import sys\n"
        "from batch_contract.cli.main import build_validate_parser\n"
        "build_validate_parser()\n"
        "print('shutil' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "False\n", done.stderr


def help_lines(columns: int) -> list[str]:
    """The lines of `validate --help` on a terminal `columns` wide."""
    done = subprocess.run(
        [sys.executable, "-m", "batch_contract", "validate", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(columns)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_help_still_fits_the_terminal() -> None:
    """--help wraps its text to the terminal's width (COLUMNS), as argparse does: narrower on a
    narrow terminal, and never past a wide one."""
    narrow, wide = help_lines(60), help_lines(140)
    assert len(narrow) > len(wide) > 10
    assert max(map(len, wide)) <= 140
    assert max(map(len, wide)) > max(map(len, narrow))
