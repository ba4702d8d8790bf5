"""The parts of the one check the faces call besides `violations(value)`: `same-job` (a body
that answers for another job than the one asked for) and the Content-Type check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck, media_type
from batch_contract.engine import lightpath

VALID = Path(__file__).parents[1] / "examples" / "valid" / "completed.json"
ASKED = "bjb-3f2c1a9e-8d4b-4c7a-9e61-2b5d7f0a1c34"  # the id in the file


def body() -> Any:
    """The valid example, parsed."""
    return json.loads(VALID.read_bytes())


def test_a_body_for_the_asked_job_has_no_same_job_violation() -> None:
    """The asked id is the body's: nothing; not asked: nothing."""
    assert ContractCheck().violations(body(), ASKED) == ()
    assert ContractCheck().violations(body()) == ()


def test_a_body_for_another_job_is_a_same_job_error() -> None:
    """Another id is one error at `$.job.id` (or `$.id` for a bare job), after the rest."""
    (violation,) = ContractCheck().violations(body(), "bjb-other")
    assert (violation.path, violation.keyword, violation.severity) == (
        "$.job.id",
        "same-job",
        "error",
    )
    assert violation.message == (f'expected the asked job id "bjb-other", found string "{ASKED}"')
    (bare,) = ContractCheck("documented", "job").violations(body()["job"], "bjb-other")
    assert (bare.path, bare.keyword) == ("$.id", "same-job")


@pytest.mark.parametrize("value", [[], "x", None, {"job": []}, {"job": {"id": 5}}, {"job": {}}])
def test_same_job_judges_only_a_string_id(value: Any) -> None:
    """A body without a job object or a string id gets no same-job finding (the schema says
    what is wrong with it)."""
    assert all(v.keyword != "same-job" for v in ContractCheck().violations(value, "bjb-other"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/json", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("  Application/JSON ;charset=UTF-8", "application/json"),
        ("text/plain", "text/plain"),
        ("", ""),
        (None, ""),
    ],
)
def test_media_type(header: Any, expected: str) -> None:
    """The media type of a Content-Type value: lower case, parameters and spaces dropped."""
    assert media_type(header) == expected


def test_the_light_path_clears_a_clean_bare_job() -> None:
    """`--part job`'s light path clears a clean job (it is no shortcut that never answers)."""
    light = lightpath.build("documented", "job")
    assert light is not None
    assert light.clears(json.dumps(body()["job"]).encode())
