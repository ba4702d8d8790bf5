"""The watch in the contract suite: `--contract-spec-url` adds one test (not collected without
it) that passes against the faithful reference server, fails on the `spec-new-status` break, and
is deselected, visibly, in replay."""

from __future__ import annotations

from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "contract_tests"
FAST = ("-p", "no:cacheprovider", "-p", "no:randomly", "--http-retries", "0")

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def run_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Runs contract_tests/ in-process with these options."""
    return pytester.runpytest_inprocess(str(SUITE), *FAST, *args)


def test_not_collected_without_the_option(pytester: pytest.Pytester) -> None:
    """Without --contract-spec-url the watch test is not collected at all."""
    result = run_suite(pytester, "--reference", "--collect-only", "-q")
    assert result.ret == 0
    assert "test_watch.py" not in result.stdout.str()


def test_passes_against_the_faithful_server(pytester: pytest.Pytester) -> None:
    """The reference server's own document keeps the contract: one test, passed."""
    result = run_suite(pytester, "--reference", "-k", "watch", "--contract-spec-url")
    result.assert_outcomes(passed=1, deselected=76)


def test_fails_on_a_new_status_value(pytester: pytest.Pytester) -> None:
    """With `spec-new-status` the test fails and names the finding."""
    result = run_suite(
        pytester,
        "--reference",
        "--reference-break",
        "spec-new-status",
        "-k",
        "watch",
        "--contract-spec-url=",
    )
    result.assert_outcomes(failed=1, deselected=76)
    result.stdout.fnmatch_lines(
        ["*error: response-property-enum-value-added ?spec? $.job.status: the enum value*"]
    )


def test_unreadable_document_fails_in_one_line(pytester: pytest.Pytester) -> None:
    """A URL with no OpenAPI document behind it fails the test with the watch's one line."""
    result = run_suite(
        pytester, "--reference", "-k", "watch", "--contract-spec-url=http://127.0.0.1:9/x"
    )
    result.assert_outcomes(failed=1, deselected=76)
    result.stdout.fnmatch_lines(["batch-contract watch: http://127.0.0.1:9/x: cannot fetch: *"])


def test_replay_deselects_it(pytester: pytest.Pytester) -> None:
    """Replay has no server to ask: the test is deselected, with the reason, not run."""
    result = run_suite(pytester, "-k", "watch", "--contract-spec-url=http://127.0.0.1:9/x")
    assert result.ret == 5
    result.stdout.fnmatch_lines(["*need a server*"])
