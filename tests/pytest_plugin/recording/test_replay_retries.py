"""A cassette recorded while the deployment answered 503 before a retry succeeded replays green:
in replay the client retries exactly as it did when recording (same count, same statuses), in the
order vcrpy plays the recorded answers, and never waits. A cassette that holds only failed answers
fails in one line, and so does one with fewer answers than the client asks for.

The deployment is a hostile stand-in on 127.0.0.1 (the standard library's HTTP server) that
answers the first GET of every job with a 503 and the next with a valid body."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from recording_stand_in import ROOT, StandIn

from batch_contract.pytest_plugin.targets import KEY_ENV

SUITE = ROOT / "contract_tests"
KEY = "replay-retries-key-0123456789"
JOB = "bjb-00000503-aaaa-4aaa-baaa-aaaaaaaaaaaa"
QUIET = ("-p", "no:cacheprovider", "-p", "no:randomly")

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


class FlakyOnce(StandIn):
    """401 without the key, 404 for the suite's unknown job; every other job gets a 503 on its
    first GET and a valid completed body on the next ones."""

    key = KEY

    def do_GET(self) -> None:
        """One answer; the GETs of each job are counted in `server.asked`."""
        job = self.job()
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.asked[job] += 1  # type: ignore[attr-defined]
            asked = self.server.asked[job]  # type: ignore[attr-defined]
        if self.refused(job) or job is None:
            return
        if asked == 1:
            self.answer(503, {"detail": "Service Unavailable"})
        else:
            self.answer_job(job)


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every `time.sleep` of the process while the test runs, recorded instead of slept."""
    calls: list[float] = []
    monkeypatch.setattr(time, "sleep", calls.append)
    return calls


@dataclass
class Recording:
    """A live recording of the status test of `JOB` against the stand-in."""

    folder: Path
    """The cassette folder."""
    slept: list[float]
    """The waits the recording run asked `time.sleep` for."""


@pytest.fixture
def recorded(
    pytester: pytest.Pytester,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    slept: list[float],
) -> Recording:
    """A live recording of the status test of `JOB` against the stand-in (503, then 200); the
    stand-in is stopped, the key unset and the recorded waits cleared before the test goes on."""
    monkeypatch.setenv(KEY_ENV, KEY)
    folder = tmp_path / "cassettes"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyOnce)
    server.asked = Counter()  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = pytester.runpytest_inprocess(
            str(SUITE), "--live", "--contract-base-url", f"http://127.0.0.1:{server.server_port}",
            "--contract-job-id", JOB, "--record-mode=rewrite", "--cassette-dir", str(folder),
            "-k", "status_body", *QUIET,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert result.ret == 0, result.stdout.str()
    assert server.asked[JOB] == 2  # type: ignore[attr-defined]
    result.stdout.fnmatch_lines(["*retry 1/5 in * s after GET *: HTTP 503*"])
    recording = Recording(folder, list(slept))
    slept.clear()
    monkeypatch.delenv(KEY_ENV)
    return recording


def interactions(folder: Path) -> list[dict[str, object]]:
    """The interactions of `JOB`'s status cassette under `folder`."""
    document = yaml.safe_load((folder / "status" / f"{JOB}.yaml").read_text("utf-8"))
    found: list[dict[str, object]] = document["interactions"]
    return found


def codes(folder: Path) -> list[object]:
    """The status codes `JOB`'s cassette answers with, in order."""
    return [item["response"]["status"]["code"] for item in interactions(folder)]  # type: ignore[index]


def replay(pytester: pytest.Pytester, folder: Path, *args: str) -> pytest.RunResult:
    """The status test replayed offline from `folder`."""
    return pytester.runpytest_inprocess(
        str(SUITE), "--cassette-dir", str(folder), "-k", "status_body", *QUIET, *args
    )


def test_a_503_then_200_recording_replays_green_without_waiting(
    pytester: pytest.Pytester, recorded: Recording, slept: list[float]
) -> None:
    """The recording holds the 503 and the 200, in that order; replaying it offline, with no
    key, passes: the client retries the 503 as it did live and gets the 200, says so in a
    warning, and never calls `time.sleep` (no backoff: the cassette answers at once), where the
    recording called it once, for its backoff."""
    assert codes(recorded.folder) == [503, 200]
    result = replay(pytester, recorded.folder)
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*retry 1/5 at once (replay) after GET *: HTTP 503*"])
    assert slept == []
    assert len(recorded.slept) == 1, recorded.slept
    assert recorded.slept[0] >= 0.375, recorded.slept  # the backoff: 0.5 s less 25% jitter


@pytest.mark.parametrize("copies", [1, 3, 6])
def test_a_cassette_of_only_503s_fails_in_one_line(
    pytester: pytest.Pytester, recorded: Recording, slept: list[float], copies: int
) -> None:
    """The recorded 503 alone, `copies` times (fewer answers than the client's 6 attempts, or
    as many): replay fails, never passes, with one line naming the cassette, the failed answers
    and how to re-record; it never waits either."""
    path = recorded.folder / "status" / f"{JOB}.yaml"
    document = yaml.safe_load(path.read_text("utf-8"))
    document["interactions"] = [document["interactions"][0]] * copies
    path.write_text(yaml.safe_dump(document), "utf-8")
    assert codes(recorded.folder) == [503] * copies
    result = replay(pytester, recorded.folder)
    assert result.ret == 1, result.stdout.str()
    result.assert_outcomes(failed=1)
    [failure] = result.reprec.getfailures()  # type: ignore[attr-defined]
    message = str(failure.longrepr)
    assert "\n" not in message, message
    assert message.startswith("batch-contract: "), message
    assert f"status/{JOB}.yaml" in message, message
    assert "only failed answers" in message, message
    assert "--record-mode=rewrite" in message, message
    assert slept == []


def test_replay_retries_as_configured(pytester: pytest.Pytester, recorded: Recording) -> None:
    """`--http-retries 0` in replay, as in a live run, takes the first answer: the recorded 503
    is not retried, and the run fails in one line saying the cassette answered only failures."""
    result = replay(pytester, recorded.folder, "--http-retries", "0")
    assert result.ret == 1, result.stdout.str()
    [failure] = result.reprec.getfailures()  # type: ignore[attr-defined]
    message = str(failure.longrepr)
    assert "\n" not in message, message
    wanted = "HTTP 503 at each of the 1 attempt(s) (--http-retries 0): only failed answers"
    assert wanted in message, message
