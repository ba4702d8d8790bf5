"""The schemathesis support module: settings, the rule check, schemathesis.toml, the CLI recipe,
replay deselection, and no network fetch while resolving the schema files."""

import json
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core.jsonschema import resolver

from batch_contract.errors import UsageError
from batch_contract.pytest_plugin.schemathesis_support import (
    BUILTIN_CHECKS,
    CUSTOM_CHECKS,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SEED,
    MAX_EXAMPLES_ENV,
    SEED_ENV,
    JsonViolation,
    Settings,
    contract_json,
    json_errors,
    load_openapi,
    rule_errors,
    settings_from,
)
from batch_contract.server import DOCUMENTED_JOB_ID, running_server
from batch_contract.server.jobs import DOCUMENTED_BODY

ROOT = Path(__file__).resolve().parents[3]
MODULE = ROOT / "contract_tests" / "test_schemathesis.py"


def test_settings_default_then_environment_then_options() -> None:
    """Options win over the environment, which wins over the defaults."""
    env = {MAX_EXAMPLES_ENV: "7", SEED_ENV: "3"}
    assert settings_from(environ={}) == Settings(DEFAULT_MAX_EXAMPLES, DEFAULT_SEED)
    assert settings_from(environ=env) == Settings(7, 3)
    assert settings_from("2", 9, environ=env) == Settings(2, 9)


@pytest.mark.parametrize(
    ("max_examples", "seed", "message"),
    [
        ("many", None, "--st-max-examples must be a whole number, got 'many'"),
        ("0", None, "--st-max-examples must be at least 1, got 0"),
        (None, "-1", "--st-seed must be at least 0, got -1"),
    ],
)
def test_bad_settings_are_one_line(max_examples: object, seed: object, message: str) -> None:
    """A bad option value is a UsageError with one line naming the option."""
    with pytest.raises(UsageError) as raised:
        settings_from(max_examples, seed, environ={})
    assert str(raised.value) == message


def _documented(**job: Any) -> bytes:
    """The documented example body with some job fields replaced, as JSON bytes."""
    return json.dumps({**DOCUMENTED_BODY, "job": {**DOCUMENTED_BODY["job"], **job}}).encode()


def test_rule_errors_name_count_above_total() -> None:
    """A count above total_items is an error-level rule finding, with its path and rule."""
    (line,) = rule_errors(_documented(total_items=2, processed_items=3))
    assert line.startswith("$.job.processed_items: ")
    assert line.endswith("[rule:counts-within-total]")


def test_rule_errors_ignore_valid_and_non_json_bodies() -> None:
    """A faithful body has no finding; a body that is not JSON is left to the schema check."""
    assert rule_errors(_documented()) == []
    assert rule_errors(b'{"job": ') == []
    assert rule_errors(b"[1, 2]") == []


EXAMPLES = ROOT / "tests" / "examples"
MALFORMED = sorted((EXAMPLES / "malformed").glob("*.json"))
BEYOND_SAFE = sorted((EXAMPLES / "beyond-safe").glob("*.json"))


def _python_reads(raw: bytes) -> bool:
    """Whether Python's json (so schemathesis) reads a body."""
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


@pytest.mark.parametrize("path", MALFORMED, ids=[path.stem for path in MALFORMED])
def test_json_errors_name_what_python_reads_and_the_contract_refuses(path: Path) -> None:
    """A malformed example that Python's json reads (a duplicate key, NaN, an unpaired
    surrogate, ...) gets the problem its `.expected` names; one it cannot read is left to
    schemathesis's own deserialization check."""
    raw = path.read_bytes()
    keyword, _, problem = path.with_suffix(".expected").read_text().strip().partition(" ")
    found = json_errors(raw)
    if not _python_reads(raw):
        assert found == []
        return
    assert len(found) == 1, found
    assert problem.removeprefix(keyword + " ").split(" at line ")[0] in found[0]


def test_json_errors_cover_the_schemathesis_blind_spots() -> None:
    """The three bodies an outside audit saw schemathesis pass are all among the examples
    Python reads and the contract refuses: a duplicate key, an unpaired surrogate, NaN."""
    refused = {path.stem for path in MALFORMED if _python_reads(path.read_bytes())}
    assert {"duplicate-key-in-job", "unpaired-surrogate", "nan"} <= refused


def _beyond(value: Any, at: str = "$") -> list[str]:
    """The JSON paths of the numbers beyond +-(2^53-1) in a value Python's json read (written
    here, from I-JSON's rule, not from the package)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _beyond(item, f"{at}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _beyond(item, f"{at}[{index}]")]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return [at] if number and not abs(value) <= 2**53 - 1 else []


@pytest.mark.parametrize("path", BEYOND_SAFE, ids=[path.stem for path in BEYOND_SAFE])
def test_json_errors_name_each_number_beyond_the_safe_range(path: Path) -> None:
    """A body with numbers beyond +-(2^53-1) gets one `number-range` line for each of them, by
    path."""
    raw = path.read_bytes()
    expected = sorted(_beyond(json.loads(raw)))
    found = json_errors(raw)
    assert expected
    assert sorted(line.split(": ", 1)[0] for line in found) == expected
    assert all(line.endswith("[number-range]") for line in found)


def test_the_contract_json_check_fails_a_200_and_leaves_other_statuses() -> None:
    """The check schemathesis runs raises its failure on a 200 whose body has a duplicate key,
    and says nothing of another status with the same body or a 200 with a faithful one."""
    duplicate = b'{"job": {"id": "a", "id": "b"}, "progress_percentage": 0}'
    case = SimpleNamespace(operation=SimpleNamespace(label="GET /api/v1/beta/batch-processing"))
    with pytest.raises(JsonViolation) as raised:
        contract_json(None, SimpleNamespace(status_code=200, content=duplicate), case)
    assert str(raised.value.message) == 'duplicate object key "id"'
    for status in (401, 404, 500):
        other = SimpleNamespace(status_code=status, content=duplicate)
        assert contract_json(None, other, case) is None
    faithful = SimpleNamespace(status_code=200, content=_documented())
    assert contract_json(None, faithful, case) is None


def test_toml_enables_exactly_the_checks_of_the_python_api() -> None:
    """schemathesis.toml and the pytest module run the same checks, and the key comes from env."""
    config = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    enabled = {
        name
        for name, table in config["checks"].items()
        if isinstance(table, dict) and table.get("enabled")
    }
    assert config["checks"]["enabled"] is False
    assert enabled == set(BUILTIN_CHECKS) | set(CUSTOM_CHECKS)
    assert config["hooks"] == "batch_contract.pytest_plugin.schemathesis_support"
    assert config["auth"]["openapi"]["HTTPBearer"]["bearer"] == "${LLAMA_CLOUD_API_KEY}"
    assert config["warnings"]["fail-on"] == ["missing_auth"]


@pytest.fixture
def cli_server(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """A reference server (breaks from the test's parameter) whose key is in the environment."""
    with running_server(breaks=getattr(request, "param", ())) as server:
        monkeypatch.setenv("LLAMA_CLOUD_API_KEY", server.api_key.get_secret_value())
        monkeypatch.delenv("BATCH_CONTRACT_JOB_IDS", raising=False)
        yield server.base_url


def run_recipe(base_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The docs' CLI recipe with a JUnit report, from a scratch folder, a few examples."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        str(ROOT / "schemas" / "openapi.yaml"),
        "--url",
        base_url,
        "--max-examples",
        "3",
        "--report",
        "junit",
        "--report-junit-path",
        str(cwd / "junit.xml"),
    ]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("cli_server", "code"),
    [((), 0), (("count-above-total",), 1)],
    indirect=["cli_server"],
    ids=["faithful", "count-above-total"],
)
def test_cli_recipe_exit_code(cli_server: str, code: int, tmp_path: Path) -> None:
    """`schemathesis run` exits 0 against the faithful server and 1 when a rule is broken."""
    done = run_recipe(cli_server, tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    assert (tmp_path / "junit.xml").is_file()
    if code:
        assert "Semantic rule violated" in done.stdout


def test_replay_deselects_the_schemathesis_test_visibly(pytester: pytest.Pytester) -> None:
    """With recorded cassettes but no server, the test is deselected and the summary says why."""
    cassettes = pytester.mkdir("cassettes")
    (cassettes / "status").mkdir()
    (cassettes / "status" / f"{DOCUMENTED_JOB_ID}.yaml").write_text("interactions: []\n")
    (cassettes / "jobs.txt").write_text(f"status {DOCUMENTED_JOB_ID}\n")
    result = pytester.runpytest_inprocess(
        str(MODULE),
        "--cassette-dir",
        str(cassettes),
        "-p",
        "no:cacheprovider",
    )
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout.str()
    assert result.parseoutcomes().get("deselected") == 1
    result.stdout.fnmatch_lines(
        [
            "*1 schemathesis tests deselected: generated requests need a "
            "server (--reference or --live)*"
        ]
    )


def test_schema_files_resolve_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating a 200 resolves the sibling schema files locally: no host name is looked up."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def record(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            looked_up.append(str(host))
            raise OSError("no network in this test")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", record)
    # schemathesis remembers a failed fetch for the process: forget it, so this test sees a retry
    resolver._REMOTE_FAILURES.clear()
    resolver._load_remote_uri.cache_clear()
    with running_server() as server:
        schema = load_openapi(base_url=server.base_url, api_key=server.api_key)
        operation = next(iter(schema.get_all_operations())).ok()
        case = operation.Case(
            path_parameters={"job_id": DOCUMENTED_JOB_ID},
            headers={"Authorization": f"Bearer {server.api_key.get_secret_value()}"},
        )
        response = case.call()
        assert response.status_code == 200
        case.validate_response(response)
    assert looked_up == []


def _fenced_commands(text: str) -> list[str]:
    """The lines of a Markdown text's fenced code blocks, continuation lines joined."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]


def test_every_documented_recipe_names_its_config_file() -> None:
    """Each `schemathesis ... run` command in the README and docs/ passes --config-file, so it
    gives the same verdict from any directory (schemathesis reads schemathesis.toml from the
    working directory only)."""
    commands = [
        line
        for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for line in _fenced_commands(page.read_text(encoding="utf-8"))
        if re.search(r"\bschemathesis\b.*\brun\b", line)
    ]
    assert commands
    for command in commands:
        assert "--config-file" in command, command


def test_cli_recipe_with_a_refused_key_fails_from_any_folder(
    cli_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recipe run from a scratch folder with a key the server refuses: every response is
    401, and the run fails instead of passing on them."""
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", "a-key-the-server-refuses")
    done = run_recipe(cli_server, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
