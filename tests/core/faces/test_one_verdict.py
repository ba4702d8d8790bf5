"""One verdict: the same body gets the same violations from every face that judges it:
validate-status, assert_batch_status, the contract suite, drift, the schemathesis check and the
production guard. The bodies mix schema errors and rule errors (tests/core/faces/bodies/)."""

from __future__ import annotations

import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.cli.main import parse_validate_args, run_validate
from batch_contract.core.rules import default_levels
from batch_contract.drift.compare import STATUS_ENDPOINT, Recorded, check_new
from batch_contract.errors import RuleWarning
from batch_contract.guard import StatusGuard
from batch_contract.pytest_plugin.contract import document_problems
from batch_contract.pytest_plugin.schemathesis_support import rule_errors

BODIES = sorted((Path(__file__).parent / "bodies").glob("*.json"))
URL = "http://deployment.invalid/api/v1/beta/batch-processing/bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def line(path: str, message: str, keyword: str, severity: str) -> str:
    """One violation as every face is compared: where, what, which check, how severe."""
    return f"{path}: {message} [{keyword}] ({severity})"


def by_validate_status(body: Path) -> list[str]:
    """validate-status --format json on the file: every violation, errors and warnings."""
    out = io.StringIO()
    options = parse_validate_args([str(body), "--format", "json"])
    run_validate(options, stdin=sys.stdin.buffer, stdout=out, stderr=io.StringIO())
    (result,) = json.loads(out.getvalue())["results"]
    return [
        line(v["path"], v["message"], v["keyword"], v["severity"]) for v in result["violations"]
    ]


def by_suite(document: Any) -> list[str]:
    """The contract suite's check of a 200 body: every violation."""
    found = document_problems(document, "documented", default_levels())
    return [line(v.path, v.message, v.keyword, v.severity) for v in found]


def by_assertion(document: Any) -> list[str]:
    """assert_batch_status: the violations it fails on (errors), then the `RuleWarning`s it
    issues (warning-level rule findings), in the order issued."""
    failed: list[str] = []
    with warnings.catch_warnings(record=True) as issued:
        warnings.simplefilter("always")
        try:
            assert_batch_status(document)
        except BatchStatusMismatch as error:
            failed = [line(v.path, v.message, v.keyword, v.severity) for v in error.violations]
    warned = []
    for warning in issued:
        assert warning.category is RuleWarning, warning
        path, _, rest = str(warning.message).removeprefix("status body: ").partition(": ")
        message, _, keyword = rest.rpartition(" [")
        warned.append(line(path, message, keyword.rstrip("]"), "warning"))
    return failed + warned


def by_drift(document: Any) -> list[str]:
    """drift's check of NEW's 200 responses: schema and rule findings."""
    recorded = Recorded("c.yaml:0", "c.yaml", f"GET {STATUS_ENDPOINT}", 200, document, True)
    out = []
    for finding in check_new([recorded], "documented", default_levels()):
        severity = "error" if finding.impact == "breaking" else "warning"
        if finding.kind == "schema":
            message, keyword = finding.detail.rsplit(" [", 1)
            out.append(line(finding.path, message, keyword.rstrip("]"), severity))
        else:
            out.append(line(finding.path, finding.detail, finding.kind, severity))
    return out


def by_schemathesis(raw: bytes) -> list[str]:
    """The schemathesis check of the project's rules: error-level rule findings, as text."""
    return [f"{text} (error)" for text in rule_errors(raw)]


def by_guard(raw: bytes) -> list[str]:
    """The production guard in raise mode, on an httpx client receiving the body."""
    guard = StatusGuard(on_violation="raise")
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=raw, headers={"content-type": "application/json"}
        )
    )
    with httpx.Client(transport=transport, event_hooks={"response": [guard]}) as client:
        try:
            client.get(URL)
        except BatchStatusMismatch as error:
            return [line(v.path, v.message, v.keyword, v.severity) for v in error.violations]
    return []


def errors(lines: list[str]) -> list[str]:
    """The error-level lines."""
    return [text for text in lines if text.endswith("(error)")]


def warnings_of(lines: list[str]) -> list[str]:
    """The warning-level lines."""
    return [text for text in lines if text.endswith("(warning)")]


@pytest.mark.parametrize("body", BODIES, ids=[path.stem for path in BODIES])
def test_every_face_gives_the_same_violations(body: Path) -> None:
    """validate-status's violations are the suite's and drift's; their errors are those of
    assert_batch_status and the guard; their rule errors are the schemathesis check's."""
    raw = body.read_bytes()
    document = json.loads(raw)
    everything = by_validate_status(body)
    assert by_suite(document) == everything
    assert by_drift(document) == everything
    assert by_assertion(document) == errors(everything) + warnings_of(everything)
    assert by_guard(raw) == errors(everything)
    assert by_schemathesis(raw) == [text for text in errors(everything) if "[rule:" in text]


def test_a_schema_error_leaves_the_rules_that_read_other_fields_running() -> None:
    """The policy: progress 150 blocks the rules that read progress, while the count rule,
    which reads only counts, still reports 12 of 10 items, in every face."""
    body = next(path for path in BODIES if path.stem == "progress-150-counts-12-of-10")
    assert by_validate_status(body) == [
        line("$.progress_percentage", "expected a number <= 100, found number 150", "maximum",
             "error"),
        line("$.job.processed_items", "expected at most total_items (10), found number 12",
             "rule:counts-within-total", "error"),
    ]  # fmt: skip


def test_counts_in_messages_are_exact_integers() -> None:
    """A total of 1000001 reads 1000001 in a rule message, not 1e+06."""
    body = next(path for path in BODIES if path.stem == "big-counts-exact")
    (text,) = [text for text in by_validate_status(body) if "counts-within-total" in text]
    assert "1000001" in text
    assert "1000002" in text
    assert "e+" not in text
