"""validate-status over a log of a deployment that echoed the key: with the key in
`LLAMA_CLOUD_API_KEY`, no report shows it in any form. The outputs are compared exactly with the
files of tests/examples/echoed-key, and checked by a detector that shares no code with the
package (tests/pytest_plugin/secrecy/canary.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.pytest_plugin.secrecy.canary import CANARY, holds_canary

FOLDER = Path(__file__).parents[1] / "examples" / "echoed-key"
EXPECTED = sorted(FOLDER.glob("*.out"))
"""The expected report in each format, by name (`text.out`...): no `.json`, so that no test
reading the examples' documents takes a report for one."""
COMMAND = ["--ndjson", "--profile", "strict", "log.ndjson"]


def _run(*args: str, key: str | None = CANARY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CLOUD_API_KEY"}
    if key is not None:
        env["LLAMA_CLOUD_API_KEY"] = key
    script = "from batch_contract.cli.main import validate_script; validate_script()"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=FOLDER, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("expected", EXPECTED, ids=[path.stem for path in EXPECTED])
def test_every_format_shows_the_echoed_key_as_stars(expected: Path) -> None:
    """Each format's report of the log (the key raw, in upper case, percent-encoded, in base64
    with a user, in hex, as HTML entities cut short, as JSON escapes, as an undocumented
    property's name) is exactly the expected file, and holds no form of the key."""
    done = _run(*COMMAND, "--format", expected.stem)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout == expected.read_text("utf-8")
    assert not holds_canary(done.stdout)


def test_without_the_key_the_log_shows_it() -> None:
    """Without `LLAMA_CLOUD_API_KEY` the report shows what the log holds (nothing tells the key
    from any other value): the examples do print the key, so the masking above is what hides it."""
    done = _run(*COMMAND, key=None)
    assert done.returncode == 1
    assert holds_canary(done.stdout)
    assert done.stdout != (FOLDER / "text.out").read_text("utf-8")


def test_the_jobs_engine_masks_as_one_process_does() -> None:
    """With `--jobs 2` the report is the same masked text."""
    done = _run(*COMMAND, "--jobs", "2")
    assert done.stdout == (FOLDER / "text.out").read_text("utf-8")


def test_a_message_on_stderr_shows_the_key_as_stars() -> None:
    """A path that holds the key and cannot be read is named with the key masked."""
    done = _run("--ndjson", "log.ndjson", f"gone/{CANARY}.json")
    assert done.returncode == 2
    assert done.stderr == "validate-status: gone/***.json: cannot read: No such file or directory\n"
