"""Differential test: jsonschema-rs (the fast path) and pure-Python jsonschema (the reference
oracle) give the same verdict and the same violations (path, keyword, expected and found) on
thousands of generated documents, in both profiles and both parts.

Most documents are near-valid: a valid example with a few mutations (a field set to a tricky value,
removed, or an extra field added), because that is where engines tend to disagree; the rest are
arbitrary JSON values. Hypothesis draws the seed of each batch of 40 documents (and keeps a failing
seed in its database); the documents themselves are built by plain Python from that seed, because
drawing each value through hypothesis costs ten times the validation.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_contract.core.check import ContractCheck
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.results import Violation
from batch_contract.core.schemas import PARTS, PROFILES, Part, Profile, load_schema
from batch_contract.core.validation import validator

VALID = [
    parse_document(path.read_bytes())
    for path in sorted((Path(__file__).parents[1] / "examples/valid").glob("*.json"))
]
JOB_FIELDS = sorted(load_schema("documented", "job")["properties"])
TOP_FIELDS = ["job", "progress_percentage"]
TRICKY_STRINGS = [
    "",
    "5",
    "parse",
    "extract",
    "classify",
    "Parse",
    "pending",
    "running",
    "dispatched",
    "completed",
    "failed",
    "cancelled",
    "RUNNING",
    "null",
    "bjb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "2019-12-27T18:11:19.117Z",
    "2016-12-31T23:59:60Z",
    "2016-12-31T12:59:60Z",
    "0000-01-01T00:00:00Z",
    "2019-12-27T18:11:19Z\n",
    "2019-12-27t18:11:19z",
    "2019-12-27T18:11:19+0100",
    "2019-12-27T18:11:19+01:00",
    "2019-12-27T18:11:19",
    "2019-02-29T00:00:00Z",
    "2020-02-29T00:00:00Z",
    "2019-12-27 18:11:19Z",
    "x" * 100,
    "é日🚀",
]
TRICKY_NUMBERS = [
    0,
    -0.0,
    0.0,
    1,
    -1,
    5,
    5.0,
    10.5,
    -0.1,
    0.1,
    99.99,
    100,
    100.0,
    100.1,
    150,
    -1e-300,
    1e-300,
    1.5e308,
    -1.5e308,
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
]
EXTRA_NAMES = ["priority", "x-trace id", "", "$ref", "job", "Job", "status ", "é"]
DOCUMENTS_PER_EXAMPLE = 40
EXAMPLES = 25  # x 40 documents: 1,000 documents for each (profile, part), 4,000 in all


def scalar(rng: random.Random) -> Any:
    """A JSON scalar, often one of the values engines are most likely to treat differently."""
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind in (1, 2):
        return rng.choice(TRICKY_NUMBERS)
    if kind == 3:
        return rng.randint(-(2**63), 2**64 - 1) if rng.random() < 0.3 else rng.randint(-5, 200)
    if kind == 4:
        return rng.choice(
            [rng.uniform(-1, 101), rng.uniform(-1e300, 1e300), float(rng.randint(0, 9))]
        )
    if kind in (5, 6):
        return rng.choice(TRICKY_STRINGS)
    return "".join(
        chr(rng.choice([rng.randint(32, 126), rng.randint(128, 0xD7FF)]))
        for _ in range(rng.randint(0, 8))
    )


def json_value(rng: random.Random, depth: int = 2) -> Any:
    """Any JSON value, nested at most `depth` levels."""
    kind = rng.randrange(6) if depth else 0
    if kind == 4:
        return [json_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if kind == 5:
        return {
            rng.choice(EXTRA_NAMES): json_value(rng, depth - 1) for _ in range(rng.randint(0, 3))
        }
    return scalar(rng)


def mutate(rng: random.Random, target: dict[str, Any], fields: list[str], times: int) -> None:
    """Change an object up to `times` times: set a known or new field to a value, or delete one."""
    for _ in range(rng.randint(0, times)):
        kind = rng.randrange(4)
        if kind == 0:
            target.pop(rng.choice(fields), None)
        else:
            name = (
                rng.choice(EXTRA_NAMES) if kind == 1 and rng.random() < 0.3 else rng.choice(fields)
            )
            target[name] = json_value(rng) if rng.random() < 0.2 else scalar(rng)


def make_document(rng: random.Random, part: Part) -> Any:
    """A near-valid document (a valid example, mutated) nine times in ten, else any JSON value."""
    if rng.randrange(10) == 0:
        return json_value(rng)
    document = copy.deepcopy(rng.choice(VALID))
    mutate(rng, document["job"], JOB_FIELDS, 3)
    if part == "job":
        return document["job"]
    mutate(rng, document, TOP_FIELDS, 2)
    return document


def schema_keywords_only(found: tuple[Violation, ...]) -> tuple[Violation, ...]:
    """The check's schema violations less I-JSON's `number-range`, which is no schema keyword
    (tests/core/faces/test_beyond_safe_numbers.py holds it)."""
    return tuple(v for v in found if v.keyword != "number-range")


def assert_engines_agree(profile: Profile, part: Part, documents: list[Any]) -> None:
    """Both engines and `is_valid` give the same answer on every document: the violations the
    full path lists (jsonschema-rs's `iter_errors`, or the reference engine where jsonschema-rs
    cannot read the document) and the reference engine's."""
    engine = validator(profile, part)
    one = ContractCheck(profile, part)
    for document in documents:
        fast = schema_keywords_only(one.schema_violations(document))
        reference = engine.reference_violations(document)
        assert fast == reference, f"engines disagree on {document!r}"
        try:
            listed = engine.rs_violations(document)
        except UnicodeEncodeError:  # jsonschema-rs cannot read it: the reference engine lists
            continue
        assert listed == reference, f"jsonschema-rs lists otherwise on {document!r}"


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("profile", PROFILES)
@settings(max_examples=EXAMPLES, deadline=None)
@given(rng=st.randoms(use_true_random=True))
def test_engines_agree(profile: Profile, part: Part, rng: random.Random) -> None:
    """jsonschema-rs and jsonschema agree, violation for violation, on mutated and arbitrary
    documents (hypothesis picks the seed of each batch, and replays a failing one)."""
    assert_engines_agree(
        profile, part, [make_document(rng, part) for _ in range(DOCUMENTS_PER_EXAMPLE)]
    )


def test_generator_reaches_every_kind_of_violation() -> None:
    """The generator is not vacuous: a fixed sample holds valid documents and every kind of
    violation the schemas can report."""
    rng = random.Random(2026)
    one = ContractCheck("strict")
    verdicts, keywords = set(), set()
    for _ in range(1000):
        found = one.schema_violations(make_document(rng, "status"))
        verdicts.add(not found)
        keywords.update(v.keyword for v in found)
    assert verdicts == {True, False}
    assert keywords >= {
        "type",
        "enum",
        "required",
        "minimum",
        "maximum",
        "format",
        "additionalProperties",
    }


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree_on_unpaired_surrogates(profile: Profile, part: Part) -> None:
    """A string with an unpaired surrogate (which jsonschema-rs cannot read) falls back to the
    reference engine instead of crashing."""
    job = copy.deepcopy(VALID[0]["job"])
    job["status"] = "run\ud800"
    job["x\udc00"] = 1
    document = {"job": job, "progress_percentage": 45} if part == "status" else job
    engine = validator(profile, part)
    one = ContractCheck(profile, part)
    prefix = "$.job" if part == "status" else "$"
    assert one.schema_violations(document) == engine.reference_violations(document)
    assert (f"{prefix}.status", "enum") in {
        (v.path, v.keyword) for v in one.schema_violations(document)
    }
    assert one.schema_violations(document)
