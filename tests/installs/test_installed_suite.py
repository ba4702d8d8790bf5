"""The contract suite runs from an install, with no checkout: in a fresh venv holding
`pip install '<checkout>[suite]'`, run from a folder outside the checkout, `batch-contract test`
replays the shipped cassettes, runs against the reference server (`--reference`) and a live
deployment (`--live`, the reference server standing in for staging), records into the user's own
folder and replays that folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from batch_contract.server import running_server

ROOT = Path(__file__).resolve().parents[2]
Venv = Any  # tests/conftest.py's Venv: a fresh virtual environment

pytestmark = pytest.mark.install
QUIET = ("-q", "-p", "no:cacheprovider")


def _test(venv: Venv, cwd: Path, *args: str, expect: str = " passed", **env: str) -> str:
    """`batch-contract test ARGS` in `cwd`; the run must be green. Returns its output."""
    result = venv.run(venv.bin("batch-contract"), "test", *QUIET, *args, cwd=cwd, **env)
    assert result.returncode == 0, result.stdout
    assert expect in result.stdout, result.stdout
    assert " failed" not in result.stdout, result.stdout
    return result.stdout


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A user's project folder, outside the checkout."""
    assert not tmp_path.is_relative_to(ROOT)
    return tmp_path


def test_the_installed_copy_is_collected(suite_venv: Venv, outside: Path) -> None:
    """The tests collected are the wheel's copy of contract_tests/, not the checkout's (node ids
    relative to / show where each file is)."""
    out = _test(suite_venv, outside, "--collect-only", "--rootdir", "/", expect="collected")
    site = suite_venv.path.relative_to("/")
    assert f"{site}/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages/" in out
    assert "/site-packages/batch_contract/_suite/contract_tests/test_status.py::" in out
    assert str(ROOT) not in out


def test_replay_of_the_shipped_cassettes(suite_venv: Venv, outside: Path) -> None:
    """With no argument, the shipped cassettes are replayed and every test passes."""
    out = _test(suite_venv, outside)
    assert "schemathesis tests deselected" in out


def test_reference(suite_venv: Venv, outside: Path) -> None:
    """`--reference` starts the embedded reference server and every test passes, schemathesis's
    among them, and the user's folder is left as it was (no `.hypothesis/`: pytest's own cache is
    off in these runs)."""
    _test(suite_venv, outside, "--reference")
    assert sorted(outside.iterdir()) == []


def test_a_named_hypothesis_folder_is_used(suite_venv: Venv, outside: Path) -> None:
    """A user who names Hypothesis's folder (HYPOTHESIS_STORAGE_DIRECTORY) finds its cache there."""
    storage = outside / "mine"
    _test(
        suite_venv,
        outside,
        "--reference",
        "-k",
        "schemathesis",
        HYPOTHESIS_STORAGE_DIRECTORY=str(storage),
    )
    assert [path.name for path in outside.iterdir()] == ["mine"]
    assert any(storage.iterdir())


def test_live(suite_venv: Venv, outside: Path) -> None:
    """`--live` with the key in LLAMA_CLOUD_API_KEY, a base URL and a job id checks that
    deployment."""
    with running_server() as server:
        _test(
            suite_venv,
            outside,
            "--live",
            "--base-url",
            server.base_url,
            "--job-id",
            server.static_job_ids[0],
            "--st-max-examples",
            "2",
            LLAMA_CLOUD_API_KEY=server.api_key.get_secret_value(),
        )


def test_recording_into_a_folder_then_replaying_it(suite_venv: Venv, outside: Path) -> None:
    """`--reference --record-mode=rewrite --cassette-dir DIR` records into the user's folder (and
    nowhere else), and `--cassette-dir DIR` replays it."""
    out = _test(
        suite_venv, outside, "--reference", "--record-mode=rewrite", "--cassette-dir", "mine"
    )
    assert "recorded" in out
    recorded = sorted((outside / "mine").rglob("*.yaml"))
    assert len(recorded) > 50
    assert sorted(outside.rglob("*.yaml")) == recorded
    _test(suite_venv, outside, "--cassette-dir", "mine")


def test_help_names_the_modes(suite_venv: Venv, outside: Path) -> None:
    """`batch-contract test --help` names each mode's command."""
    result = suite_venv.run(suite_venv.bin("batch-contract"), "test", "--help", cwd=outside)
    assert result.returncode == 0
    for mode in ("--reference", "--live", "--record-mode=rewrite", "--cassette-dir"):
        assert mode in result.stdout
