"""Every code block and shell command of README.md is run or checked here, so the README cannot
drift from the code.

The tests are parametrized by the README's own blocks, so a new block is picked up by being there;
what happens to it depends on its fence:

- `python`: the block is a test module; pytest runs it and every test in it must pass.
- `console`: each `$ command` runs from the repository root; its output is compared exactly.
- `sh`: each command (split on `&&`) is checked by the first rule of `SHELL_RULES` that matches
  it: run for real where that is cheap, otherwise checked against what it names (the test command
  must be the one `.ci/run` runs; an install must name extras pyproject.toml has). A command no
  rule matches fails, so a new kind of command needs a rule.
- `toml`: parsed, and its rule levels must be accepted.
- `yaml`: a pre-commit configuration of this repository's hooks.
- no language: one of the known outputs (the validate-status synopsis, the fixture's failure),
  each compared with what the code prints; an unknown one fails.
Commands quoted inline in the text have their options, extras, subcommands and tox environments
checked.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from batch_contract.cli.main import _SUBCOMMANDS, build_validate_parser
from batch_contract.core.rules import RULES
from batch_contract.pytest_plugin.options import ALIASES
from batch_contract.server import RunningServer, running_server

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
COMMAND_WORDS = ("validate-status", "batch-contract", "pytest", "tox", "python", "pip")


class Block(NamedTuple):
    """One fenced code block of the README."""

    language: str
    text: str
    line: int


def blocks() -> list[Block]:
    """The README's fenced code blocks, in order."""
    found, language, start, lines = [], None, 0, []
    for number, line in enumerate(README.read_text().splitlines(), 1):
        if line.startswith("```") and language is None:
            language, start, lines = line[3:].strip(), number, []
        elif line.startswith("```"):
            found.append(Block(language, "\n".join(lines) + "\n", start))
            language = None
        elif language is not None:
            lines.append(line)
    assert language is None, "an unclosed code block"
    return found


def of(language: str) -> list[pytest.param]:
    """The blocks of one language, as parameters named by their README line."""
    return [pytest.param(b, id=f"line-{b.line}") for b in blocks() if b.language == language]


def env() -> dict[str, str]:
    """The environment of README commands: this interpreter's scripts first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def shell(command: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Runs a README command with bash from the repository root; stderr joins stdout."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env={**env(), **extra_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def test_the_readme_is_short_and_has_blocks_of_known_kinds() -> None:
    """The README is at most 250 lines, and every block has a language this file checks."""
    assert len(README.read_text().splitlines()) <= 250
    assert {b.language for b in blocks()} <= {"python", "console", "sh", "toml", "yaml", ""}


INSTALLS = {
    "pip install batch-contract pytest": "light_venv",
    'pip install "batch-contract[sdk]"': "sdk_venv",
}
"""The install a Python block names on its first line (`# pip install ...`) -> the fixture of a
fresh venv holding exactly that install (tests/conftest.py)."""


def _installed(block: Block, request: pytest.FixtureRequest) -> Any:
    """The venv of the install the block names on its first line."""
    first = block.text.splitlines()[0]
    assert first.startswith("# pip install "), f"README line {block.line}: name the install"
    assert first[2:] in INSTALLS, first
    return request.getfixturevalue(INSTALLS[first[2:]])


@pytest.mark.install
@pytest.mark.parametrize("block", of("python"))
def test_python_blocks_pass_in_the_install_they_name(
    block: Block, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Each Python block runs in a fresh venv with exactly the install it names: a test module
    (the fixtures' example, on the light install) whose tests all pass, or a script (the
    production guard's, on `[sdk]`) that runs to its end against `batch-contract serve`, given
    only the environment variables the README names."""
    venv = _installed(block, request)
    tests = len(re.findall(r"^def test_", block.text, flags=re.M))
    if tests:
        (tmp_path / "test_readme_block.py").write_text(block.text)
        done = venv.run(venv.bin("pytest"), "-p", "no:cacheprovider", cwd=tmp_path)
        assert done.returncode == 0, done.stdout
        assert f"{tests} passed" in done.stdout, done.stdout
        return
    (tmp_path / "snippet.py").write_text(block.text)
    with serve("readme-guard-key") as url:
        done = venv.run(
            venv.bin("python"),
            "snippet.py",
            cwd=tmp_path,
            LLAMA_CLOUD_API_KEY="readme-guard-key",
            LLAMA_CLOUD_BASE_URL=url,
        )
    assert done.returncode == 0, done.stdout


@contextlib.contextmanager
def serve(key: str) -> Iterator[str]:
    """`batch-contract serve --port 0` with this key; yields its base URL (from its first line)."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "batch-contract"), "serve", "--port", "0"],
        env={**env(), "LLAMA_CLOUD_API_KEY": key},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/api/", line)
        assert found, line
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()


def console_commands(block: Block) -> Iterator[tuple[str, str]]:
    """Each `$ command` of a console block with the output printed after it."""
    command, output = None, []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            if command is not None:
                yield command, "".join(output)
            command, output = line[2:], []
        else:
            output.append(line + "\n")
    if command is not None:
        yield command, "".join(output)


@pytest.mark.parametrize("block", of("console"))
def test_console_blocks_print_what_they_show(block: Block) -> None:
    """Each command of a console block prints exactly the lines shown after it."""
    for command, output in console_commands(block):
        assert shell(command).stdout == output, command


# --- shell commands -------------------------------------------------------------------------


def ci_command() -> str:
    """The test command .ci/run runs, the line after its marker."""
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    return lines[lines.index("# --- the README's test command, verbatim ---") + 1]


def check_test_command(command: str) -> None:
    """The whole test suite: the README's command is exactly what .ci/run runs."""
    assert command == ci_command()


def check_install(command: str) -> None:
    """An install names this project and only extras it has (the light install itself is
    measured by benchmarks/light_install.py)."""
    target = shlex.split(command)[-1]
    match = re.fullmatch(r"(?:batch-contract|\.)(?:\[([\w,]+)\])?(?: @ git\+https://\S+)?", target)
    assert match, target
    for extra in (match.group(1) or "").split(","):
        assert not extra or extra in PYPROJECT["optional-dependencies"], extra


def check_validate(command: str) -> None:
    """validate-status (or batch-contract coverage) runs for real and exits 0."""
    result = shell(command)
    assert result.returncode == 0, result.stdout


def check_pytest(command: str) -> None:
    """A contract-suite run, collected for real (the full runs are the test command's, and
    tests/installs/test_installed_suite.py runs `batch-contract test` from an install)."""
    result = shell(command + " --collect-only -q -p no:cacheprovider")
    assert result.returncode == 0, result.stdout


def check_live(command: str) -> None:
    """A live run needs a deployment: the reference server stands in for staging, and the
    command is collected against it (which checks the key, the URL and the job id at start)."""
    with running_server() as server:
        real = (
            command.replace(
                "LLAMA_CLOUD_API_KEY=...",
                f"LLAMA_CLOUD_API_KEY={server.api_key.get_secret_value()}",
            )
            .replace("https://staging.example.com", server.base_url)
            .replace("bjb-...", server.static_job_ids[0])
        )
        assert real != command
        check_pytest(real)


def check_benchmark(command: str) -> None:
    """The benchmark takes minutes: its script must start and describe itself."""
    result = shell(command + " --help")
    assert result.returncode == 0, result.stdout
    assert "benchmark" in result.stdout


SHELL_RULES: list[tuple[str, Callable[[str], None]]] = [
    (r"python -m pip install -e '\.\[dev\]' && .*", check_test_command),
    (r"(python -m )?pip install [^&]*", check_install),
    (r"validate-status [^&]*", check_validate),
    (r"batch-contract coverage [^&]*", check_validate),
    (r"LLAMA_CLOUD_API_KEY=\.\.\. pytest contract_tests --live .*", check_live),
    (r"pytest contract_tests( --reference)?", check_pytest),
    (r"batch-contract test[^&]*", check_pytest),
    (r"python benchmarks/run\.py", check_benchmark),
]
"""Shell commands (whole lines first, then the parts between `&&`), each with its check."""


def shell_commands(block: Block) -> Iterator[str]:
    """The commands of a sh block, comments and continuation lines joined."""
    for line in block.text.replace("\\\n", " ").splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command:
            yield re.sub(r"\s+", " ", command)


def check_shell(command: str) -> None:
    """Checks a command by the first rule matching it whole, or else each `&&` part."""
    for pattern, check in SHELL_RULES:
        if re.fullmatch(pattern, command):
            check(command)
            return
    parts = command.split(" && ")
    assert len(parts) > 1, f"no rule checks this README command: {command}"
    for part in parts:
        check_shell(part)


@pytest.mark.parametrize("block", of("sh"))
def test_shell_commands_are_checked(block: Block) -> None:
    """Every shell command of the README runs, or is checked against what it names."""
    commands = list(shell_commands(block))
    assert commands
    for command in commands:
        check_shell(command)


@pytest.mark.parametrize("block", of("toml"))
def test_toml_blocks_set_real_rules(block: Block) -> None:
    """A pyproject.toml snippet sets existing rules to existing levels."""
    table = tomllib.loads(block.text)["tool"]["batch-contract"]["rules"]
    assert table
    for name, level in table.items():
        assert name in RULES
        assert level in ("error", "warning", "off")


@pytest.mark.parametrize("block", of("yaml"))
def test_yaml_blocks_are_pre_commit_configs_of_our_hooks(block: Block) -> None:
    """A YAML block is a pre-commit configuration naming this repository's hooks, each scoped
    by a `files:` pattern to files the hook reads, and to no other name: a `files:` of the user's
    replaces the hook's own (tests/installs/test_pre_commit.py runs it with pre-commit)."""
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    config = yaml.safe_load(block.text)
    for repo in config["repos"]:
        for hook in repo["hooks"]:
            assert hook["id"] in hooks
            assert re.search(hook["files"], "tests/fixtures/log.ndjson")
            assert re.search(hooks[hook["id"]]["files"], "tests/fixtures/log.ndjson")
            for other in ("tests/fixtures/README.md", "cassettes/notes.txt", "cassettes/a.csv"):
                assert not re.search(hook["files"], other)


# --- outputs without a language ---------------------------------------------------------------


def parser_options(parser: argparse.ArgumentParser) -> set[str]:
    """The long option names of a parser, --help aside."""
    return {
        name
        for action in parser._actions
        for name in action.option_strings
        if name.startswith("--") and name != "--help"
    }


def check_synopsis(text: str, pytester: pytest.Pytester) -> None:
    """The validate-status synopsis names exactly the command's options."""
    assert set(re.findall(r"--[\w-]+", text)) == parser_options(build_validate_parser())


def check_failure(text: str, pytester: pytest.Pytester) -> None:
    """The fixture's failure is what pytest prints for assert_batch_status on a paused job at
    120%."""
    pytester.makepyfile(
        test_failure="""
        def test_paused(assert_batch_status):
            assert_batch_status({"job": {"id": "bjb-1", "job_type": "parse", "project_id": "p",
                                 "status": "paused", "total_items": 1},
                                 "progress_percentage": 120})
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert [line for line in result.outlines if line.startswith("E   ")] == text.splitlines()


PLAIN_BLOCKS: dict[str, Callable[[str, pytest.Pytester], None]] = {
    "validate-status [PATH ...]": check_synopsis,
    "E       batch_contract.assertions.BatchStatusMismatch": check_failure,
}
"""How each block without a language starts, and its check."""


@pytest.mark.parametrize("block", of(""))
def test_plain_blocks_are_known_outputs(block: Block, pytester: pytest.Pytester) -> None:
    """Each block without a language is a known output, compared with the code."""
    checks = [check for start, check in PLAIN_BLOCKS.items() if block.text.startswith(start)]
    assert checks, f"no check for the block at README line {block.line}"
    checks[0](block.text, pytester)


# --- what the text says -----------------------------------------------------------------------


@cache
def suite_help() -> str:
    """`pytest contract_tests --help`: every option a README pytest command may use."""
    return shell("pytest contract_tests --help -p no:cacheprovider").stdout


def inline_commands() -> list[str]:
    """Commands quoted inline in the README's text (outside code blocks)."""
    text = re.sub(r"^```.*?^```", "", README.read_text(), flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", text)
    return sorted({s for s in spans if re.match(rf"({'|'.join(COMMAND_WORDS)})\b", s)})


@pytest.mark.parametrize("command", inline_commands())
def test_inline_commands_name_real_things(command: str) -> None:
    """A command quoted in the text names existing scripts, subcommands, options, extras and
    tox environments."""
    words = command.split()
    scripts = set(PYPROJECT["scripts"])
    hooks = set(re.findall(r"^- id: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.M))
    if len(words) == 1 and "[" in command:
        check_install(command)
    elif len(words) == 1:
        assert command in scripts | hooks
    elif words[0] == "batch-contract":
        assert words[1] in _SUBCOMMANDS
    elif words[0] == "validate-status":
        options = parser_options(build_validate_parser())
        assert all(w in options for w in words[1:] if w.startswith("--"))
    elif words[0] == "pytest":
        for word in words[1:]:
            name = word.split("=")[0]
            assert not name.startswith("-") or re.search(rf"\s{name}[\s=,]", suite_help()), name
    elif words[0] == "tox":
        assert f"[testenv:{words[-1]}]" in (ROOT / "tox.ini").read_text()
    else:
        check_shell(command)


def test_the_options_table_lists_every_suite_option() -> None:
    """The options table (docs/contract-suite.md, linked from the README) names every option of
    pytest's batch-contract group, by its short name or its `--contract-` one."""
    section = suite_help().split("batch-contract: contract suite for Get Batch Job Status:")[1]
    section = section.split("\n\n")[0]
    options = set(re.findall(r"^  (--[\w-]+)", section, flags=re.M))
    table = re.findall(r"^\| (.*?) \|", (ROOT / "docs" / "contract-suite.md").read_text(), re.M)
    named = {ALIASES.get(name, name) for name in re.findall(r"--[\w-]+", " ".join(table))}
    assert options, section
    missing = {ALIASES.get(name, name) for name in options} - named
    assert not missing, missing


def test_the_reference_server_fixture_attributes_are_documented() -> None:
    """The README lists every attribute of the object batch_reference_server yields."""
    row = next(
        line
        for line in README.read_text().splitlines()
        if "`batch_reference_server`" in line and line.startswith("|")
    )
    for field in dataclasses.fields(RunningServer):
        assert f"`.{field.name}`" in row, field.name
