"""The cassettes end to end, each run the real suite through pytester: recording twice gives
byte-identical files, a planted canary key reaches no cassette and no output, a failing test never
replaces a good cassette, replay is offline, and a missing cassette says how to record it."""

import filecmp
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SUITE = ROOT / "contract_tests"
SHIPPED = ROOT / "cassettes"
FEW = ("-k", "lifecycle or not_found or malformed or aaaaaaaa")
"""A quick subset: the life-cycles, the 404, the 422, the documented example (status and auth)."""
QUIET = ("-p", "no:cacheprovider", "-p", "no:randomly", "--contract-poll-interval", "0.01")
LOADS_THE_SUITE = """
from batch_contract.pytest_plugin.entry import load_suite

def pytest_configure(config):
    load_suite(config)
"""
"""A conftest of contract tests outside contract_tests/: it loads the suite as that one does."""

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def record(pytester: pytest.Pytester, folder: Path, *args: str) -> pytest.RunResult:
    """Records the contract suite from the reference server into `folder`."""
    return pytester.runpytest_inprocess(
        str(SUITE), "--reference", "--record-mode=rewrite", "--cassette-dir", str(folder),
        *QUIET, *args,
    )  # fmt: skip


def replay(pytester: pytest.Pytester, folder: Path, *args: str) -> pytest.RunResult:
    """Replays the contract suite from `folder` (no target option)."""
    return pytester.runpytest_inprocess(str(SUITE), "--cassette-dir", str(folder), *QUIET, *args)


def files(folder: Path) -> list[str]:
    """The files under a folder, relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_recording_twice_gives_identical_files(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Two recordings (different random keys and ports) are byte-identical, and equal to the
    shipped cassettes: re-recording unchanged responses produces no diff."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert record(pytester, first, *FEW).ret == 0
    assert record(pytester, second, *FEW).ret == 0
    names = files(first)
    assert names == files(second)
    assert filecmp.cmpfiles(first, second, names, shallow=False)[0] == names
    cassettes = [name for name in names if name != "jobs.txt"]
    assert len(cassettes) == 15, names  # 10 life-cycles, 404, 422, the example (status, 2 auth)
    assert filecmp.cmpfiles(first, SHIPPED, cassettes, shallow=False)[0] == cassettes
    assert (first / "jobs.txt").read_text().splitlines()[2:] == [
        "status bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        *(f"lifecycle bjb-10000000-0000-4000-8000-0000000000{n:02}" for n in range(1, 11)),
    ]


def test_canary_key_reaches_no_cassette_and_no_output(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planted key is in no recorded file and no output; the recording then replays offline."""
    canary = "canary-" + os.urandom(12).hex()
    monkeypatch.setenv("LLAMA_CLOUD_API_KEY", canary)
    folder = tmp_path / "cassettes"
    result = record(pytester, folder, *FEW, "-rA")
    assert result.ret == 0, result.stdout.str()
    assert canary not in result.stdout.str() + result.stderr.str()
    for name in files(folder):
        assert canary not in (folder / name).read_text(), name
    monkeypatch.delenv("LLAMA_CLOUD_API_KEY")
    again = replay(pytester, folder)
    assert again.ret == 0, again.stdout.str()
    again.assert_outcomes(passed=15, deselected=1)


def test_failing_test_keeps_the_good_cassette(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Re-recording from a broken server fails the tests and leaves their cassettes untouched."""
    folder = tmp_path / "cassettes"
    shutil.copytree(SHIPPED, folder)
    before = {name: (folder / name).read_bytes() for name in files(folder)}
    result = record(pytester, folder, "--reference-break", "status-unknown", "-k", "status")
    assert result.ret == 1
    assert {name: (folder / name).read_bytes() for name in files(folder)} == before
    assert "because their test failed" in result.stdout.str()


def test_default_run_replays_shipped_cassettes_offline(pytester: pytest.Pytester) -> None:
    """No option: every contract test with a cassette runs from cassettes/ and passes."""
    result = replay(pytester, SHIPPED)
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes["passed"] == len(list(SHIPPED.rglob("*.yaml")))


def test_missing_cassette_says_how_to_record(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A status cassette (listed in jobs.txt) without its auth or life-cycle cassettes: those
    tests fail, each with the record command."""
    folder = tmp_path / "cassettes"
    (folder / "status").mkdir(parents=True)
    name = "status/bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee.yaml"
    shutil.copy(SHIPPED / name, folder / name)
    (folder / "jobs.txt").write_text("status bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n")
    result = replay(pytester, folder, "-k", "auth and aaaaaaaa or lifecycle")
    assert result.ret == 1
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            f"*batch-contract: no cassettes under {folder / 'lifecycle'}: record them with "
            "`pytest contract_tests --reference --record-mode=rewrite*"
        ]
    )
    missing = folder / "auth" / "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee.without-key.yaml"
    result.stdout.fnmatch_lines(
        [
            f"*batch-contract: cassette {missing} is missing: record it with `pytest contract_tests"
            " --reference --record-mode=rewrite` (or `--live` instead of `--reference`, against "
            "your staging)"
        ]
    )


def test_empty_cassette_folder_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Replay with no cassettes at all stops at once, naming the folder and the command."""
    result = replay(pytester, tmp_path)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"no cassettes under {tmp_path}: record them with" in result.stderr.str()


def test_record_mode_without_a_target_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--record-mode=rewrite without --reference or --live has nothing to record from."""
    result = pytester.runpytest_inprocess(str(SUITE), "--record-mode=rewrite")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "add --reference or --live" in result.stderr.str()


def test_replayed_test_cannot_reach_the_network(pytester: pytest.Pytester) -> None:
    """A contract test that opens a socket during replay fails with a clear one-line reason."""
    pytester.makeconftest(LOADS_THE_SUITE)
    pytester.makepyfile(
        test_reach="""
        import socket
        import pytest

        @pytest.mark.contract_cassette("not-found/unknown-job")
        def test_reach(contract_target):
            with socket.socket() as sock:  # closed even though connect is refused
                sock.connect(("192.0.2.1", 80))
        """
    )
    result = pytester.runpytest_inprocess("--contract-cassette-dir", str(SHIPPED), *QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*batch-contract: this run is offline (replay): the test tried to connect to '192.0.2.1'*"]
    )


def test_a_deleted_status_cassette_fails_its_job(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """With one job's status cassette gone, that job's status test still runs and fails with the
    command that records it: the run never turns green by checking less."""
    folder = tmp_path / "cassettes"
    shutil.copytree(SHIPPED, folder)
    job = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    (folder / "status" / f"{job}.yaml").unlink()
    result = replay(pytester, folder, "-k", "status_body")
    result.assert_outcomes(passed=20, failed=1)
    result.stdout.fnmatch_lines(
        [f"*batch-contract: cassette {folder / 'status' / job}.yaml is missing: record it with `*"]
    )


def test_job_id_selects_recorded_jobs_in_replay(pytester: pytest.Pytester) -> None:
    """`--job-id` in replay runs that recorded job's tests only. The life-cycle test, which has
    no such job (the job was recorded for its status alone), is never skipped: it is deselected,
    and the summary says why in one line."""
    job = "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    result = replay(pytester, SHIPPED, "--job-id", job, "-v")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=5, deselected=2)  # the life-cycle test and schemathesis's
    result.stdout.fnmatch_lines([f"*test_status_body_matches_schema[[]{job}[]] PASSED*"])
    assert (
        "batch-contract: 1 life-cycle tests deselected: no job --job-id asked for has a "
        "recorded life-cycle (lifecycle/<job id>.yaml)"
    ) in result.stdout.lines
    assert "SKIPPED" not in result.stdout.str()


def test_job_id_without_a_cassette_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """`--job-id` of a job that was never recorded stops replay in one line."""
    result = replay(pytester, SHIPPED, "--job-id", "bjb-00000000-0000-4000-8000-00000000dead")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --job-id bjb-00000000-0000-4000-8000-00000000dead: no cassette of that job *"]
    )
