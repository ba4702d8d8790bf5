"""The HTTP client: the SDK's retry policy (408/429/5xx and connection errors, Retry-After,
bounded), each retry reported, and the key masked wherever a request is shown."""

import contextlib

import httpx
import pytest

from batch_contract.pytest_plugin.client import (
    ContractClient,
    OnlyFailedAnswers,
    ServerUnreachable,
    backoff_seconds,
    should_retry,
)
from batch_contract.secret import Secret


def client_for(handler: httpx.MockTransport, **kwargs: object) -> ContractClient:
    """A client whose requests go to an in-process handler and whose sleeps are recorded."""
    http = httpx.Client(transport=handler)
    return ContractClient(
        "http://test", Secret("secret-key-123456"), http=http, sleep=lambda s: None, **kwargs
    )  # type: ignore[arg-type]


def test_retries_then_returns_last_response() -> None:
    """Five retries on 503, each reported, then the 503 comes back for the test to fail on."""
    calls: list[httpx.Request] = []
    retries: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, text="down")

    client = client_for(httpx.MockTransport(handler), on_retry=retries.append)
    response = client.get_status("bjb-1")
    assert response.status_code == 503
    assert len(calls) == 6
    assert len(retries) == 5
    assert retries[0].startswith("retry 1/5 in ")


@pytest.mark.parametrize("statuses", [[503, 200], [429, 408, 409, 500, 502, 200]])
def test_replay_retries_the_same_statuses_without_waiting(statuses: list[int]) -> None:
    """In replay the client retries the statuses it retries live, as often, and answers with the
    first answer it does not retry; it never waits, not even for a `Retry-After`."""
    answers = iter(statuses)
    waits: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), headers={"retry-after": "3"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = ContractClient("http://test", None, http=http, sleep=waits.append, replay=True)
    assert client.get_status("bjb-1").status_code == 200
    assert waits == []
    assert next(answers, None) is None


def test_replay_of_only_failed_answers_raises_one_line() -> None:
    """In replay, a retryable answer at every attempt raises `OnlyFailedAnswers`, in one line
    naming the status and the attempts, instead of returning the last failure."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    client = client_for(httpx.MockTransport(handler), max_retries=2, replay=True)
    with pytest.raises(OnlyFailedAnswers) as error:
        client.get_status("bjb-1")
    assert len(calls) == 3
    assert str(error.value) == (
        "GET /api/v1/beta/batch-processing/bjb-1: HTTP 503 at each of the 3 attempt(s) "
        "(--http-retries 2)"
    )


def test_retry_after_is_honoured() -> None:
    """A sane Retry-After wins over the backoff."""
    assert backoff_seconds(0, httpx.Headers({"retry-after": "3"})) == 3.0
    assert backoff_seconds(0, httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert 0.375 <= backoff_seconds(0, httpx.Headers({"retry-after": "600"})) <= 0.5
    assert 6.0 <= backoff_seconds(10, None) <= 8.0


@pytest.mark.parametrize(
    ("status", "retried"),
    [(408, True), (429, True), (500, True), (404, False), (401, False), (200, False)],
)
def test_should_retry_follows_sdk(status: int, retried: bool) -> None:
    """408, 429 and 5xx are retried; other codes are answers."""
    assert should_retry(httpx.Response(status)) is retried


def _no_wait(seconds: float) -> None:
    """A client's sleep that does not wait."""


_STATUSES = [200, 201, 204, 400, 401, 404, 408, 409, 422, 429, 500, 503]


@pytest.mark.parametrize("hint", [None, "true", "false", "TRUE"])
@pytest.mark.parametrize("status", _STATUSES)
def test_retries_the_answers_the_sdk_retries(status: int, hint: str | None) -> None:
    """The oracle is the official SDK itself (llama-cloud 2.13.0), sent the same answers: the
    client makes as many attempts as `client.beta.batch.get_status` does, for every status and
    `x-should-retry` hint; a 2xx is never retried, whatever the hint says (a bad 200 with
    `x-should-retry: true` must reach the test, as it reaches the SDK's caller)."""
    llama_cloud = pytest.importorskip("llama_cloud")
    body = {"job": {"id": "bjb-1", "job_type": "parse", "project_id": "p", "status": "running"}}

    def attempts(send: object) -> int:
        calls: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            headers = {"retry-after-ms": "1"}  # the SDK then waits 1 ms, not 0.5 s
            if hint is not None:
                headers["x-should-retry"] = hint
            return httpx.Response(status, json=body, headers=headers)

        http = httpx.Client(transport=httpx.MockTransport(handler))
        with http, contextlib.suppress(llama_cloud.APIStatusError):
            send(http)  # type: ignore[operator]
        return len(calls)

    def sdk(http: httpx.Client) -> None:
        client = llama_cloud.LlamaCloud(
            api_key="k", base_url="http://test", max_retries=2, http_client=http
        )
        client.beta.batch.get_status("bjb-1")

    def ours(http: httpx.Client) -> None:
        client = ContractClient("http://test", None, http=http, max_retries=2, sleep=_no_wait)
        client.get_status("bjb-1")

    assert attempts(ours) == attempts(sdk)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_asking_to_be_retried_is_an_answer(status: int) -> None:
    """A redirect with a `Location` and `x-should-retry: true` comes back to the test, which
    fails it as an answer other than 200: the SDK's default client follows it (and hands the
    caller what it points to), so retrying it away would check nothing."""
    headers = {"location": "/elsewhere", "x-should-retry": "true"}
    assert should_retry(httpx.Response(status, headers=headers)) is False
    assert should_retry(httpx.Response(status, headers={"x-should-retry": "true"})) is True


def test_connection_errors_become_one_line() -> None:
    """A server that never answers raises ServerUnreachable without the key."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused secret-key-123456")

    client = client_for(httpx.MockTransport(handler), max_retries=1)
    with pytest.raises(ServerUnreachable) as error:
        client.get_status("bjb-1")
    assert "cannot reach http://test" in str(error.value)
    assert "secret-key-123456" not in str(error.value)


def test_show_request_masks_key() -> None:
    """A shown request has `Authorization: Bearer ***`."""
    client = client_for(httpx.MockTransport(lambda request: httpx.Response(200)))
    response = client.get_status("bjb-1")
    shown = client.show_request(response.request)
    assert "authorization: Bearer ***" in shown
    assert "secret-key-123456" not in shown
