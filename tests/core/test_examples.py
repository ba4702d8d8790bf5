"""The example documents under tests/examples: the test list is the folder listing.

- `valid/*.json` honour both profiles, with both engines, as a whole response and as a bare job.
- `invalid/<reason>.json` break the contract in both profiles; `<reason>.expected` lists every
  violation as `$.json.path keyword`, one a line, and the engines must find exactly those.
- `strict-invalid/<reason>.json` honour the documented profile and break the strict one exactly as
  their `.expected` says.
Adding a case is adding a file (and, for the two invalid folders, its `.expected` sidecar).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.schemas import PROFILES, Profile, load_schema
from batch_contract.core.validation import Validator, validator

EXAMPLES = Path(__file__).parents[1] / "examples"
SCHEMA_FOLDERS = ("valid", "invalid", "strict-invalid")


def examples(folder: str) -> list[Path]:
    """The example files of one folder, in a stable order."""
    return sorted((EXAMPLES / folder).glob("*.json"))


def params(folder: str) -> list[Any]:
    """pytest parameters for the examples of a folder, each named by its file."""
    return [pytest.param(path, id=path.stem) for path in examples(folder)]


def load(path: Path) -> Any:
    """The JSON value of an example, parsed as strictly as validate-status parses it."""
    return parse_document(path.read_bytes())


def expected(path: Path) -> set[tuple[str, str]]:
    """The `(path, keyword)` pairs that the `.expected` sidecar of an example lists."""
    sidecar = path.with_suffix(".expected")
    assert sidecar.is_file(), (
        f"{path.name} has no sidecar: add {sidecar.name} listing its violations"
    )
    pairs = set()
    for line in sidecar.read_text(encoding="utf-8").splitlines():
        where, _, keyword = line.rpartition(" ")
        assert where.startswith("$"), f"{sidecar.name}: bad line {line!r}"
        assert keyword, f"{sidecar.name}: bad line {line!r}"
        pairs.add((where, keyword))
    return pairs


def found(engine: Validator, document: Any, *, reference: bool) -> set[tuple[str, str]]:
    """The `(path, keyword)` pairs of the violations one engine finds in a document."""
    violations = (
        engine.reference_violations(document)
        if reference
        else ContractCheck(engine.profile, engine.part).schema_violations(document)
    )
    return {(v.path, v.keyword) for v in violations}


def test_each_folder_has_examples() -> None:
    """Every example folder holds cases, so a wrong glob cannot make the suite pass empty."""
    for folder in (*SCHEMA_FOLDERS, "malformed"):
        assert len(examples(folder)) >= 5, f"tests/examples/{folder} lost its examples"


@pytest.mark.parametrize("folder", ["invalid", "strict-invalid", "malformed"])
def test_every_sidecar_belongs_to_an_example(folder: str) -> None:
    """No `.expected` file is left behind when its example is renamed or removed."""
    orphans = [
        p.name
        for p in (EXAMPLES / folder).glob("*.expected")
        if not p.with_suffix(".json").exists()
    ]
    assert not orphans, f"sidecars without an example in {folder}: {orphans}"


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", params("valid"))
def test_valid_example_honours_the_profile(path: Path, profile: Profile) -> None:
    """A valid example has no violation in either profile, by either engine or `is_valid`."""
    document = load(path)
    engine = validator(profile)
    one = ContractCheck(profile)
    assert one.schema_violations(document) == ()
    assert engine.reference_violations(document) == ()
    assert not one.schema_violations(document)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", params("valid"))
def test_valid_example_job_honours_the_job_schema(path: Path, profile: Profile) -> None:
    """The job object of a valid example is valid on its own (`--part job`)."""
    job = load(path)["job"]
    engine = validator(profile, "job")
    one = ContractCheck(profile, "job")
    assert one.schema_violations(job) == ()
    assert engine.reference_violations(job) == ()


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", params("invalid"))
def test_invalid_example_has_exactly_its_expected_violations(path: Path, profile: Profile) -> None:
    """Each engine reports every violation the sidecar lists, and nothing else, in both profiles."""
    document, want = load(path), expected(path)
    engine = validator(profile)
    one = ContractCheck(profile)
    assert one.schema_violations(document)
    assert found(engine, document, reference=False) == want
    assert found(engine, document, reference=True) == want


@pytest.mark.parametrize("path", params("strict-invalid"))
def test_strict_invalid_example_passes_documented(path: Path) -> None:
    """What only the strict profile forbids (nulls the provider does not allow, extra fields) is
    accepted by the documented profile."""
    document = load(path)
    assert ContractCheck("documented").schema_violations(document) == ()
    assert validator("documented").reference_violations(document) == ()


@pytest.mark.parametrize("path", params("strict-invalid"))
def test_strict_invalid_example_fails_strict_as_expected(path: Path) -> None:
    """The strict profile reports exactly the sidecar's violations, with both engines."""
    document, want = load(path), expected(path)
    engine = validator("strict")
    one = ContractCheck("strict")
    assert one.schema_violations(document)
    assert found(engine, document, reference=False) == want
    assert found(engine, document, reference=True) == want


def test_every_field_has_a_wrong_type_example() -> None:
    """Each of the 17 job fields and progress_percentage has an `invalid/type-*` example, so a
    wrong type anywhere is known to be reported at its JSON path."""
    names = {p.stem for p in examples("invalid")}
    fields = set(load_schema("documented", "job")["properties"])
    missing = sorted(f for f in fields if f"type-job-{f}" not in names)
    assert not missing, f"add invalid/type-job-<field>.json for: {missing}"
    assert "type-progress-string" in names


def test_every_required_field_has_null_and_missing_examples() -> None:
    """Each required field (both levels) has an `invalid/null-*` and an `invalid/missing-*` case."""
    names = {p.stem for p in examples("invalid")}
    job_required = load_schema("documented", "job")["required"]
    wanted = [f"{kind}-job-{f}" for f in job_required for kind in ("null", "missing")]
    wanted += ["null-job", "missing-job", "null-progress", "missing-progress"]
    missing = [name for name in wanted if name not in names]
    assert not missing, f"add invalid/<name>.json for: {missing}"


def test_only_top_level_examples_are_not_objects() -> None:
    """Invalid examples are whole responses with something wrong inside, except `top-level-*`."""
    for path in examples("invalid"):
        is_object = isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
        assert is_object != path.stem.startswith("top-level-"), path.name
