"""The faithful app's HTTP behaviour: auth, 404, 422, 405, HEAD and moving jobs."""

from __future__ import annotations

import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.errors import UsageError
from batch_contract.server import DOCUMENTED_JOB_ID, MOVING_JOB_IDS, create_app
from batch_contract.server.book import JobBook
from batch_contract.server.jobs import build_jobs

from .conftest import KEY, AppClient, MakeClient, auth, job_path

UNKNOWN = "bjb-00000000-0000-4000-8000-00000000dead"


def test_every_job_answers_200_with_a_valid_json_body(client: AppClient) -> None:
    """Each seeded id answers 200, application/json, a body the documented profile accepts."""
    for job_id in build_jobs(0):
        response = client.get(job_path(job_id), headers=auth())
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert ContractCheck("documented").schema_violations(response.json()) == ()


def test_bodies_are_compact_json_like_fastapi(client: AppClient) -> None:
    """The documented job's body is the compact JSON that FastAPI's JSONResponse writes."""
    response = client.get(job_path(DOCUMENTED_JOB_ID), headers=auth())
    assert response.content.startswith(b'{"job":{"id":"bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",')
    assert b" " not in response.content.replace(b"error_message", b"")


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Not authenticated"),
        ({"Authorization": "Bearer"}, "Not authenticated"),
        ({"Authorization": f"Basic {KEY}"}, "Invalid authentication credentials"),
        ({"Authorization": "Bearer wrong"}, "Invalid API key"),
        ({"Authorization": f"Bearer {KEY}x"}, "Invalid API key"),
    ],
)
def test_a_missing_or_wrong_key_gets_401(
    client: AppClient, headers: dict[str, str], detail: str
) -> None:
    """No key, another scheme or a wrong key: 401 with a JSON detail and a Bearer challenge."""
    response = client.get(job_path(DOCUMENTED_JOB_ID), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"] == "Bearer"


def test_auth_comes_before_validation_and_lookup(client: AppClient) -> None:
    """An unauthenticated request for an unknown id with a bad query is still a 401."""
    response = client.get(job_path(UNKNOWN), params={"project_id": "nope"})
    assert response.status_code == 401


def test_an_unknown_job_id_gets_404(client: AppClient) -> None:
    """An id that is not seeded answers 404 with a JSON detail."""
    response = client.get(job_path(UNKNOWN), headers=auth())
    assert (response.status_code, response.json()) == (404, {"detail": "Batch job not found"})


def test_an_unknown_path_gets_a_json_404(client: AppClient) -> None:
    """Paths other than the endpoint answer FastAPI's JSON 404."""
    response = client.get("/api/v1/beta/batch-processing", headers=auth())
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize("name", ["project_id", "organization_id"])
def test_a_non_uuid_query_parameter_gets_422(client: AppClient, name: str) -> None:
    """organization_id/project_id that are not UUIDs answer FastAPI's HTTPValidationError."""
    response = client.get(job_path(DOCUMENTED_JOB_ID), params={name: "not-a-uuid"}, headers=auth())
    assert response.status_code == 422
    problem = "invalid character: found `n` at 0"
    assert response.json() == {
        "detail": [
            {
                "type": "uuid_parsing",
                "loc": ["query", name],
                "msg": f"Input should be a valid UUID, {problem}",
                "input": "not-a-uuid",
                "ctx": {"error": problem},
            }
        ]
    }


def test_uuid_query_parameters_are_accepted(client: AppClient) -> None:
    """Well-formed UUIDs in both query parameters do not change the answer."""
    params = {
        "project_id": "12345678-1234-1234-1234-1234567890ab",
        "organization_id": "123456781234123412341234567890AB",
    }
    response = client.get(job_path(DOCUMENTED_JOB_ID), params=params, headers=auth())
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_get_405_with_allow(client: AppClient, method: str) -> None:
    """Any method but GET and HEAD answers 405 with `Allow: GET, HEAD` and a JSON detail."""
    response = client.request(method, job_path(DOCUMENTED_JOB_ID), headers=auth())
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_head_answers_like_get_without_advancing(client: AppClient) -> None:
    """HEAD gives GET's status and headers and does not move a moving job."""
    head = client.request("HEAD", job_path(MOVING_JOB_IDS[0]), headers=auth())
    assert head.status_code == 200
    assert head.headers["content-type"] == "application/json"
    first = client.get(job_path(MOVING_JOB_IDS[0]), headers=auth())
    assert first.json()["job"]["status"] == "pending"


def test_moving_jobs_advance_one_step_per_get(client: AppClient) -> None:
    """Each GET of a moving job shows the next step, then the final one for good."""
    seen = [
        client.get(job_path(MOVING_JOB_IDS[1]), headers=auth()).json()["job"]["status"]
        for _ in range(7)
    ]
    assert seen == ["pending", "dispatched", "running", "running", "failed", "failed", "failed"]


def test_moving_job_state_is_per_app_instance(client: AppClient, make_client: MakeClient) -> None:
    """A second app starts its moving jobs from the beginning."""
    client.get(job_path(MOVING_JOB_IDS[0]), headers=auth())
    other = make_client()
    assert (
        other.get(job_path(MOVING_JOB_IDS[0]), headers=auth()).json()["job"]["status"] == "pending"
    )


def test_step_seconds_moves_jobs_by_time_since_their_first_poll() -> None:
    """With step_seconds, the step is the time since the job's first GET over step_seconds."""
    now = [100.0]
    jobs = build_jobs(0)
    book = JobBook(jobs, step_seconds=2.0, clock=lambda: now[0])
    job = jobs[MOVING_JOB_IDS[0]]
    assert book.step(job, advance=False) == 0
    assert book.step(job) == 0
    now[0] = 103.9
    assert [book.step(job), book.step(job)] == [1, 1]
    now[0] = 140.0
    assert book.step(job) == len(job.steps)  # past the last step, which the app clamps


@pytest.mark.parametrize("step_seconds", [5e-324, 1e-320, 2.2250738585072014e-308])
def test_a_tiny_step_seconds_reaches_the_last_step(
    make_client: MakeClient, step_seconds: float
) -> None:
    """A positive step so small that elapsed time over it is infinity (5e-324, the smallest
    float): every later GET sees the last step, 200, no 500 with an OverflowError."""
    client = make_client(step_seconds=step_seconds)
    url = job_path(MOVING_JOB_IDS[0])
    answers = [client.get(url, headers=auth()) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [answer.json()["job"]["status"] for answer in answers[1:]] == ["completed"] * 2


@pytest.mark.parametrize(
    "kwargs",
    [{"api_key": ""}, {"api_key": KEY, "step_seconds": 0}, {"api_key": KEY, "breaks": ["nope"]}],
)
def test_create_app_refuses_bad_settings(kwargs: dict[str, object]) -> None:
    """An empty key, a non-positive step or an unknown break is a UsageError."""
    with pytest.raises(UsageError):
        create_app(**kwargs)  # type: ignore[arg-type]
