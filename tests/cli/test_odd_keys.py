"""An odd `LLAMA_CLOUD_API_KEY` breaks no command (found by an outside audit): a key longer than
the masking builds every form of (350 characters raised RecursionError, 120 kB hung) is masked
verbatim; a value that cannot be a key (`1`, `"`, `"valid":`) masks nothing, so no count turns
into `***` and a JSON report stays JSON, and each command says so once on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
"""The repository: `cassettes/` holds the shipped cassettes."""
LONG_KEYS = {"350": ("llx-" + "aB3" * 117)[:350], "120kB": ("llx-" + "aB3" * 40_000)[:120_000]}
ODD_KEYS = ["1", "0", "\\", '"', "a", '"valid": ', 'summary"', "12345678"]
"""Too short, or made of what a report is made of (a JSON report's own `"valid": 64`)."""
COMMANDS = {
    "validate": ["validate", "--format", "json", "cassettes/"],
    "coverage": ["coverage", "--format", "json", "cassettes/"],
    "drift": ["drift", "--format", "json", "cassettes/", "cassettes/"],
}
NOTE = (
    "LLAMA_CLOUD_API_KEY is no key (under 8 characters, no letter, or a space, quote, backslash,"
    " bracket, comma or colon): the output is not masked\n"
)


def _run(args: list[str], key: str | None) -> subprocess.CompletedProcess[str]:
    """`batch-contract ARGS` in the repository, with `key` (or none) as the key."""
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CLOUD_API_KEY"}
    if key is not None:
        env["LLAMA_CLOUD_API_KEY"] = key
    script = "from batch_contract.cli.main import script; script()"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def keyless() -> dict[str, subprocess.CompletedProcess[str]]:
    """Each command's run without a key: what a key that is in no cassette must not change."""
    return {name: _run(args, None) for name, args in COMMANDS.items()}


@pytest.mark.parametrize("key", LONG_KEYS.values(), ids=LONG_KEYS.keys())
def test_a_long_key_reports_the_cassettes_as_without_it(
    key: str, keyless: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """With a key of 350 characters or of 120 kB, validate-status reports the shipped cassettes
    within the timeout exactly as without a key (before: a RecursionError traceback, a hang)."""
    done = _run(COMMANDS["validate"], key)
    expected = keyless["validate"]
    assert (done.returncode, done.stderr, done.stdout) == (0, "", expected.stdout)
    assert json.loads(done.stdout)["summary"]["documents"] == 64


@pytest.mark.parametrize(
    ("key", "reason"),
    [(LONG_KEYS["350"], "No such file or directory"), (LONG_KEYS["120kB"], "File name too long")],
    ids=LONG_KEYS.keys(),
)
def test_a_long_key_is_still_masked_verbatim_in_any_case(key: str, reason: str) -> None:
    """A path named by a key longer than the maximum, as it is or in upper case, is named with
    the key as `***`."""
    for shown in (key, key.upper()):
        done = _run(["validate", f"gone/{shown}.json"], key)
        assert (done.returncode, done.stderr) == (
            2,
            f"validate-status: gone/***.json: cannot read: {reason}\n",
        )


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_value_that_cannot_be_a_key_masks_nothing(
    key: str, command: str, keyless: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    """With a one-character key, or one that a JSON report's own text holds, the JSON report is
    valid JSON and exactly the report without a key (no count or quote turned into `***`), with
    exit 0, and stderr says once that the key is not masked."""
    done = _run(COMMANDS[command], key)
    expected = keyless[command]
    assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout)
    assert expected.returncode == 0
    json.loads(done.stdout)
    assert done.stderr == f"batch-contract {command}: {NOTE}"


def test_the_validate_status_script_says_it_once_too() -> None:
    """`validate-status` itself prints the note once, and its text summary keeps its counts."""
    env = {**os.environ, "LLAMA_CLOUD_API_KEY": "1"}
    script = "from batch_contract.cli.main import validate_script; validate_script()"
    done = subprocess.run(
        [sys.executable, "-c", script, "cassettes/"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.stderr == f"validate-status: {NOTE}"
    assert done.stdout.endswith("64 documents: 64 valid, 0 invalid, 1 warning\n")
