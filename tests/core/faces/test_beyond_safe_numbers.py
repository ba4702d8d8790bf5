"""Every face, one verdict, on numbers beyond what a double holds exactly (I-JSON's +-(2^53-1)):
the bodies of tests/examples/beyond-safe get the same violations, by path, keyword and severity,
whether a face reads them as text (validate-status, one process and `--jobs` over NDJSON behind
the fast lane, `assert_batch_status` given text, the guard) or is given them parsed (the dict
`json.loads` makes, exact integers and all: `assert_batch_status`, the contract suite, drift).
Each holds a `number-range` violation; none is cleared by a fast path."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.cli.main import parse_validate_args, run_validate, validate_main
from batch_contract.core.rules import default_levels
from batch_contract.drift.compare import STATUS_ENDPOINT, Recorded, check_new
from batch_contract.engine import parallel
from batch_contract.guard import StatusGuard
from batch_contract.pytest_plugin.contract import document_problems

ROOT = Path(__file__).resolve().parents[3]
BODIES = sorted((ROOT / "tests" / "examples" / "beyond-safe").glob("*.json"))
CLEAN = (ROOT / "tests" / "examples" / "valid" / "completed.json").read_bytes()
URL = "http://deployment.invalid/api/v1/beta/batch-processing/bjb-1"

Key = tuple[str, str, str]


def keys(violations: list[dict[str, Any]]) -> list[Key]:
    """(path, keyword, severity) of each violation, sorted."""
    return sorted((v["path"], v["keyword"], v["severity"]) for v in violations)


def by_validate_status(path: Path, *args: str) -> list[Key]:
    """validate-status --format json on a file: the violations of its one document."""
    out = io.StringIO()
    options = parse_validate_args([str(path), "--format", "json", *args])
    run_validate(options, stdin=sys.stdin.buffer, stdout=out, stderr=io.StringIO())
    (result,) = json.loads(out.getvalue())["results"]
    return keys(result["violations"])


def by_jobs(tmp_path: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> list[Key]:
    """`validate-status --jobs 2` over NDJSON: 3000 clean lines (the light path is used up and
    the fast lane built and taught), then the body as one compact line, in byte ranges small
    enough to need the workers: the body's violations."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 1 << 16)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 1 << 16)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 1 << 16)
    clean = b" ".join(CLEAN.split()) + b"\n"
    path = tmp_path / "lines.ndjson"
    path.write_bytes(clean * 3000 + b" ".join(raw.split()) + b"\n")
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert validate_main(["--jobs", "2", "--format", "json", str(path)]) == 1
    results = json.loads(out.getvalue())["results"]
    invalid = [result for result in results if not result["valid"]]
    assert [result["where"] for result in invalid] == ["3001"]
    return keys(invalid[0]["violations"])


def by_assertion(body: Any) -> list[Key]:
    """assert_batch_status: the violations it fails on."""
    with pytest.raises(BatchStatusMismatch) as raised:
        assert_batch_status(body)
    return keys([v._asdict() for v in raised.value.violations])


def by_guard(raw: bytes) -> list[Key]:
    """The production guard (raise mode) on a 200 response carrying the bytes."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=raw, headers={"content-type": "application/json"})

    guard = StatusGuard("raise")
    http = httpx.Client(transport=httpx.MockTransport(answer), event_hooks={"response": [guard]})
    with http, pytest.raises(BatchStatusMismatch) as raised:
        http.get(URL)
    return keys([v._asdict() for v in raised.value.violations])


def by_suite(document: Any) -> list[Key]:
    """The contract suite's check of a 200 body."""
    found = document_problems(document, "documented", default_levels())
    return keys([v._asdict() for v in found])


def by_drift(document: Any) -> list[Key]:
    """drift's check of NEW's 200 responses, as (path, keyword, severity)."""
    recorded = Recorded("c.yaml:0", "c.yaml", f"GET {STATUS_ENDPOINT}", 200, document, True)
    out = []
    for finding in check_new([recorded], "documented", default_levels()):
        severity = "error" if finding.impact == "breaking" else "warning"
        keyword = finding.kind if finding.kind != "schema" else finding.detail.rsplit("[", 1)[1]
        out.append((finding.path, keyword.rstrip("]"), severity))
    return sorted(out)


@pytest.mark.parametrize("path", BODIES, ids=[path.stem for path in BODIES])
def test_text_and_dict_get_one_verdict(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every face finds the same violations in the body, text or dict, a number-range one
    among them: the text faces no longer round two different counts to one float and pass."""
    raw = path.read_bytes()
    document = json.loads(raw)  # exact Python ints, as a user's dict holds them
    want = by_validate_status(path)
    assert any(keyword == "number-range" for _, keyword, _ in want), want
    assert by_validate_status(path, "--jobs", "2") == want
    assert by_jobs(tmp_path, raw, monkeypatch) == want
    assert by_assertion(raw.decode()) == want
    assert by_assertion(raw) == want
    assert by_assertion(document) == want
    assert by_guard(raw) == want
    assert by_suite(document) == want
    assert by_drift(document) == want
