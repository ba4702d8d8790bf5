"""validate-status over a log of a deployment that echoed the key: with the key in
`LLAMA_CLOUD_API_KEY`, no report shows it in any form. The outputs are compared exactly with the
files of tests/examples/echoed-key, and checked by a detector that shares no code with the
package (tests/pytest_plugin/secrecy/canary.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from tests.pytest_plugin.secrecy.canary import CANARY, holds_canary

FOLDER = Path(__file__).parents[1] / "examples" / "echoed-key"
EXPECTED = sorted(FOLDER.glob("*.out"))
"""The expected report in each format, by name (`text.out`...): no `.json`, so that no test
reading the examples' documents takes a report for one."""
COMMAND = ["--ndjson", "--profile", "strict", "log.ndjson"]


def _run(
    *args: str, key: str | None = CANARY, cwd: Path = FOLDER
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CLOUD_API_KEY"}
    if key is not None:
        env["LLAMA_CLOUD_API_KEY"] = key
    script = "from batch_contract.cli.main import validate_script; validate_script()"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("expected", EXPECTED, ids=[path.stem for path in EXPECTED])
def test_every_format_shows_the_echoed_key_as_stars(expected: Path) -> None:
    """Each format's report of the log (the key raw, in upper case, percent-encoded, in base64
    with a user, in hex, as HTML entities cut short, as JSON escapes, as an undocumented
    property's name in base64 and as a compressed bytes literal, as a duplicate key) is exactly
    the expected file, and holds no form of the key, also where the json format escapes a
    literal's backslashes once more, twice for a message it quotes."""
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


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_file_named_by_the_key_is_named_with_stars(tmp_path: Path, fmt: str) -> None:
    """A file whose name is the key in hex with colons, or a compressed bytes literal of it,
    is named as `***` in every format: also where a GitHub annotation writes `:` as `%3A` and
    `,` as `%2C`, and a JSON report escapes the literal's backslashes."""
    hex_colons = ":".join(f"{byte:02x}" for byte in CANARY.encode())
    literal = repr(zlib.compress(("x" * 5 + CANARY).encode()))  # one that holds no "/"
    assert "/" not in literal
    for name in (hex_colons, literal):
        (tmp_path / f"{name}.json").write_text("{}", "utf-8")
    done = _run("--format", fmt, hex_colons + ".json", literal + ".json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, "")
    assert not holds_canary(done.stdout), done.stdout
    assert done.stdout.count("***.json") == 4 if fmt != "json" else 2
