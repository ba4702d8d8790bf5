"""The guard as an httpx and requests response hook, in-process (httpx.MockTransport) or on
loopback: which responses it judges, the verdict it shares with `assert_batch_status`, sampling,
stats, rule levels, and masking of a key that a hostile server echoes back."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import llama_cloud
import pytest
import requests
from guard_helpers import CANARY

from batch_contract.assertions import (
    BatchStatusMismatch,
    assert_batch_status,
    check_batch_status,
)
from batch_contract.core.rules import load_levels
from batch_contract.errors import UsageError
from batch_contract.guard import (
    LOGGER_NAME,
    MIN_MASKED_PREFIX,
    ContractViolationWarning,
    GuardStats,
    StatusGuard,
)
from batch_contract.server import RunningServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "examples"
EXAMPLE: dict[str, Any] = json.loads((ROOT / "docs" / "example-response.json").read_bytes())
BASE = "http://127.0.0.1:9"
STATUS = "/api/v1/beta/batch-processing/bjb-1"
JOB_PATH = "/api/v1/beta/batch-processing/{}"
FOLDERS = {"valid": "documented", "invalid": "documented", "malformed": "documented"}
FOLDERS["strict-invalid"] = "strict"


def body(**job: Any) -> bytes:
    """The documented example response with some job fields replaced."""
    document = copy.deepcopy(EXAMPLE)
    document["job"].update(job)
    return json.dumps(document).encode()


VALID = body()
BROKEN = body(status="queued")


def responder(
    content: bytes | Callable[[httpx.Request], bytes],
    status: int = 200,
    media: str = "application/json",
    streamed: bool = False,
) -> httpx.MockTransport:
    """A transport that answers every request with this body (or the body made from the request),
    status and Content-Type; `streamed` sends the body as a one-shot iterator."""

    def answer(request: httpx.Request) -> httpx.Response:
        raw = content(request) if callable(content) else content
        stream: Any = iter([raw]) if streamed else raw
        return httpx.Response(status, content=stream, headers={"content-type": media})

    return httpx.MockTransport(answer)


def client(guard: StatusGuard, transport: httpx.MockTransport, **options: Any) -> httpx.Client:
    """A plain httpx client (no SDK) over the transport with the guard as its response hook."""
    return httpx.Client(
        base_url=BASE, transport=transport, event_hooks={"response": [guard]}, **options
    )


def example_params() -> Iterator[Any]:
    """Every example document of tests/examples with the profile its folder is checked under."""
    for folder, profile in FOLDERS.items():
        for path in sorted((EXAMPLES / folder).glob("*.json")):
            yield pytest.param(path, profile, id=f"{folder}/{path.stem}")


@pytest.mark.parametrize(("path", "profile"), list(example_params()))
def test_same_verdict_and_messages_as_assert_batch_status(path: Path, profile: Any) -> None:
    """For every example document, the guard in raise mode passes exactly when
    `assert_batch_status` does, and fails with the same violations and lines."""
    raw = path.read_bytes()
    try:
        assert_batch_status(raw, profile=profile, rules=load_levels())
    except BatchStatusMismatch as mismatch:
        expected: BatchStatusMismatch | None = mismatch
    else:
        expected = None
    guard = StatusGuard("raise", profile=profile)
    with client(guard, responder(raw)) as http:
        if expected is None:
            assert http.get(STATUS).content == raw
            assert guard.stats == GuardStats(checked=1, skipped=0, invalid=0)
            return
        with pytest.raises(BatchStatusMismatch) as raised:
            http.get(STATUS)
    assert raised.value.violations == expected.violations
    assert raised.value.title == f"status of job bjb-1: {expected.title}"
    assert str(raised.value).splitlines()[1:] == str(expected).splitlines()[1:]
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=1)


@pytest.mark.parametrize(
    ("url", "job_id"),
    [
        pytest.param(STATUS, "bjb-1", id="plain"),
        pytest.param("/proxy/llama" + STATUS, "bjb-1", id="path-prefix"),
        pytest.param(STATUS + "?organization_id=org-1", "bjb-1", id="query"),
        pytest.param(JOB_PATH.format("bjb%2F1"), "bjb/1", id="percent-encoded-id"),
        pytest.param("http://other.invalid:8080/x" + STATUS, "bjb-1", id="other-base-url"),
    ],
)
def test_judges_status_responses_under_any_base_url(url: str, job_id: str) -> None:
    """A 2xx answer to GET .../api/v1/beta/batch-processing/{job_id} is judged wherever the API
    is mounted; the message names the job."""
    guard = StatusGuard("raise")
    with client(guard, responder(BROKEN)) as http, pytest.raises(BatchStatusMismatch) as raised:
        http.get(url)
    assert raised.value.title.startswith(f"status of job {job_id}: ")


@pytest.mark.parametrize(
    ("method", "url", "status", "reason"),
    [
        pytest.param("POST", STATUS, 200, "other request", id="post"),
        pytest.param("DELETE", STATUS, 200, "other request", id="delete"),
        pytest.param("GET", "/api/v1/beta/batch-processing", 200, "other request", id="list"),
        pytest.param("GET", "/api/v1/beta/batch-processing/", 200, "other request", id="empty-id"),
        pytest.param("GET", STATUS + "/items", 200, "other request", id="sub-resource"),
        pytest.param(
            "GET",
            "/api/v1/beta/batch-processing-x/bjb-1",
            200,
            "other request",
            id="other-endpoint",
        ),
        pytest.param(
            "GET", "/api/v2/beta/batch-processing/bjb-1", 200, "other request", id="other-version"
        ),
        pytest.param("GET", STATUS, 404, "not 2xx", id="not-found"),
        pytest.param("GET", STATUS, 401, "not 2xx", id="unauthorized"),
        pytest.param("GET", STATUS, 500, "not 2xx", id="server-error"),
        pytest.param("GET", STATUS, 304, "redirect", id="not-modified"),
    ],
)
def test_other_responses_pass_untouched(method: str, url: str, status: int, reason: str) -> None:
    """Other methods, paths and non-2xx statuses pass unjudged and unread, each counted as
    skipped with its reason."""
    guard = StatusGuard("raise")
    with client(guard, responder(b"not json", status, "text/plain", streamed=True)) as http:
        response = http.send(http.build_request(method, url), stream=True)
        assert response.status_code == status
        assert not response.is_stream_consumed
        assert response.read() == b"not json"
        response.close()
    assert guard.stats == GuardStats(0, 1, 0)
    assert guard.skip_reasons == {reason: 1}


def test_body_is_read_once_and_the_caller_still_receives_it() -> None:
    """A streamed body the guard has judged is still readable by the caller, even in stream mode:
    the stream is not consumed, and the caller's `iter_bytes` gets every byte."""
    guard = StatusGuard("raise")
    with client(guard, responder(VALID, streamed=True)) as http:
        assert http.get(STATUS).json() == json.loads(VALID)
        response = http.send(http.build_request("GET", STATUS), stream=True)
        assert not response.is_stream_consumed
        assert b"".join(response.iter_bytes()) == VALID
        response.close()
    assert guard.stats == GuardStats(checked=2, skipped=0, invalid=0)


def test_async_hook_judges_and_hands_on_the_body() -> None:
    """`guard.async_hook` on an httpx.AsyncClient passes a valid streamed body on whole and
    raises on a broken one."""

    async def chunks(raw: bytes) -> Any:
        yield raw

    def answer(request: httpx.Request) -> httpx.Response:
        raw = BROKEN if request.url.params.get("broken") else VALID
        return httpx.Response(
            200, content=chunks(raw), headers={"content-type": "application/json"}
        )

    guard = StatusGuard("raise")

    async def run() -> tuple[Any, BaseException | None]:
        async with httpx.AsyncClient(
            base_url=BASE,
            transport=httpx.MockTransport(answer),
            event_hooks={"response": [guard.async_hook]},
        ) as http:
            good = (await http.get(STATUS)).json()
            try:
                await http.get(STATUS, params={"broken": "1"})
            except BatchStatusMismatch as error:
                return good, error
            return good, None

    good, error = asyncio.run(run())
    assert good == json.loads(VALID)
    assert isinstance(error, BatchStatusMismatch)
    assert [v.path for v in error.violations] == ["$.job.status"]
    assert guard.stats == GuardStats(checked=2, skipped=0, invalid=1)


def test_sample_zero_checks_nothing_and_counts_skips() -> None:
    """`sample=0` judges no response (a broken one passes) and counts each as skipped."""
    guard = StatusGuard("raise", sample=0)
    with client(guard, responder(BROKEN)) as http:
        for _ in range(5):
            assert http.get(STATUS).status_code == 200
    assert guard.stats == GuardStats(checked=0, skipped=5, invalid=0)


def test_sample_checks_a_fraction_repeatably() -> None:
    """`sample=0.25` with a seed judges about a quarter of responses, the same ones every run."""

    def run() -> GuardStats:
        guard = StatusGuard("log", sample=0.25, seed=7)
        with client(guard, responder(VALID)) as http:
            for _ in range(400):
                http.get(STATUS)
        return guard.stats

    first = run()
    assert first.checked + first.skipped == 400
    assert 60 <= first.checked <= 140
    assert run() == first


def test_stats_count_every_response_across_threads() -> None:
    """Counts stay exact when threads share one guard: checked, and invalid for broken bodies."""
    guard = StatusGuard("log")
    broken = httpx.Client(
        base_url=BASE, transport=responder(BROKEN), event_hooks={"response": [guard]}
    )
    valid = httpx.Client(
        base_url=BASE, transport=responder(VALID), event_hooks={"response": [guard]}
    )

    def poll(http: httpx.Client) -> None:
        for _ in range(150):
            http.get(STATUS)

    logging.getLogger(LOGGER_NAME).disabled = True
    try:
        threads = [threading.Thread(target=poll, args=(h,)) for h in (broken, valid) * 3]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        logging.getLogger(LOGGER_NAME).disabled = False
        broken.close()
        valid.close()
    assert guard.stats == GuardStats(checked=900, skipped=0, invalid=450)


COUNTS_ABOVE_TOTAL = body(total_items=2, processed_items=3)


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param({"counts-within-total": "warning"}, id="mapping"),
        pytest.param(["counts-within-total=off"], id="list"),
        pytest.param("counts-within-total=warning", id="one-string"),
    ],
)
def test_rule_levels_from_the_rules_argument(rules: Any) -> None:
    """An error-level rule fails a body by default; `rules=` (as `--rule`) lowers it."""
    with (
        client(StatusGuard("raise"), responder(COUNTS_ABOVE_TOTAL)) as http,
        pytest.raises(BatchStatusMismatch, match="counts-within-total"),
    ):
        http.get(STATUS)
    with client(StatusGuard("raise", rules=rules), responder(COUNTS_ABOVE_TOTAL)) as http:
        assert http.get(STATUS).status_code == 200


def test_rule_levels_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`[tool.batch-contract.rules]` of the nearest pyproject.toml sets the levels; `rules=`
    overrides it."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.batch-contract.rules]\n"counts-within-total" = "off"\n'
    )
    monkeypatch.chdir(tmp_path)
    with client(StatusGuard("raise"), responder(COUNTS_ABOVE_TOTAL)) as http:
        assert http.get(STATUS).status_code == 200
    guard = StatusGuard("raise", rules={"counts-within-total": "error"})
    with client(guard, responder(COUNTS_ABOVE_TOTAL)) as http, pytest.raises(BatchStatusMismatch):
        http.get(STATUS)


@pytest.mark.parametrize(
    "rules", [{"no-such-rule": "off"}, ["counts-within-total"], {"counts-within-total": "loud"}]
)
def test_unknown_rules_and_levels_are_refused(rules: Any) -> None:
    """A rule name or level that does not exist is a one-line UsageError at construction."""
    with pytest.raises(UsageError) as refused:
        StatusGuard(rules=rules)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "options",
    [
        {"on_violation": "explode"},
        {"profile": "lenient"},
        {"sample": 1.5},
        {"sample": -0.1},
        {"sample": True},
        {"sample": "all"},
    ],
)
def test_bad_arguments_are_refused(options: dict[str, Any]) -> None:
    """An unknown mode or profile, or a sample outside 0..1, is a ValueError."""
    with pytest.raises(ValueError):
        StatusGuard(**options)


def test_strict_profile_rejects_undocumented_fields() -> None:
    """`profile="strict"` judges a field the documented profile lets through."""
    extra = body(priority="normal")
    with client(StatusGuard("raise"), responder(extra)) as http:
        assert http.get(STATUS).status_code == 200
    guard = StatusGuard("raise", profile="strict")
    with client(guard, responder(extra)) as http, pytest.raises(BatchStatusMismatch) as raised:
        http.get(STATUS)
    assert [v.path for v in raised.value.violations] == ["$.job.priority"]


def test_a_profile_or_levels_changed_after_construction_are_the_ones_checked() -> None:
    """The guard builds its check once, and again when `profile` or `levels` is changed on the
    guard afterwards: a stale check would keep judging by the old ones."""
    extra = body(priority="normal")
    guard = StatusGuard("raise")
    with client(guard, responder(extra)) as http:
        assert http.get(STATUS).status_code == 200
        guard.profile = "strict"
        with pytest.raises(BatchStatusMismatch):
            http.get(STATUS)
    guard = StatusGuard("raise")
    with client(guard, responder(COUNTS_ABOVE_TOTAL)) as http:
        with pytest.raises(BatchStatusMismatch, match="counts-within-total"):
            http.get(STATUS)
        guard.levels["counts-within-total"] = "off"
        assert http.get(STATUS).status_code == 200


def echo(place: str) -> Callable[[httpx.Request], bytes]:
    """A hostile server's body that carries the request's credential back in `place`."""

    def answer(request: httpx.Request) -> bytes:
        secret = CANARY
        if place == "status":
            return body(status=secret)
        if place == "long-status":  # shown cut short, in the middle of the key
            return body(status="x" * 45 + secret + "y" * 30)
        if place == "property-name":
            return body(**{secret: 1})  # undocumented: the strict profile names it
        return b'{"job": {"%s": 1, "%s": 2}}' % (secret.encode(), secret.encode())

    return answer


def our_locals(error: BaseException) -> str:
    """The locals of the package's frames in an exception's traceback, as error trackers and
    `pytest --showlocals` show them."""
    frames = traceback.walk_tb(error.__traceback__)
    return "".join(
        repr(frame.f_locals) for frame, _ in frames if "batch_contract" in frame.f_code.co_filename
    )


CREDENTIALS = {
    "bearer": {"authorization": f"Bearer {CANARY}"},
    "basic": {"authorization": "Basic " + base64.b64encode(f"me:{CANARY}".encode()).decode()},
    "x-api-key": {"x-api-key": CANARY},
    "cookie": {"cookie": f"theme=dark; session={CANARY}"},
}


@pytest.mark.parametrize("credential", list(CREDENTIALS))
@pytest.mark.parametrize("place", ["status", "long-status", "property-name", "duplicate-key"])
@pytest.mark.parametrize("mode", ["raise", "warn", "log"])
def test_a_key_echoed_in_the_body_never_shows(
    mode: Any, place: str, credential: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A body that echoes the request's key (whole, cut short, as a property name, as a duplicate
    key) would put it in the violations; the guard masks it in every mode."""
    raw = echo(place)(httpx.Request("GET", BASE))
    profile: Any = "strict" if place == "property-name" else "documented"
    with pytest.raises(BatchStatusMismatch) as unmasked:
        check_batch_status(raw, profile=profile)
    assert CANARY[:MIN_MASKED_PREFIX] in str(unmasked.value)  # the hazard is real
    guard = StatusGuard(mode, profile=profile)
    headers = CREDENTIALS[credential]
    shown = ""
    with (
        client(guard, responder(echo(place)), headers=headers) as http,
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level(logging.WARNING, LOGGER_NAME),
    ):
        warnings.simplefilter("always")
        try:
            http.get(STATUS)
        except BatchStatusMismatch as error:
            shown += str(error) + repr(error) + repr(error.violations) + our_locals(error)
    shown += "".join(str(w.message) + repr(w.message.violations) for w in caught)  # type: ignore[union-attr]
    shown += "".join(r.getMessage() + repr(vars(r)) for r in caplog.records)
    assert "***" in shown
    assert CANARY[:MIN_MASKED_PREFIX] not in shown
    assert guard.stats.invalid == 1


def test_a_key_echoed_to_the_sdk_never_shows() -> None:
    """Through the official SDK, the key echoed in the body is masked in the raised error."""
    http = httpx.Client(
        transport=responder(echo("status")), event_hooks={"response": [StatusGuard("raise")]}
    )
    with (
        llama_cloud.LlamaCloud(api_key=CANARY, base_url=BASE, http_client=http) as sdk,
        pytest.raises(BatchStatusMismatch) as raised,
    ):
        sdk.beta.batch.get_status("bjb-1")
    assert [v.found for v in raised.value.violations] == ['string "***"']
    assert CANARY not in str(raised.value)


def test_requests_hook_against_the_reference_server(serve: Any, faithful: RunningServer) -> None:
    """`guard.requests_hook` passes the faithful server, leaves a 404 alone, raises on a broken
    body and, in warn mode, hands the response on."""
    guard = StatusGuard("raise")
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {CANARY}"
        session.hooks["response"].append(guard.requests_hook)
        url = faithful.base_url + JOB_PATH.format(faithful.job_ids[0])
        assert session.get(url, timeout=10).json()["job"]["id"] == faithful.job_ids[0]
        assert session.get(url + "-missing", timeout=10).status_code == 404
        with serve("status-unknown") as server:
            broken = server.base_url + JOB_PATH.format(server.job_ids[0])
            with pytest.raises(BatchStatusMismatch, match=r"\$\.job\.status") as raised:
                session.get(broken, timeout=10)
            session.hooks["response"] = [StatusGuard("warn").requests_hook]
            with pytest.warns(ContractViolationWarning, match=r"\$\.job\.status"):
                assert session.get(broken, timeout=10).json()["job"]["status"] == "queued"
    assert CANARY not in str(raised.value)
    assert guard.stats == GuardStats(checked=2, skipped=1, invalid=1)
    assert guard.skip_reasons == {"not 2xx": 1}
