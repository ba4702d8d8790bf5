"""Replay never checks less than the cassette folder holds: a recorded answer no test asked for
fails its test, naming the cassette, how many answers were left and how to re-record."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from test_record_replay import SHIPPED, replay

EXAMPLE = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
MOVING = "bjb-10000000-0000-4000-8000-000000000001"
HINT = (
    "re-record it with `pytest contract_tests --reference --record-mode=rewrite` (or `--live` "
    "instead of `--reference`, against your staging)"
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def copy_shipped(tmp_path: Path) -> Path:
    """A copy of the shipped cassette folder (jobs.txt included)."""
    folder = tmp_path / "cassettes"
    shutil.copytree(SHIPPED, folder)
    return folder


def edit_interactions(path: Path, change: object) -> list[dict[str, object]]:
    """Rewrites a cassette's interactions with `change(interactions)`; returns the new list."""
    document = yaml.safe_load(path.read_text("utf-8"))
    document["interactions"] = change(document["interactions"])  # type: ignore[operator]
    path.write_text(yaml.safe_dump(document), "utf-8")
    found: list[dict[str, object]] = document["interactions"]
    return found


def with_body(interaction: dict[str, object], progress: float, **job: object) -> dict[str, object]:
    """A copy of an interaction whose 200 body has `job`'s fields and its progress replaced."""
    copy = json.loads(json.dumps(interaction))
    body = json.loads(copy["response"]["body"]["string"])
    body["job"].update(job)
    body["progress_percentage"] = progress
    copy["response"]["body"]["string"] = json.dumps(body)
    return copy  # type: ignore[no-any-return]


def with_code(interaction: dict[str, object], code: int, message: str) -> dict[str, object]:
    """A copy of an interaction answering `code` with a small error body."""
    copy = json.loads(json.dumps(interaction))
    copy["response"]["status"] = {"code": code, "message": message}
    copy["response"]["body"]["string"] = json.dumps({"detail": message})
    return copy  # type: ignore[no-any-return]


def only_failure(result: pytest.RunResult) -> str:
    """The one failure's report of a run, which must be one line."""
    result.assert_outcomes(failed=1)
    [failure] = result.reprec.getfailures()  # type: ignore[attr-defined]
    message = str(failure.longrepr)
    assert "\n" not in message, message
    return message


LEFT_OVER = [
    pytest.param(
        f"status/{EXAMPLE}",
        f"status_body and {EXAMPLE}",
        lambda found: [*found, with_body(found[0], 250, status="exploded")],
        "1 of its 2",
        id="status-breaking-answer-appended",
    ),
    pytest.param(
        f"lifecycle/{MOVING}",
        f"lifecycle and {MOVING}",
        lambda found: [*found, found[0], found[0]],  # `pending` twice after `completed`
        "2 of its 8",
        id="lifecycle-backwards-polls-after-the-confirming-poll",
    ),
    pytest.param(
        f"status/{EXAMPLE}",
        f"status_body and {EXAMPLE}",
        lambda found: [*found, with_code(found[0], 503, "Unavailable")],
        "1 of its 2",
        id="status-503-after-the-200",  # the client stops at the 200: the 503 is never played
    ),
]


@pytest.mark.parametrize(("name", "selected", "change", "count"), LEFT_OVER)
def test_an_answer_never_asked_for_fails_its_test(
    pytester: pytest.Pytester, tmp_path: Path, name: str, selected: str, change: object, count: str
) -> None:
    """A cassette with answers appended after those its test plays (a contract-breaking body, a
    backwards poll after the life-cycle's confirming poll, a 503 after the 200) fails that test,
    which passed on the answers it asked for, in one line naming the cassette, how many answers
    it never asked for and the command that re-records it."""
    folder = copy_shipped(tmp_path)
    edit_interactions(folder / f"{name}.yaml", change)
    result = replay(pytester, folder, "-k", selected)
    assert result.ret == 1, result.stdout.str()
    assert only_failure(result) == (
        f"batch-contract: cassette {name}.yaml holds {count} answer(s) that the test never asked "
        f"for, so they were never checked; {HINT}"
    )


def usage_error(result: pytest.RunResult) -> str:
    """The one line of a replay stopped at start as a usage error (exit 4), with nothing run."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    line, end = result.stderr.lines  # one line, then the empty end
    assert end == ""
    assert "passed" not in result.stdout.str()
    return line


def drop_line(jobs: Path, line: str) -> None:
    """Removes `line` from the jobs.txt `jobs`."""
    kept = [each for each in jobs.read_text().splitlines() if each != line]
    jobs.write_text("\n".join(kept) + "\n")


def test_a_folder_without_jobs_txt_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """A folder of cassettes without jobs.txt, one status cassette deleted: replay stops at
    start with one usage-error line (exit 4) saying why jobs.txt matters and how to make one,
    instead of running the other jobs' tests green without the deleted one's."""
    folder = copy_shipped(tmp_path)
    (folder / "jobs.txt").unlink()
    (folder / "status" / "bjb-0c10ba61-652b-52cb-b354-06ef5c489ff8.yaml").unlink()
    assert usage_error(replay(pytester, folder)) == (
        f"ERROR: batch-contract: {folder} holds cassettes but no jobs.txt: without it a deleted "
        "cassette's tests would be dropped unseen; re-record with `pytest contract_tests "
        "--reference --record-mode=rewrite` (or `--live` instead of `--reference`, against your "
        "staging), which writes it, or write one `status <job id>` or `lifecycle <job id>` line "
        f"per recorded job into {folder / 'jobs.txt'}"
    )


@pytest.mark.parametrize("kind", ["status", "lifecycle"])
def test_a_cassette_jobs_txt_does_not_list_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path, kind: str
) -> None:
    """A jobs.txt that lists fewer jobs than the folder holds (one line removed): replay stops at
    start with one line naming the cassette and the line to add, instead of running it unlisted
    (then deleting it would drop its tests unseen, coverage still 100%)."""
    folder = copy_shipped(tmp_path)
    cassette = sorted((folder / kind).glob("*.yaml"))[0]
    jobs = folder / "jobs.txt"
    line = f"{kind} {cassette.stem}"
    drop_line(jobs, line)
    assert usage_error(replay(pytester, folder)) == (
        f"ERROR: batch-contract: {cassette} is not listed in {jobs}: a job it does not list "
        "would be dropped unseen once its cassette is deleted; add the line "
        f"`{line}` (recording adds it), or delete the cassette"
    )


JOB = "bjb-0c10ba61-652b-52cb-b354-06ef5c489ff8"


@pytest.mark.parametrize("case", ["left-behind", "encoded-copy", "unencoded-name", "stray"])
def test_a_cassette_no_test_plays_is_a_usage_error(
    pytester: pytest.Pytester, tmp_path: Path, case: str
) -> None:
    """Every cassette in the folder must be one a test plays: the auth cassettes left behind when
    a job's line and status cassette went, a second copy of a cassette under another encoding
    of its name (`%2D` for `-`), a name the suite never records (a space left unencoded), or a
    stray file in a folder the suite writes to. Each would never be read: replay stops at start
    with one line naming it."""
    folder = copy_shipped(tmp_path)
    jobs = folder / "jobs.txt"
    if case == "left-behind":
        drop_line(jobs, f"status {JOB}")
        (folder / "status" / f"{JOB}.yaml").unlink()
        named = folder / "auth" / f"{JOB}.without-key.yaml"
    else:
        source = folder / "status" / f"{JOB}.yaml"
        name = {
            "encoded-copy": JOB.replace("-", "%2D", 1),
            "unencoded-name": "bjb x",
            "stray": "notes",
        }[case]
        named = folder / ("status" if case != "stray" else "not-found") / f"{name}.yaml"
        named.write_bytes(source.read_bytes())
        if case == "unencoded-name":
            jobs.write_text(jobs.read_text() + "status bjb%20x\n")
    assert usage_error(replay(pytester, folder)) == (
        f"ERROR: batch-contract: {named}: no test plays this cassette (it is no cassette of a "
        "job jobs.txt lists, under the name the suite records it by), so it would never be "
        f"checked; delete it, or list its job in {jobs}"
    )


def test_under_xdist_the_summary_says_what_replay_deselected(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist (`-n 2`) replay still ends by saying that the schemathesis test was
    deselected and why, and pytest's last line counts it, as a run without `-n` does."""
    result = replay(pytester, SHIPPED, "-n", "2")
    assert result.ret == 0, result.stdout.str()
    assert (
        "batch-contract: 1 schemathesis tests deselected: generated requests need a server "
        "(--reference or --live), and replay has none"
    ) in result.stdout.lines
    result.assert_outcomes(passed=75, deselected=1)


def test_job_id_of_a_life_cycle_job_deselects_the_status_tests_visibly(
    pytester: pytest.Pytester,
) -> None:
    """`--job-id` of a job recorded for its life-cycle alone: the status and auth tests, which
    have no such job, are deselected with one line saying why, never skipped; the rest pass."""
    result = replay(pytester, SHIPPED, "--job-id", MOVING, "-rA")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=3, deselected=4)  # 404, 422, life-cycle; + schemathesis's
    assert (
        "batch-contract: 3 status and auth tests deselected: no job --job-id asked for has a "
        "recorded status (status/<job id>.yaml)"
    ) in result.stdout.lines
    assert "SKIPPED" not in result.stdout.str()
