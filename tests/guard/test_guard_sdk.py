"""The guard inside llama-cloud 2.13.0 against `batch-contract serve`, faithful and broken, in each
mode, sync and async: what reaches the SDK's caller, and that the key never shows."""

from __future__ import annotations

import asyncio
import logging
import traceback
import warnings
from typing import Any

import llama_cloud
import pytest
from guard_helpers import CANARY, async_sdk_client, sdk_client
from llama_cloud.types.beta.batch_get_status_response import BatchGetStatusResponse

from batch_contract.assertions import BatchStatusMismatch
from batch_contract.guard import LOGGER_NAME, ContractViolationWarning, GuardStats, StatusGuard
from batch_contract.server import RunningServer

FLAVOURS = ("sync", "async")
STATUS_LINE = (
    '  $.job.status: expected one of "pending", "running", "dispatched", "completed", "failed", '
    '"cancelled", found string "queued" [enum]'
)


def get_status(
    server: RunningServer, guard: StatusGuard, job_id: str, flavour: str, **options: Any
) -> Any:
    """`client.beta.batch.get_status(job_id)` with the SDK, sync or async, the guard hooked in."""
    if flavour == "sync":
        with sdk_client(server, guard, **options) as client:
            return client.beta.batch.get_status(job_id)

    async def poll() -> Any:
        async with async_sdk_client(server, guard, **options) as client:
            return await client.beta.batch.get_status(job_id)

    return asyncio.run(poll())


def shown(error: BaseException) -> str:
    """What is shown of an exception: its traceback, its repr and our frames' locals."""
    frames = traceback.walk_tb(error.__traceback__)
    ours = [repr(f.f_locals) for f, _ in frames if "batch_contract" in f.f_code.co_filename]
    return "".join(traceback.format_exception(error)) + repr(error) + "".join(ours)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("mode", ["raise", "warn", "log"])
def test_faithful_server_passes_every_job_in_every_mode(
    faithful: RunningServer, mode: Any, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Against the faithful server every seeded job returns the SDK's object, with nothing raised,
    warned or logged, and each response is counted as checked."""
    guard = StatusGuard(mode)
    for job_id in faithful.job_ids:
        result = get_status(faithful, guard, job_id, flavour)
        assert isinstance(result, BatchGetStatusResponse)
        assert result.job.id == job_id
    assert guard.stats == GuardStats(checked=len(faithful.job_ids), skipped=0, invalid=0)
    assert [r for r in caplog.records if r.name == LOGGER_NAME] == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_raise_mode_raises_the_assertion_error_naming_the_path(serve: Any, flavour: str) -> None:
    """Raise mode: get_status against `--break status-unknown` raises BatchStatusMismatch (an
    AssertionError) naming $.job.status, unwrapped by the SDK and not retried."""
    guard = StatusGuard("raise")
    with serve("status-unknown") as server:
        job_id = server.job_ids[0]
        with pytest.raises(AssertionError) as raised:
            get_status(server, guard, job_id, flavour, max_retries=2)
    assert type(raised.value) is BatchStatusMismatch
    assert str(raised.value).splitlines() == [
        f"status of job {job_id}: body does not honour the Get Batch Job Status contract "
        "(documented profile): 1 violation",
        STATUS_LINE,
    ]
    assert [v.path for v in raised.value.violations] == ["$.job.status"]
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=1)
    assert CANARY not in shown(raised.value)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_warn_mode_warns_once_and_returns_the_sdk_object(serve: Any, flavour: str) -> None:
    """Warn mode: one ContractViolationWarning naming $.job.status, and the SDK's object (which
    passes the unknown status through) still reaches the caller."""
    guard = StatusGuard("warn")
    with serve("status-unknown") as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = get_status(server, guard, server.job_ids[0], flavour)
    assert isinstance(result, BatchGetStatusResponse)
    assert result.job.status == "queued"
    assert [type(w.message) for w in caught] == [ContractViolationWarning]
    warning: Any = caught[0].message
    assert STATUS_LINE in str(warning).splitlines()
    assert warning.job_id == server.job_ids[0]
    assert [v.path for v in warning.violations] == ["$.job.status"]
    assert CANARY not in str(warning)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_log_mode_logs_one_warning_record_without_the_key(
    serve: Any, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Log mode: one WARNING record on batch_contract.guard with the job id and the violation,
    the SDK's object returned, and the key nowhere in the record."""
    guard = StatusGuard("log")
    with serve("progress-above-100") as server, caplog.at_level(logging.WARNING, LOGGER_NAME):
        result = get_status(server, guard, server.job_ids[0], flavour)
    assert isinstance(result, BatchGetStatusResponse)
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert server.job_ids[0] in record.getMessage()
    assert "  $.progress_percentage: expected a number <= 100, found number 150 [maximum]" in (
        record.getMessage().splitlines()
    )
    assert record.__dict__["job_id"] == server.job_ids[0]
    assert CANARY not in repr(vars(record)) + record.getMessage()
    assert "authorization" not in record.getMessage().lower()


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("mode", ["raise", "warn", "log"])
def test_not_found_reaches_the_sdk_untouched(
    faithful: RunningServer, mode: Any, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404 reaches the caller as the SDK's own NotFoundError; the guard does not judge it, and
    counts it as skipped (not 2xx)."""
    guard = StatusGuard(mode)
    with pytest.raises(llama_cloud.NotFoundError) as missing:
        get_status(faithful, guard, "bjb-does-not-exist", flavour)
    assert missing.value.status_code == 404
    assert guard.stats == GuardStats(0, 1, 0)
    assert guard.skip_reasons == {"not 2xx": 1}
    assert [r for r in caplog.records if r.name == LOGGER_NAME] == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_progress_150_passes_the_strict_sdk_and_is_caught(serve: Any, flavour: str) -> None:
    """The SDK's strict model accepts progress 150; the guard (raise mode) rejects it."""
    with serve("progress-above-100") as server:
        job_id = server.job_ids[0]
        with llama_cloud.LlamaCloud(
            api_key=server.api_key.get_secret_value(),
            base_url=server.base_url,
            max_retries=0,
            _strict_response_validation=True,
        ) as plain:
            assert plain.beta.batch.get_status(job_id).progress_percentage == 150
        guard = StatusGuard("raise")
        with pytest.raises(BatchStatusMismatch) as raised:
            get_status(server, guard, job_id, flavour, _strict_response_validation=True)
    assert [v.path for v in raised.value.violations] == ["$.progress_percentage"]


@pytest.mark.parametrize(
    "break_name", ["missing-required", "body-not-json", "wrong-content-type", "count-above-total"]
)
def test_raise_mode_catches_other_breaks(serve: Any, break_name: str) -> None:
    """Breaks of shape, body, Content-Type and rules each fail get_status in raise mode."""
    guard = StatusGuard("raise")
    with serve(break_name) as server, pytest.raises(BatchStatusMismatch) as raised:
        get_status(server, guard, server.job_ids[0], "sync")
    assert guard.stats.invalid == 1
    assert CANARY not in shown(raised.value)


def test_warning_turned_error_reaches_the_caller_unwrapped(serve: Any) -> None:
    """Under a filter that makes the warning an error, the SDK's caller gets the warning itself,
    not an APIConnectionError after retries."""
    guard = StatusGuard("warn")
    with serve("status-unknown") as server, warnings.catch_warnings():
        warnings.simplefilter("error", ContractViolationWarning)
        with pytest.raises(ContractViolationWarning, match=r"\$\.job\.status"):
            get_status(server, guard, server.job_ids[0], "sync", max_retries=2)
    assert guard.stats == GuardStats(checked=1, skipped=0, invalid=1)
