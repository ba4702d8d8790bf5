"""`assert_batch_status` on what users hand it: a rule at "warning" issues a `RuleWarning` (the
suite's category) and never fails; the official SDK's model object is judged as the JSON it
holds; `model_dump()` output holding datetimes is a one-line TypeError saying what to pass
instead; NaN and infinity in a dict are named as such, never "found null"."""

from __future__ import annotations

import copy
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from llama_cloud.types.beta.batch_get_status_response import BatchGetStatusResponse

from batch_contract.assertions import BatchStatusMismatch, assert_batch_status
from batch_contract.errors import RuleWarning

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT: dict[str, Any] = json.loads((ROOT / "tests/examples/valid/completed.json").read_text())


def over_total() -> dict[str, Any]:
    """The completed example with one more item processed than the total."""
    body = copy.deepcopy(DOCUMENT)
    body["job"]["processed_items"] = body["job"]["total_items"] + 1
    return body


def test_a_rule_at_warning_warns_and_passes() -> None:
    """`counts_within_total="warning"`: one RuleWarning naming the path and the rule, and the
    body is returned (at "off": no warning at all; at its default, error: a failure)."""
    with pytest.warns(RuleWarning) as issued:
        assert assert_batch_status(over_total(), counts_within_total="warning")["job"]
    assert [str(w.message) for w in issued] == [
        "status body: $.job.processed_items: expected at most total_items (40), found number 41 "
        "[rule:counts-within-total]"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_batch_status(over_total(), counts_within_total="off")
    with pytest.raises(BatchStatusMismatch, match=r"counts-within-total"):
        assert_batch_status(over_total())


def test_the_sdk_model_object_is_judged_as_its_json() -> None:
    """The SDK's `BatchGetStatusResponse` passes as the body it was read from, and a broken
    one (built without validation, as the SDK's lax mode does) fails naming the field."""
    model = BatchGetStatusResponse.model_validate(DOCUMENT)
    assert assert_batch_status(model)["job"]["id"] == DOCUMENT["job"]["id"]
    broken = copy.deepcopy(DOCUMENT)
    broken["job"]["status"] = "queued"
    with pytest.raises(BatchStatusMismatch) as raised:
        assert_batch_status(BatchGetStatusResponse.construct(**broken))
    assert [v.path for v in raised.value.violations] == ["$.job.status"]


def test_model_dump_with_datetimes_is_one_line_saying_what_to_pass() -> None:
    """`model.model_dump()` (datetimes as objects): a one-line TypeError that names where and
    says to pass the model, the response, or `model_dump(mode="json")`."""
    dumped = BatchGetStatusResponse.model_validate(DOCUMENT).model_dump()
    with pytest.raises(TypeError) as raised:
        assert_batch_status(dumped)
    text = str(raised.value)
    assert "\n" not in text
    assert "(datetime)" in text
    assert 'model_dump(mode="json")' in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity")],
    ids=["nan", "inf", "-inf"],
)
@pytest.mark.parametrize("field", ["progress_percentage", "job.total_items"])
def test_nan_and_infinity_are_named(value: float, shown: str, field: str) -> None:
    """A non-finite number in a dict fails naming it (`found number NaN`), and no line says
    "found null" (what jsonschema-rs reads it as)."""
    body = copy.deepcopy(DOCUMENT)
    if field.startswith("job."):
        body["job"][field[4:]] = value
    else:
        body[field] = value
    with pytest.raises(BatchStatusMismatch) as raised:
        assert_batch_status(body)
    text = str(raised.value)
    assert f"found number {shown} [number-range]" in text
    assert "found null" not in text
