"""`batch-contract report` over recordings where no body of the endpoint was checked (its only
GETs answered 500 and 502, 204, 302 or 401: tests/report/recordings/no-body/): the page is red and
says so, and the run exits 1. It used to write a green "PASS: no error found" page, exit 0, on
inputs where validate-status says "no documents found"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from report_helpers import RECORDINGS, build

NO_BODY = sorted((RECORDINGS / "no-body").iterdir())


def responses(folder: Path) -> int:
    """How many interactions the folder's cassettes recorded, counted from the YAML itself."""
    files = sorted(folder.glob("*.yaml"))
    return sum(len(yaml.safe_load(path.read_text("utf-8"))["interactions"]) for path in files)


@pytest.mark.parametrize("folder", NO_BODY, ids=[folder.name for folder in NO_BODY])
def test_no_body_checked_is_a_red_page_exit_1(tmp_path: Path, folder: Path) -> None:
    """Only answers without a body to check: one line on stderr naming the input and how many
    responses were seen, a FAIL page saying no body was checked, exit 1; validate-status finds
    no document in the same folder."""
    n = responses(folder)
    seen = f"{n} response{'s' if n != 1 else ''} seen, none a 200 with a body"
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "validate-status"), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (checked.returncode, checked.stderr) == (
        2,
        f"validate-status: no documents found in {folder}\n",
    )
    code, err = build(tmp_path / "page.html", str(folder))
    assert (code, err) == (
        1,
        f"batch-contract report: {folder}: no body of the endpoint was checked ({seen})\n",
    )
    page = (tmp_path / "page.html").read_text("utf-8")
    assert 'class="verdict fail"' in page
    assert f"✗ FAIL</span> no body of the endpoint was checked ({seen})</h2>" in page
    assert "<dt>bodies checked</dt><dd>0</dd>" in page
    assert f"<dt>responses of the endpoint</dt><dd>{n}</dd>" in page
    assert "PASS" not in page


def test_a_body_beside_the_bodiless_answers_is_checked_as_usual(tmp_path: Path) -> None:
    """The 500s beside a cassette with a valid 200 body: that body is checked and the page is
    green, exit 0 (the rule is about no body at all, not about an error status seen)."""
    good = next((RECORDINGS.parents[1] / "coverage" / "examples" / "one-completed").glob("*.yaml"))
    code, err = build(tmp_path / "page.html", str(good), str(RECORDINGS / "no-body"))
    assert (code, err) == (0, "")
    page = (tmp_path / "page.html").read_text("utf-8")
    assert 'class="verdict pass"' in page
