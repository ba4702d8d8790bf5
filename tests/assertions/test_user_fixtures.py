"""The fixtures users get with the package: `assert_batch_status` and `batch_status_schema`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-response.json"


@pytest.fixture
def user_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project outside this repository, holding the documented example as a file."""
    pytester.makefile(".json", example=EXAMPLE.read_text())
    pytester.makepyprojecttoml("[project]\nname = 'user-project'\n")
    return pytester


def write_count_above_total(suite: pytest.Pytester) -> None:
    """Write over.json: the documented example, running, with 5 of 3 items processed."""
    body = json.loads(EXAMPLE.read_text())
    body["job"].update(status="running", total_items=3, processed_items=5, completed_at=None)
    suite.makefile(".json", over=json.dumps(body))


def test_assert_batch_status_passes_the_documented_example_and_names_every_violation(
    user_suite: pytest.Pytester,
) -> None:
    """A user's test passes for the documented example and fails naming an unknown status and
    progress 120, in one exact message."""
    user_suite.makepyfile(
        test_user="""
        import json, pathlib

        def test_documented_example(assert_batch_status):
            body = json.loads(pathlib.Path("example.json").read_text())
            assert assert_batch_status(body)["job"]["id"].startswith("bjb-")

        def test_broken_body(assert_batch_status):
            body = json.loads(pathlib.Path("example.json").read_text())
            body["job"]["status"] = "paused"
            body["progress_percentage"] = 120
            assert_batch_status(body)
        """
    )
    result = user_suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    shown = [line[1:].strip() for line in result.stdout.lines if line.startswith("E ")]
    assert shown == [
        "batch_contract.assertions.BatchStatusMismatch: body does not honour the Get Batch "
        "Job Status contract (documented profile): 2 violations",
        '$.job.status: expected one of "pending", "running", "dispatched", "completed", '
        '"failed", "cancelled", found string "paused" [enum]',
        "$.progress_percentage: expected a number <= 100, found number 120 [maximum]",
    ]


def test_assert_batch_status_applies_rules_with_levels_from_keywords(
    user_suite: pytest.Pytester,
) -> None:
    """A count above the total fails by default, and passes when that rule is set to warning."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(
        test_rules="""
        import json, pathlib, pytest

        BODY = json.loads(pathlib.Path("over.json").read_text())

        def test_error_by_default(assert_batch_status):
            with pytest.raises(AssertionError) as info:
                assert_batch_status(BODY)
            assert "$.job.processed_items" in str(info.value)
            assert "[rule:counts-within-total]" in str(info.value)

        def test_warning_when_asked(assert_batch_status):
            assert_batch_status(BODY, counts_within_total="warning")
        """
    )
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


LEVELS = """
import json, pathlib

def test_over(assert_batch_status):
    assert_batch_status(json.loads(pathlib.Path("over.json").read_text()))
"""
"""A user's test checking over.json with the run's rule levels."""


def test_assert_batch_status_reads_rule_levels_from_pyproject_and_option(
    user_suite: pytest.Pytester,
) -> None:
    """`[tool.batch-contract.rules]` and `--contract-rule` set the levels the fixture applies."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(test_levels=LEVELS)
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(failed=1)
    user_suite.runpytest_inprocess(
        "-p", "no:cacheprovider", "--contract-rule", "counts-within-total=off"
    ).assert_outcomes(passed=1)
    user_suite.makepyprojecttoml(
        "[project]\nname = 'user-project'\n\n"
        "[tool.batch-contract.rules]\ncounts-within-total = 'warning'\n"
    )
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


WARNED = """
import json, pathlib

def test_warned(assert_batch_status):
    body = json.loads(pathlib.Path("over.json").read_text())
    for _ in range(2):
        assert_batch_status(body, counts_within_total="warning")
"""
"""A user's test whose body breaks a rule set to warning (line 6 calls the fixture, twice)."""
RULE_WARNING = (
    "status body: $.job.processed_items: expected at most total_items (3), found number 5 "
    "[rule:counts-within-total]"
)


def test_a_catch_all_error_filter_shows_the_rule_warning(user_suite: pytest.Pytester) -> None:
    """Under `-W error` a finding of a rule at "warning" stays a warning (the test passes), shown
    once at the test's own line, where a module-scoped filter of the user's can match it."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(test_warned=WARNED)
    result = user_suite.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1, warnings=1)
    assert f"  {user_suite.path / 'test_warned.py'}:6: RuleWarning: {RULE_WARNING}" in (
        result.outlines
    )


@pytest.mark.parametrize(
    "warning_filter",
    [
        "error::batch_contract.errors.RuleWarning",
        "error::UserWarning",
        "error:status body:batch_contract.errors.RuleWarning:test_warned",
        "ini: error::batch_contract.errors.RuleWarning",
    ],
)
def test_a_filter_naming_rule_warning_makes_it_an_error(
    user_suite: pytest.Pytester, warning_filter: str
) -> None:
    """A warning filter of the user's that names `RuleWarning` (or its base, `UserWarning`), with
    or without a message and the test's module, on the command line or in the ini file after a
    catch-all `error`, makes the fixture's warning fail the test."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(test_warned=WARNED)
    args = ["-W", warning_filter]
    if warning_filter.startswith("ini: "):
        lines = ["[pytest]", "filterwarnings =", "    error", f"    {warning_filter[5:]}", ""]
        user_suite.makeini("\n".join(lines))
        args = []
    result = user_suite.runpytest_inprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(failed=1)
    shown = [line[1:].strip() for line in result.outlines if line.startswith("E ")]
    assert shown == [f"batch_contract.errors.RuleWarning: {RULE_WARNING}"]


def test_assert_batch_status_takes_responses_and_text(user_suite: pytest.Pytester) -> None:
    """httpx responses (content type checked), raw text and bytes are accepted like bodies."""
    user_suite.makepyfile(
        test_inputs="""
        import pathlib, httpx, pytest

        TEXT = pathlib.Path("example.json").read_text()

        def test_text_and_bytes(assert_batch_status):
            assert_batch_status(TEXT)
            assert_batch_status(TEXT.encode())

        def test_httpx_response(assert_batch_status):
            ok = httpx.Response(200, content=TEXT, headers={"content-type": "application/json"})
            assert_batch_status(ok)

        def test_wrong_content_type(assert_batch_status):
            bad = httpx.Response(200, content=TEXT, headers={"content-type": "text/plain"})
            with pytest.raises(AssertionError, match="expected application/json, found text/plain"):
                assert_batch_status(bad)

        def test_malformed_text(assert_batch_status):
            with pytest.raises(AssertionError, match='duplicate object key "job"'):
                assert_batch_status('{"job": 1, "job": 2}')
        """
    )
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_batch_status_schema_fixture_is_the_self_contained_documented_schema(
    user_suite: pytest.Pytester,
) -> None:
    """`batch_status_schema` validates the example with plain jsonschema and needs no network."""
    user_suite.makepyfile(
        test_schema="""
        import json, pathlib, jsonschema

        def test_schema(batch_status_schema):
            body = json.loads(pathlib.Path("example.json").read_text())
            jsonschema.Draft202012Validator(batch_status_schema).validate(body)
            assert batch_status_schema["title"] == "BatchJobStatusResponse"
            assert "progress_percentage" in batch_status_schema["required"]
        """
    )
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_batch_reference_server_fixture_serves_the_documented_example(
    user_suite: pytest.Pytester,
) -> None:
    """A user's test gets a running reference server whose responses honour the contract."""
    user_suite.makepyfile(
        test_server="""
        import httpx

        def test_server(batch_reference_server, assert_batch_status):
            server = batch_reference_server
            assert server.base_url.startswith("http://127.0.0.1:")
            job_id = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
            assert job_id in server.job_ids
            url = f"{server.base_url}/api/v1/beta/batch-processing/{job_id}"
            key = server.api_key.get_secret_value()
            ok = httpx.get(url, headers={"Authorization": f"Bearer {key}"})
            assert_batch_status(ok)
            assert httpx.get(url).status_code == 401
        """
    )
    user_suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


UNKNOWN_RULE = "unknown rule 'nope' (known: counts-within-total, sum-within-total,"


def test_an_unknown_contract_rule_option_stops_the_run_at_start(
    user_suite: pytest.Pytester,
) -> None:
    """`--contract-rule nope=off` in a user's run stops it before its first test, in one line
    naming that option (there is no `--rule` there), exit 4, as pytest's own bad options do; it
    used to error each test using the fixture with a traceback into the plugin."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(test_levels=LEVELS)
    result = user_suite.runpytest_inprocess("-p", "no:cacheprovider", "--contract-rule", "nope=off")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"ERROR: --contract-rule nope=off: {UNKNOWN_RULE}")
    assert "fixtures.py" not in result.stdout.str()


def test_an_unknown_rule_in_pyproject_is_one_line_per_test(user_suite: pytest.Pytester) -> None:
    """A `[tool.batch-contract.rules]` naming no rule errors each test that uses the fixture with
    one line naming the file, no traceback into the plugin; a test without it still passes."""
    write_count_above_total(user_suite)
    user_suite.makepyfile(test_levels=LEVELS + "\n\ndef test_plain():\n    pass\n")
    user_suite.makepyprojecttoml("[tool.batch-contract.rules]\nnope = 'off'\n")
    result = user_suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    where = user_suite.path / "pyproject.toml"
    shown = f"batch-contract: {where}: [tool.batch-contract.rules]: {UNKNOWN_RULE}"
    assert [line for line in result.outlines if line.startswith("batch-contract: ")] == [
        line for line in result.outlines if line.startswith(shown)
    ]
    assert any(line.startswith(shown) for line in result.outlines)
    assert "fixtures.py" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()
