"""Strict parsing of one JSON document: every bad input of tests/examples/malformed/ is refused with
one line that names the problem; well-formed edge cases are read as RFC 8259 says.

Each `malformed/<case>.json` has a sidecar `<case>.expected`: `KEYWORD message fragment`, where
KEYWORD is the `DocumentError.keyword` and the fragment must appear in its message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from batch_contract.core import jsondoc
from batch_contract.core.jsondoc import parse_document
from batch_contract.core.limits import MAX_DOCUMENT_BYTES
from batch_contract.errors import BatchContractError, DocumentError

MALFORMED = Path(__file__).parents[1] / "examples" / "malformed"


def malformed_cases() -> list[object]:
    """One pytest parameter per malformed example file, named by the file."""
    return [pytest.param(path, id=path.stem) for path in sorted(MALFORMED.glob("*.json"))]


def expectation(path: Path) -> tuple[str, str]:
    """The `(keyword, message fragment)` that the sidecar of a malformed example names."""
    keyword, _, fragment = (
        path.with_suffix(".expected").read_text(encoding="utf-8").strip().partition(" ")
    )
    return keyword, fragment


@pytest.mark.parametrize("path", malformed_cases())
def test_malformed_input_is_one_clear_line(path: Path) -> None:
    """A malformed document raises DocumentError, a user error, with the expected keyword and a
    one-line message containing the expected words."""
    keyword, fragment = expectation(path)
    with pytest.raises(DocumentError) as caught:
        parse_document(path.read_bytes())
    message = str(caught.value)
    assert isinstance(caught.value, BatchContractError)
    assert caught.value.keyword == keyword
    assert fragment in message
    assert "\n" not in message
    assert "\r" not in message
    assert len(message) < 200


def test_every_bad_input_of_the_issue_has_an_example() -> None:
    """The bad inputs the issue lists are all among the malformed examples."""
    names = {path.stem for path in MALFORMED.glob("*.json")}
    wanted = {
        "empty", "truncated", "nan", "infinity", "duplicate-key-in-job", "trailing-data",
        "invalid-utf8", "unpaired-surrogate", "deep-nesting", "binary", "byte-order-mark",
        "number-too-large",
    }  # fmt: skip
    assert wanted <= names, f"add malformed examples for: {sorted(wanted - names)}"


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        pytest.param(b'{"a": 1, "b": {"c": 1, "c": 2}}', '"c"', id="nested-object"),
        pytest.param(b'[{"x": 1}, {"x": 1, "x": 1}]', '"x"', id="same-value-in-array"),
        pytest.param(b'{"\\u0061": 1, "a": 2}', '"a"', id="escaped-spelling"),
        pytest.param('{"é": 1, "é": 2}'.encode(), '"é"', id="non-ascii-key"),
    ],
)
def test_duplicate_keys_anywhere_are_rejected(raw: bytes, where: str) -> None:
    """A repeated key is refused wherever it is and however it is spelled, and named."""
    with pytest.raises(DocumentError, match=f"duplicate object key {where}$") as caught:
        parse_document(raw)
    assert caught.value.keyword == "duplicate-key"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        pytest.param(b'{"a": 1}', {"a": 1}, id="object"),
        pytest.param(b'\n\t {"a": 1} \r\n', {"a": 1}, id="surrounding-whitespace"),
        pytest.param(b'"\\ud83d\\ude80"', "\U0001f680", id="surrogate-pair"),
        pytest.param('"日本"'.encode(), "日本", id="utf8-text"),
        pytest.param(b"1e-400", 0.0, id="underflow-is-zero"),
        pytest.param(b"-0", 0, id="negative-zero"),
        pytest.param(b"5.0", 5.0, id="whole-float"),
        pytest.param(b"1.7976931348623157e308", 1.7976931348623157e308, id="largest-float"),
        pytest.param(b"9223372036854775807", 2**63 - 1, id="int64-max"),
        pytest.param(b"18446744073709551615", 2**64 - 1, id="uint64-max"),
        pytest.param(b"18446744073709551616", 2.0**64, id="beyond-uint64-is-a-float"),
        pytest.param(b'{"a": 1, "A": 2}', {"a": 1, "A": 2}, id="keys-differ-in-case"),
        pytest.param(b"[" * 200 + b"]" * 200, None, id="200-levels"),
        pytest.param(b"null", None, id="null"),
    ],
)
def test_well_formed_edge_cases_parse(raw: bytes, value: object) -> None:
    """Well-formed JSON at the edges of the grammar is accepted with its RFC 8259 value."""
    parsed = parse_document(raw)
    if raw.startswith(b"[["):
        depth = 0
        while isinstance(parsed, list) and parsed:
            parsed, depth = parsed[0], depth + 1
        assert depth == 199
    else:
        assert parsed == value
        assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("raw", "full_check"),
    [
        pytest.param(b'{"a":1,"b":{"c":[1,2]}}', False, id="compact"),
        pytest.param(
            b'{\n  "a": 1,\n  "b": {\n    "c": [\n      1,\n      2\n    ]\n  }\n}\n',
            False,
            id="indented-by-two-as-jq-writes",
        ),
        pytest.param(b'{"a": 1, "b": {"c": [1, 2]}}', True, id="spaced"),
        pytest.param(b'{\n    "a": 1,\n    "b": {}\n}', True, id="indented-by-four"),
        pytest.param(b'{\n  "a": 1,\n  "a": 1\n}', True, id="indented-duplicate"),
    ],
)
def test_the_full_duplicate_check_runs_only_where_a_rewrite_differs(
    raw: bytes, full_check: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document orjson writes back byte for byte, compact or indented by two spaces, has no
    duplicate key and skips the full check; any other layout takes it, and a duplicate in an
    indented document is still named."""
    calls: list[str] = []
    real = jsondoc._DUPLICATE_CHECKER

    def spy(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(jsondoc, "_DUPLICATE_CHECKER", spy)
    if raw.count(b'"a"') == 2:
        with pytest.raises(DocumentError, match=r'duplicate object key "a"$'):
            parse_document(raw)
    else:
        parse_document(raw)
    assert bool(calls) is full_check


def test_duplicate_check_handles_large_documents() -> None:
    """A large pretty-printed document (which takes the full duplicate check) still parses."""
    items = ",\n".join(f'  "k{i}": {{"v": [{i}, "{i}"]}}' for i in range(20000))
    parsed = parse_document(("{\n" + items + "\n}").encode())
    assert len(parsed) == 20000


def test_oversized_document_is_refused_before_parsing() -> None:
    """A document over MAX_DOCUMENT_BYTES is refused by size, in one line."""
    raw = b'"' + b"a" * MAX_DOCUMENT_BYTES + b'"'
    with pytest.raises(
        DocumentError, match=r"^document too large: \d+ bytes \(limit \d+\)$"
    ) as caught:
        parse_document(raw)
    assert caught.value.keyword == "size"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param(b"-NaN", "NaN or Infinity", id="negative-nan"),
        pytest.param(b"[1, Infinity]", "NaN or Infinity", id="infinity-in-array"),
        pytest.param(b"-1e400", "number too large for a float", id="negative-overflow"),
        pytest.param(b"1" + b"0" * 400, "number too large for a float", id="huge-integer"),
        pytest.param(b"{}{}", "trailing data", id="two-objects"),
        pytest.param(b'{"a": 1}}', "trailing data", id="extra-brace"),
        pytest.param(b"tru", "truncated JSON", id="truncated-literal"),
        pytest.param(b"\xff", "invalid UTF-8 at byte 0", id="lone-ff"),
        pytest.param(
            b'"\\ud800\\u0041"', "unpaired UTF-16 surrogate", id="high-surrogate-then-char"
        ),
    ],
)
def test_inline_bad_inputs(raw: bytes, fragment: str) -> None:
    """Short bad inputs get the same one-line explanations as the example files."""
    with pytest.raises(DocumentError, match=fragment):
        parse_document(raw)
