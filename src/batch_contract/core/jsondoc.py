"""Parses one JSON document strictly: anything that is not one well-formed RFC 8259 value is a
`DocumentError` with a one-line message naming what is wrong.

Rejected: empty input, truncated or malformed JSON, NaN and Infinity, numbers too large for a float,
trailing data, invalid UTF-8, unpaired surrogates, a byte order mark, binary data, nesting deeper
than `MAX_DEPTH` levels, documents over `MAX_DOCUMENT_BYTES`, and duplicate object keys (different
parsers keep different values for them, so the meaning of such a document is not defined).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batch_contract.core.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, deeper_than
from batch_contract.errors import DocumentError

if TYPE_CHECKING:
    import orjson

_NON_FINITE = re.compile(rb"-?(?:NaN|Infinity)")
_SAFE = 2**53 - 1
"""orjson reads an integer beyond 64 bits as a float, and the one check calls any number beyond
+-(2^53-1) a violation (I-JSON): `parse_light` leaves anything that large."""
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
"""orjson refuses an unpaired surrogate escape; `parse_light` leaves every surrogate escape (and,
being a plain byte search, text that only looks like one)."""


class _NotSure(Exception):
    """Raised from inside `json`'s parse when the text holds what `parse_light` leaves to orjson."""


def _light_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) != len(pairs):  # a duplicate key
        raise _NotSure
    return made


def _integer(text: str) -> int:
    value = int(text)
    if not -_SAFE <= value <= _SAFE:
        raise _NotSure
    return value


def _float(text: str) -> float:
    value = float(text)
    if not -_SAFE <= value <= _SAFE:  # infinite too (orjson: number too large for a float)
        raise _NotSure
    return value


def _constant(text: str) -> Any:
    raise _NotSure  # NaN, Infinity, -Infinity


_light_decode = json.JSONDecoder(
    object_pairs_hook=_light_object,
    parse_int=_integer,
    parse_float=_float,
    parse_constant=_constant,
).decode


def parse_light(raw: bytes) -> Any:
    """The JSON value in `raw`, read with the standard `json` module alone, when sure that orjson
    reads the same and `parse` accepts it; None otherwise (None is also JSON's null, which no
    schema of ours accepts). For a run that has not loaded orjson (`lightpath`): it leaves to
    `parse` any duplicate key, NaN or Infinity, number beyond +-(2^53-1) (which the one check
    reports, and orjson reads as a float past 64 bits), escaped UTF-16 surrogate, and the limits
    of `limits`."""
    if len(raw) > MAX_DOCUMENT_BYTES or _ESCAPED_SURROGATE.search(raw):
        return None
    try:
        value = _light_decode(raw.decode("utf-8"))  # a byte order mark or NUL fails here too
    except (ValueError, _NotSure, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    # nesting deeper than MAX_DEPTH needs more brackets than that (in strings or not)
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and deeper_than(value, MAX_DEPTH):
        return None
    return value


def _duplicate_check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DocumentError(
                f"duplicate object key {json.dumps(key, ensure_ascii=False)}",
                keyword="duplicate-key",
            )
        seen[key] = value
    return seen


_DUPLICATE_CHECKER = json.JSONDecoder(object_pairs_hook=_duplicate_check).decode
"""`json.loads` with the duplicate-key hook, its decoder built once (`json.loads` builds one per
call when given a hook)."""


def explain(raw: bytes, error: orjson.JSONDecodeError) -> DocumentError:
    """Turns orjson's error into one line that names the problem and where it is."""
    msg = error.msg
    where = f"line {error.lineno} column {error.colno}"
    if b"\x00" in raw:
        return DocumentError("binary data, not JSON text (a NUL byte)", keyword="encoding")
    if raw.startswith(b"\xef\xbb\xbf"):
        return DocumentError("byte order mark before the JSON text", keyword="encoding")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return DocumentError(f"invalid UTF-8 at byte {bad.start}", keyword="encoding")
    if not raw.strip():
        return DocumentError("empty document", keyword="json")
    if "surrogate" in msg:
        return DocumentError(f"unpaired UTF-16 surrogate escape at {where}", keyword="encoding")
    if "infinity" in msg:
        return DocumentError(f"number too large for a float at {where}", keyword="number")
    if "depth" in msg:
        return DocumentError(f"nesting deeper than {MAX_DEPTH} levels at {where}", keyword="depth")
    if _NON_FINITE.match(raw, max(error.pos - 1, 0)) or _NON_FINITE.match(raw, error.pos):
        return DocumentError(f"NaN or Infinity is not JSON at {where}", keyword="number")
    if "after document" in msg:
        # a newline between the document and what follows: most likely NDJSON
        hint = " (one document a line? use --ndjson)" if b"\n" in raw[: error.pos] else ""
        return DocumentError(f"trailing data after the document at {where}{hint}", keyword="json")
    if "end of data" in msg:
        return DocumentError(f"truncated JSON: unexpected end of data at {where}", keyword="json")
    return DocumentError(f"malformed JSON: {msg} at {where}", keyword="json")


def _reserializes_to(value: Any, raw: bytes) -> bool | None:
    """Whether orjson writes `value` as `raw` (without the whitespace around it) byte for byte,
    compact or indented by two spaces as jq, `json.dumps(indent=2)` and `JSON.stringify(v, null,
    2)` write it; None when `value` is deeper than orjson serializes (255 levels)."""
    import orjson

    text, dumps = raw.strip(), orjson.dumps
    try:
        return dumps(value) == text or dumps(value, option=orjson.OPT_INDENT_2) == text
    except TypeError:
        return None


def parse_document(raw: bytes) -> Any:
    """The JSON value in `raw`, or a `DocumentError` saying why it is not one well-formed value."""
    return parse(raw)[0]


def parse(raw: bytes) -> tuple[Any, bool]:
    """The JSON value in `raw` and whether `raw` is a compact object, or a `DocumentError` saying
    why it is not one well-formed value.

    Compact: orjson writes the value back as `raw` byte for byte. Such an object holds each key
    once (orjson keeps key order and drops a duplicate, so a dropped key would show) and is at most
    255 levels deep, so it needs no further check; the NDJSON lines of a stream mostly are, and
    this test costs a fraction of the parse. Anything else has every check of `check_parsed`."""
    return parser()(raw)


def parser() -> Callable[[bytes], tuple[Any, bool]]:
    """`parse` with orjson bound once, for a loop over many lines (imported here, not at the
    top: a run the light path clears never loads orjson)."""
    import orjson

    loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError

    def parse_one(raw: bytes) -> tuple[Any, bool]:
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                f"document too large: {len(raw)} bytes (limit {MAX_DOCUMENT_BYTES})",
                keyword="size",
            )
        try:
            value = loads(raw)
        except decode_error as error:
            raise explain(raw, error) from None
        if type(value) is dict:
            try:
                if dumps(value) == raw:
                    return value, True
            except TypeError:  # nested deeper than orjson serializes
                pass
        check_parsed(raw, value)
        return value, False

    return parse_one


def check_parsed(raw: bytes, value: Any) -> None:
    """The checks of `parse_document` that follow orjson's parse of `raw` into `value`: a
    `DocumentError` for a duplicate key or nesting deeper than `MAX_DEPTH`."""
    # Duplicate keys: a document that re-serializes to itself, compact or indented, has none
    # (orjson keeps key order and drops a duplicate, so a dropped key would show); the indented
    # test costs a fraction of the full check of a pretty-printed response. Anything else is
    # checked in full.
    # orjson serializes at most 255 levels, so anything deeper is always checked here.
    if isinstance(value, dict | list) and not (same := _reserializes_to(value, raw)):
        if same is None and deeper_than(value, MAX_DEPTH):
            raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", keyword="depth")
        try:
            _DUPLICATE_CHECKER(raw.decode("utf-8"))  # UTF-8: orjson has read it
        except RecursionError:  # only when called from an already deep stack
            raise DocumentError(
                f"nesting deeper than {MAX_DEPTH} levels", keyword="depth"
            ) from None


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value (`integer` for an int, not `number`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
