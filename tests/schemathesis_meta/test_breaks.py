"""The schemathesis contract test fails against the reference server for every named break that
one response can show, and passes against the faithful server. Each run is the real test module,
in-process through pytester, with `--live` aimed at `running_server(breaks=[name])`."""

from collections.abc import Mapping
from pathlib import Path

import pytest

import batch_contract.schemathesis_support  # noqa: F401 - imported once, kept across pytester runs
from batch_contract.server import BREAKS, DOCUMENTED_JOB_ID, running_server
from batch_contract.targets import KEY_ENV

MODULE = Path(__file__).resolve().parents[2] / "contract_tests" / "test_schemathesis.py"
SCHEMA = "Response violates schema"
SEEN: Mapping[str, str] = {
    "status-unknown": SCHEMA,
    "status-case": SCHEMA,
    "job-type-unknown": SCHEMA,
    "progress-above-100": SCHEMA,
    "progress-below-0": SCHEMA,
    "progress-string": SCHEMA,
    "missing-required": SCHEMA,
    "null-required": SCHEMA,
    "count-fraction": SCHEMA,
    "count-boolean": SCHEMA,
    "timestamp-malformed": SCHEMA,
    "count-above-total": "Semantic rule violated",
    "body-not-json": "JSON deserialization error",
    "wrong-content-type": "Undocumented Content-Type",
    "server-error": "Server error",
    "auth-not-enforced": "API accepts requests without authentication",
}
"""The breaks one response shows, each with the failure title schemathesis reports for it."""
UNSEEN: Mapping[str, str] = {
    "undocumented-field": "contract_tests/test_status.py with --profile strict",
    "unknown-id-200": "contract_tests/test_not_found.py",
    "completed-goes-back": "contract_tests/test_lifecycle.py",
}
"""The breaks no single response shows, by design, with the suite test that catches each one."""
FAST = (
    "-p",
    "batch_contract.schemathesis_support",
    "-p",
    "no:cacheprovider",
    "-q",
    "--st-max-examples",
    "3",
    "--http-retries",
    "0",
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def run_module(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, breaks: tuple[str, ...]
) -> tuple[pytest.RunResult, str]:
    """Runs the schemathesis module with --live against a reference server with these breaks."""
    with running_server(breaks=breaks) as server:
        monkeypatch.setenv(KEY_ENV, server.api_key)
        monkeypatch.delenv("BATCH_CONTRACT_JOB_IDS", raising=False)
        result = pytester.runpytest_inprocess(
            str(MODULE),
            "--live",
            "--base-url",
            server.base_url,
            "--job-id",
            DOCUMENTED_JOB_ID,
            *FAST,
        )
    return result, server.api_key


def test_every_break_is_classified() -> None:
    """Each named break is either seen by one response or listed with the test that catches it."""
    assert set(SEEN) | set(UNSEEN) == set(BREAKS)
    assert not set(SEEN) & set(UNSEEN)


def test_passes_against_faithful_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the faithful reference server the schemathesis test passes."""
    result, key = run_module(pytester, monkeypatch, ())
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 0, output
    assert result.parseoutcomes().get("passed") == 1, output
    assert key not in output


@pytest.mark.parametrize("name", list(SEEN))
def test_fails_against_break(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Against a server with a break one response shows, the test fails with the right title."""
    result, key = run_module(pytester, monkeypatch, (name,))
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, output
    assert "failed" in result.parseoutcomes(), output
    assert SEEN[name] in output
    assert key not in output


@pytest.mark.parametrize("name", list(UNSEEN))
def test_passes_against_break_it_cannot_see(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A break no single response shows passes here (docs/schemathesis.md names who catches it)."""
    result, _ = run_module(pytester, monkeypatch, (name,))
    assert result.ret == 0, result.stdout.str()
