"""`batch-contract coverage`: reports compared exactly, exit codes, inputs of every kind."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tracemalloc
from pathlib import Path

import pytest

from batch_contract.coverage.command import main

HERE = Path(__file__).parent
EXAMPLES = HERE / "examples"
EXPECTED = HERE / "expected"
SHIPPED = HERE.parents[1] / "cassettes"
ONE = "one-completed"
"""A folder holding one cassette: one GET of one completed job."""
BODY = (HERE / "bodies" / "failed-with-nulls.json").read_text(encoding="utf-8")


def run(*argv: str) -> tuple[int, str, str]:
    """Runs the command; returns the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def in_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs the test in tests/coverage/examples, so sources print as relative paths."""
    monkeypatch.chdir(EXAMPLES)


@pytest.mark.usefixtures("in_examples")
@pytest.mark.parametrize(
    ("form", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")]
)
def test_report_of_one_completed_job(form: str, suffix: str) -> None:
    """Each format prints exactly the expected report for one completed job's cassette."""
    code, out, err = run(ONE, "--format", form)
    assert (code, err) == (0, "")
    assert out == (EXPECTED / f"{ONE}.{suffix}").read_text(encoding="utf-8")


@pytest.mark.usefixtures("in_examples")
def test_one_completed_job_misses_failed_and_404() -> None:
    """One completed job's cassette lists job.status=failed and http=404 as missing."""
    report = json.loads(run(ONE, "--format", "json")[1])
    assert {"job.status=failed", "http=404"} <= set(report["missing"])
    assert report["percent"] < 100


@pytest.mark.usefixtures("in_examples")
def test_require_and_fail_under_exit_1_on_one_job() -> None:
    """--require job.status=failed and --fail-under 100 exit 1 there, each saying why."""
    assert run(ONE, "--require", "job.status=failed")[::2] == (
        1,
        "batch-contract coverage: required item job.status=failed was never seen\n",
    )
    assert run(ONE, "--fail-under", "100")[::2] == (
        1,
        "batch-contract coverage: coverage 28.9% is below --fail-under 100%\n",
    )
    assert run(ONE, "--require", "job.status=completed", "--fail-under", "28")[0] == 0


def test_shipped_cassettes_cover_every_item_of_both_profiles() -> None:
    """The shipped cassettes reach 100% of the documented and the strict profile's items."""
    for profile in ("documented", "strict"):
        code, out, err = run(str(SHIPPED), "--format", "json", "--profile", profile)
        report = json.loads(out)
        assert (code, err, report["missing"], report["percent"]) == (0, "", [], 100.0)
    assert run(str(SHIPPED), "--require", "job.status=failed", "--fail-under", "100")[0] == 0


def test_unknown_required_item_is_a_usage_error() -> None:
    """A --require name the contract does not have exits 2, suggesting the closest names."""
    assert run(str(SHIPPED), "--require", "job.status=faild") == (
        2,
        "",
        "batch-contract coverage: unknown coverage item 'job.status=faild' (did you mean "
        "job.status=failed, job.status=cancelled, job.status=completed?)\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: PATH"),
        (["x", "--fail-under", "101"], "argument --fail-under: must be between 0 and 100: 101"),
        (["x", "--format", "html"], "argument --format: invalid choice: 'html'"),
    ],
)
def test_bad_command_lines_exit_2(argv: list[str], message: str) -> None:
    """A bad command line is one line on stderr and exit 2."""
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"batch-contract coverage: {message}")
    assert err.count("\n") == 1


@pytest.mark.usefixtures("in_examples")
def test_unreadable_path_exits_2_after_reporting_the_rest() -> None:
    """A missing path is reported; the readable ones are still counted, and the exit is 2."""
    code, out, err = run(ONE, "missing.yaml", "--format", "json")
    assert code == 2
    assert err == "batch-contract coverage: missing.yaml: cannot read: No such file or directory\n"
    assert json.loads(out)["covered"] == 22


def test_only_unreadable_paths_print_no_report(tmp_path: Path) -> None:
    """Nothing readable: no report, the error, exit 2; an empty folder is `no documents found`."""
    assert run(str(tmp_path / "nope")) == (
        2,
        "",
        f"batch-contract coverage: {tmp_path / 'nope'}: cannot read: No such file or directory\n",
    )
    assert run(str(tmp_path)) == (
        2,
        "",
        f"batch-contract coverage: no documents found in {tmp_path}\n",
    )


def test_bodies_count_for_body_items_only(tmp_path: Path) -> None:
    """JSON and NDJSON bodies give body items, never HTTP outcomes or transitions."""
    body = json.dumps(json.loads(BODY)["body"])
    (tmp_path / "one.json").write_text(body, encoding="utf-8")
    pending = body.replace('"failed"', '"pending"')
    (tmp_path / "polls.ndjson").write_text(f"{pending}\n\n{body}\n", encoding="utf-8")
    report = json.loads(run(str(tmp_path), "--format", "json")[1])
    seen = {row["item"]: row for row in report["items"] if row["seen"]}
    assert not [name for name in seen if name.startswith(("http=", "transition="))]
    assert seen["job.status=failed"]["first"] == f"{tmp_path / 'one.json'}"
    assert seen["job.status=pending"]["first"] == f"{tmp_path / 'polls.ndjson'}:1"
    assert seen["job.status=failed"]["seen"] == 2
    assert (report["bodies"], report["responses"]) == (3, 0)


def test_unparsable_documents_are_noted_and_skipped(tmp_path: Path) -> None:
    """A line that is not JSON is named on stderr; the other lines still count."""
    body = json.dumps(json.loads(BODY)["body"])
    (tmp_path / "a.ndjson").write_text(f"{{nope\n{body}\n", encoding="utf-8")
    code, out, err = run(str(tmp_path / "a.ndjson"), "--format", "json")
    assert code == 0
    assert err.startswith(f"batch-contract coverage: {tmp_path / 'a.ndjson'}:1: skipped: ")
    assert err.count("\n") == 1
    assert json.loads(out)["bodies"] == 1


def _interaction(method: str, uri: str, code: int, body: str = "") -> dict[str, object]:
    return {
        "request": {"method": method, "uri": uri, "body": "", "headers": {}},
        "response": {"status": {"code": code}, "headers": {}, "body": {"string": body}},
    }


def test_cassette_polls_give_transitions_per_job(tmp_path: Path) -> None:
    """Polls of one job in a cassette give its moves; other endpoints and methods count nothing."""
    import yaml

    base = "http://x/api/v1/beta/batch-processing/"
    first = json.loads(BODY)["body"]
    running = json.dumps({**first, "job": {**first["job"], "status": "running"}})
    failed = json.dumps(first)
    other = json.dumps({**first, "job": {**first["job"], "status": "pending"}})
    cassette = {
        "version": 1,
        "interactions": [
            _interaction("GET", base + "bjb-1", 200, running),
            _interaction("GET", base + "bjb-2", 200, other),  # another job between two polls
            _interaction("GET", base + "bjb-1", 200, failed),
            _interaction("POST", base + "bjb-1", 404, ""),
            _interaction("GET", "http://x/api/v1/other/bjb-1", 403, ""),
            _interaction("GET", base + "bjb-1?organization_id=x", 422, "{}"),
        ],
    }
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cassette), encoding="utf-8")
    report = json.loads(run(str(tmp_path), "--format", "json")[1])
    seen = {row["item"]: row["first"] for row in report["items"] if row["seen"]}
    moves = {name: where for name, where in seen.items() if name.startswith("transition=")}
    assert moves == {"transition=running->failed": f"{tmp_path / 'c.yaml'}:interactions[2]"}
    assert [name for name in seen if name.startswith("http=")] == ["http=200", "http=422"]
    assert report["responses"] == 4


def test_gzip_bodies_in_cassettes_are_read(tmp_path: Path) -> None:
    """A cassette body stored gzip-compressed is decompressed as the validator does."""
    import yaml

    raw = gzip.compress(json.dumps(json.loads(BODY)["body"]).encode())
    interaction = _interaction("GET", "http://x/api/v1/beta/batch-processing/bjb-1", 200)
    interaction["response"] = {
        "status": {"code": 200},
        "headers": {"Content-Encoding": ["gzip"]},
        "body": {"string": raw},
    }
    path = tmp_path / "c.yaml"
    cassette = {"interactions": [interaction], "version": 1}
    path.write_text(yaml.safe_dump(cassette), encoding="utf-8")
    report = json.loads(run(str(path), "--format", "json")[1])
    assert "job.status=failed" not in report["missing"]


def test_a_yaml_file_that_is_not_a_cassette(tmp_path: Path) -> None:
    """Named, a YAML file that is no cassette is noted; in a folder it is passed over."""
    (tmp_path / "config.yaml").write_text("a: 1\n", encoding="utf-8")
    shutil.copy(EXAMPLES / ONE / next(iter(sorted((EXAMPLES / ONE).iterdir()))).name, tmp_path)
    assert run(str(tmp_path))[2] == ""
    code, _, err = run(str(tmp_path / "config.yaml"))
    assert code == 2  # nothing else was given: no documents found
    assert "not a vcrpy cassette" in err


def test_ndjson_memory_stays_flat(tmp_path: Path) -> None:
    """Counting 4 times more NDJSON lines (1 and 4.5 MB) takes no more memory at its peak."""
    line = (json.dumps(json.loads(BODY)["body"]) + "\n").encode()
    small, large = tmp_path / "small.ndjson", tmp_path / "large.ndjson"
    small.write_bytes(line * 2_500)
    large.write_bytes(line * 10_000)
    peaks = []
    for path in (small, large):
        tracemalloc.start()
        assert run(str(path), "--format", "json")[0] == 0
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.25


@pytest.mark.usefixtures("in_examples")
def test_hostile_cassette_is_reported_line_by_line() -> None:
    """Interactions of the wrong shape and a bad code are each one line, as validate-status
    reports them, and exit 2; a bad body is noted and skipped; the rest still counts."""
    code, out, err = run("hostile.yaml", "--format", "json")
    assert code == 2
    assert err == (
        "batch-contract coverage: hostile.yaml:interactions[3]: skipped: malformed JSON: "
        "unexpected character, expected a string key at line 1 column 2\n"
        "batch-contract coverage: hostile.yaml:interactions[0]: unreadable cassette "
        "interaction: request: not a mapping\n"
        "batch-contract coverage: hostile.yaml:interactions[1]: unreadable cassette "
        "interaction: interaction: not a mapping\n"
        "batch-contract coverage: hostile.yaml:interactions[2]: unreadable cassette "
        "interaction: status code: not a number (str)\n"
    )
    report = json.loads(out)
    assert (report["responses"], report["bodies"], report["covered"]) == (1, 0, 1)
