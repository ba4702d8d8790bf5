"""Hostile job ids stay in their place: a live recording with `--job-id ../../x` sends the id as
one percent-encoded path segment and writes its cassette inside `--cassette-dir` under that
encoded name (the mapping docs/cassettes.md describes), and the recording replays offline.

The deployment is a stand-in on 127.0.0.1 (the standard library's HTTP server) that records the
raw request paths it receives and answers every job with a valid body naming the id it decoded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from recording_stand_in import PREFIX, ROOT, StandIn

from batch_contract.pytest_plugin.targets import KEY_ENV

SUITE = ROOT / "contract_tests"
KEY = "hostile-ids-key-0123456789"

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


class Recorder(StandIn):
    """Answers the endpoint: 401 without the key, 404 for the suite's unknown job, else 200 with
    a valid completed body for the decoded id; every raw path is kept in `server.paths`."""

    key = KEY

    def do_GET(self) -> None:
        """One answer, and the raw request path recorded."""
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        job = self.job()
        if not self.refused(job) and job is not None:
            self.answer_job(job)


@pytest.fixture
def deployment() -> Iterator[ThreadingHTTPServer]:
    """The recording stand-in on 127.0.0.1, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


def files(folder: Path) -> set[Path]:
    """Every file under `folder`."""
    return {path for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("job_id", ["../../x", "..", "a/b?c#d", "%2e%2e"])
def test_a_hostile_id_is_one_segment_and_its_cassette_stays_inside(
    pytester: pytest.Pytester,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    deployment: ThreadingHTTPServer,
    job_id: str,
) -> None:
    """Recording `--job-id <id>` live: every request for the job has exactly one segment after
    the endpoint's prefix, which decodes to the id; no file appears anywhere under the work
    folder but inside `--cassette-dir`; the cassette replays offline."""
    monkeypatch.setenv(KEY_ENV, KEY)
    work = tmp_path / "work"
    folder = work / "deep" / "er" / "cassettes"
    folder.mkdir(parents=True)
    before = files(tmp_path)
    base_url = f"http://127.0.0.1:{deployment.server_address[1]}"
    result = pytester.runpytest_inprocess(
        str(SUITE), "--live", "--contract-base-url", base_url, "--contract-job-id", job_id,
        "--record-mode=rewrite", "--cassette-dir", str(folder), "-k", "status_body",
        "-p", "no:cacheprovider", "-p", "no:randomly",
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()
    paths = [p.partition("?")[0] for p in deployment.paths]  # type: ignore[attr-defined]
    asked = [p[len(PREFIX) :] for p in paths if p.startswith(PREFIX)]
    assert len(asked) == len(paths) >= 2  # the start-up check and the test
    assert all("/" not in segment for segment in asked), asked
    assert unquote(asked[-1]) == job_id
    written = files(tmp_path) - before
    assert written, "nothing recorded"
    outside = [path for path in written if not path.is_relative_to(folder)]
    assert outside == [], outside
    again = pytester.runpytest_inprocess(
        str(SUITE), "--cassette-dir", str(folder), "-k", "status_body", "-p", "no:cacheprovider"
    )
    assert again.ret == 0, again.stdout.str()
    again.assert_outcomes(passed=1)
