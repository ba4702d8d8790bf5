"""The contract suite catches every named break of the reference server (kill rate 100%) and
passes against the faithful server: each run is the real suite, in-process, through pytester."""

from pathlib import Path

import pytest

from batch_contract.server import BREAKS

SUITE = Path(__file__).resolve().parents[3] / "contract_tests"
STRICT_ONLY = {"undocumented-field"}
"""Breaks that only the strict profile forbids (BREAKS says so in their description)."""
ON_REQUEST = {"spec-new-status": ("--contract-spec-url=",)}
"""Breaks caught by a test collected only on request, with the option that requests it."""
FAST = (
    "--reference",
    "--poll-interval",
    "0.01",
    "--http-retries",
    "0",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    "-q",
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def run_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Runs contract_tests/ against the reference server with the given extra options."""
    return pytester.runpytest_inprocess(str(SUITE), *FAST, *args)


@pytest.mark.parametrize("profile", ["documented", "strict"])
def test_suite_passes_against_faithful_server(pytester: pytest.Pytester, profile: str) -> None:
    """Against the faithful reference server every contract test passes (and some ran)."""
    result = run_suite(pytester, "--profile", profile)
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 10
    assert "failed" not in outcomes
    assert "skipped" not in outcomes


@pytest.mark.parametrize("name", list(BREAKS))
def test_suite_fails_against_break(pytester: pytest.Pytester, name: str) -> None:
    """Against the server with one named break, at least one contract test fails (not errors)."""
    profile = "strict" if name in STRICT_ONLY else "documented"
    extra = ON_REQUEST.get(name, ())
    result = run_suite(pytester, "--profile", profile, "--reference-break", name, "-x", *extra)
    outcomes = result.parseoutcomes()
    assert result.ret == 1, result.stdout.str()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    assert "errors" not in outcomes, result.stdout.str()
