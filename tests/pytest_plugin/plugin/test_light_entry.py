"""The pytest11 entry points stay light: an unrelated suite loads nothing heavy, the contract
suite loads when a run asks for it (its options, its conftest), and without the `[suite]` extra
that need is one line (foreign projects using our fixtures' names: test_foreign_projects.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from batch_contract import suite

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


FOREIGN_FIXTURES = """
import pytest

NAMES = (
    "contract_target", "contract_profile", "poll_settings", "contract_http", "contract_client",
    "contract_rule_levels", "contract_vcr_config", "contract_cassette_dir", "unknown_job_id",
    "status_job_id", "lifecycle_job_id",
)


def own(name):
    @pytest.fixture(name=name)
    def fixture():
        return f"ours: {name}"

    return fixture


for name in NAMES:
    globals()[name] = own(name)
"""
"""A foreign project's conftest with fixtures named like the contract suite's, and like the job
ids it parametrizes (each returns `ours: NAME`)."""
FOREIGN_TEST = """
import sys

def test_own(contract_target, contract_profile, poll_settings, contract_http, contract_client,
             contract_rule_levels, contract_vcr_config, contract_cassette_dir, unknown_job_id,
             status_job_id, lifecycle_job_id):
    values = [contract_target, contract_profile, poll_settings, contract_http, contract_client,
              contract_rule_levels, contract_vcr_config, contract_cassette_dir, unknown_job_id,
              status_job_id, lifecycle_job_id]
    assert values == [f"ours: {name}" for name in test_own.__code__.co_varnames[:11]]
    assert [m for m in HEAVY if m in sys.modules] == []
"""


def test_a_foreign_projects_fixtures_named_like_ours_stay_its_own(tmp_path: Path) -> None:
    """A foreign project whose fixtures share the contract suite's names, with a recorded
    `cassettes/status/` of its own: with the [suite] extra installed its test runs once, with its
    own values, and nothing of the suite is imported (no vcrpy, no httpx, no key masking)."""
    (tmp_path / "conftest.py").write_text(FOREIGN_FIXTURES)
    (tmp_path / "cassettes" / "status").mkdir(parents=True)
    (tmp_path / "cassettes" / "status" / "theirs.yaml").write_text("interactions: []\n")
    test = f"HEAVY = {HEAVY!r}\n" + FOREIGN_TEST
    result = _run_isolated(tmp_path, test, "-rA")
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes = ("PASSED", "FAILED", "ERROR", "SKIPPED")
    assert [line for line in result.stdout.splitlines() if line.startswith(outcomes)] == [
        "PASSED test_one.py::test_own"
    ]


@pytest.mark.usefixtures("no_suite")
def test_a_foreign_fixture_named_like_ours_needs_no_extra(pytester: pytest.Pytester) -> None:
    """On the base install, a project's own `unknown_job_id` and `poll_settings` fixtures are
    just its fixtures: the run passes, nothing asks for the [suite] extra."""
    pytester.makepyfile(
        test_own="""
        import pytest

        @pytest.fixture
        def unknown_job_id():
            return "no-such-job"

        @pytest.fixture
        def poll_settings():
            return {"interval": 1}

        def test_own(unknown_job_id, poll_settings):
            assert (unknown_job_id, poll_settings) == ("no-such-job", {"interval": 1})
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    result.assert_outcomes(passed=1)


MARKERS_SEEN = """
def test_uses_it(request, assert_batch_status):
    assert [mark.name for mark in request.node.iter_markers()] == []

def test_plain(request):
    assert [mark.name for mark in request.node.iter_markers()] == []
"""


@pytest.mark.parametrize("whose", ["the project's", "ours"])
def test_assert_batch_status_adds_no_marker(pytester: pytest.Pytester, whose: str) -> None:
    """A test using an `assert_batch_status` fixture (a project's own, or ours) carries no marker
    from us, so `-m "not filterwarnings"` selects every test."""
    if whose == "the project's":
        pytester.makeconftest(
            "import pytest\n\n@pytest.fixture\ndef assert_batch_status():\n"
            "    return lambda body: 'theirs'\n"
        )
    pytester.makepyfile(test_marks=MARKERS_SEEN)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-m", "not filterwarnings")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK


def test_the_cassette_marker_is_the_suites_alone(pytester: pytest.Pytester) -> None:
    """`contract_cassette` is a known marker only in a run that loads the contract suite: a
    foreign run with `--strict-markers` still refuses it, and `--markers` does not list it."""
    pytester.makepyfile(
        test_marked="""
        import pytest

        @pytest.mark.contract_cassette("theirs")
        def test_marked():
            pass
        """
    )
    # in a fresh process: pytest remembers the markers it has seen across in-process runs
    foreign = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    assert foreign.ret == pytest.ExitCode.INTERRUPTED
    foreign.stdout.fnmatch_lines(["*'contract_cassette' not found in `markers` configuration*"])
    listed = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--markers")
    assert not [line for line in listed.outlines if "contract_cassette" in line]
    suite = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--markers", "--contract-reference"
    )
    suite.stdout.fnmatch_lines(["@pytest.mark.contract_cassette(name): cassette of a contract*"])


def test_a_foreign_job_id_fixture_stays_its_own_beside_the_suite(pytester: pytest.Pytester) -> None:
    """A run that collects a copy of the contract suite and a project's own tests: the suite's
    tests are parametrized by the recorded jobs, the project's test keeps its own
    `status_job_id` fixture."""
    (pytester.path / "cassettes" / "status").mkdir(parents=True)
    (pytester.path / "cassettes" / "status" / "bjb-1.yaml").write_text("interactions: []\n")
    (pytester.path / "cassettes" / "jobs.txt").write_text("status bjb-1\n")
    suite = pytester.mkdir("contract")
    (suite / "conftest.py").write_text(
        "from batch_contract.pytest_plugin.entry import load_suite\n\n\n"
        "def pytest_configure(config):\n    load_suite(config)\n"
    )
    (suite / "test_contract.py").write_text(
        "import pytest\n\n\n@pytest.mark.contract_cassette('status/{status_job_id}')\n"
        "def test_status(contract_target, status_job_id):\n    pass\n"
    )
    own = pytester.mkdir("own")
    (own / "test_own.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef status_job_id():\n    return 'job-1'\n\n\n"
        "def test_own(status_job_id):\n    assert status_job_id == 'job-1'\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--co", "-q", "contract", "own")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert [line for line in result.outlines if "::" in line] == [
        "contract/test_contract.py::test_status[bjb-1]",
        "own/test_own.py::test_own",
    ]
