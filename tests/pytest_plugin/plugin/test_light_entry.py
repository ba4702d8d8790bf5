"""The pytest11 entry points stay light: an unrelated suite loads nothing heavy, the contract
suite loads when a run needs it, and without the `[suite]` extra that need is one line."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from batch_contract import suite
from batch_contract.pytest_plugin import entry as pytest_entry

ROOT = Path(__file__).resolve().parents[3]
HEAVY = (
    "httpx",
    "vcr",
    "pytest_recording",
    "schemathesis",
    "hypothesis",
    "starlette",
    "uvicorn",
    "jsonschema",
    "jsonschema_rs",
    "orjson",
    "msgspec",
    "yaml",
    "batch_contract.pytest_plugin.plugin",
    "batch_contract.pytest_plugin.schemathesis_support",
)
"""Modules an unrelated pytest run must not import because batch-contract is installed."""
MISSING = (
    "batch-contract: {what} needs the [suite] extra (schemathesis not installed): "
    "pip install 'batch-contract[suite]'"
)


def test_entry_points_are_the_light_modules() -> None:
    """pyproject.toml registers exactly the light entry and the fixtures as pytest plugins."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {
        "batch_contract": "batch_contract.pytest_plugin.entry",
        "batch_contract_fixtures": "batch_contract.pytest_plugin.fixtures",
    }


def test_base_dependencies_leave_the_suite_to_its_extra() -> None:
    """The base install has no dependency of the contract suite; the [suite] extra has them all."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"]).lower()
    extra = " ".join(project["optional-dependencies"]["suite"]).lower()
    for name in ("httpx", "starlette", "uvicorn", "vcrpy", "pytest-recording", "schemathesis"):
        assert name not in base
        assert name in extra


def _run_isolated(tmp_path: Path, test: str, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a fresh process with only batch-contract's entry plugins, on one test file."""
    (tmp_path / "test_one.py").write_text(test)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    plugins = (
        "-p",
        "batch_contract.pytest_plugin.entry",
        "-p",
        "batch_contract.pytest_plugin.fixtures",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_unrelated_suite_imports_nothing_heavy(tmp_path: Path) -> None:
    """A one-test suite of another project runs with batch-contract's plugins and none of the
    suite's dependencies, engines or plugins get imported."""
    result = _run_isolated(
        tmp_path,
        "import sys\n\n"
        "def test_one():\n"
        f"    assert [m for m in {HEAVY!r} if m in sys.modules] == []\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_assert_batch_status_needs_no_suite(tmp_path: Path) -> None:
    """The assert_batch_status fixture works without loading the contract suite's plugins."""
    suite_plugins = ("httpx", "schemathesis", "vcr", "batch_contract.pytest_plugin.plugin")
    result = _run_isolated(
        tmp_path,
        "import sys\n\n"
        "def test_one(assert_batch_status, batch_status_schema):\n"
        "    assert batch_status_schema['type'] == 'object'\n"
        '    body = assert_batch_status(\'{"job": {"id": "bjb-1", "job_type": "parse", '
        '"project_id": "p", "status": "running", "total_items": 1}, '
        '"progress_percentage": 0}\')\n'
        "    assert body['job']['status'] == 'running'\n"
        f"    assert [m for m in {suite_plugins!r} if m in sys.modules] == []\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_contract_fixtures_are_the_plugins_fixtures() -> None:
    """The names that mark a contract test are the fixtures of batch_contract.pytest_plugin.plugin,
    plus the job ids it parametrizes."""
    tree = ast.parse((ROOT / "src" / "batch_contract" / "pytest_plugin" / "plugin.py").read_text())
    fixtures = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
    }
    assert fixtures | {"status_job_id", "lifecycle_job_id"} == pytest_entry.CONTRACT_FIXTURES


@pytest.fixture
def no_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    """The [suite] extra looks uninstalled (schemathesis missing)."""
    monkeypatch.setattr(suite, "missing_modules", lambda: ["schemathesis"])


@pytest.mark.usefixtures("no_suite")
def test_a_suite_option_without_the_extra_is_one_line(pytester: pytest.Pytester) -> None:
    """--contract-reference without the [suite] extra stops the run with one line naming the
    extra."""
    pytester.makepyfile(test_own="def test_one():\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--contract-reference")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == "ERROR: " + MISSING.format(
        what="--contract-reference (the contract suite)"
    )


@pytest.mark.usefixtures("no_suite")
def test_a_contract_test_without_the_extra_is_one_line(pytester: pytest.Pytester) -> None:
    """A collected test asking for a contract fixture, without the extra, stops the run in one
    line; an unrelated test beside it changes nothing."""
    pytester.makepyfile(
        test_own="def test_one():\n    pass\n",
        test_contract="def test_target(contract_target):\n    pass\n",
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    what = "test_contract.py::test_target (a contract test)"
    assert result.stderr.lines[0] == "ERROR: " + MISSING.format(what=what)


@pytest.mark.usefixtures("no_suite")
def test_the_contract_suite_without_the_extra_is_one_line(pytester: pytest.Pytester) -> None:
    """`pytest contract_tests` without the extra: its conftest stops the run in one line."""
    result = pytester.runpytest_inprocess(str(ROOT / "contract_tests"), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == "ERROR: " + MISSING.format(what="the contract suite")


@pytest.mark.usefixtures("no_suite")
def test_the_reference_server_fixture_without_the_extra_fails_in_one_line(
    pytester: pytest.Pytester,
) -> None:
    """batch_reference_server without the extra fails its test with one line naming the extra."""
    pytester.makepyfile(test_server="def test_one(batch_reference_server):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert MISSING.format(what="the batch_reference_server fixture") in result.outlines
    assert "During handling" not in result.stdout.str()


def test_serve_without_the_extra_is_one_line() -> None:
    """`batch-contract serve` without the extra exits 2 with one line naming the extra."""
    code = (
        "import sys\n"
        "from batch_contract import suite\n"
        "suite.missing_modules = lambda: ['starlette']\n"
        "from batch_contract.cli.main import main\n"
        "sys.exit(main(['serve', '--list-jobs']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr == (
        "batch-contract serve: batch-contract's reference server needs the [suite] extra "
        "(starlette not installed): pip install 'batch-contract[suite]'\n"
    )
