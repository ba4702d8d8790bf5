"""Small things a new user trips on: `[dev]` is every extra, a `.venv` left as a file (tox 4
writes one) is ignored by git and does not stop `.ci/run`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_dev_installs_every_other_extra() -> None:
    """`[dev]` names each other extra (`[suite]`, `[sdk]`, `[bench]`, `[mutation]`), as the README
    says."""
    extras = set(PROJECT["optional-dependencies"]) - {"dev"}
    [own] = [d for d in PROJECT["optional-dependencies"]["dev"] if d.startswith("batch-contract[")]
    assert set(own.removeprefix("batch-contract[").removesuffix("]").split(",")) == extras


def test_git_ignores_a_venv_file_and_folder(tmp_path: Path) -> None:
    """`.venv` is ignored whether it is a folder or a file."""
    for name in (".venv", ".venv/bin/python"):
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, check=False
        )
        assert done.returncode == 0, name


FAKE_PYTHON3 = """#!/usr/bin/env bash
# stands in for `python3 -m venv DIR`: the folder, and an activate script whose `python` logs
[ "$1 $2" = "-m venv" ] || exit 9
mkdir "$3" || exit 8
mkdir "$3/bin"
echo 'python() { echo "python $*" >> "$CI_LOG"; }' > "$3/bin/activate"
"""


def test_ci_run_replaces_a_venv_file(tmp_path: Path) -> None:
    """With a `.venv` FILE at the root, `.ci/run` makes its venv folder anyway and runs the
    README's test command in it (python3 and the venv's python are stand-ins that log)."""
    (tmp_path / ".ci").mkdir()
    shutil.copy2(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / ".venv").write_text(".tox/lint\n")
    fakes = tmp_path / "bin"
    fakes.mkdir()
    (fakes / "python3").write_text(FAKE_PYTHON3)
    (fakes / "python3").chmod(0o755)
    log = tmp_path / "log"
    env = {**os.environ, "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}", "CI_LOG": str(log)}
    done = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / ".venv").is_dir()
    assert log.read_text().splitlines() == [
        "python -m pip install --quiet --upgrade pip",
        "python -m pip install -e .[dev]",
        "python -m pytest",
        "python -m pytest contract_tests --reference",
    ]


def test_the_readme_names_what_n_auto_needs() -> None:
    """`-n` is pytest-xdist's, which `[suite]` does not bring: each README paragraph that shows
    `-n auto` names pytest-xdist (a `[suite]` user who ran it as written got `unrecognized
    arguments: -n`)."""
    assert not any(d.startswith("pytest-xdist") for d in PROJECT["optional-dependencies"]["suite"])
    paragraphs = (ROOT / "README.md").read_text().split("\n\n")
    shown = [p for p in paragraphs if "-n auto" in p]
    assert shown
    assert [p for p in shown if "pytest-xdist" not in p] == []
