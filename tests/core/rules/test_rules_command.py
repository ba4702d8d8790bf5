"""`batch-contract rules`: the listing, compared exactly, and its errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from batch_contract.cli.rules_command import main

DEFAULT_LISTING = """\
counts-within-total        error    each of processed, failed and skipped items <= total_items
sum-within-total           warning  processed + failed + skipped items <= total_items
progress-matches-counts    warning  progress_percentage agrees with the counts, within 1 point
terminal-has-completed-at  warning  a completed, failed or cancelled job has completed_at
failed-has-error-message   warning  a failed job has an error_message
pending-not-started        warning  a pending job has no started_at
timestamps-ordered         error    created_at <= started_at <= completed_at
updated-after-created      error    updated_at >= created_at
status-forward-only        error    status never goes back: pending, dispatched, running, terminal
terminal-is-final          error    a completed, failed or cancelled status never changes
counts-non-decreasing      error    processed, failed and skipped items never go down between polls
progress-non-decreasing    error    progress_percentage never goes down between polls
"""


def _run(*args: str) -> tuple[int, str, str]:
    """Run the command in-process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every test in an empty folder: no pyproject.toml of this repository leaks in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_listing() -> None:
    """With no configuration, every rule is listed, aligned, with its default level."""
    assert _run() == (0, DEFAULT_LISTING, "")


def test_pyproject_and_options(tmp_path: Path) -> None:
    """pyproject.toml levels show, and --rule options override them, last one winning."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.batch-contract.rules]\ncounts-within-total = "warning"\nsum-within-total = "off"\n',
        encoding="utf-8",
    )
    code, out, err = _run(
        "--rule",
        "sum-within-total=error",
        "--rule",
        "sum-within-total=off",
        "--rule",
        "pending-not-started=error",
    )
    expected = (
        DEFAULT_LISTING.replace(
            "counts-within-total        error  ", "counts-within-total        warning"
        )
        .replace("pending-not-started        warning", "pending-not-started        error  ")
        .replace("sum-within-total           warning", "sum-within-total           off    ")
    )
    assert (code, out, err) == (0, expected, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--rule", "bogus=off"],
            "batch-contract rules: --rule bogus=off: unknown rule 'bogus' (known:"
            " counts-within-total, sum-within-total, progress-matches-counts,"
            " terminal-has-completed-at,"
            " failed-has-error-message, pending-not-started, timestamps-ordered,"
            " updated-after-created, status-forward-only, terminal-is-final,"
            " counts-non-decreasing, progress-non-decreasing)\n",
        ),
        (
            ["--rule", "sum-within-total"],
            "batch-contract rules: --rule sum-within-total: expected NAME=LEVEL,"
            " such as counts-within-total=warning\n",
        ),
        (["--rule"], "batch-contract rules: argument --rule: expected one argument\n"),
        (["extra"], "batch-contract rules: unrecognized arguments: extra\n"),
    ],
    ids=["unknown-rule", "no-level", "missing-value", "stray-argument"],
)
def test_usage_errors(args: list[str], message: str) -> None:
    """A bad command line is one line on stderr, nothing on stdout, exit 2."""
    assert _run(*args) == (2, "", message)


def test_bad_pyproject_is_usage_error(tmp_path: Path) -> None:
    """A broken [tool.batch-contract.rules] table stops the listing with one line, exit 2."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.batch-contract.rules]\nsum-within-total = "loud"\n', encoding="utf-8"
    )
    path = tmp_path.resolve() / "pyproject.toml"
    assert _run() == (
        2,
        "",
        f"batch-contract rules: {path}: [tool.batch-contract.rules]: level of sum-within-total"
        " must be error, warning or off, not 'loud'\n",
    )


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--help describes the command and exits 0."""
    assert main(["--help"]) == 0
    assert "usage: batch-contract rules [-h] [--rule NAME=LEVEL]" in capsys.readouterr().out
