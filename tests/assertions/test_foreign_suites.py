"""The plugin stays out of the way of a project's own test suite that has no contract tests."""

from __future__ import annotations

import pytest


def test_own_tests_keep_their_network_and_record_mode(pytester: pytest.Pytester) -> None:
    """Without contract tests, no test is network-blocked and `--record-mode` (meant for the
    project's own vcr tests) is no usage error."""
    pytester.makepyfile(
        test_own="""
        def test_not_blocked(request):
            assert request.node.get_closest_marker("block_network") is None
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--record-mode=once")
    result.assert_outcomes(passed=1)


def test_recording_contract_tests_without_a_target_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    """With contract tests collected, a recording `--record-mode` and no target stops the run in
    one line naming the missing option."""
    pytester.mkdir("cassettes")
    pytester.makeconftest(
        """
        from batch_contract.pytest_plugin.entry import load_suite

        def pytest_configure(config):
            load_suite(config)
        """
    )
    pytester.makepyfile(
        test_contract="""
        def test_uses_the_target(contract_target):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--record-mode=rewrite")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --record-mode=rewrite records from a server: add --reference or --live"]
    )


def test_no_header_line_in_a_project_without_contract_tests(pytester: pytest.Pytester) -> None:
    """A project without contract tests gets no batch-contract header line, even with a cassettes
    folder of its own (vcrpy's); a run of the contract suite is told its target."""
    pytester.makepyfile(test_own="def test_one():\n    pass\n")
    pytester.mkdir("cassettes")
    quiet = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    quiet.assert_outcomes(passed=1)
    assert not [line for line in quiet.outlines if line.startswith("batch-contract:")]
    told = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--contract-reference")
    told.stdout.fnmatch_lines(["batch-contract: reference target, profile documented"])
