"""The four renderings of the same findings (compared exactly), --fail-on, the per-id severity
overrides of `[tool.batch-contract.watch]`, and the documentation copy as a source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batch_contract.watch.sources import BASELINE

from .conftest import Run

SPECS = Path(__file__).parent / "specs"
SEVERAL = str(SPECS / "several-changes-at-once" / "new.json")
DOCS = (BASELINE / "get-batch-job-status.md").read_text(encoding="utf-8")
EP = "GET /api/v1/beta/batch-processing/{job_id}"


def test_text_is_one_line_a_finding_and_a_summary(run_watch: Run) -> None:
    """text: one line a finding, most severe first, then the summary line."""
    code, out, err = run_watch("--spec", SEVERAL)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        'error: response-property-enum-value-added [spec] $.job.status: the enum value "throttled" '
        'is added (old: -, new: "throttled")',
        "warning: response-property-added [spec] $.job.priority: a new property (old: -, new: "
        '"integer", decision: fields nobody documents (`job.priority`, a top-level `request_id`))',
        f'info: response-status-added [spec] {EP}: status 429 is added (old: -, new: "429")',
        f"watch: 1 error(s), 1 warning(s), 1 info (spec {SEVERAL})",
    ]


def test_markdown_is_a_table(run_watch: Run) -> None:
    """markdown: a heading, the summary and one escaped table row a finding."""
    _, out, _ = run_watch("--spec", SEVERAL, "--format", "markdown")
    assert out.splitlines() == [
        "### Contract watch",
        "",
        f"watch: 1 error(s), 1 warning(s), 1 info (spec {SEVERAL})",
        "",
        "| Severity | Id | Source | Path | Old | New | Seen | Message |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| **error** | `response-property-enum-value-added` | spec | `$.job.status` | `-` "
        '| `"throttled"` | - | the enum value "throttled" is added |',
        '| warning | `response-property-added` | spec | `$.job.priority` | `-` | `"integer"` | - '
        "| a new property (decision: fields nobody documents (\\`job.priority\\`, a top-level "
        "\\`request_id\\`)) |",
        f'| info | `response-status-added` | spec | `{EP}` | `-` | `"429"` | - '
        "| status 429 is added |",
    ]


def test_github_annotations(run_watch: Run) -> None:
    """github: one workflow command a finding (error, warning, notice), then the summary."""
    _, out, _ = run_watch("--spec", SEVERAL, "--format", "github")
    lines = out.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:3]] == ["::error", "::warning", "::notice"]
    assert lines[0].startswith(
        "::error title=batch-contract watch%3A response-property-enum-value-added::error: "
    )
    assert lines[3].startswith("watch: 1 error(s)")


def test_json_has_findings_and_summary(run_watch: Run) -> None:
    """json: {"findings": [...], "summary": {"error": N, "warning": N, "info": N}}."""
    _, out, _ = run_watch("--spec", SEVERAL, "--format", "json")
    document = json.loads(out)
    assert document["summary"] == {"error": 1, "warning": 1, "info": 1}
    assert set(document["findings"][0]) == {
        *("id", "severity", "source", "path", "old", "new", "message", "decision", "seen"),
    }


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on(run_watch: Run, fail_on: str, code: int) -> None:
    """--fail-on sets the severity from which the exit code is 1."""
    assert run_watch("--spec", SEVERAL, "--fail-on", fail_on)[0] == code


def test_warning_only_fails_from_warning(run_watch: Run) -> None:
    """A run with warnings only exits 0 by default and 1 with --fail-on warning."""
    spec = str(SPECS / "property-added-in-job" / "new.json")
    assert run_watch("--spec", spec)[0] == 0
    assert run_watch("--spec", spec, "--fail-on", "warning")[0] == 1


def test_overrides_from_pyproject(
    run_watch: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[tool.batch-contract.watch]` sets an id's severity, or `off` to leave it out."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.batch-contract.watch]\n"
        'response-property-enum-value-added = "warning"\n'
        'response-status-added = "off"\n'
        'response-property-added = "error"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_watch("--spec", SEVERAL, "--format", "json")
    got = [(f["id"], f["severity"]) for f in json.loads(out)["findings"]]
    assert got == [
        ("response-property-added", "error"),
        ("response-property-enum-value-added", "warning"),
    ]
    assert code == 1


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('no-such-id = "error"', "unknown finding id 'no-such-id' (docs/watch.md lists them)"),
        (
            'api-removed = "fatal"',
            "api-removed must be one of error, warning, info, off, not 'fatal'",
        ),
    ],
)
def test_bad_overrides_are_one_line(
    run_watch: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, expected: str
) -> None:
    """An unknown id or level in the table: one line naming the table, exit 2."""
    (tmp_path / "pyproject.toml").write_text(f"[tool.batch-contract.watch]\n{table}\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_watch("--spec", SEVERAL)
    assert (code, out) == (2, "")
    assert err == (
        f"batch-contract watch: {tmp_path / 'pyproject.toml'}: [tool.batch-contract.watch]: "
        f"{expected}\n"
    )


def test_docs_copy_as_a_source(run_watch: Run, tmp_path: Path) -> None:
    """The shipped docs copy gives nothing; one with a new status value, an optional field
    made required-less and the operation line gone gives their findings."""
    same = tmp_path / "same.md"
    same.write_text(DOCS, encoding="utf-8")
    assert run_watch("--docs", str(same))[:2] == (
        0,
        f"watch: 0 error(s), 0 warning(s), 0 info (docs {same})\n",
    )
    changed = tmp_path / "changed.md"
    changed.write_text(
        DOCS.replace(
            '      - `"cancelled"`\n', '      - `"cancelled"`\n\n      - `"paused"`\n'
        ).replace("- `project_id: string`", "- `project_id: optional string`"),
        encoding="utf-8",
    )
    code, out, _ = run_watch("--docs", str(changed), "--format", "json")
    got = [(f["id"], f["severity"], f["source"], f["path"]) for f in json.loads(out)["findings"]]
    assert got == [
        ("response-property-became-optional", "error", "docs", "$.job.project_id"),
        ("response-property-enum-value-added", "error", "docs", "$.job.status"),
    ]
    gone = tmp_path / "gone.md"
    gone.write_text(DOCS.replace("**get** `/api/v1/beta/batch-processing/{job_id}`", ""))
    code, out, _ = run_watch("--docs", str(gone), "--format", "json")
    assert [(f["id"], f["source"]) for f in json.loads(out)["findings"]] == [
        ("api-removed", "docs")
    ]
    assert code == 1


@pytest.mark.parametrize("form", ["text", "markdown", "github", "json"])
def test_a_spec_that_holds_the_key_never_prints_it(
    run_watch: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """A spec served by a deployment that echoes the key (as a new enum value and a new property)
    is reported with the key masked in every format, as drift and coverage mask it."""
    from tests.pytest_plugin.secrecy.canary import CANARY, holds_canary

    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", CANARY)
    text = Path(SEVERAL).read_text(encoding="utf-8")
    spec = tmp_path / "new.json"
    spec.write_text(
        text.replace('"throttled"', json.dumps(CANARY)).replace('"priority"', json.dumps(CANARY))
    )
    code, out, err = run_watch("--spec", str(spec), "--format", form)
    assert (code, err) == (1, "")
    assert "***" in out
    assert not holds_canary(out), out
