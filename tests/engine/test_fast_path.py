"""Differential test of the fast path over the seeded benchmark corpus (benchmarks/corpus.py).

The oracle is `ContractCheck` as built with no lister: jsonschema-rs's own listing and every rule
run, no shortcut. For every generated document: jsonschema-rs (`ContractCheck.schema_violations`)
and pure-Python jsonschema (`Validator.reference_violations`, with the toolkit's date-time
decision) give the same violations; the engine's quick rule test (`quick`) never calls a body
clean that the oracle finds fault with; the checker's line blocks (the fast lane of `fastlane`,
then the check with the lister written from the schema) give the oracle's verdict; and the light
path of `lightpath` clears exactly the documents the oracle finds clean and the quick test too.

2,000 documents by default; `BATCH_CONTRACT_FULL_DIFFERENTIAL=1` runs all 200,000 (about three
minutes with `-n 2`, most of it in the pure-Python engine).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from batch_contract.core import rules
from batch_contract.core.check import ContractCheck
from batch_contract.core.datetimes import is_rfc3339_datetime
from batch_contract.core.jsondoc import parse_document, parse_light
from batch_contract.core.reading import Document, LineBlock
from batch_contract.core.results import Result
from batch_contract.core.rules import Level
from batch_contract.core.schemas import PROFILES, Profile
from batch_contract.core.validation import sort_violations, validator
from batch_contract.engine import codegen, fastlane, lightpath, quick
from batch_contract.engine.runner import Checker, Passed
from batch_contract.errors import DocumentError

FULL = os.environ.get("BATCH_CONTRACT_FULL_DIFFERENTIAL") == "1"
COUNT = 200_000 if FULL else 2_000
CORPUS_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus.py"


@cache
def corpus() -> ModuleType:
    """The benchmark's corpus generator, loaded from its file."""
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def lines() -> list[bytes]:
    """The first COUNT lines of the seeded corpus."""
    return list(corpus().ndjson_lines(COUNT))


def full_path(profile: Profile) -> Any:
    """The full path's verdict on one document, with the schema engine's own listing (no code
    written from the schema): what the block path must give."""
    check = ContractCheck(profile, "status")

    def result(document: Document) -> Result:
        try:
            value = parse_document(document.raw)
        except DocumentError as error:
            return Result(document, problem=str(error))
        return Result(document, check.violations(value))

    return result


def as_read(raw_lines: list[bytes]) -> list[bytes]:
    """Lines as a `LineBlock` of a file holds them: each with its newline."""
    return [line + b"\n" for line in raw_lines]


def parsed() -> Iterator[tuple[int, Any]]:
    """(line number, value) for every corpus line that is well-formed JSON."""
    for number, line in enumerate(lines(), 1):
        try:
            yield number, parse_document(line)
        except DocumentError:
            continue


def test_corpus_is_varied() -> None:
    """The corpus holds valid bodies, schema violations, rule violations and malformed lines."""
    checker = Checker()
    results = [checker.check(Document("c", str(n), line)) for n, line in enumerate(lines()[:2000])]
    problems = sum(r.problem is not None for r in results)
    schema = sum(any(not v.keyword.startswith("rule:") for v in r.violations) for r in results)
    rule = sum(any(v.keyword.startswith("rule:") for v in r.violations) for r in results)
    valid = sum(r.is_valid() for r in results)
    assert problems >= 20
    assert schema >= 60
    assert rule >= 10
    assert 0.85 <= valid / len(results) <= 0.95


def test_valid_only_corpus_is_all_valid() -> None:
    """The benchmark's valid-only stream (`invalid_share=0`) holds no violation and no warning,
    and the block path passes every line."""
    valid_only = list(corpus().ndjson_lines(2000, invalid_share=0))
    checker = Checker()
    results = [checker.check(Document("v", str(n), line)) for n, line in enumerate(valid_only, 1)]
    assert [r for r in results if r.problem is not None or r.violations] == []
    items = checker.check_block(LineBlock("v", 1, as_read(valid_only)))
    assert items == [Passed("v", list(range(1, 2001)))]


@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree_on_corpus(profile: Profile) -> None:
    """jsonschema-rs, the pure-Python oracle and the lister written from the schema (with
    jsonschema-rs's date-times, as the block path uses it, and with the standard library's, as
    the light path does) give the same violations for every document."""
    engine, oracle = ContractCheck(profile, "status"), validator(profile, "status")
    listers = [
        codegen.lister(profile, "status", codegen.engine_date_time()),
        codegen.lister(profile, "status", is_rfc3339_datetime),
    ]
    disagreements = []
    checked = invalid = 0
    for number, value in parsed():
        fast = tuple(v for v in engine.schema_violations(value) if v.keyword != "number-range")
        reference = oracle.reference_violations(value)
        checked += 1
        invalid += bool(fast)
        if fast != reference:
            disagreements.append((number, fast, reference))
        for lister in listers:
            assert lister is not None
            listed = sort_violations(lister(value))
            if listed != reference:
                disagreements.append((number, listed, reference))
    assert checked > 0.9 * COUNT
    assert invalid > 0.04 * COUNT
    assert disagreements == []


def test_quick_rules_never_miss_a_finding() -> None:
    """Whenever the engine's quick rule test calls a schema-valid body (or its bare job) clean,
    the one check, which has no shortcut, finds nothing in it with every rule on; and it calls
    most of them clean (not vacuous)."""
    every_rule: dict[str, Level] = {name: "warning" for name in rules.RULES}
    oracle = ContractCheck("documented", "status", every_rule)
    bare = ContractCheck("documented", "job", every_rule)
    clean = 0
    for number, value in parsed():
        if oracle.schema_violations(value):
            continue
        if quick.document_clean(value):
            clean += 1
            assert oracle.violations(value) == (), number
        if quick.job_clean(value["job"]):
            assert bare.rule_violations(value["job"]) == (), number
    assert clean > 0.8 * COUNT


def test_quick_rules_know_every_document_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick test is in use while it stands in for exactly the document rules there are,
    and the shortcuts that use it are off once a rule is added or changed."""
    assert quick.covers()
    assert fastlane.build("documented", "status") is not None
    first = next(iter(rules.RULES))
    changed = {**rules.RULES, first: rules.RULES[first]._replace(check=lambda job, progress: ())}
    monkeypatch.setattr(rules, "RULES", changed)
    assert not quick.covers()
    assert fastlane.build("documented", "status") is None
    assert lightpath.build("documented", "status") is None


@pytest.mark.parametrize(("profile", "part"), [("documented", "status"), ("strict", "status")])
def test_block_fast_path_matches_full_path(profile: Profile, part: Any) -> None:
    """Lines passed by the block fast path are valid with no violation on the full path, and every
    other line gets exactly the full path's result; the lane itself passes most lines the full
    path finds clean (not vacuous)."""
    checker, check = Checker(profile, part), full_path(profile)
    block = LineBlock("corpus", 1, as_read([*lines(), b"", b"  "]))
    passed = 0
    for item in checker.check_block(block):
        if isinstance(item, Passed):
            for number in item.numbers:
                full = check(Document("corpus", str(number), lines()[number - 1]))
                assert (full.violations, full.problem) == ((), None), number
                passed += 1
        else:
            assert isinstance(item, Result)
            where = int(item.document.where or 0)
            assert item == check(Document("corpus", str(where), lines()[where - 1]))
    assert passed > (0.8 if profile == "documented" else 0.3) * COUNT
    lane = checker.prepare_lines()
    assert sum(map(lane.clean, block.lines)) > (0.8 if profile == "documented" else 0.3) * COUNT


@pytest.mark.parametrize("profile", PROFILES)
def test_block_fast_path_matches_full_path_on_rule_breaking_lines(profile: Profile) -> None:
    """On the benchmark's rule-breaking corpus (most bodies break a rule, each body's keys in an
    order of its own), every line of a block gets exactly the full path's verdict."""
    raw = list(corpus().rule_lines(COUNT // 2))
    checker, check = Checker(profile, "status"), full_path(profile)
    passed = 0
    for item in checker.check_block(LineBlock("rules", 1, as_read(raw))):
        if isinstance(item, Passed):
            for number in item.numbers:
                full = check(Document("rules", str(number), raw[number - 1]))
                assert (full.violations, full.problem) == ((), None), number
                passed += 1
        else:
            where = int(item.document.where or 0)
            assert item == check(Document("rules", str(where), raw[where - 1]))
    assert 0.02 * COUNT < passed < 0.2 * COUNT


@cache
def spaced_lines() -> list[bytes]:
    """The corpus lines as Python's `json.dumps` writes them (a space after `:` and `,`), the
    well-formed ones; the malformed ones as they are."""
    import json

    out = []
    for line in lines():
        try:
            out.append(json.dumps(json.loads(line)).encode())
        except ValueError:
            out.append(line)
    return out


def test_block_path_matches_full_path_on_spaced_lines() -> None:
    """Lines that are not compact (no line of which the fast lane or the compact path can take)
    get exactly the full path's result, duplicate keys and all."""
    checker, check = Checker(), full_path("documented")
    spaced = [*spaced_lines()[:1000], b'{"job": {}, "job": {}}']
    results = 0
    for item in checker.check_block(LineBlock("corpus", 1, as_read(spaced))):
        if isinstance(item, Passed):
            for number in item.numbers:
                full = check(Document("corpus", str(number), spaced[number - 1]))
                assert (full.violations, full.problem) == ((), None), number
        else:
            assert isinstance(item, Result)
            where = int(item.document.where or 0)
            assert item == check(Document("corpus", str(where), spaced[where - 1]))
            results += 1
    assert results > 50


@pytest.mark.parametrize("profile", PROFILES)
def test_light_path_matches_full_path(profile: Profile) -> None:
    """Every corpus document, compact and spaced: the light path clears it exactly when it reads
    it and the full path finds it valid with no finding and the quick rule test clean; it reads
    the value orjson reads; and it clears most documents (not vacuous)."""
    light = lightpath.build(profile, "status")
    assert light is not None
    checker = Checker(profile, "status")
    cleared = 0
    for raw in [*lines(), *spaced_lines()]:
        value = parse_light(raw)
        try:
            full = parse_document(raw)
        except DocumentError:
            assert value is None
            assert not light.clears(raw)
            continue
        if value is not None:
            assert orjson.dumps(value) == orjson.dumps(full)
        expected = (
            value is not None and not checker.check_value(full) and quick.document_clean(full)
        )
        assert light.clears(raw) == expected, raw
        cleared += expected
    assert cleared > (0.8 if profile == "documented" else 0.3) * 2 * COUNT


def verdicts(items: list[Any]) -> dict[int, tuple[Any, Any]]:
    """Line number to (violations, problem) for the items of `check_block` (passed: none)."""
    out: dict[int, tuple[Any, Any]] = {}
    for item in items:
        if isinstance(item, Passed):
            out.update((number, ((), None)) for number in item.numbers)
        else:
            out[int(item.document.where or 0)] = (item.violations, item.problem)
    return out


def test_short_blocks_get_the_lanes_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of five corpus lines, each checked by a new checker (so the light path is offered
    them first), get the verdicts of a checker whose lane is built, line for line; and the light
    path clears whole blocks without building a lane (not vacuous)."""
    from batch_contract.engine import fastlane

    lane_checker = Checker()
    lane_checker.prepare_lines()
    built: list[object] = []
    build = fastlane.build
    monkeypatch.setattr(fastlane, "build", lambda *args: built.append(args) or build(*args))
    cleared = 0
    for start in range(0, 2000, 5):
        block = LineBlock("c", start + 1, as_read(lines()[start : start + 5]))
        before = len(built)
        got = Checker().check_block(block)
        assert verdicts(got) == verdicts(lane_checker.check_block(block)), start
        cleared += len(built) == before
    assert cleared > 0.3 * 2000 / 5
