"""The pre-commit hooks check what they claim, with the real pre-commit: in a throwaway
repository whose `.pre-commit-config.yaml` is the README's (the hook scoped with `files:`), an
NDJSON log holding one bad line fails the hook on that line, an unrelated JSON file outside the
scope is left alone, and the same log fixed passes.

pre-commit builds the hook's environment with pip (the light package from a copy of this
checkout), so this test needs the package index pip is configured with, as any pre-commit user
does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.install
ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
JOB = {"id": "bjb-1", "job_type": "parse", "project_id": "p", "status": "running"}
GOOD = {"job": {**JOB, "total_items": 10, "processed_items": 5}, "progress_percentage": 50}


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _hook_repository(folder: Path) -> str:
    """A git repository holding this checkout's tracked files as they are now; its commit."""
    for name in _git(ROOT, "ls-files").splitlines():
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "hooks")
    return _git(folder, "rev-parse", "HEAD")


def readme_config() -> str:
    """The README's pre-commit configuration block (the yaml block naming the hook)."""
    found = re.findall(r"^```yaml\n(.*?)^```", README.read_text(), flags=re.S | re.M)
    blocks = [block for block in found if "id: validate-status" in block]
    assert len(blocks) == 1, found
    return blocks[0]


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The hook repository and its commit."""
    folder = tmp_path_factory.mktemp("hooks")
    return folder, _hook_repository(folder)


def _run_pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_a_bad_ndjson_line_fails_the_hook(hooks: tuple[Path, str], tmp_path: Path) -> None:
    """`pre-commit run --all-files` with the README's config fails on the NDJSON log's bad line
    (line 3 of 4) and names it; `package.json`, outside `files:`, is not read, nor are a README
    and a CSV file inside the scoped folder (a `files:` of the user's replaces the hook's own
    filter, so the README's pattern keeps the names the hook reads); fixed, it passes."""
    folder, commit = hooks
    config = readme_config()
    config = re.sub(r"repo: \S+", f"repo: {folder}", config)
    config = re.sub(r"rev: \S+", f"rev: {commit}", config)
    repo = tmp_path / "project"
    (repo / "tests" / "fixtures").mkdir(parents=True)
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "package.json").write_text('{"name": "not a status response"}\n')
    (repo / "tests" / "fixtures" / "README.md").write_text("# Recorded responses\n")
    (repo / "tests" / "fixtures" / "jobs.csv").write_text("id,status\nbjb-1,running\n")
    lines = [json.dumps(GOOD)] * 4
    lines[2] = json.dumps({**GOOD, "progress_percentage": 101})
    log = repo / "tests" / "fixtures" / "log.ndjson"
    log.write_text("\n".join(lines) + "\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")

    failed = _run_pre_commit(repo, tmp_path / "home")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "tests/fixtures/log.ndjson:3::$.progress_percentage: expected a number <= 100, "
        "found number 101"
    ) in failed.stdout
    assert "4 documents: 3 valid, 1 invalid" in failed.stdout
    for name in ("package.json", "README.md", "jobs.csv"):
        assert name not in failed.stdout

    lines[2] = json.dumps(GOOD)
    log.write_text("\n".join(lines) + "\n")
    _git(repo, "add", "-A")
    passed = _run_pre_commit(repo, tmp_path / "home")
    assert passed.returncode == 0, passed.stdout + passed.stderr
