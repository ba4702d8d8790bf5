"""The golden corpus: each folder of specs/ is a spec pair (the shipped baseline, or the
folder's own provider-openapi.json, against new.json or new.yaml) with the findings, severities
and exit code it must give. Adding a case is adding a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_contract.watch.compare import IDS

from .conftest import Run

SPECS = Path(__file__).parent / "specs"
CASES = sorted(path.name for path in SPECS.iterdir() if path.is_dir())


def expected(case: str) -> dict[str, object]:
    """The expected exit code, findings and summary of a case."""
    return json.loads((SPECS / case / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES)
def test_spec_pair_gives_its_expected_findings(run_watch: Run, case: str) -> None:
    """The JSON output of the pair is exactly the expected findings, and the exit code follows
    the default --fail-on error."""
    folder = SPECS / case
    new = next(folder.glob("new.*"))
    args = ["--spec", str(new), "--format", "json"]
    if (folder / "provider-openapi.json").exists():
        args += ["--baseline", str(folder)]
    code, out, err = run_watch(*args)
    want = expected(case)
    document = json.loads(out)
    assert err == ""
    assert document["findings"] == want["findings"]
    assert document["summary"] == want["summary"]
    assert code == want["exit"]


def test_corpus_covers_every_id_and_the_nullable_forms() -> None:
    """At least 30 pairs; every finding id appears; the pairs that only move between nullable
    forms (and the other no-change pairs) expect no finding at all."""
    assert len(CASES) >= 30
    seen = {f["id"] for case in CASES for f in expected(case)["findings"]}  # type: ignore[attr-defined]
    assert seen == set(IDS)
    quiet = [case for case in CASES if case.startswith(("nullable-", "none-"))]
    assert len([case for case in quiet if case.startswith("nullable-")]) >= 5
    assert all(expected(case)["findings"] == [] for case in quiet)


def test_every_severity_is_in_the_corpus() -> None:
    """The corpus holds errors, warnings and info findings."""
    severities = {f["severity"] for case in CASES for f in expected(case)["findings"]}  # type: ignore[attr-defined]
    assert severities == {"error", "warning", "info"}
