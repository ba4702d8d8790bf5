"""The fast lane (`batch_contract.engine.fastlane`) only ever says "clean" of a line the full path
finds valid with no rule finding at any level; everything else it leaves to the full path.

The example documents of tests/examples are the cases (the test list is the folder listing), each as
the compact line orjson writes, with its newline as `LineBlock` holds it, and with the lane taught
that line's key order first, so the lane is as willing as it can be. Hypothesis then mutates clean
lines byte by byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_contract.core import rules
from batch_contract.core.reading import Document, LineBlock, chop
from batch_contract.core.results import Result
from batch_contract.core.schemas import PROFILES, Part, Profile
from batch_contract.engine import fastlane
from batch_contract.engine.quick import FIELDS
from batch_contract.engine.runner import Checker, Passed

EXAMPLES = Path(__file__).parents[1] / "examples"
FOLDERS = ("valid", "invalid", "strict-invalid", "malformed")
EVERY_RULE_AS_WARNING = {name: "warning" for name in rules.RULES}
LANE_PASSES = {
    "completed",
    "counts-large",
    "counts-whole-floats",
    "datetime-leap-second",
    "dispatched",
    "ids-without-prefixes",
    "job-type-classify",
    "job-type-extract",
    "nullable-optional-fields-null",
    "pending",
    "progress-fraction",
    "progress-integer",
    "required-fields-only",
    "running",
    "strings-empty-and-unicode",
}
"""The valid examples the lane decides itself. The others, all with time stamps of different
layouts (an offset, a lower-case `t`, fractions of different lengths), are left to the full path
on purpose: the quick rule test does not order them."""


def compact(value: Any) -> bytes:
    """The compact line of `value` as a block of NDJSON holds it: its newline kept (written by
    the standard library when it is nested deeper than orjson writes, 255 levels)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def example_lines() -> list[Any]:
    """(folder, name, line, value or None) for every example file."""
    return list(_example_lines())


def _example_lines() -> Iterator[Any]:
    for folder in FOLDERS:
        for path in sorted((EXAMPLES / folder).glob("*.json")):
            raw = path.read_bytes()
            try:
                value = orjson.loads(raw)
                line = compact(value)
            except orjson.JSONDecodeError:
                value, line = None, raw if raw.endswith(b"\n") else raw + b"\n"
            yield pytest.param(folder, path.stem, line, value, id=f"{folder}/{path.stem}")


def taught(value: Any, part: Part = "status", profile: Profile = "documented") -> fastlane.FastLane:
    """A new lane (of the documented profile unless told) that has learned the key order of
    `value`."""
    lane = fastlane.build(profile, part)
    assert lane is not None
    if value is not None:
        lane.learn(value)
    return lane


def full_path_clean(line: bytes, part: Part = "status", profile: Profile = "documented") -> bool:
    """Whether the full path finds the line valid with no finding, every rule on."""
    checker = Checker(profile, part, EVERY_RULE_AS_WARNING)
    result = checker.check(Document("t", "1", chop(line)))
    return result.problem is None and not result.violations


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("folder", "name", "line", "value"), example_lines())
def test_lane_never_passes_what_the_full_path_faults(
    folder: str, name: str, line: bytes, value: Any, profile: Profile
) -> None:
    """Whatever the example and profile, a line the lane calls clean is clean on the full path;
    no invalid or malformed one passes, nor a strict-invalid one in the strict profile; the valid
    ones that pass are exactly `LANE_PASSES` (strict-invalid examples are valid in the
    documented profile)."""
    lane = taught(value, "status", profile)
    clean = lane.clean(line)
    if clean:
        assert full_path_clean(line, "status", profile)
    if folder == "valid":
        assert clean == (name in LANE_PASSES)
    elif folder in ("invalid", "malformed") or (folder, profile) == ("strict-invalid", "strict"):
        assert not clean


def job_lines() -> list[Any]:
    """(folder, name, job line, job) for every example that holds a job object."""
    out = []
    for param in example_lines():
        folder, name, _, value = param.values
        if isinstance(value, dict) and isinstance(value.get("job"), dict):
            job = value["job"]
            out.append(pytest.param(folder, name, compact(job), job, id=param.id))
    return out


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("folder", "name", "line", "job"), job_lines())
def test_job_lane_never_passes_what_the_full_path_faults(
    folder: str, name: str, line: bytes, job: Any, profile: Profile
) -> None:
    """The same for `--part job`: a bare job the lane calls clean is clean on the full path, and
    the valid examples it passes are again `LANE_PASSES`."""
    clean = taught(job, "job", profile).clean(line)
    if clean:
        assert full_path_clean(line, "job", profile)
    if folder == "valid":
        assert clean == (name in LANE_PASSES)


def completed_line() -> tuple[bytes, Any]:
    """The compact line of valid/completed.json and its value."""
    value = orjson.loads((EXAMPLES / "valid/completed.json").read_bytes())
    return compact(value), value


def test_a_line_without_its_newline_is_left_to_the_full_path() -> None:
    """The lane compares a line with its encoding plus a newline, so the same clean line without
    its newline (the last line of a file, handed out as a document) is not clean to the lane,
    while a check of it finds it clean."""
    line, value = completed_line()
    lane = taught(value)
    assert lane.clean(line)
    assert not lane.clean(chop(line))
    assert full_path_clean(chop(line))


def test_duplicate_key_is_left_to_the_full_path() -> None:
    """A compact line with a key twice (msgspec keeps the last) is not clean: the full path
    names the duplicate key."""
    line, value = completed_line()
    doubled = line.replace(b'"status":', b'"status":"running","status":', 1)
    result = Checker().check(Document("t", "1", chop(doubled)))
    assert result.problem == 'duplicate object key "status"'
    assert taught(value).clean(line)
    assert not taught(value).clean(doubled)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param((b'"status":"completed"', b'"status" : "completed"'), id="whitespace"),
        pytest.param((b'"parse"', b'"p\\u0061rse"'), id="escape"),
        pytest.param((b'"job":{', b'"job":{"note":1,'), id="undocumented-field"),
        pytest.param((b'"total_items":40', b'"total_items":4e1'), id="count-with-exponent"),
    ],
)
def test_valid_spellings_the_lane_leaves_alone(change: tuple[bytes, bytes]) -> None:
    """Valid lines that are not msgspec's own spelling of their value go the full path, which
    finds them valid."""
    line, value = completed_line()
    assert change[0] in line
    changed = line.replace(*change, 1)
    assert full_path_clean(changed)
    assert not taught(value).clean(changed)


def test_key_order_is_learned_from_the_stream() -> None:
    """A line whose keys come in another order than the lane's passes once the lane has learned
    that order from a clean value, and the first order keeps passing."""
    line, value = completed_line()
    reordered = {"progress_percentage": value["progress_percentage"], "job": value["job"]}
    other = compact(reordered)
    lane = taught(value)
    assert lane.clean(line)
    assert not lane.clean(other)
    lane.learn(reordered)
    assert lane.clean(other)
    assert lane.clean(line) is False  # the lane holds one order at a time
    lane.learn(value)
    assert lane.clean(line)


def test_learning_is_bounded() -> None:
    """A stream of ever new key orders teaches the lane at most a bounded number of them."""
    _, value = completed_line()
    lane = taught(value)
    names = list(value["job"])
    for shift in range(1, len(names)):
        job = {name: value["job"][name] for name in names[shift:] + names[:shift]}
        lane.learn({"job": job, "progress_percentage": value["progress_percentage"]})
    assert len(lane._decoders) == fastlane._MAX_ORDERS


def test_lane_exists_for_both_profiles() -> None:
    """Every profile and part derives a lane, the strict profile too (it extends the documented
    schemas with `$ref` beside other keywords)."""
    for profile in PROFILES:
        assert fastlane.build(profile, "status") is not None
        assert fastlane.build(profile, "job") is not None


@pytest.mark.parametrize(
    ("edit", "verdict"),
    [
        pytest.param({}, True, id="as-is"),
        pytest.param({"effective_at": None}, False, id="effective-at-null"),
        pytest.param({"failed_items": None}, False, id="failed-items-null"),
        pytest.param({"failed_items": 1.5}, False, id="failed-items-fraction"),
        pytest.param({"priority": 1}, False, id="undocumented"),
        pytest.param({"completed_at": None, "status": "running"}, True, id="nullable-null"),
    ],
)
def test_strict_lane_takes_the_strict_schema(edit: dict[str, Any], verdict: bool) -> None:
    """The strict lane passes a line exactly when the strict full path finds it clean: a null the
    strict profile forbids, a fraction of a count, or an undocumented property fails it."""
    _, value = completed_line()
    value["job"] |= edit
    line = compact(value)
    lane = taught(value, "status", "strict")
    assert lane.clean(line) is verdict
    assert full_path_clean(line, "status", "strict") is verdict
    assert lane.clean(compact(value["job"])) is False  # a bare job is no status body


def test_strict_lane_passes_an_optional_property_left_out() -> None:
    """A line without effective_at passes the strict lane once its order is learned (absent is
    allowed where null is not)."""
    _, value = completed_line()
    value["job"].pop("effective_at", None)
    lane = taught(value, "status", "strict")
    assert lane.clean(compact(value))
    assert full_path_clean(compact(value), "status", "strict")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param({"type": "string"}, {"type": "integer"}, id="types"),
        pytest.param(
            {"type": "string", "format": "date-time"}, {"format": "email"}, id="two-formats"
        ),
        pytest.param({"enum": ["a"]}, {"enum": ["b"]}, id="two-enums"),
    ],
)
def test_schemas_that_cannot_meet_mean_no_lane(first: Any, second: Any) -> None:
    """A `$ref` beside keywords the lane cannot combine with the referenced schema (no common
    type, two formats, two enums) means no lane."""
    schema = {
        "$ref": "base",
        "properties": {"a": second},
        "$defs": {"base": {"type": "object", "properties": {"a": first}}},
    }
    with pytest.raises(fastlane.Unsupported):
        fastlane._object(fastlane._flat(schema, schema["$defs"]), schema["$defs"])


def test_meeting_schemas_tightens_them() -> None:
    """The meet of two leaf schemas has the types both allow (an integer is a number) and the
    tighter bounds; a closed schema drops the properties it does not name."""
    met = fastlane._meet(
        {
            "type": "object",
            "properties": {"a": {"type": ["number", "null"], "minimum": 0}, "b": {}},
        },
        {
            "type": "object",
            "properties": {"a": {"type": "integer", "minimum": -1, "maximum": 5}},
            "additionalProperties": False,
        },
        {},
    )
    assert met == {
        "type": "object",
        "properties": {"a": {"type": ["integer"], "minimum": 0, "maximum": 5}},
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param({"type": "object", "properties": {"a": {"pattern": "x"}}}, id="pattern"),
        pytest.param(
            {"type": "object", "properties": {}, "additionalProperties": {}}, id="extra-schema"
        ),
        pytest.param({"type": "object", "properties": {"a": True}}, id="boolean-subschema"),
        pytest.param({"type": "object", "properties": {"a": {"type": "array"}}}, id="array"),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}},
            id="other-format",
        ),
    ],
)
def test_unknown_schema_keywords_mean_no_lane(schema: dict[str, Any]) -> None:
    """A schema keyword the lane does not turn into a msgspec type stops the derivation."""
    with pytest.raises(fastlane.Unsupported):
        fastlane._object(schema, {})


EDIT_BYTES = b'"{}[],:0123456789.-+eEZTtz nul\\x'


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(LANE_PASSES)),
    edits=st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from(["set", "insert", "delete"]),
            st.sampled_from(list(EDIT_BYTES)),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_lines_never_pass_wrongly(name: str, edits: list[tuple[int, str, int]]) -> None:
    """Byte edits of a clean line (a digit, a quote, a date-time letter...) never make the lane
    call clean a line that the full path faults."""
    value = orjson.loads((EXAMPLES / "valid" / f"{name}.json").read_bytes())
    data = bytearray(orjson.dumps(value))
    for position, action, byte in edits:
        at = position % (len(data) + 1)
        if action == "insert":
            data.insert(at, byte)
        elif at < len(data):
            if action == "set":
                data[at] = byte
            else:
                del data[at]
    line = bytes(data) + b"\n"
    if taught(value).clean(line):
        assert full_path_clean(line)


def test_every_digit_changed_is_judged_right() -> None:
    """Every one-digit change of a clean line (counts, progress, dates and times) is either left
    to the full path or clean there; and the lane still decides most of them itself."""
    line, value = completed_line()
    lane = taught(value)
    decided = tried = 0
    for at, byte in enumerate(line):
        if not chr(byte).isdigit():
            continue
        for digit in b"0123456789":
            if digit == byte:
                continue
            changed = line[:at] + bytes([digit]) + line[at + 1 :]
            tried += 1
            if lane.clean(changed):
                decided += 1
                assert full_path_clean(changed), changed
    assert tried > 500
    assert decided > 0.3 * tried


def test_block_verdicts_do_not_depend_on_the_lane() -> None:
    """Over every example line, a checker with the lane and one without give every line the
    same verdict and the same violations."""
    lines = [param.values[2] for param in example_lines()]
    with_lane, without = Checker(), Checker()
    without._lane = None

    def verdicts(checker: Checker) -> dict[int, tuple[Any, ...]]:
        out: dict[int, tuple[Any, ...]] = {}
        for item in checker.check_block(
            LineBlock("t", 1, [line.replace(b"\n", b"") + b"\n" for line in lines])
        ):
            if isinstance(item, Passed):
                out.update((number, ()) for number in item.numbers)
            else:
                assert isinstance(item, Result)
                out[int(item.document.where or 0)] = (item.problem, item.violations)
        return out

    assert verdicts(with_lane) == verdicts(without)


def with_note(line: bytes, note: bytes) -> bytes:
    """`line` with a property the schema does not name, `"note"`, first in its job."""
    return line.replace(b'"job":{', b'"job":{"note":' + note + b",", 1)


def test_undocumented_properties_are_learned_and_kept_raw() -> None:
    """Once the lane has seen a clean line with a property the schema does not name, lines with
    it (any JSON value) and without it both pass, and the value is held to the full path's JSON
    rules: a duplicate key, a number out of range (one orjson reads exactly, as 2^53, or one it
    cannot, as 1e400) or an unpaired surrogate inside it is left to the full path, which faults
    it."""
    line, value = completed_line()
    lane = taught(value)
    noted = with_note(line, b'{"a":[1,2.5,"x",null,true]}')
    assert full_path_clean(noted)
    assert not lane.clean(noted)
    lane.learn(orjson.loads(noted))
    assert lane.clean(noted)
    assert lane.clean(line)
    assert lane.clean(with_note(line, b'"text"'))
    beyond = (b"9007199254740992", b'{"n":[-9007199254740992]}')  # +-2^53: read exactly
    for bad in (b'{"a":1,"a":2}', b"1e400", b'"\\ud800"', b'{"a": 1}', *beyond):
        noted_bad = with_note(line, bad)
        assert not lane.clean(noted_bad), bad
        if bad != b'{"a": 1}':  # spaces: valid, only not msgspec's own spelling
            assert not full_path_clean(noted_bad), bad


@pytest.mark.parametrize(
    "key",
    [
        pytest.param('a"b', id="quote"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("tab\there", id="control-character"),
        pytest.param("plain", id="plain"),
    ],
)
def test_an_undocumented_key_msgspec_cannot_name_is_not_learned(key: str) -> None:
    """A key msgspec cannot take as a field's name (a quote, a backslash, a control character) is
    not learned (learning it raised ValueError and stopped the run): its lines go the full path,
    which finds them clean, as a run over them does."""
    line, value = completed_line()
    lane = taught(value)
    noted = line.replace(b'"job":{', b'"job":{' + orjson.dumps(key) + b":1,", 1)
    assert full_path_clean(noted)
    lane.learn(orjson.loads(noted))
    assert lane.clean(noted) is (key == "plain")
    assert lane.clean(line)
    block = LineBlock("t", 1, [noted] * 1001)
    assert Checker().check_block(block) == [Passed("t", list(range(1, 1002)))]


def test_an_undocumented_key_never_becomes_code() -> None:
    """The lane writes its check out as source per key order; a property the schema does not name
    enters it only as the lane's own attribute name, whatever its key holds."""
    line, value = completed_line()
    lane = taught(value)
    noted = line.replace(b'"job":{', b'"job":{"); import os; os._exit(3) #":1,', 1)
    lane.learn(orjson.loads(noted))
    assert lane.clean(noted)
    assert lane.clean(line)


@pytest.mark.parametrize("name", ["created-at", "class", "a b", ""])
def test_a_property_name_that_is_no_identifier_means_no_lane(name: str) -> None:
    """Only plain identifiers of the schema go into the lane's source; any other name of a
    property the check reads (a date-time, or an object holding others) stops the lane."""
    job = {
        "type": "object",
        "properties": {
            **{field: {"type": ["string", "integer", "null"]} for field in FIELDS},
            name: {"type": "string", "format": "date-time"},
        },
    }
    with pytest.raises(fastlane.Unsupported):
        fastlane.FastLane(fastlane._object(job, {}), "job")
    nested = {"type": "object", "properties": {name: job}, "required": [name]}
    shape = fastlane._object(nested, {})
    with pytest.raises(fastlane.Unsupported):
        fastlane._struct(shape, fastlane._schema_order(shape), "Lane", [])


def test_a_lane_with_one_date_time_checks_it() -> None:
    """A job schema with a single date-time property gets a lane (a one-item format check) that
    clears a line whose date-time is valid and leaves one whose date-time is not."""
    job = {
        "type": "object",
        "properties": {
            **{field: {"type": ["string", "integer", "null"]} for field in FIELDS},
            "seen_at": {"type": "string", "format": "date-time"},
        },
    }
    lane = fastlane.FastLane(fastlane._object(job, {}), "job")
    values = {field: None for field in FIELDS} | {"status": "pending"}  # in the schema's order
    good = compact(values | {"seen_at": "2024-01-06T13:29:24Z"})
    assert lane.clean(good)
    assert not lane.clean(good.replace(b"13:29", b"25:29"))


def test_strict_lane_would_not_learn_undocumented_properties() -> None:
    """An object schema that forbids other properties keeps them out of the key order."""
    shape = fastlane._object(
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        {},
    )
    assert fastlane.signature({"a": "x", "b": 1}, shape) is None
    assert fastlane.signature({"a": "x"}, shape) == (("a", None),)


def test_lines_that_leave_out_optional_properties_share_one_order() -> None:
    """A stream whose lines leave out different optional properties (a producer that drops
    nulls) is learned into one key order: after one line of each shape, lines of both shapes
    pass; a line with one of those properties as an explicit null is left to the full path."""
    line, value = completed_line()
    job = value["job"]
    pending = {k: v for k, v in job.items() if k not in ("started_at", "completed_at")}
    pending.update(status="pending", processed_items=0, failed_items=0, skipped_items=0)
    pending_value = {"job": pending, "progress_percentage": 0}
    pending_line = compact(pending_value)
    assert full_path_clean(pending_line)
    lane = taught(value)
    assert lane.clean(line)
    assert not lane.clean(pending_line)
    lane.learn(pending_value)
    assert lane.clean(pending_line)
    assert lane.clean(line)
    explicit = compact({"job": {**pending, "started_at": None}, "progress_percentage": 0})
    assert full_path_clean(explicit)
    assert not lane.clean(explicit)


@pytest.mark.parametrize(
    ("current", "new", "merged"),
    [
        pytest.param(
            (("a", None), ("b", None)), (("a", None),), (("a", None), ("b", "?")), id="left-out"
        ),
        pytest.param(
            (("a", None),), (("x", "*"), ("a", None)), (("x", "*"), ("a", None)), id="raw-added"
        ),
        pytest.param((("a", None), ("b", None)), (("b", None), ("a", None)), None, id="reordered"),
        pytest.param((("j", (("a", None),)),), (("k", None),), None, id="object-left-out"),
        pytest.param((("a", None),), (("a", "*"),), None, id="named-and-raw"),
    ],
)
def test_key_orders_merge_only_when_they_agree(current: Any, new: Any, merged: Any) -> None:
    """Two key orders merge when they order their shared properties alike; a property only one
    has becomes optional (or stays raw); objects cannot be left out."""
    assert fastlane._merge(current, new) == merged


@pytest.mark.parametrize("progress", [100.5, -0.5, 101, -1])
def test_a_progress_beyond_its_bounds_is_never_cleared(progress: float) -> None:
    """A progress_percentage beyond 0 to 100, a float or an integer, in a job whose counts are
    all null (so no rule reads the progress, and only the schema's bounds stand against it): the
    lane leaves the line to the full path, which faults it."""
    _, value = completed_line()
    for name in ("processed_items", "failed_items", "skipped_items"):
        value["job"][name] = None
    value["progress_percentage"] = 50.5
    lane = taught(value)
    assert lane.clean(compact(value))
    value["progress_percentage"] = progress
    line = compact(value)
    assert not full_path_clean(line)
    assert not lane.clean(line)
