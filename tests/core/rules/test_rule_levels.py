"""Rule levels in force: defaults, `[tool.batch-contract.rules]` of the nearest pyproject.toml,
and `--rule NAME=LEVEL` options."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_contract.core.rules import RULES, default_levels, load_levels, parse_rule_option
from batch_contract.errors import UsageError


def _pyproject(folder: Path, body: str) -> Path:
    """Write a pyproject.toml with `body` into `folder` and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(body, encoding="utf-8")
    return folder


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    """With no pyproject.toml anywhere above, every rule has its default level."""
    assert load_levels(tmp_path) == default_levels()
    assert list(default_levels()) == list(RULES)


def test_table_overlays_defaults(tmp_path: Path) -> None:
    """Levels named in the table replace the defaults; the others keep theirs."""
    _pyproject(
        tmp_path,
        '[project]\nname = "x"\n\n[tool.batch-contract.rules]\n'
        '"counts-within-total" = "warning"\npending-not-started = "off"\n',
    )
    expected = default_levels() | {"counts-within-total": "warning", "pending-not-started": "off"}
    assert load_levels(tmp_path) == expected


def test_nearest_pyproject_wins(tmp_path: Path) -> None:
    """A pyproject.toml in a sub-folder hides the one above, even without a rules table."""
    _pyproject(tmp_path, '[tool.batch-contract.rules]\nsum-within-total = "error"\n')
    inner = _pyproject(tmp_path / "pkg" / "sub", '[project]\nname = "inner"\n')
    assert load_levels(inner / "deeper-file.json") == default_levels()
    assert load_levels(tmp_path / "pkg")["sum-within-total"] == "error"


def test_working_directory_is_the_default_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a start, the search begins in the working directory."""
    _pyproject(tmp_path, '[tool.batch-contract.rules]\ntimestamps-ordered = "off"\n')
    monkeypatch.chdir(tmp_path)
    assert load_levels()["timestamps-ordered"] == "off"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[tool.batch-contract.rules]\ncount-within-total = "error"\n',
            "{path}: [tool.batch-contract.rules]: unknown rule 'count-within-total' (known: "
            + ", ".join(RULES)
            + ")",
        ),
        (
            '[tool.batch-contract.rules]\ncounts-within-total = "fatal"\n',
            "{path}: [tool.batch-contract.rules]: level of counts-within-total must be error,"
            " warning or off, not 'fatal'",
        ),
        (
            "[tool.batch-contract.rules]\ncounts-within-total = 2\n",
            "{path}: [tool.batch-contract.rules]: level of counts-within-total must be error,"
            " warning or off, not 2",
        ),
        (
            '[tool.batch-contract]\nrules = "strict"\n',
            "{path}: [tool.batch-contract.rules] must be a table",
        ),
        ("[tool]\nbatch-contract = 1\n", "{path}: [tool.batch-contract] must be a table"),
        (
            "[tool.batch-contract.rules\n",
            "{path}: not valid TOML: Expected ']' at the end of a table declaration"
            " (at line 1, column 27)",
        ),
        (
            "[tool.batch-contract]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n",
            "{path}: not valid TOML: nested too deep",
        ),
    ],
    ids=[
        "unknown-rule",
        "unknown-level",
        "number-level",
        "rules-not-table",
        "tool-not-table",
        "bad-toml",
        "deep-toml",
    ],
)
def test_bad_table_is_one_line_usage_error(tmp_path: Path, body: str, message: str) -> None:
    """A wrong table, rule, level or TOML file is a one-line UsageError naming the file."""
    _pyproject(tmp_path, body)
    with pytest.raises(UsageError) as caught:
        load_levels(tmp_path)
    text = str(caught.value)
    assert text == message.format(path=tmp_path.resolve() / "pyproject.toml")
    assert "\n" not in text


def test_parse_rule_option() -> None:
    """`NAME=LEVEL` is split and checked; spaces around the parts are forgiven."""
    assert parse_rule_option("counts-within-total=warning") == ("counts-within-total", "warning")
    assert parse_rule_option(" pending-not-started = off") == ("pending-not-started", "off")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "counts-within-total",
            "--rule counts-within-total: expected NAME=LEVEL, such as counts-within-total=warning",
        ),
        ("nope=error", "--rule nope=error: unknown rule 'nope' (known: " + ", ".join(RULES) + ")"),
        (
            "counts-within-total=ERROR",
            "--rule counts-within-total=ERROR: level of counts-within-total must be error,"
            " warning or off, not 'ERROR'",
        ),
        (
            "counts-within-total=",
            "--rule counts-within-total=: level of counts-within-total must be error,"
            " warning or off, not ''",
        ),
    ],
    ids=["no-equals", "unknown-rule", "upper-case-level", "empty-level"],
)
def test_bad_rule_option(text: str, message: str) -> None:
    """A malformed --rule is a one-line UsageError saying what is wrong."""
    with pytest.raises(UsageError) as caught:
        parse_rule_option(text)
    assert str(caught.value) == message
