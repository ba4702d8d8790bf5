"""A folder walk never drops a cassette without a word. Each malformed cassette
(tests/examples/malformed-cassettes, among them a cassette cut short before its `version: 1`, one
whose `interactions` key is misspelt, and one with a key vcrpy does not write) sits beside a good
cassette in a folder: `validate-status`, `batch-contract coverage` and `batch-contract report`
each give it the one line `validate-status` gives it when named directly, with their documented
exit code (1, 2 and 1), and still read the good one. They used to pass over a YAML file that was
not exactly vcrpy's shape (validate-status: "1 document: 1 valid", exit 0). A YAML file that is
clearly no cassette (tests/examples/not-cassettes: a pre-commit config, a docker-compose file with
`version: "3.8"`, an OpenAPI document, a list) is still passed over by all three, as
docs/validate-status.md says. Each command runs as a user runs it, its own process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "examples"
MALFORMED = sorted((EXAMPLES / "malformed-cassettes").glob("*.yaml"))
NOT_CASSETTES = sorted((EXAMPLES / "not-cassettes").iterdir())
GOOD = next((ROOT / "tests" / "coverage" / "examples" / "one-completed").glob("*.yaml"))
BIN = Path(sys.executable).parent
SHAPE_WORDS = {
    "version-missing.yaml": "not a vcrpy cassette (no 'version' key)",
    "interactions-misspelt.yaml": (
        "not a vcrpy cassette (no 'interactions' list; unexpected key 'interaction')"
    ),
    "key-unexpected.yaml": "not a vcrpy cassette (unexpected key 'recorded_with')",
}
"""The cassettes not of vcrpy's shape, and the words that name what is wrong with each."""


def command(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """An installed console script (`validate-status` or `batch-contract ...`), run in `cwd`."""
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def folder_with(tmp_path: Path, example: Path) -> Path:
    """`cassettes/`: the good cassette and `example` under its own name."""
    folder = tmp_path / "cassettes"
    folder.mkdir()
    shutil.copy(GOOD, folder / GOOD.name)
    shutil.copy(example, folder / example.name)
    return folder


@pytest.mark.parametrize("name", SHAPE_WORDS)
def test_named_directly_the_words_say_what_is_wrong(tmp_path: Path, name: str) -> None:
    """A cassette that has its `interactions` list but lost `version` is not called one with "no
    'interactions' list": the line names what is missing and what is unexpected; exit 1."""
    shutil.copy(EXAMPLES / "malformed-cassettes" / name, tmp_path / name)
    done = command(tmp_path, "validate-status", name)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        f"{name}: {SHAPE_WORDS[name]}\n1 document: 0 valid, 1 invalid\n",
        "",
    )


@pytest.mark.parametrize("example", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_validate_status_names_it_in_a_folder(tmp_path: Path, example: Path) -> None:
    """`validate-status cassettes/`: the line it gives the file named directly, exit 1, and the
    good cassette still counted (2 documents)."""
    folder_with(tmp_path, example)
    odd = f"cassettes/{example.name}"
    said = command(tmp_path, "validate-status", odd).stdout.splitlines()[0]
    assert said.startswith(f"{odd}:"), said
    done = command(tmp_path, "validate-status", "cassettes")
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        f"{said}\n2 documents: 1 valid, 1 invalid\n",
        "",
    )


@pytest.mark.parametrize("example", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_coverage_and_report_name_it_in_a_folder(tmp_path: Path, example: Path) -> None:
    """`batch-contract coverage cassettes/` (exit 2) and `batch-contract report cassettes/`
    (exit 1): the same line on stderr after the command's name, and the good cassette counted."""
    folder_with(tmp_path, example)
    odd = f"cassettes/{example.name}"
    said = command(tmp_path, "validate-status", odd).stdout.splitlines()[0]
    counted = command(tmp_path, "batch-contract", "coverage", "cassettes", "--format", "json")
    assert (counted.returncode, counted.stderr) == (2, f"batch-contract coverage: {said}\n")
    assert '"responses": 1' in counted.stdout
    shown = command(tmp_path, "batch-contract", "report", "cassettes", "-o", "page.html")
    assert (shown.returncode, shown.stderr) == (1, f"batch-contract report: {said}\n")


@pytest.mark.parametrize("example", NOT_CASSETTES, ids=[p.name for p in NOT_CASSETTES])
def test_a_yaml_file_that_is_no_cassette_is_passed_over(tmp_path: Path, example: Path) -> None:
    """Beside a good cassette, a YAML file that is clearly no cassette (no `interactions` key,
    no whole-number `version`) is passed over by validate-status, coverage and report: exit 0,
    nothing on stderr. Named directly, validate-status refuses it in one line, exit 1."""
    folder_with(tmp_path, example)
    checked = command(tmp_path, "validate-status", "cassettes")
    assert (checked.returncode, checked.stdout, checked.stderr) == (
        0,
        "1 document: 1 valid, 0 invalid\n",
        "",
    )
    counted = command(tmp_path, "batch-contract", "coverage", "cassettes")
    assert (counted.returncode, counted.stderr) == (0, "")
    shown = command(tmp_path, "batch-contract", "report", "cassettes", "-o", "page.html")
    assert (shown.returncode, shown.stderr) == (0, "")
    named = command(tmp_path, "validate-status", f"cassettes/{example.name}")
    assert (named.returncode, named.stdout) == (
        1,
        f"cassettes/{example.name}: not a vcrpy cassette (no 'interactions' list)\n"
        "1 document: 0 valid, 1 invalid\n",
    )
