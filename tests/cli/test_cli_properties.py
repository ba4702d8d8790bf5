"""Property tests: whatever it is given, `validate-status` answers with an exit code of 0, 1 or 2,
a summary line, and never a traceback.

The command runs in-process through its real entry point (`cli.validate_main`), so an exception
that escapes it fails the test with the exception itself.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_contract.cli import main as cli
from batch_contract.exitcodes import ExitCode

BASE = json.loads((Path(__file__).parents[1] / "examples/valid/running.json").read_text())
OPTIONS = st.sampled_from(
    [
        [],
        ["--profile", "strict"],
        ["--part", "job"],
        ["--format", "json"],
        ["--format", "github"],
        ["--ndjson"],
        ["--ndjson", "--profile", "strict", "--format", "json"],
        ["--warnings-as-errors"],
    ]
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
near_valid = st.builds(
    lambda job, top: {**BASE, "job": {**BASE["job"], **job}, **top},
    st.dictionaries(st.sampled_from([*sorted(BASE["job"]), "extra"]), json_values, max_size=3),
    st.dictionaries(
        st.sampled_from(["job", "progress_percentage", "extra"]), json_values, max_size=1
    ),
)
SLOW_OK = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(argv: list[str], stdin: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `validate-status ARGV` on stdin; return exit code, stdout and stderr."""
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        capsys.readouterr()
        code = cli.validate_main(argv)
        out, err = capsys.readouterr()
    finally:
        sys.stdin = saved
    return code, out, err


def assert_answered(code: int, out: str, err: str, format_: str) -> None:
    """A proper answer: a known exit code, no traceback, and a summary (or a one-line error)."""
    assert code in (ExitCode.OK, ExitCode.VIOLATION, ExitCode.USAGE)
    assert "Traceback" not in out + err
    if code == ExitCode.USAGE:
        assert err.count("\n") == 1, err
    elif format_ == "json":
        assert json.loads(out)["summary"]["documents"] >= 1
    else:
        assert out.splitlines()[-1].split(" ")[1] in ("document:", "documents:")


def format_of(argv: list[str]) -> str:
    """The --format an argument list asks for."""
    return argv[argv.index("--format") + 1] if "--format" in argv else "text"


@SLOW_OK
@given(value=json_values | near_valid, argv=OPTIONS)
def test_any_json_value_gets_an_answer(
    value: object, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Any JSON value (arbitrary or near-valid) as a document gets exit 0 or 1 and a report."""
    raw = json.dumps(value).encode()
    code, out, err = run(argv, raw, capsys)
    assert_answered(code, out, err, format_of(argv))
    assert code in (ExitCode.OK, ExitCode.VIOLATION)


@SLOW_OK
@given(raw=st.binary(max_size=300), argv=OPTIONS)
def test_any_bytes_get_an_answer(
    raw: bytes, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Arbitrary bytes on stdin get exit 0, 1 or 2, never a traceback."""
    code, out, err = run(argv, raw, capsys)
    assert_answered(code, out, err, format_of(argv))


@SLOW_OK
@given(
    raw=st.one_of(
        st.binary(max_size=200).map(lambda b: json.dumps(BASE).encode()[: len(b)] + b),
        st.text(alphabet='{}[]":,0123456789.eE+-ntrufals \\\n\ud800', max_size=80).map(
            lambda t: t.encode("utf-8", "surrogatepass")
        ),
    ),
    argv=OPTIONS,
)
def test_broken_json_gets_an_answer(
    raw: bytes, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Nearly-JSON bytes (a valid response cut and followed by noise, JSON punctuation soup, raw
    surrogates) get exit 0, 1 or 2, never a traceback."""
    code, out, err = run(argv, raw, capsys)
    assert_answered(code, out, err, format_of(argv))
