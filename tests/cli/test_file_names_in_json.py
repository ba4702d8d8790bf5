"""A file name that is not UTF-8 in `--format json`: the report stays one JSON document that a
strict UTF-8 reader parses, with the name written as the text report shows it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WARNED = Path(__file__).parent.parent.parent / "docs" / "example-response.json"
"""Valid, with a rule warning: the text report prints a line naming the file."""
SCRIPT = str(Path(sys.executable).parent / "validate-status")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_name_that_is_not_utf8_is_written_escaped(tmp_path: Path, jobs: str) -> None:
    """`x<0xff>.json` and `é<0xfe>.json` in a folder: stdout is valid UTF-8 and one JSON document
    whose sources are `x\\udcff.json` and `é\\udcfe.json` (the six characters of the escape, as
    the text report prints them), in one process and under `--jobs`. The raw byte used to be
    written, and no JSON reader could read the report."""
    folder = tmp_path / "d"
    folder.mkdir()
    for name in (b"x\xff.json", "é".encode() + b"\xfe.json"):
        shutil.copy(WARNED, os.path.join(os.fsencode(folder), name))
    done = subprocess.run(
        [SCRIPT, "d", "--format", "json", "--jobs", jobs],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.decode("utf-8"))
    assert sorted(entry["source"] for entry in report["results"]) == sorted(
        ["d/x\\udcff.json", "d/\u00e9\\udcfe.json"]
    )
    text = subprocess.run(
        [SCRIPT, "d", "--format", "text"], cwd=tmp_path, capture_output=True, timeout=120
    )
    shown = {line.split(b"::")[0].decode("utf-8") for line in text.stdout.splitlines()[:-1]}
    assert shown == {"d/x\\udcff.json", "d/\u00e9\\udcfe.json"}
