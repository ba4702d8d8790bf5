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
import orjson
import pytest

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.cli.main import parse_validate_args, run_validate
from batch_contract.core.check import ContractCheck
from batch_contract.core.reading import LineBlock
from batch_contract.core.results import Result
from batch_contract.core.rules import RULES, default_levels
from batch_contract.drift.compare import STATUS_ENDPOINT, Recorded, check_new
from batch_contract.engine import fastlane, lightpath, quick
from batch_contract.engine.runner import Checker
from batch_contract.errors import RuleWarning
from batch_contract.guard import StatusGuard
from batch_contract.pytest_plugin.contract import document_problems
from batch_contract.pytest_plugin.schemathesis_support import json_errors, rule_errors

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


def by_assertion(document: Any, part: Any = "status") -> list[str]:
    """assert_batch_status: the violations it fails on (errors), then the `RuleWarning`s it
    issues (warning-level rule findings), in the order issued."""
    failed: list[str] = []
    with warnings.catch_warnings(record=True) as issued:
        warnings.simplefilter("always")
        try:
            assert_batch_status(document, part=part)
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
    """The schemathesis checks of the project: numbers beyond the safe range, then error-level
    rule findings, as text (schema violations are schemathesis's own check's)."""
    return [f"{text} (error)" for text in json_errors(raw) + rule_errors(raw)]


def unseen_by_schemathesis(lines: list[str]) -> list[str]:
    """The error lines schemathesis's own schema check cannot give: rules and number-range."""
    return [text for text in errors(lines) if "[rule:" in text or "[number-range]" in text]


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
    assert by_schemathesis(raw) == unseen_by_schemathesis(everything)


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


# Every rule example and every schema example, through the one check with every shortcut off
# (the oracle: `ContractCheck` as built here has no lister, no light path, no lane) and again
# through each face and each shortcut. The faces share the oracle's code by design (one check);
# what this holds is that no face and no shortcut adds, drops or changes a verdict. The oracle
# itself is held to hand-written expectations: tests/core/rules/test_rule_examples.py (expected
# messages) and tests/core/test_examples.py (expected paths and keywords).
RULE_EXAMPLES = sorted(
    path
    for path in (Path(__file__).parents[1] / "rules" / "examples").glob("*/*/*.json")
    if isinstance(json.loads(path.read_bytes()), dict)  # document rules; sequences are polls
)
SCHEMA_EXAMPLES = sorted(
    path
    for folder in ("valid", "invalid", "strict-invalid")
    for path in (Path(__file__).parents[2] / "examples" / folder).glob("*.json")
)
EXAMPLES = RULE_EXAMPLES + SCHEMA_EXAMPLES


def example_id(path: Path) -> str:
    """`rule/good/case` or `folder/case`."""
    parts = path.with_suffix("").parts
    return "/".join(parts[-3:] if path in RULE_EXAMPLES else parts[-2:])


def oracle(document: Any, levels: Any = None, part: Any = "status") -> list[str]:
    """The one check with every shortcut off: jsonschema-rs's own listing, every rule run."""
    check = ContractCheck("documented", part, levels)
    return [line(v.path, v.message, v.keyword, v.severity) for v in check.violations(document)]


def compact_line(value: Any) -> bytes:
    """`value` as a compact NDJSON line (written by the standard library when it is nested
    deeper than orjson writes, 255 levels)."""
    try:
        return orjson.dumps(value) + b"\n"
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def by_lane(raw: bytes) -> list[list[str]]:
    """The NDJSON block path with its fast lane built: the example's compact line three times
    (the lane learns the line's key order from the first one the check finds clean), each line's
    violations."""
    checker = Checker()
    checker.prepare_lines()
    compact = compact_line(json.loads(raw))
    out: dict[int, list[str]] = {number: [] for number in (1, 2, 3)}
    for item in checker.check_block(LineBlock("x", 1, [compact] * 3)):
        if isinstance(item, Result):
            assert item.problem is None
            found = [line(v.path, v.message, v.keyword, v.severity) for v in item.violations]
            out[int(item.document.where or 0)] = found
    return list(out.values())


@pytest.mark.parametrize("example", EXAMPLES, ids=[example_id(path) for path in EXAMPLES])
def test_every_example_gets_the_oracles_verdict_from_every_face(example: Path) -> None:
    """validate-status (file, light path first), the NDJSON lane, the suite, drift,
    assert_batch_status, the guard and the schemathesis check give the shortcut-free check's
    verdict on every rule and schema example."""
    raw = example.read_bytes()
    document = json.loads(raw)
    expected = oracle(document)
    assert by_validate_status(example) == expected
    assert by_lane(raw) == [expected] * 3
    assert by_suite(document) == expected
    assert by_drift(document) == expected
    assert by_assertion(raw) == errors(expected) + warnings_of(expected)
    assert by_guard(raw) == errors(expected)
    assert by_schemathesis(raw) == unseen_by_schemathesis(expected)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example_id(path) for path in EXAMPLES])
def test_no_shortcut_clears_what_the_oracle_faults(example: Path) -> None:
    """With every rule on, the light path, the quick rule test and the fast lane say "surely
    clean" only of an example in which the shortcut-free check finds nothing."""
    raw = example.read_bytes()
    document = json.loads(raw)
    every_rule = {name: "warning" for name in RULES}
    faulted = bool(oracle(document, every_rule))
    light = lightpath.build("documented", "status")
    lane = fastlane.build("documented", "status")
    assert light is not None
    assert lane is not None
    compact = compact_line(document)
    valid = not ContractCheck().schema_violations(document)  # the quick test's assumption
    if valid:
        lane.learn(document)  # the lane takes the example's key order
    cleared = {
        "light path": light.clears(raw),
        "quick test": valid and quick.document_clean(document),
        "lane": lane.clean(compact),
    }
    if faulted:
        assert not any(cleared.values()), cleared
    job = document.get("job") if isinstance(document, dict) else None
    if valid and quick.job_clean(job):
        assert ContractCheck("documented", "job", every_rule).rule_violations(job) == ()


JOB_BODIES = sorted((Path(__file__).parent / "job-bodies").glob("*.json"))


@pytest.mark.parametrize("body", JOB_BODIES, ids=[path.stem for path in JOB_BODIES])
def test_bare_jobs_get_their_expected_verdict_from_every_face(body: Path) -> None:
    """`--part job` bodies: the shortcut-free check gives the hand-written verdict of the
    `.expected` beside each (a schema error at a field blocks the rules that read it), and so do
    validate-status --part job and assert_batch_status(part="job")."""
    expected = body.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    job = json.loads(body.read_bytes())
    assert oracle(job, part="job") == expected
    out = io.StringIO()
    options = parse_validate_args([str(body), "--part", "job", "--format", "json"])
    run_validate(options, stdin=sys.stdin.buffer, stdout=out, stderr=io.StringIO())
    (result,) = json.loads(out.getvalue())["results"]
    found = [
        line(v["path"], v["message"], v["keyword"], v["severity"]) for v in result["violations"]
    ]
    assert found == expected
    assert by_assertion(job, part="job") == errors(expected) + warnings_of(expected)


LEFT_TO_THE_RULES = {
    "timestamps-ordered/fraction-digits",
    "timestamps-ordered/leap-second-fractions",
    "timestamps-ordered/leap-second-with-offset",
    "timestamps-ordered/leap-second",
    "timestamps-ordered/lower-case",
    "timestamps-ordered/nanoseconds",
    "timestamps-ordered/offsets",
    "updated-after-created/offset",
}
"""Good examples whose date-times are not all UTC (`Z`, `T`) of one length: the quick test does
not compare those as text, and says "don't know"."""


def test_the_quick_test_clears_every_clean_good_example_it_can_read() -> None:
    """The quick rule test is no shortcut that never answers: it says "surely clean" of every
    good rule example the shortcut-free check finds clean with every rule on, except those whose
    date-times it leaves to the rules."""
    every_rule = {name: "warning" for name in RULES}
    cleared, unsure = set(), set()
    for path in RULE_EXAMPLES:
        name = f"{path.parents[1].name}/{path.stem}"
        document = json.loads(path.read_bytes())
        if path.parent.name != "good" or oracle(document, every_rule):
            continue
        (cleared if quick.document_clean(document) else unsure).add(name)
    assert unsure == LEFT_TO_THE_RULES
    assert len(cleared) >= 25
