"""Each date-time decision (docs/contract-decisions.md), pinned for the toolkit's checker and for
both validation engines, which must agree with it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.core.datetimes import is_rfc3339_datetime
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.core.validation import validator

BASE = parse_document((Path(__file__).parents[1] / "examples/valid/running.json").read_bytes())
TIMESTAMPS = ("completed_at", "created_at", "effective_at", "started_at", "updated_at")

DECISIONS = [
    # (decision id, value, accepted)
    ("leap-second-at-end-of-utc-day", "2016-12-31T23:59:60Z", True),
    ("leap-second-with-fraction", "2016-12-31T23:59:60.5Z", True),
    ("leap-second-at-utc-day-end-in-local-time", "2017-01-01T00:59:60+01:00", True),
    ("leap-second-elsewhere", "2026-03-02T12:00:60Z", False),
    ("leap-second-at-local-midnight-not-utc", "2016-12-31T23:59:60+01:00", False),
    ("year-0000", "0000-01-01T00:00:00Z", True),
    ("year-9999", "9999-12-31T23:59:59Z", True),
    ("trailing-newline", "2026-03-02T09:14:05Z\n", False),
    ("trailing-space", "2026-03-02T09:14:05Z ", False),
    ("leading-space", " 2026-03-02T09:14:05Z", False),
    ("lower-case-t-and-z", "2026-03-02t09:14:05z", True),
    ("lower-case-t-only", "2026-03-02t09:14:05Z", True),
    ("offset-without-colon", "2026-03-02T10:14:05+0100", False),
    ("offset-hours-only", "2026-03-02T10:14:05+01", False),
    ("no-offset", "2026-03-02T09:14:05", False),
    ("no-offset-with-fraction", "2026-03-02T09:14:05.120", False),
    ("offset-with-colon", "2026-03-02T10:14:05+01:00", True),
    ("negative-zero-offset", "2026-03-02T09:14:05-00:00", True),
    ("offset-hour-24", "2026-03-02T09:14:05+24:00", False),
    ("offset-minute-60", "2026-03-02T09:14:05+01:60", False),
    ("space-separator", "2026-03-02 09:14:05Z", False),
    ("date-only", "2026-03-02", False),
    ("hour-24", "2026-03-02T24:00:00Z", False),
    ("minute-60", "2026-03-02T09:60:00Z", False),
    ("second-61", "2016-12-31T23:59:61Z", False),
    ("february-29-leap-year", "2024-02-29T00:00:00Z", True),
    ("february-29-century-not-leap", "1900-02-29T00:00:00Z", False),
    ("february-29-year-2000", "2000-02-29T00:00:00Z", True),
    ("february-29-non-leap-year", "2026-02-29T00:00:00Z", False),
    ("april-31", "2026-04-31T00:00:00Z", False),
    ("month-13", "2026-13-01T00:00:00Z", False),
    ("day-00", "2026-03-00T00:00:00Z", False),
    ("fraction-without-digits", "2026-03-02T09:14:05.Z", False),
    ("fraction-nanoseconds", "2026-03-02T09:14:05.123456789Z", True),
    ("two-digit-year", "26-03-02T09:14:05Z", False),
    ("five-digit-year", "12026-03-02T09:14:05Z", False),
    ("non-ascii-digits", "٢٠٢٦-03-02T09:14:05Z", False),
    ("empty-string", "", False),
]
PARAMS = [pytest.param(value, accepted, id=name) for name, value, accepted in DECISIONS]


def with_timestamp(field: str, value: str) -> dict[str, Any]:
    """A valid response whose `job.<field>` is replaced by `value`."""
    document = copy.deepcopy(BASE)
    document["job"][field] = value
    return document


@pytest.mark.parametrize(("value", "accepted"), PARAMS)
def test_checker_decides(value: str, accepted: bool) -> None:
    """`is_rfc3339_datetime` gives the decided verdict."""
    assert is_rfc3339_datetime(value) is accepted


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("value", "accepted"), PARAMS)
def test_engines_decide_alike(value: str, accepted: bool, profile: Profile) -> None:
    """jsonschema-rs (fast path) and jsonschema (reference) both give the decided verdict, as a
    `format` violation at the field's path, for every timestamp field."""
    engine = validator(profile)
    one = ContractCheck(profile)
    for field in TIMESTAMPS:
        document = with_timestamp(field, value)
        want = () if accepted else ((f"$.job.{field}", "format"),)
        fast = tuple((v.path, v.keyword) for v in one.schema_violations(document))
        reference = tuple((v.path, v.keyword) for v in engine.reference_violations(document))
        assert (fast, reference) == (want, want), field
        assert (not one.schema_violations(document)) is accepted


def test_format_violation_names_expected_and_found() -> None:
    """A bad date-time is reported as `expected an RFC 3339 date-time, found string "..."`, and
    one without an offset says so."""
    (violation,) = ContractCheck().schema_violations(
        with_timestamp("created_at", "2026-03-02T09:14:05")
    )
    assert violation.message == (
        'expected an RFC 3339 date-time, found string "2026-03-02T09:14:05" '
        "(no UTC offset: add Z or +hh:mm)"
    )
    (violation,) = ContractCheck().schema_violations(with_timestamp("created_at", "2026-03-02"))
    assert violation.message == 'expected an RFC 3339 date-time, found string "2026-03-02"'


def test_format_applies_to_strings_only() -> None:
    """A timestamp of the wrong type is a `type` violation, never also a `format` one."""
    document = with_timestamp("created_at", "x")
    document["job"]["created_at"] = 1772442845
    assert [(v.path, v.keyword) for v in ContractCheck().schema_violations(document)] == [
        ("$.job.created_at", "type")
    ]


@pytest.mark.parametrize(
    ("value", "ours"),
    [
        pytest.param("2016-12-31T23:59:60Z", True, id="leap-second"),
        pytest.param("0000-01-01T00:00:00Z", True, id="year-0000"),
        pytest.param("2026-03-02T09:14:05Z\n", False, id="trailing-newline"),
        pytest.param("2026-03-02t09:14:05z", True, id="lower-case-t-z"),
    ],
)
def test_rfc3339_validator_disagrees(value: str, ours: bool) -> None:
    """Why the reference engine uses our own format hook: jsonschema's stock checker (through
    rfc3339-validator, when installed) decides these cases the other way from jsonschema-rs."""
    rfc3339_validator = pytest.importorskip("rfc3339_validator")
    assert bool(rfc3339_validator.validate_rfc3339(value)) is not ours
    assert is_rfc3339_datetime(value) is ours
