"""`batch-contract drift`: identical folders give no breaking change, a required field missing from
one response of NEW is breaking and named, each finding kind is classified, every format is exact,
and bad command lines exit 2 in one line."""

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from batch_contract.drift.command import main

OLD = Path(__file__).parent / "old"
FAILED = "status/failed.yaml"
WHERE = f"{FAILED}:interactions[0]"
ENDPOINT = "GET /api/v1/beta/batch-processing/{job_id}"


def run(*args: str) -> tuple[int, str, str]:
    """Runs the command, returning the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replaces one exact piece of text in a cassette of `folder`."""
    path = folder / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_same_folder_has_no_breaking_change() -> None:
    """drift A A: exit 0, and only the documented example's rule warning is reported."""
    code, out, err = run(str(OLD), str(OLD))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"drift {OLD} -> {OLD}: 0 breaking, 0 additive, 1 warning(s) (3 responses in OLD, 3 in NEW)"
    )


def test_shipped_cassettes_have_no_drift_with_themselves() -> None:
    """drift cassettes cassettes exits 0."""
    shipped = Path(__file__).resolve().parents[2] / "cassettes"
    assert run(str(shipped), str(shipped))[0] == 0


def test_required_field_removed_from_one_response_is_breaking(new: Path) -> None:
    """total_items missing from one 200 response: exit 1, naming the field, cassette and the
    schema's `required`."""
    edit(new, FAILED, '      "total_items": 159,\n', "")
    code, out, _ = run(str(OLD), str(new))
    assert code == 1
    lines = out.splitlines()
    assert (
        f"breaking: {ENDPOINT} 200 $.job.total_items: field-removed: field present in every OLD "
        "response is missing here; expected a required property, found nothing (absent) "
        f"[required] ({WHERE})"
    ) in lines
    assert lines[0].startswith(f"drift {OLD} -> {new}: 1 breaking, ")


def test_field_always_present_becoming_optional_is_breaking(new: Path) -> None:
    """An optional field of the schema that OLD always had, missing once in NEW, is breaking."""
    edit(new, FAILED, '      "created_at": "2026-02-13T07:45:18.381000Z",\n', "")
    code, out, _ = run(str(OLD), str(new))
    assert code == 1
    assert f"breaking: {ENDPOINT} 200 $.job.created_at: field-removed" in out


@pytest.mark.parametrize(
    ("old", "replacement", "expected"),
    [
        (
            '"failed_items": 2,',
            '"failed_items": "2",',
            f"breaking: {ENDPOINT} 200 $.job.failed_items: type-changed: string, was integer",
        ),
        (
            '"workflow_id": "wf-3eee099f-fb4f-5f7b-b7e1-845ae0abc412"',
            '"workflow_id": null',
            f"breaking: {ENDPOINT} 200 $.job.workflow_id: became-nullable: null, never null in OLD",
        ),
        (
            '"status": "failed",',
            '"status": "paused",',
            f"breaking: {ENDPOINT} 200 $.job.status: enum-value-added: 'paused' first seen",
        ),
        (
            '"progress_percentage": 35.85\n',
            '"progress_percentage": 35.85,\n          "eta_seconds": 12\n',
            f"additive: {ENDPOINT} 200 $.eta_seconds: field-added: field not seen in OLD",
        ),
        (
            "code: 200",
            "code: 500",
            f"breaking: {ENDPOINT} 500 $: status-added: new",
        ),
    ],
)
def test_each_change_is_classified(new: Path, old: str, replacement: str, expected: str) -> None:
    """Type change, nullability, a new enum value, a new field, a new status code."""
    edit(new, FAILED, old, replacement)
    code, out, _ = run(str(OLD), str(new))
    lines = [line for line in out.splitlines() if line.startswith(expected)]
    assert len(lines) == 1, out
    assert lines[0].endswith(f" ({WHERE})")
    assert code == (1 if expected.startswith("breaking") else 0)


def test_one_new_status_value_is_one_breaking_change(new: Path) -> None:
    """A status value OLD never had is one breaking change (its schema violation joins it), not
    two."""
    edit(new, FAILED, '"status": "failed",', '"status": "paused",')
    code, out, _ = run(str(OLD), str(new), "--format", "json", *QUIET)
    assert code == 1
    report = json.loads(out)
    assert report["breaking"] == 1, out
    [finding] = [f for f in report["findings"] if f["impact"] == "breaking"]
    assert finding["kind"] == "enum-value-added"
    assert finding["detail"].startswith("'paused' first seen; expected one of ")


def test_removed_status_code_is_additive(new: Path) -> None:
    """A status code no longer seen is additive: exit 0."""
    (new / "not-found" / "unknown-job.yaml").unlink()
    (new / "not-found").rmdir()
    code, out, _ = run(str(OLD), str(new))
    assert code == 0
    line = f"additive: {ENDPOINT} 404 $: status-removed: gone (not-found/unknown-job.yaml:"
    assert line + "interactions[0])" in out.splitlines()


FORMAT_CHANGE = ('"failed_items": 2,', '"failed_items": "2",')
QUIET = ("--rule", "progress-matches-counts=off")


def test_text_format_exactly(new: Path) -> None:
    """The text report: a summary line, then one line per finding, breaking first."""
    edit(new, FAILED, *FORMAT_CHANGE)
    code, out, _ = run(str(OLD), str(new), "--format", "text", *QUIET)
    assert code == 1
    assert out == (
        f"drift {OLD} -> {new}: 1 breaking, 0 additive, 1 warning(s) "
        "(3 responses in OLD, 3 in NEW)\n"
        f"breaking: {ENDPOINT} 200 $.job.failed_items: type-changed: string, was integer; "
        f'expected integer or null, found string "2" [type] ({WHERE})\n'
        f"warning: {ENDPOINT} 200 $.job.started_at: rule:pending-not-started: expected no start "
        'time (null or absent) for a pending job, found string "2019-12-27T18:11:19.117Z" '
        "(status/documented.yaml:interactions[0])\n"
    )


def test_markdown_format_exactly(new: Path) -> None:
    """The markdown report: heading, summary and a table a pull request can show."""
    edit(new, FAILED, *FORMAT_CHANGE)
    _, out, _ = run(str(OLD), str(new), "--format", "markdown", *QUIET)
    assert out == (
        "### Contract drift of the cassettes\n\n"
        f"drift {OLD} -> {new}: 1 breaking, 0 additive, 1 warning(s) "
        "(3 responses in OLD, 3 in NEW)\n\n"
        "| Impact | Endpoint | Status | JSON path | Change | Seen in |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        f"| **breaking** | `{ENDPOINT}` | 200 | `$.job.failed_items` | type-changed: string, was "
        f'integer; expected integer or null, found string "2" \\[type\\] | `{WHERE}` |\n'
        f"| warning | `{ENDPOINT}` | 200 | `$.job.started_at` | rule:pending-not-started: "
        "expected no start time (null or absent) for a pending job, found string "
        '"2019-12-27T18:11:19.117Z" | `status/documented.yaml:interactions[0]` |\n'
    )


def test_json_format_exactly(new: Path) -> None:
    """The JSON report: counts and every finding with impact, kind, place and detail."""
    edit(new, FAILED, *FORMAT_CHANGE)
    _, out, _ = run(
        str(OLD), str(new), "--format", "json", *QUIET, "--rule", "pending-not-started=off"
    )
    assert json.loads(out) == {
        "old": str(OLD),
        "new": str(new),
        "responses": {"old": 3, "new": 3},
        "breaking": 1,
        "additive": 0,
        "warnings": 0,
        "findings": [
            {
                "impact": "breaking",
                "kind": "type-changed",
                "endpoint": ENDPOINT,
                "status": 200,
                "path": "$.job.failed_items",
                "where": WHERE,
                "detail": 'string, was integer; expected integer or null, found string "2" [type]',
            },
        ],
    }


@pytest.mark.parametrize("filters", [True, False], ids=["extraction-filters", "python-3.11.2"])
def test_against_a_git_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filters: bool
) -> None:
    """--against REV compares the committed cassettes with the working tree's, on a Python with
    tarfile's extraction filters and on one without them (3.11 before 3.11.4)."""
    if not filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    repo = tmp_path / "repo"
    shutil.copytree(OLD, repo / "cassettes")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", "cassettes")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "cassettes")
    assert run("--against", "HEAD", str(repo / "cassettes"))[0] == 0
    edit(repo / "cassettes", FAILED, '      "created_at": "2026-02-13T07:45:18.381000Z",\n', "")
    code, out, _ = run("--against", "HEAD", str(repo / "cassettes"))
    assert code == 1
    assert "$.job.created_at: field-removed" in out
    assert out.startswith(f"drift HEAD:{repo / 'cassettes'} -> ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give two cassette folders"),
        (["only-one"], "give two cassette folders"),
        (["missing-a", "missing-b"], "missing-a: no such folder of cassettes"),
        ([str(OLD), str(OLD), "--format", "xml"], "invalid choice: 'xml'"),
        (["--against", "no-such-rev", str(OLD)], "--against no-such-rev: no such revision"),
        ([str(OLD), str(OLD), "--rule", "nope=error"], "unknown rule 'nope'"),
    ],
)
def test_usage_errors_exit_2_in_one_line(args: list[str], message: str) -> None:
    """Wrong command lines exit 2 with one line on stderr and nothing on stdout."""
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("batch-contract drift: ")
    assert message in err


def test_unreadable_cassette_exits_2(new: Path) -> None:
    """A cassette that is not YAML of interactions is one line and exit 2."""
    (new / "status" / "broken.yaml").write_text("interactions: [ {")
    code, _, err = run(str(OLD), str(new))
    assert code == 2
    assert err == (
        f"batch-contract drift: {new / 'status' / 'broken.yaml'}: not a readable YAML "
        "cassette: ParserError at line 2\n"
    )


@pytest.mark.parametrize(
    "name", ["../outside.yaml", "/etc/absolute.yaml", "link.yaml"], ids=["parent", "abs", "link"]
)
def test_without_extraction_filters_only_plain_members_are_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """On a Python without tarfile's filters, an archive member outside the folder or other than
    a plain file or folder is refused in one line, and nothing is written outside the folder."""
    from batch_contract.drift import command as drift_command
    from batch_contract.errors import UsageError

    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        member = tarfile.TarInfo(name)
        if name == "link.yaml":
            member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(member, io.BytesIO(b""))
    buffer.seek(0)
    into = tmp_path / "into"
    with tarfile.open(fileobj=buffer) as tar, pytest.raises(UsageError, match="not a plain file"):
        drift_command._extract(tar, into)
    assert not (tmp_path / "outside.yaml").exists()
    assert not into.exists()
