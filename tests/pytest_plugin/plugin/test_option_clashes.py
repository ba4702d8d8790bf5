"""The plugin never takes an option name another plugin owns: with pytest-base-url's `--base-url`
or pytest-profiling's `--profile` registered (by a plugin loaded before it, or by a conftest
loaded after it), every pytest run still starts, the foreign option keeps its meaning and the
contract options answer to `--contract-base-url` and `--contract-profile`. The short names are
the contract options' aliases only in the contract suite, and only where free (the foreign suites
of a real install: tests/installs/test_foreign_short_names.py)."""

import pytest

FOREIGN = """
def pytest_addoption(parser):
    parser.addoption("--base-url", default=None, help="foreign base url")
    parser.addoption("--profile", action="store_true", help="foreign profiling")
"""
PROBE = """
def test_probe(pytestconfig):
    print("probe| contract profile:", pytestconfig.getoption("batch_contract_profile"))
    print("probe| contract base url:", pytestconfig.getoption("batch_contract_base_url"))
    print("probe| foreign base url:", getattr(pytestconfig.option, "base_url", "-"))
    print("probe| foreign profile:", getattr(pytestconfig.option, "profile", "-"))
"""


def _probe(result: pytest.RunResult) -> list[str]:
    """The lines the probe test printed."""
    return [line.split("probe| ", 1)[1] for line in result.stdout.lines if "probe| " in line]


@pytest.mark.parametrize("where", ["plugin", "conftest"])
def test_foreign_options_keep_their_names(pytester: pytest.Pytester, where: str) -> None:
    """A plugin (loaded first) or a conftest (loaded after the plugin) owning `--base-url` and
    `--profile`: the run starts, those names are theirs, ours are the `--contract-` ones."""
    args: list[str] = []
    if where == "plugin":
        pytester.makepyfile(foreign_plugin=FOREIGN)
        pytester.syspathinsert()
        args = ["-p", "foreign_plugin"]
    else:
        pytester.makeconftest(FOREIGN)
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess(
        *args,
        "-s",
        "--profile",
        "--base-url",
        "http://app.test",
        "--contract-profile",
        "strict",
        "--contract-base-url",
        "http://127.0.0.1:9",
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result) == [
        "contract profile: strict",
        "contract base url: http://127.0.0.1:9",
        "foreign base url: http://app.test",
        "foreign profile: True",
    ]


SUITE_CONFTEST = """
from batch_contract.pytest_plugin.options import add_suite_aliases

def pytest_addoption(parser):
    add_suite_aliases(parser)
"""
"""What the contract suite's conftest does to have its short names."""


def test_short_names_are_aliases_in_the_suite_when_free(pytester: pytest.Pytester) -> None:
    """In the contract suite, with no other plugin owning them, `--profile` and `--base-url` set
    the contract options."""
    pytester.makeconftest(SUITE_CONFTEST)
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess(
        "-s", "--profile", "strict", "--base-url", "http://127.0.0.1:9"
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result)[:2] == [
        "contract profile: strict",
        "contract base url: http://127.0.0.1:9",
    ]


def test_short_names_stay_out_of_other_runs(pytester: pytest.Pytester) -> None:
    """Outside the contract suite, the short names are not options at all."""
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess("--live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unrecognized arguments: --live" in result.stderr.str()


def test_a_parent_conftest_keeps_its_short_names_in_the_suite(pytester: pytest.Pytester) -> None:
    """A project conftest above the suite owning `--live` and `--job-id`: the suite still starts,
    those names stay the project's, and the suite answers to `--contract-live`."""
    pytester.makeconftest(
        """
        def pytest_addoption(parser):
            parser.addoption("--live", action="store_true", help="the project's own")
            parser.addoption("--job-id", default="theirs", help="the project's own")
        """
    )
    suite = pytester.mkdir("suite")
    (suite / "conftest.py").write_text(SUITE_CONFTEST)
    (suite / "test_probe.py").write_text(
        "def test_probe(pytestconfig):\n"
        "    print('probe|', pytestconfig.option.live, pytestconfig.option.job_id,\n"
        "          pytestconfig.getoption('--contract-live'))\n"
    )
    result = pytester.runpytest_inprocess("suite", "-s", "--live", "--job-id", "mine")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result) == ["True mine False"]


def test_contract_names_default(pytester: pytest.Pytester) -> None:
    """Given neither name, the profile is the documented one and no base URL is set."""
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess("-s")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result)[:2] == ["contract profile: documented", "contract base url: None"]


DESTS = """
def pytest_addoption(parser):
    for name in ("report", "coverage_json", "fail_under", "require", "rule", "live"):
        parser.addoption(f"--theirs-{name}", dest=f"contract_{name}", default="theirs")
"""
DEST_PROBE = """
def test_probe(pytestconfig):
    assert pytestconfig.option.contract_report == "theirs"
    assert pytestconfig.option.contract_require == "theirs"
"""


def test_every_option_of_ours_has_a_dest_of_ours(pytester: pytest.Pytester) -> None:
    """Every option the light plugins register keeps its value under a `batch_contract_` dest, so
    a conftest's option stored under `contract_report`, `contract_require`, ... (pytest's own
    dest for a `--contract-report`) keeps its value; four of ours used to share those dests, and
    the conftest's option silently read our default (None, [])."""
    pytester.makeconftest(DESTS)
    pytester.makepyfile(test_probe=DEST_PROBE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    config = pytester.parseconfig()
    [group] = [g for g in config._parser._groups if g.name == "batch-contract"]
    assert [o.names() for o in group.options if not o.dest.startswith("batch_contract_")] == []
