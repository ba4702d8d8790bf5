"""Fresh virtual environments holding this checkout as a user installs it, for the tests that
prove what an install does outside the checkout (foreign suites, the installed contract suite,
the README's examples, the pre-commit hooks).

Each install is made once per test session (in a temporary folder, outside the checkout) with
the ordinary `python -m venv` and `pip install`; pip reads its index settings from the
environment as any user's would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Venv:
    """One virtual environment and how to run its programs."""

    path: Path

    def bin(self, name: str) -> str:
        """The path of one of its scripts (`python`, `pytest`, `batch-contract`, ...)."""
        return str(self.path / "bin" / name)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of its programs: its scripts first on PATH, nothing of ours imported
        by accident (no PYTHONPATH, no plugin of the checkout's environment)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
        env["PATH"] = str(self.path / "bin") + os.pathsep + os.environ.get("PATH", "")
        env["VIRTUAL_ENV"] = str(self.path)
        return {**env, **extra}

    def run(
        self, *args: str, cwd: Path, timeout: float = 600, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """Runs a command with this environment active; stderr joins stdout."""
        return subprocess.run(
            list(args),
            cwd=cwd,
            env=self.env(**extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )


def make_venv(folder: Path, *requirements: str) -> Venv:
    """A fresh venv in `folder` with `requirements` installed by pip (from the checkout's path)."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    venv = Venv(folder)
    done = venv.run(
        venv.bin("python"), "-m", "pip", "install", "--quiet", *requirements, cwd=folder.parent
    )
    assert done.returncode == 0, done.stdout
    return venv


@pytest.fixture(scope="session")
def light_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The light install (`pip install batch-contract`) with pytest beside it, as a project
    that has its own test suite would have."""
    return make_venv(tmp_path_factory.mktemp("light") / "venv", str(ROOT), "pytest")


@pytest.fixture(scope="session")
def suite_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The `[suite]` install (`pip install 'batch-contract[suite]'`)."""
    return make_venv(tmp_path_factory.mktemp("suite") / "venv", f"{ROOT}[suite]")


@pytest.fixture(scope="session")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The `[sdk]` install: the light package and the official SDK, as the guard's users have."""
    return make_venv(tmp_path_factory.mktemp("sdk") / "venv", f"{ROOT}[sdk]")


@pytest.fixture(scope="session")
def bench_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The `[bench]` install, the one the README and docs/performance.md name for the
    benchmarks."""
    return make_venv(tmp_path_factory.mktemp("bench") / "venv", f"{ROOT}[bench]")


@pytest.fixture(params=["light", "suite"])
def any_install(request: pytest.FixtureRequest) -> Venv:
    """The light install, then the `[suite]` one."""
    venv: Venv = request.getfixturevalue(f"{request.param}_venv")
    return venv
