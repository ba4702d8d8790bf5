"""Every semantic rule against its example files:
tests/core/rules/examples/<rule>/{good,bad}/*.json.

A document example is one status body; a sequence example is a JSON array of polls of one job.
`expected.json` beside `bad/` lists, per case, each violation as `path: expected X, found Y`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core.check import ContractCheck, contract_check
from batch_contract.core.results import Violation
from batch_contract.core.rules import RULES, Level, check_sequence

EXAMPLES = Path(__file__).parent / "examples"


def _cases(kind: str) -> list[Any]:
    """(rule, file) for every example of a kind, as pytest params named rule/kind/case."""
    return [
        pytest.param(folder.name, path, id=f"{folder.name}/{kind}/{path.stem}")
        for folder in sorted(EXAMPLES.iterdir())
        for path in sorted((folder / kind).glob("*.json"))
    ]


def _violations_of(rule: str, path: Path) -> list[Violation]:
    """The violations of one rule, at its default level, for an example file."""
    example = json.loads(path.read_text(encoding="utf-8"))
    found = (
        check_sequence(example)
        if isinstance(example, list)
        else contract_check().rule_violations(example)
    )
    return [v for v in found if v.keyword == f"rule:{rule}"]


def test_every_rule_has_examples() -> None:
    """Each rule has a folder with at least one good and one bad example, and nothing else."""
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(RULES)
    for name in RULES:
        assert list((EXAMPLES / name / "good").glob("*.json")), name
        assert list((EXAMPLES / name / "bad").glob("*.json")), name


@pytest.mark.parametrize(("rule", "path"), _cases("good") + _cases("bad"))
def test_example_is_schema_valid(rule: str, path: Path) -> None:
    """Every example is schema-valid (documented profile): rules judge only valid bodies."""
    example = json.loads(path.read_text(encoding="utf-8"))
    polls = example if isinstance(example, list) else [example]
    kind = "sequence" if isinstance(example, list) else "document"
    assert kind == RULES[rule].kind
    assert all(not ContractCheck("documented", "status").schema_violations(poll) for poll in polls)


@pytest.mark.parametrize(("rule", "path"), _cases("good"))
def test_good_example_passes(rule: str, path: Path) -> None:
    """A good example breaks not the rule it illustrates."""
    assert _violations_of(rule, path) == []


@pytest.mark.parametrize(("rule", "path"), _cases("bad"))
def test_bad_example_fails_with_exact_messages(rule: str, path: Path) -> None:
    """A bad example breaks its rule, at the rule's default severity, with the listed messages."""
    expected = json.loads((path.parent.parent / "expected.json").read_text(encoding="utf-8"))
    found = _violations_of(rule, path)
    assert [f"{v.path}: {v.message}" for v in found] == expected[path.stem]
    assert {v.severity for v in found} == {RULES[rule].default}


@pytest.mark.parametrize(("rule", "path"), _cases("bad"))
def test_bad_example_passes_with_rule_off(rule: str, path: Path) -> None:
    """Set to off, a rule is not run at all."""
    example = json.loads(path.read_text(encoding="utf-8"))
    levels: dict[str, Level] = {rule: "off"}
    found = (
        check_sequence(example, levels)
        if isinstance(example, list)
        else contract_check(levels=levels).rule_violations(example)
    )
    assert all(v.keyword != f"rule:{rule}" for v in found)


def test_expected_lists_only_existing_cases() -> None:
    """expected.json names exactly the bad cases of its folder: no stale or missing entry."""
    for folder in sorted(EXAMPLES.iterdir()):
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        assert sorted(expected) == sorted(p.stem for p in (folder / "bad").glob("*.json"))
