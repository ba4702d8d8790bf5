"""The plugin's options: registered with help texts, and a live run missing its key, URL or job
id fails at start with one line (never a skip); the key never shows in output."""

import os
import re
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
OPTIONS = (
    "--live",
    "--reference",
    "--base-url",
    "--contract-base-url",
    "--job-id",
    "--organization-id",
    "--project-id",
    "--profile",
    "--contract-profile",
    "--poll-interval",
    "--poll-timeout",
    "--require-terminal",
    "--http-timeout",
)


def test_help_lists_every_option(pytester: pytest.Pytester) -> None:
    """`pytest contract_tests --help` shows the batch-contract group, each option and its short
    alias; an unrelated run has only the `--contract-` names."""
    text = pytester.runpytest_inprocess(str(SUITE), "--help").stdout.str()
    assert "batch-contract" in text
    for option in OPTIONS:
        assert option in text, option
        assert "--contract-" + option.removeprefix("--contract-").removeprefix("--") in text
    elsewhere = pytester.runpytest_inprocess("--help").stdout.str()
    for option in OPTIONS:
        shown = re.search(rf"^  {option}[\s=,]", elsewhere, flags=re.M) is not None
        assert shown == option.startswith("--contract-"), option


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({}, ["--job-id", "bjb-1"], "set LLAMA_CLOUD_API_KEY"),
        (
            {"LLAMA_CLOUD_API_KEY": "canary-key-0123456789"},
            ["--base-url", "http://127.0.0.1:9"],
            "at least one job id",
        ),
        (
            {"LLAMA_CLOUD_API_KEY": "canary-key-0123456789"},
            ["--job-id", "x", "--base-url", "ftp:"],
            "http(s) base URL",
        ),
    ],
)
def test_live_without_settings_fails_at_start(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    """A live run missing its key, job id or URL stops with one line naming what to set."""
    for name in ("LLAMA_CLOUD_API_KEY", "BATCH_CONTRACT_JOB_IDS", "LLAMA_CLOUD_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_inprocess(str(SUITE), "--live", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1
    assert message in errors[0]
    assert "canary-key" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("env_url", "args"),
    [
        (None, []),
        ("", []),
        ("  ", []),
        (None, ["--base-url", ""]),
        ("", ["--contract-base-url", " "]),
    ],
)
def test_live_without_base_url_stops_at_start(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env_url: str | None,
    args: list[str],
) -> None:
    """A live run given no base URL (unset, or empty as an unset CI variable expands) stops with
    one line saying what to set, exit 4: it never sends the key to production unasked."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "canary-key-0123456789")
    monkeypatch.setenv("BATCH_CONTRACT_JOB_IDS", "bjb-1")
    monkeypatch.delenv("LLAMA_CLOUD_BASE_URL", raising=False)
    if env_url is not None:
        monkeypatch.setenv("LLAMA_CLOUD_BASE_URL", env_url)
    result = pytester.runpytest_inprocess(str(SUITE), "--live", "--collect-only", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if line.startswith("ERROR:")] == [
        "ERROR: --live needs a base URL: set LLAMA_CLOUD_BASE_URL or pass --base-url (production "
        "is https://api.cloud.llamaindex.ai, never assumed)"
    ]
    assert "live target" not in result.stdout.str()


@pytest.mark.parametrize("target", [[], ["--reference"]])
def test_replay_and_reference_need_no_base_url(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, target: list[str]
) -> None:
    """Replay and --reference never read the base URL: an empty LLAMA_CLOUD_BASE_URL changes
    nothing for them."""
    monkeypatch.setenv("LLAMA_CLOUD_BASE_URL", "")
    result = pytester.runpytest_inprocess(str(SUITE), "--collect-only", "-q", *target)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "test_status_body_matches_schema[" in result.stdout.str()


def test_unreachable_server_fails_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live run against a stopped server exits with one line, no traceback, no key."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "canary-key-0123456789")
    result = pytester.runpytest_inprocess(
        str(SUITE),
        "--live",
        "--base-url",
        "http://127.0.0.1:9",
        "--job-id",
        "bjb-1",
        "--http-retries",
        "0",
    )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret != 0
    assert "cannot reach http://127.0.0.1:9" in output
    assert "Traceback" not in output
    assert "canary-key" not in output


def test_both_targets_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--live and --reference together are refused."""
    result = pytester.runpytest_inprocess(str(SUITE), "--live", "--reference")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "choose one target" in result.stderr.str()


@pytest.mark.parametrize(
    ("option", "value", "wanted"),
    [
        ("--poll-timeout", "0", "a positive"),
        ("--poll-timeout", "-5", "a positive"),
        ("--poll-timeout", "nan", "a positive"),
        ("--poll-interval", "-1", "0 or a positive"),
        ("--poll-interval", "inf", "0 or a positive"),
        ("--http-timeout", "inf", "a positive"),
    ],
)
def test_seconds_out_of_range_are_a_usage_error(
    pytester: pytest.Pytester, option: str, value: str, wanted: str
) -> None:
    """A poll timeout of 0 or less (one poll, and a life-cycle passed that was never followed),
    a negative interval or an endless timeout stops the run at start with one line."""
    result = pytester.runpytest_inprocess(str(SUITE), "--reference", option, value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    shown = float(value)
    expected = f"ERROR: {option} must be {wanted} finite number of seconds, got {shown}"
    assert [line for line in result.stderr.lines if line.startswith("ERROR:")] == [expected]


def test_live_run_against_server_passes_and_hides_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live run against a running reference server passes; the key is in no output or XML."""
    from batch_contract.server import DOCUMENTED_JOB_ID, running_server

    key = "canary-key-" + os.urandom(6).hex()
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", key)
    junit = pytester.path / "junit.xml"
    with running_server(api_key=key) as server:
        result = pytester.runpytest_inprocess(
            str(SUITE),
            "--live",
            "--base-url",
            server.base_url,
            "--job-id",
            DOCUMENTED_JOB_ID,
            "--job-id",
            server.moving_job_ids[0],
            "--poll-interval",
            "0.01",
            "--poll-timeout",
            "0.5",
            "-p",
            "no:randomly",
            "-k",
            "not schemathesis",
            f"--junitxml={junit}",
            "-rA",
        )
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 0, output
    assert "StillRunningWarning" in output  # the documented example stays pending
    assert key not in output
    assert key not in junit.read_text()


IGNORED_BREAK = "ERROR: --reference-break breaks the --reference server only: add --reference"
UNKNOWN_BREAK = "ERROR: unknown break 'nosuch' (batch-contract serve --list-breaks)"
LIVE = ["--live", "--base-url", "http://127.0.0.1:9", "--job-id", "bjb-1"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--reference-break", "status-unknown"],
            f"{IGNORED_BREAK} (a replay run would ignore it)",
        ),
        (
            ["--contract-reference-break", "status-unknown", "-q"],
            f"{IGNORED_BREAK} (a replay run would ignore it)",
        ),
        (
            [*LIVE, "--reference-break", "status-unknown"],
            f"{IGNORED_BREAK} (a live run would ignore it)",
        ),
        (["--reference-break", "nosuch"], UNKNOWN_BREAK),
        ([*LIVE, "--contract-reference-break", "nosuch"], UNKNOWN_BREAK),
        (["--reference", "--reference-break", "nosuch"], UNKNOWN_BREAK),
    ],
)
def test_a_break_that_would_not_apply_stops_at_start(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    """`--reference-break` breaks the reference server: without `--reference` (replay, live) it
    would be dropped and the run pass having checked less than asked, and an unknown name is
    refused in every mode; each stops the run at start with one line, exit 4, sending nothing."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "canary-key-0123456789")
    result = pytester.runpytest_inprocess(str(SUITE), *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    assert [line for line in result.stderr.lines if line.startswith("ERROR:")] == [expected]
    assert "passed" not in result.stdout.str()


UNKNOWN_RULE = (
    "unknown rule 'nope' (known: counts-within-total, sum-within-total, progress-matches-counts, "
    "terminal-has-completed-at, failed-has-error-message, pending-not-started, timestamps-ordered, "
    "updated-after-created, status-forward-only, terminal-is-final, counts-non-decreasing, "
    "progress-non-decreasing)"
)


@pytest.mark.parametrize("option", ["--rule", "--contract-rule"])
def test_an_unknown_rule_option_stops_the_suite_at_start(
    pytester: pytest.Pytester, option: str
) -> None:
    """`--rule nope=off` stops the contract suite before its first test, in one line naming the
    option as it was typed, exit 4 (it used to run every test, failing each, and stop at the
    end)."""
    result = pytester.runpytest_inprocess(str(SUITE), option, "nope=off")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: {option} nope=off: {UNKNOWN_RULE}"]
    assert "%]" not in result.stdout.str()  # no test ran


def test_an_unknown_rule_in_pyproject_stops_the_suite_at_start(pytester: pytest.Pytester) -> None:
    """A `[tool.batch-contract.rules]` naming no rule stops the contract suite before its first
    test, in one line naming the file, exit 4."""
    pytester.makepyprojecttoml("[tool.batch-contract.rules]\nnope = 'off'\n")
    cassettes = str(SUITE.parent / "cassettes")
    result = pytester.runpytest_inprocess(
        str(SUITE), "--rootdir", str(pytester.path), "--cassette-dir", cassettes
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert errors == [
        f"ERROR: {pytester.path / 'pyproject.toml'}: [tool.batch-contract.rules]: {UNKNOWN_RULE}"
    ]
    assert "%]" not in result.stdout.str()  # no test ran
