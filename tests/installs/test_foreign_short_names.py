"""Installing batch-contract changes nothing in another project's test suite: a foreign suite
whose conftest registers every short name the contract suite documents (`--live`,
`--reference`, `--rule`, `--job-id`, `--project-id`, `--cassette-dir`, `--http-timeout`, ...)
collects and passes, with the values it was given, on the light install and on `[suite]`."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_contract.pytest_plugin.options import ALIASES

SHORT_NAMES = sorted(ALIASES)
"""Every short option name the contract suite documents."""


def _dest(name: str) -> str:
    return name.removeprefix("--").replace("-", "_")


def _foreign_suite(folder: Path) -> list[str]:
    """Writes a project whose conftest owns every short name, in its own way (a flag, a value,
    an appended list), and a test reading each back; returns the arguments that set them."""
    lines = ["def pytest_addoption(parser):"]
    args: list[str] = []
    checks = ["def test_options_are_the_projects(pytestconfig):"]
    for number, name in enumerate(SHORT_NAMES):
        if number % 3 == 0:
            lines.append(f"    parser.addoption({name!r}, action='store_true')")
            args.append(name)
            expected: object = True
        elif number % 3 == 1:
            lines.append(f"    parser.addoption({name!r}, default='theirs')")
            args += [name, f"value-{number}"]
            expected = f"value-{number}"
        else:
            lines.append(f"    parser.addoption({name!r}, action='append', default=[])")
            args += [name, f"item-{number}"]
            expected = [f"item-{number}"]
        checks.append(f"    assert pytestconfig.getoption({_dest(name)!r}) == {expected!r}")
    (folder / "conftest.py").write_text("\n".join(lines) + "\n")
    (folder / "test_foreign.py").write_text(
        "\n".join(checks) + "\n\n\ndef test_plain():\n    assert 1 + 1 == 2\n"
    )
    return args


@pytest.mark.install
def test_a_foreign_suite_owning_every_short_name_passes(any_install, tmp_path: Path) -> None:
    """The foreign suite starts, collects both its tests and passes them with its own options."""
    args = _foreign_suite(tmp_path)
    result = any_install.run(
        any_install.bin("pytest"), "-p", "no:cacheprovider", "-q", *args, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout
    assert "2 passed" in result.stdout


@pytest.mark.install
def test_batch_contracts_own_names_still_work_beside_them(any_install, tmp_path: Path) -> None:
    """In the same foreign project, the package's fixture still answers to `--contract-rule`."""
    _foreign_suite(tmp_path)
    (tmp_path / "test_fixture.py").write_text(
        "def test_over(assert_batch_status):\n"
        "    job = {'id': 'bjb-1', 'job_type': 'parse', 'project_id': 'p', 'status': 'running',\n"
        "           'total_items': 1, 'processed_items': 2}\n"
        "    assert_batch_status({'job': job, 'progress_percentage': 50})\n"
    )
    result = any_install.run(
        any_install.bin("pytest"),
        "-p",
        "no:cacheprovider",
        "-q",
        "test_fixture.py",
        "--contract-rule",
        "counts-within-total=off",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout
