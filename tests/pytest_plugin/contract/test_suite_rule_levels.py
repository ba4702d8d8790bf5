"""The contract suite runs the shared semantic rules at their levels: an error-level finding
fails the test, the rule set to warning (`--rule`) passes with a RuleWarning, `off` silences it."""

from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
BROKEN = ("--reference", "--reference-break", "count-above-total", "-k", "status and not aaaa")
QUIET = ("-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error::UserWarning")

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def test_error_level_rule_fails_the_test(pytester: pytest.Pytester) -> None:
    """counts-within-total (error by default) fails every status test of the broken server (the
    20 static jobs but the documented example)."""
    result = pytester.runpytest_inprocess(str(SUITE), *BROKEN, *QUIET)
    result.assert_outcomes(failed=20)
    result.stdout.fnmatch_lines(["*[rule:counts-within-total]*"])


def test_warning_level_rule_warns_only(pytester: pytest.Pytester) -> None:
    """--rule counts-within-total=warning: the tests pass and the finding shows as a warning."""
    result = pytester.runpytest_inprocess(
        str(SUITE), *BROKEN, *QUIET, "--rule", "counts-within-total=warning"
    )
    result.assert_outcomes(passed=20, warnings=20)
    result.stdout.fnmatch_lines(["*RuleWarning*[rule:counts-within-total]*"])


def test_rule_levels_come_from_pyproject(pytester: pytest.Pytester) -> None:
    """[tool.batch-contract.rules] of the project sets the level too."""
    pytester.makepyprojecttoml('[tool.batch-contract.rules]\n"counts-within-total" = "off"\n')
    result = pytester.runpytest_inprocess(
        str(SUITE), *BROKEN, *QUIET, "--rootdir", str(pytester.path), "-c", "pyproject.toml"
    )
    result.assert_outcomes(passed=20)
