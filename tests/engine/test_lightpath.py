"""The light path (`lightpath`): it clears exactly the documents the full path finds valid and the
quick rule test finds clean, reads every value as orjson does, leaves to the full path what orjson
reads differently, and a run it clears in full (one file, or a short NDJSON stream) loads neither
orjson nor jsonschema-rs.

The documents are every example under tests/examples (valid, invalid, strict-invalid, malformed);
tests/engine/test_fast_path.py holds the light path to the full path over the generated corpus as
well.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from batch_contract.core.jsondoc import parse_document, parse_light
from batch_contract.core.reading import Document
from batch_contract.core.results import Result
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.engine import codegen, lightpath, quick, runner
from batch_contract.engine.runner import Checker
from batch_contract.errors import DocumentError

EXAMPLES = Path(__file__).parents[1] / "examples"
DOCUMENTS = sorted(EXAMPLES.glob("*/*.json"))
VALID_EXAMPLE = EXAMPLES / "valid" / "running.json"
INVALID_EXAMPLE = EXAMPLES / "invalid" / "missing-job.json"


def example_params() -> list[Any]:
    """One pytest parameter per example document, named by its folder and file."""
    return [pytest.param(path, id=f"{path.parent.name}/{path.stem}") for path in DOCUMENTS]


def full_path_clean(raw: bytes, profile: Profile, part: Any) -> bool:
    """Whether the full path (orjson, jsonschema-rs, the rules) finds the document valid with no
    finding and the quick rule test finds it clean: what the light path may clear."""
    try:
        value = parse_document(raw)
    except DocumentError:
        return False
    if Checker(profile, part).check_value(value):
        return False
    if part == "job":
        return quick.job_clean(value)
    return quick.document_clean(value)


def job_of(raw: bytes) -> bytes | None:
    """The job object of an example response, as compact JSON; None when it has none."""
    try:
        value = parse_document(raw)
    except DocumentError:
        return None
    if type(value) is not dict or type(value.get("job")) is not dict:
        return None
    try:
        return orjson.dumps(value["job"])
    except TypeError:  # nested deeper than orjson writes (255 levels)
        return json.dumps(value["job"], separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", example_params())
def test_clears_what_the_full_path_finds_clean(path: Path, profile: Profile) -> None:
    """The light path clears an example response exactly when the full path finds it valid with
    no finding and the quick rule test finds it clean, in both profiles."""
    light = lightpath.build(profile, "status")
    assert light is not None
    raw = path.read_bytes()
    assert light.clears(raw) == full_path_clean(raw, profile, "status")


def job_params() -> list[Any]:
    """One pytest parameter per example with a job object: that object as compact JSON."""
    jobs = [(path, job_of(path.read_bytes())) for path in DOCUMENTS]
    return [pytest.param(raw, id=f"{path.parent.name}/{path.stem}") for path, raw in jobs if raw]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("raw", job_params())
def test_clears_bare_jobs_as_the_full_path(raw: bytes, profile: Profile) -> None:
    """The same holds for the job object of every example, checked as `--part job`."""
    light = lightpath.build(profile, "job")
    assert light is not None
    assert light.clears(raw) == full_path_clean(raw, profile, "job")


def test_clears_most_valid_examples() -> None:
    """Not vacuous: the light path clears most valid examples (the others have date-times or
    counts the quick rule test leaves to the rules)."""
    light = lightpath.build("documented", "status")
    assert light is not None
    valid = [path for path in DOCUMENTS if path.parent.name == "valid"]
    cleared = [path.stem for path in valid if light.clears(path.read_bytes())]
    assert len(cleared) >= len(valid) // 2, cleared


@pytest.mark.parametrize("path", example_params())
def test_reads_what_orjson_reads(path: Path) -> None:
    """Whenever the light path reads a document, its value is orjson's, type for type (an
    integer stays an integer, a float a float), and the full path accepts the document."""
    raw = path.read_bytes()
    value = parse_light(raw)
    if value is None:
        return
    assert value == parse_document(raw)  # and 1 is no 1.0: the types of the leaves, below
    assert [type(v) for v in _leaves(value)] == [type(v) for v in _leaves(parse_document(raw))]


def _leaves(value: Any) -> list[Any]:
    """Every scalar of a parsed value, depth first (walked without recursion: examples nest 500
    levels)."""
    out, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            stack.extend(reversed(item.values() if isinstance(item, dict) else item))
        else:
            out.append(item)
    return out


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.stem) for p in sorted((EXAMPLES / "malformed").glob("*.json"))]
)
def test_reads_no_malformed_example(path: Path) -> None:
    """No malformed example (NaN, duplicate keys, a byte order mark, deep nesting, ...) is read."""
    assert parse_light(path.read_bytes()) is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"a": "\\ud83d\\ude00"}', id="escaped surrogate pair"),
        pytest.param(b'{"a": "\\ud800"}', id="unpaired surrogate escape"),
        pytest.param(b'{"a": 9223372036854775808}', id="integer orjson reads as a float"),
        pytest.param(b'{"a": -9223372036854775809}', id="negative integer read as a float"),
        pytest.param(b'{"a": 1e400}', id="float that overflows"),
        pytest.param(b'{"a": NaN}', id="NaN"),
        pytest.param(b'{"a": 1, "a": 1}', id="duplicate key"),
    ],
)
def test_leaves_to_the_full_path(raw: bytes) -> None:
    """What orjson reads otherwise or refuses is not read: the full path decides it."""
    assert parse_light(raw) is None


def test_reads_the_integers_every_parser_reads_exactly() -> None:
    """The largest integers within +-(2^53-1) (I-JSON's range, which the one check keeps) are
    read; one beyond, though orjson still reads it as an integer, is left to the full path,
    which reports it."""
    raw = b'{"a": 9007199254740991, "b": -9007199254740991, "c": 9007199254740991.0}'
    assert parse_light(raw) == orjson.loads(raw)
    assert parse_light(b'{"a": 9007199254740992}') is None
    assert parse_light(b'{"a": 9223372036854775807}') is None
    assert parse_light(b'{"a": -9.1e15}') is None


def run_isolated(*paths: Path) -> str:
    """The output of validate-status on `paths` in a new interpreter, then its exit code and which
    of orjson, jsonschema-rs, msgspec, the `--jobs` engine and the progress line it imported."""
    script = (
        "import sys\n"
        "from batch_contract.cli.main import validate_main\n"
        "code = validate_main(sys.argv[1:])\n"
        "heavy = ('orjson', 'jsonschema_rs', 'msgspec', 'batch_contract.engine.parallel',\n"
        "         'batch_contract.cli.progress', 'concurrent.futures')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "print(code, loaded)\n"
    )
    argv = [sys.executable, "-c", script, *map(str, paths)]
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout


def test_a_clear_run_loads_no_engine() -> None:
    """validate-status on one clean file answers as ever, without importing orjson,
    jsonschema-rs, msgspec, the `--jobs` engine or the progress line (a one-file run uses none of
    them); on an invalid file it loads the two engines it needs and reports the violations."""
    assert run_isolated(VALID_EXAMPLE) == "1 document: 1 valid, 0 invalid\n0 []\n"
    assert run_isolated(INVALID_EXAMPLE) == (
        f"{INVALID_EXAMPLE}::$.job: expected a required property, found nothing (absent)\n"
        "1 document: 0 valid, 1 invalid\n"
        "1 ['orjson', 'jsonschema_rs']\n"
    )


def test_a_short_clean_stream_loads_no_engine(tmp_path: Path) -> None:
    """A short NDJSON stream of clean lines (a blank line among them) is cleared by the light
    path without any engine; one invalid line makes the whole block take the lane, with the same
    report as ever."""
    clean = orjson.dumps(parse_document(VALID_EXAMPLE.read_bytes()))
    short = tmp_path / "short.ndjson"
    short.write_bytes(b"\n".join([clean, clean, b"", clean]) + b"\n")
    assert run_isolated(short) == "3 documents: 3 valid, 0 invalid\n0 []\n"
    mixed = tmp_path / "mixed.ndjson"
    mixed.write_bytes(b"\n".join([clean, b'{"progress_percentage": 1}', clean]) + b"\n")
    assert run_isolated(mixed) == (
        f"{mixed}:2::$.job: expected a required property, found nothing (absent)\n"
        "3 documents: 2 valid, 1 invalid\n"
        "1 ['orjson', 'jsonschema_rs', 'msgspec']\n"
    )


def spy_on_light_path(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The documents the light path is asked to clear, in order, recorded from now on."""
    calls: list[bytes] = []
    clears = lightpath.LightPath.clears

    def spy(self: lightpath.LightPath, raw: bytes) -> bool:
        calls.append(raw)
        return clears(self, raw)

    monkeypatch.setattr(lightpath.LightPath, "clears", spy)
    return calls


def test_engines_take_over_after_the_first_document_not_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The light path serves documents until one it cannot clear, then never again in that run
    (the engines, loaded by then, check faster); each verdict is the full path's."""
    calls = spy_on_light_path(monkeypatch)
    good, bad = VALID_EXAMPLE.read_bytes(), INVALID_EXAMPLE.read_bytes()
    checker = Checker()
    results = [checker.check(Document("t", str(n), raw)) for n, raw in enumerate([good, bad, good])]
    assert calls == [good, bad]
    assert [r.is_valid() for r in results] == [True, False, True]
    assert results[1].violations == Checker().check_value(parse_document(bad))


def test_engines_take_over_after_light_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """After `LIGHT_DOCUMENTS` cleared documents the engines check the rest, with the same
    verdicts."""
    monkeypatch.setattr(runner, "LIGHT_DOCUMENTS", 2)
    calls = spy_on_light_path(monkeypatch)
    good = VALID_EXAMPLE.read_bytes()
    checker = Checker()
    results = [checker.check(Document("t", str(n), good)) for n in range(4)]
    assert len(calls) == 2
    assert results == [Result(Document("t", str(n), good)) for n in range(4)]


def test_no_light_path_for_a_schema_keyword_no_code_is_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A schema with a keyword the code generator is not written for gets no light path."""
    pattern = {"type": "object", "properties": {"id": {"type": "string", "pattern": "^a"}}}
    monkeypatch.setattr(codegen, "bundled_schema", lambda profile, part: pattern)
    assert lightpath.build("documented", "status") is None
