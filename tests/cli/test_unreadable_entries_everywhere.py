"""A folder entry that cannot be read is named by `batch-contract coverage`, `report`, `drift` and
`watch --recordings` as `validate-status` names it: one line for each (a subfolder without
permission, a dangling link, a FIFO, a cassette that cannot be loaded), exit 2, and the rest still
read. They used to skip an unreadable subfolder without a word (exit 0), and drift and watch
stopped at the first bad entry. Each command runs as a user runs it, its own process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXAMPLES = ROOT / "tests" / "examples"
MALFORMED = EXAMPLES / "malformed-cassettes"
ONE_COMPLETED = ROOT / "tests" / "coverage" / "examples" / "one-completed"
OLD = ROOT / "tests" / "drift" / "old"
SETPRIV = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
SETPRIV += ["--inh-caps", "-dac_override,-dac_read_search"]
"""Root without the capabilities that let it read any file or folder: chmod 000 then holds."""


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The prefix of a command line under which a chmod 000 folder cannot be listed: nothing for
    a user other than root; for root (who reads chmod 000 folders), setpriv dropping
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. Skips only when chmod 000 still cannot be made to
    hold (checked by listing such a folder)."""
    prefix = SETPRIV if os.geteuid() == 0 else []
    probe = tmp_path_factory.mktemp("probe") / "locked"
    probe.mkdir()
    probe.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", "import os, sys; os.listdir(sys.argv[1])", str(probe)],
            capture_output=True,
            check=False,
        )
    except OSError:
        pytest.skip("running as root and setpriv is missing: chmod 000 does not hold")
    finally:
        probe.chmod(0o755)
    if done.returncode == 0:
        pytest.skip("chmod 000 does not hold for this user, even through setpriv")
    return prefix


def command(prefix: list[str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """An installed console script (`validate-status` or `batch-contract ...`), run in `cwd`."""
    return subprocess.run(
        [*prefix, str(BIN / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """`s1/`: a body and a cassette in `s1/ok/`, and `s1/sub/` (a body) made chmod 000."""
    s1 = tmp_path / "s1"
    (s1 / "ok").mkdir(parents=True)
    (s1 / "sub").mkdir()
    shutil.copy(EXAMPLES / "valid" / "completed.json", s1 / "ok" / "a.json")
    shutil.copy(EXAMPLES / "valid" / "completed.json", s1 / "sub" / "b.json")
    shutil.copy(next(ONE_COMPLETED.glob("*.yaml")), s1 / "ok" / "c.yaml")
    (s1 / "sub").chmod(0)
    yield s1
    if (s1 / "sub").exists():
        (s1 / "sub").chmod(0o755)  # pytest can then remove it


COMMANDS = {
    "coverage": (["batch-contract", "coverage", "s1"], 1),
    "report": (["batch-contract", "report", "s1", "-o", "page.html"], 1),
    "drift": (["batch-contract", "drift", "s1", "s1"], 2),
}
"""Each command on the folder, and how many times it reads it."""


@pytest.mark.parametrize("name", COMMANDS)
def test_an_unreadable_subfolder_is_one_line_and_exit_2(
    unprivileged: list[str], locked: Path, name: str
) -> None:
    """`s1/sub` chmod 000: validate-status's line, `s1/sub: cannot read: Permission denied`,
    after the command's name (once for each time the folder is read), exit 2, and the report of
    the rest printed as without the subfolder (report: no page, as for any path it cannot
    read)."""
    argv, times = COMMANDS[name]
    cwd = locked.parent
    checked = command(unprivileged, cwd, "validate-status", "--quiet", "s1")
    assert (checked.returncode, checked.stderr) == (
        2,
        "validate-status: s1/sub: cannot read: Permission denied\n",
    )
    done = command(unprivileged, cwd, *argv)
    assert (done.returncode, done.stderr) == (
        2,
        f"batch-contract {name}: s1/sub: cannot read: Permission denied\n" * times,
    )
    (locked / "sub").chmod(0o755)
    shutil.rmtree(locked / "sub")
    without = command(unprivileged, cwd, *argv)
    assert (without.returncode, without.stderr) == (0, "")
    assert done.stdout == without.stdout


BAD_ENTRIES = {
    "broken-yaml.yaml": "not a readable YAML cassette: ParserError at line 3",
    "interactions-null.yaml": "not a vcrpy cassette ('interactions' is not a list)",
    "request-a-number.yaml": "interactions[0]: unreadable cassette interaction: request: not a "
    "mapping",
}
"""Malformed examples put into one folder, and validate-status's words for each."""


def bad_folder(folder: Path) -> Path:
    """`folder`: OLD's cassettes, three malformed ones, a dangling link and a FIFO."""
    shutil.copytree(OLD, folder)
    for name in BAD_ENTRIES:
        shutil.copy(MALFORMED / name, folder / name)
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")
    os.mkfifo(folder / "fifo.yaml")
    return folder


def clear(folder: Path) -> None:
    """Removes from `folder` what `bad_folder` put beside OLD's cassettes."""
    for name in [*BAD_ENTRIES, "dangling.yaml", "fifo.yaml"]:
        (folder / name).unlink()


def test_drift_names_every_bad_cassette_and_compares_the_rest(tmp_path: Path) -> None:
    """NEW holding three malformed cassettes, a dangling link and a FIFO: one line for each, in
    path order, exit 2, and OLD's cassettes beside them compared as without them. Drift used to
    name only the first and compare nothing."""
    bad_folder(tmp_path / "new")
    done = command([], tmp_path, "batch-contract", "drift", str(OLD), "new")
    prefix = "batch-contract drift: new/"
    assert (done.returncode, done.stderr) == (
        2,
        f"{prefix}broken-yaml.yaml: {BAD_ENTRIES['broken-yaml.yaml']}\n"
        f"{prefix}dangling.yaml: not a readable vcrpy cassette (No such file or directory)\n"
        f"{prefix}fifo.yaml: not a readable vcrpy cassette (not a regular file)\n"
        f"{prefix}interactions-null.yaml: {BAD_ENTRIES['interactions-null.yaml']}\n"
        f"{prefix}request-a-number.yaml:{BAD_ENTRIES['request-a-number.yaml']}\n",
    )
    clear(tmp_path / "new")
    assert done.stdout == command([], tmp_path, "batch-contract", "drift", str(OLD), "new").stdout


def test_watch_recordings_names_every_bad_entry_and_counts_the_rest(tmp_path: Path) -> None:
    """`watch --recordings` on the same folder: validate-status's line for each bad entry (the
    malformed cassettes too, which it used to skip without a word), exit 2, and the findings of
    the rest printed as without them. It used to stop at the first unreadable entry."""
    bad_folder(tmp_path / "rec")
    spec = ROOT / "src" / "batch_contract" / "watch" / "baseline" / "provider-openapi.json"
    argv = ["batch-contract", "watch", "--spec", str(spec), "--recordings", "rec"]
    done = command([], tmp_path, *argv)
    prefix = "batch-contract watch: rec/"
    assert (done.returncode, done.stderr) == (
        2,
        f"{prefix}broken-yaml.yaml: {BAD_ENTRIES['broken-yaml.yaml']}\n"
        f"{prefix}dangling.yaml: cannot read: No such file or directory\n"
        f"{prefix}fifo.yaml: not a regular file\n"
        f"{prefix}interactions-null.yaml: {BAD_ENTRIES['interactions-null.yaml']}\n"
        f"{prefix}request-a-number.yaml:{BAD_ENTRIES['request-a-number.yaml']}\n",
    )
    clear(tmp_path / "rec")
    assert done.stdout == command([], tmp_path, *argv).stdout
