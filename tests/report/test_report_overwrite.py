"""`batch-contract report` refuses to write its page over one of its inputs (`report X.yaml -o
X.yaml` used to replace the cassette with HTML, exit 0): one line, exit 2, the input untouched."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from report_helpers import RECORDINGS, build

from batch_contract.report.command import main

CASSETTE = RECORDINGS / "backward" / "completed-then-running.yaml"


@pytest.mark.parametrize("against", [False, True], ids=["input", "against"])
@pytest.mark.parametrize("form", ["same-name", "dot-slash", "absolute", "symlink"])
def test_an_output_that_is_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str, against: bool
) -> None:
    """The output names a cassette given as PATH (or to --against), by its own name, another
    spelling of it or a symlink to it: refused in one line, exit 2, the cassette unchanged."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(CASSETTE, tmp_path / "c.yaml")
    before = (tmp_path / "c.yaml").read_bytes()
    output = {"same-name": "c.yaml", "dot-slash": "./c.yaml", "absolute": str(tmp_path / "c.yaml")}
    if form == "symlink":
        os.symlink("c.yaml", tmp_path / "page.html")
    out = output.get(form, "page.html")
    argv = [str(RECORDINGS / "backward"), "--against", "c.yaml"] if against else ["c.yaml"]
    err = io.StringIO()
    code = main([*argv, "-o", out], io.StringIO(), err)  # `out` as typed: no Path to tidy it
    also = "" if out == "c.yaml" else " (the same file as c.yaml)"
    assert (code, err.getvalue()) == (
        2,
        f"batch-contract report: {out} is one of the inputs{also}: the page would overwrite "
        "it; give another file name\n",
    )
    assert (tmp_path / "c.yaml").read_bytes() == before


def test_an_output_beside_the_input_is_written(tmp_path: Path) -> None:
    """Another file in the input's folder is no input: the page is written there as usual."""
    shutil.copy(CASSETTE, tmp_path / "c.yaml")
    code, _ = build(tmp_path / "c.html", str(tmp_path / "c.yaml"))
    assert code == 1  # the recording's job goes backwards
    assert (tmp_path / "c.html").read_text("utf-8").startswith("<!DOCTYPE html>")
