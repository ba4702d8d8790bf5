"""The plugin never takes an option name another plugin owns: with pytest-base-url's `--base-url`
or pytest-profiling's `--profile` registered (by a plugin loaded before it, or by a conftest
loaded after it), every pytest run still starts, the foreign option keeps its meaning and the
contract options answer to `--contract-base-url` and `--contract-profile`. Without such a
plugin, the short names are the contract options' aliases."""

import pytest

FOREIGN = """
def pytest_addoption(parser):
    parser.addoption("--base-url", default=None, help="foreign base url")
    parser.addoption("--profile", action="store_true", help="foreign profiling")
"""
PROBE = """
def test_probe(pytestconfig, contract_profile):
    print("probe| contract profile:", contract_profile)
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


def test_short_names_are_aliases_when_free(pytester: pytest.Pytester) -> None:
    """With no other plugin owning them, `--profile` and `--base-url` set the contract options."""
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess(
        "-s", "--profile", "strict", "--base-url", "http://127.0.0.1:9"
    )
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result)[:2] == [
        "contract profile: strict",
        "contract base url: http://127.0.0.1:9",
    ]


def test_contract_names_default(pytester: pytest.Pytester) -> None:
    """Given neither name, the profile is the documented one and no base URL is set."""
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess("-s")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    assert _probe(result)[:2] == ["contract profile: documented", "contract base url: None"]
