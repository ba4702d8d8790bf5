"""Contract coverage in the suite, run through pytester: the summary paragraph, the JSON report,
--contract-fail-under and --contract-require, and [tool.batch-contract.coverage]."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from batch_contract.coverage.command import main

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "contract_tests"
SHIPPED = ROOT / "cassettes"
QUIET = ("-p", "no:cacheprovider", "-p", "no:randomly")
FULL = (
    "batch-contract: contract coverage: 100.0% of the documented profile's items (76 of 76) "
    "from 108 response(s); nothing missing"
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def replay(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Replays the contract suite from the shipped cassettes."""
    return pytester.runpytest_inprocess(str(SUITE), "--cassette-dir", str(SHIPPED), *QUIET, *args)


def test_replay_ends_with_the_coverage_summary(pytester: pytest.Pytester) -> None:
    """A replay of the shipped cassettes passes and ends with the full-coverage paragraph."""
    result = replay(pytester)
    assert result.ret == 0
    assert FULL in result.stdout.lines


def test_summary_names_the_first_missing_items(pytester: pytest.Pytester) -> None:
    """A partial run names the percentage and its first missing items, and still passes."""
    result = replay(pytester, "-k", "not_found")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "batch-contract: contract coverage: 1.3% of the documented profile's items (1 of 76) "
            "from 1 response(s); missing: job.job_type=parse, job.job_type=extract, "
            "job.job_type=classify, job.status=pending, job.status=running and 70 more"
        ]
    )


def test_fail_under_and_require_fail_the_run(pytester: pytest.Pytester) -> None:
    """--contract-fail-under above the coverage and an unseen --contract-require exit 1."""
    result = replay(
        pytester, "-k", "not_found", "--contract-fail-under", "50", "--contract-require", "http=403"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "batch-contract: required item http=403 was never seen",
            "batch-contract: coverage 1.3% is below --contract-fail-under 50%",
        ]
    )
    assert replay(pytester, "-k", "not_found", "--contract-require", "http=404").ret == 0


@pytest.mark.parametrize("listing", ["--collect-only", "--setup-plan", "--setup-only"])
def test_a_run_that_only_lists_the_tests_reports_and_gates_nothing(
    pytester: pytest.Pytester, listing: str
) -> None:
    """`--collect-only` (an editor's test discovery), `--setup-plan` and `--setup-only` run no
    test: no coverage line, no JSON report written over the last one, and no failure from
    --contract-fail-under or --contract-require."""
    result = replay(
        pytester,
        listing,
        "--contract-fail-under",
        "100",
        "--contract-require",
        "http=403",
        "--contract-coverage-json",
        "cov.json",
    )
    assert result.ret == 0
    assert "contract coverage" not in result.stdout.str()
    assert not (pytester.path / "cov.json").exists()


def test_unknown_required_item_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """An item name the contract does not have stops the run before any test."""
    result = replay(pytester, "--contract-require", "http=418")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown coverage item 'http=418'*"])


def test_pyproject_table_sets_requirements(pytester: pytest.Pytester) -> None:
    """[tool.batch-contract.coverage] require, json and fail-under apply; a bad value is
    refused."""
    pytester.makepyprojecttoml(
        '[tool.batch-contract.coverage]\nrequire = ["http=403"]\njson = "cov.json"\n'
    )
    result = replay(pytester, "-k", "not_found", "--rootdir", str(pytester.path))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["batch-contract: required item http=403 was never seen"])
    assert json.loads((pytester.path / "cov.json").read_text())["covered"] == 1
    pytester.makepyprojecttoml("[tool.batch-contract.coverage]\nfail-under = 'most'\n")
    result = replay(pytester, "-k", "not_found", "--rootdir", str(pytester.path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*fail-under must be a number from 0 to 100, not 'most'"])


def test_json_report_counts_what_the_command_counts(pytester: pytest.Pytester) -> None:
    """The suite's JSON report of a replay counts each item as often as the command does over
    the same cassettes."""
    path = pytester.path / "coverage.json"
    assert replay(pytester, "--contract-coverage-json", str(path)).ret == 0
    suite = json.loads(path.read_text(encoding="utf-8"))
    out = io.StringIO()
    assert main([str(SHIPPED), "--format", "json"], out, io.StringIO()) == 0
    command = json.loads(out.getvalue())
    assert {row["item"]: row["seen"] for row in suite["items"]} == {
        row["item"]: row["seen"] for row in command["items"]
    }
    first = suite["items"][0]["first"]
    assert first.startswith("contract_tests/test_lifecycle.py::") or "::" in first


def test_no_summary_without_contract_tests(pytester: pytest.Pytester) -> None:
    """A run with no contract test (a project's own tests) prints no coverage."""
    pytester.makepyfile("def test_one():\n    '''Nothing.'''\n")
    result = pytester.runpytest_inprocess(*QUIET)
    assert result.ret == 0
    assert "contract coverage" not in result.stdout.str()


def test_reference_run_covers_the_strict_profile(pytester: pytest.Pytester) -> None:
    """A strict run against the reference server (its strict-clean jobs only) reaches 100%."""
    result = pytester.runpytest_inprocess(
        str(SUITE), "--reference", "--profile", "strict", "--contract-fail-under", "100", *QUIET
    )
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["batch-contract: contract coverage: 100.0% of the strict profile's items (72 of 72) *"]
    )


def test_xdist_workers_hand_their_counts_to_the_controller(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist the controller sums the workers' counts and fails as a plain run does."""
    result = replay(
        pytester, "-n", "2", "-k", "not_found or malformed", "--contract-fail-under", "5"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "batch-contract: contract coverage: 2.6% of the documented profile's items (2 of 76) "
            "from 2 response(s); missing: *",
            "batch-contract: coverage 2.6% is below --contract-fail-under 5%",
        ]
    )


def test_unwritable_json_path_fails_the_run_in_one_line(pytester: pytest.Pytester) -> None:
    """A JSON report that cannot be written fails the run with one line, not a traceback."""
    target = pytester.path / "missing-folder" / "coverage.json"
    result = replay(pytester, "-k", "not_found", "--contract-coverage-json", str(target))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"batch-contract: cannot write {target}: No such file*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
