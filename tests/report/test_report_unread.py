"""`batch-contract report` on cassettes it cannot read (tests/examples/malformed-cassettes): the
page is red and names each one, and the run exits 1, as validate-status does for the same folder.
It used to print "(skipped)" on stderr only, and write a green PASS page, exit 0."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_helpers import ROOT, build

MALFORMED = ROOT / "tests" / "examples" / "malformed-cassettes"
GOOD = next((ROOT / "tests" / "coverage" / "examples" / "one-completed").glob("*.yaml"))
UNREAD = {
    "broken-yaml.yaml": "not a readable YAML cassette: ParserError at line 3",
    "interactions-null.yaml": "not a vcrpy cassette ('interactions' is not a list)",
    "request-a-number.yaml": "interactions[0]: unreadable cassette interaction: request: not a "
    "mapping",
    "truncated-gzip.yaml": "interactions[0]: unreadable cassette interaction: gzip body: "
    "incomplete or truncated stream",
}
"""The malformed examples of the audit's report, and validate-status's words for each."""


def line(folder: Path, name: str) -> str:
    """validate-status's line of a malformed example in `folder`."""
    words = UNREAD[name]
    return f"{folder / name}{':' if words.startswith('interactions[') else ': '}{words}"


@pytest.mark.parametrize("name", UNREAD)
def test_an_unread_cassette_is_named_on_a_red_page_exit_1(tmp_path: Path, name: str) -> None:
    """A good cassette and a malformed one: exit 1 (validate-status's code for the folder), the
    problem on stderr in validate-status's words, and a FAIL page whose "Not read" section names
    it."""
    folder = tmp_path / "rp"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.yaml")
    shutil.copy(MALFORMED / name, folder / name)
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "validate-status"), "--quiet", str(folder)],
        capture_output=True,
        check=False,
    )
    said = line(folder, name)
    code, err = build(tmp_path / "page.html", str(folder))
    assert (code, err) == (checked.returncode, f"batch-contract report: {said}\n")
    assert code == 1
    page = (tmp_path / "page.html").read_text()
    assert "✗ FAIL</span> 1 part(s) of the input could not be read</h2>" in page
    assert "PASS" not in page
    assert f"<li><code>{html.escape(said)}</code></li>" in page


def test_every_unread_cassette_is_named(tmp_path: Path) -> None:
    """All four beside a good one: one line each, in path order, each named on the page."""
    folder = tmp_path / "rp"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.yaml")
    for name in UNREAD:
        shutil.copy(MALFORMED / name, folder / name)
    code, err = build(tmp_path / "page.html", str(folder))
    lines = [line(folder, name) for name in sorted(UNREAD)]
    assert (code, err) == (1, "".join(f"batch-contract report: {said}\n" for said in lines))
    page = (tmp_path / "page.html").read_text()
    assert "4 part(s) of the input could not be read" in page
    assert all(f"<li><code>{html.escape(said)}</code></li>" in page for said in lines)


def test_an_unread_cassette_of_against_is_named(tmp_path: Path) -> None:
    """`--against OLD` where OLD holds a cassette that cannot be read: named on stderr and on the
    page, exit 1 (drift used to stop the report at it)."""
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(GOOD, old / "good.yaml")
    shutil.copy(MALFORMED / "broken-yaml.yaml", old / "broken-yaml.yaml")
    said = f"{old / 'broken-yaml.yaml'}: {UNREAD['broken-yaml.yaml']}"
    code, err = build(tmp_path / "page.html", str(GOOD), "--against", str(old))
    assert (code, err) == (1, f"batch-contract report: {said}\n")
    page = (tmp_path / "page.html").read_text()
    assert f"<li><code>{html.escape(said)}</code></li>" in page
    assert "PASS" not in page
