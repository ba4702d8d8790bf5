"""The schemathesis contract test fails against the reference server for every named break that
one response can show, and passes against the faithful server. Each run is the real test module,
in-process, with `--live` aimed at `running_server(breaks=[name])`."""

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from batch_contract.pytest_plugin.targets import KEY_ENV
from batch_contract.server import BREAKS, DOCUMENTED_JOB_ID, running_server

MODULE = Path(__file__).resolve().parents[3] / "contract_tests" / "test_schemathesis.py"
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
    "spec-new-status": "contract_tests/test_watch.py with --contract-spec-url",
}
"""The breaks no single response shows, by design, with the suite test that catches each one."""
FAST = (
    "-p",
    "no:cacheprovider",
    "-q",
    "--st-max-examples",
    "3",
    "--http-retries",
    "0",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)


def run_module(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    breaks: tuple[str, ...],
) -> tuple[int, str, str]:
    """Runs the schemathesis module with --live against a reference server with these breaks.

    In-process with `pytest.main` from a scratch folder, not pytester: pytester forgets the ~650
    modules a run imports, and importing them again made each run five times slower.
    """
    capsys.readouterr()
    with running_server(breaks=breaks) as server:
        monkeypatch.setenv(KEY_ENV, server.api_key.get_secret_value())
        monkeypatch.delenv("BATCH_CONTRACT_JOB_IDS", raising=False)
        monkeypatch.chdir(tmp_path)
        code = pytest.main(
            [
                str(MODULE),
                "--live",
                "--base-url",
                server.base_url,
                "--job-id",
                DOCUMENTED_JOB_ID,
                *FAST,
            ]
        )
    captured = capsys.readouterr()
    return int(code), captured.out + captured.err, server.api_key.get_secret_value()


def test_every_break_is_classified() -> None:
    """Each named break is either seen by one response or listed with the test that catches it."""
    assert set(SEEN) | set(UNSEEN) == set(BREAKS)
    assert not set(SEEN) & set(UNSEEN)


def test_passes_against_faithful_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Against the faithful reference server the schemathesis test passes."""
    code, output, key = run_module(capsys, monkeypatch, tmp_path, ())
    assert code == 0, output
    assert "1 passed" in output, output
    assert key not in output


@pytest.mark.parametrize("name", list(SEEN))
def test_fails_against_break(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    """Against a server with a break one response shows, the test fails with the right title."""
    code, output, key = run_module(capsys, monkeypatch, tmp_path, (name,))
    assert code == 1, output
    assert re.search(r"\b[0-9]+ failed\b", output), output
    assert SEEN[name] in output, output
    assert key not in output


@pytest.mark.parametrize("name", list(UNSEEN))
def test_passes_against_break_it_cannot_see(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    """A break no single response shows passes here (docs/schemathesis.md names who catches it)."""
    code, output, _ = run_module(capsys, monkeypatch, tmp_path, (name,))
    assert code == 0, output
