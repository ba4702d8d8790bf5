"""Reads vcrpy cassettes (YAML or JSON) into documents: one for every successful GET of the
endpoint, under any base URL. Bounded like every other input: a regular file of at most
`MAX_DOCUMENT_BYTES`, YAML aliases expanding it no further than its own size, compressed bodies
decompressed no further than the document limit; a cassette that is not what vcrpy writes is one
problem per interaction, never a traceback."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from batch_contract.core.limits import MAX_DOCUMENT_BYTES, expands_beyond
from batch_contract.core.reading import Document, read_regular, too_large

ENDPOINT = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/?#]*)?(?:/[^?#]*)?/api/v1/beta/batch-processing/[^/?#]+/?(?:[?#].*)?$"
)
"""The URI of a status request, under a base URL with or without a path prefix."""
CASSETTE_KEYS = frozenset({"interactions", "version"})
"""The keys of a vcrpy cassette, YAML or JSON: a document with other keys is no cassette."""


class MalformedInteraction(Exception):
    """An interaction of a cassette that is not what vcrpy writes (the message says how)."""


class BodyTooLarge(MalformedInteraction):
    """A body over the document size limit once decompressed."""


def _mapping(value: Any, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise MalformedInteraction(f"{what}: not a mapping")
    return value


def _inflate(raw: bytes, encoding: str) -> bytes:
    """A gzip or deflate body decompressed, never past `MAX_DOCUMENT_BYTES` of output: the
    decompressor is told how much it may write, so a bomb stops at the limit."""
    limit = MAX_DOCUMENT_BYTES
    out: list[bytes] = []
    size = 0
    data = raw
    while True:
        inflater = zlib.decompressobj(31 if encoding == "gzip" else 15)
        chunk = inflater.decompress(data, limit + 1 - size)
        size += len(chunk)
        out.append(chunk)
        if size > limit:
            raise BodyTooLarge(
                f"document too large once decompressed ({encoding}): over the limit of "
                f"{limit} bytes"
            )
        if not inflater.eof:
            raise MalformedInteraction(f"{encoding} body: incomplete or truncated stream")
        data = inflater.unused_data
        if encoding != "gzip" or not data.strip(b"\0"):  # gzip: members may follow
            return b"".join(out)


def decode_body(response: dict[Any, Any]) -> bytes:
    """The response body of a vcrpy interaction as bytes, decompressed where it was stored so
    (never past `MAX_DOCUMENT_BYTES`); `MalformedInteraction` for one vcrpy would not write."""
    body = response.get("body") or {}
    data = body.get("string", b"") if isinstance(body, dict) else body
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    elif data is None or isinstance(data, bytes):
        raw = data or b""
    else:
        raise MalformedInteraction("response body: not text")
    headers = _mapping(response.get("headers") or {}, "response headers")
    encoding: Any = next(
        (value for key, value in headers.items() if str(key).lower() == "content-encoding"), None
    )
    if isinstance(encoding, list):
        encoding = encoding[0] if encoding else None
    if encoding is not None and not isinstance(encoding, str):
        raise MalformedInteraction("content-encoding: not text")
    if encoding in ("gzip", "deflate"):
        try:
            return _inflate(raw, encoding)
        except zlib.error as error:
            raise MalformedInteraction(f"{encoding} body: {error}") from None
    return raw


def is_cassette(value: Any) -> bool:
    """Whether a loaded YAML/JSON value has the shape of a vcrpy cassette: exactly the keys
    `interactions` and `version`, as vcrpy writes them."""
    return isinstance(value, dict) and value.keys() == CASSETTE_KEYS


def _endpoint_body(interaction: Any) -> bytes | None:
    """The body of an interaction that is a successful GET of the endpoint, None for any other;
    `MalformedInteraction` for one that is not what vcrpy writes."""
    interaction = _mapping(interaction, "interaction")
    request = _mapping(interaction.get("request"), "request")
    response = _mapping(interaction.get("response"), "response")
    if str(request.get("method", "")).upper() != "GET":
        return None
    if not ENDPOINT.match(str(request.get("uri", ""))):
        return None
    code = _mapping(response.get("status"), "response status").get("code")
    if type(code) is not int and not (type(code) is str and code.strip().isdigit()):
        raise MalformedInteraction(f"status code: not a number ({type(code).__name__})")
    if int(code) != 200:
        return None
    return decode_body(response)


def cassette_documents(cassette: dict[str, Any], source: str) -> Iterator[Document]:
    """A document for every successful GET of the endpoint recorded in a cassette; one problem
    for each interaction that is not what vcrpy writes."""
    interactions = cassette["interactions"]
    if not isinstance(interactions, list):
        yield Document(source, problem="not a vcrpy cassette ('interactions' is not a list)")
        return
    for index, interaction in enumerate(interactions):
        where = f"interactions[{index}]"
        try:
            raw = _endpoint_body(interaction)
        except BodyTooLarge as error:
            yield Document(source, where, problem=str(error))
            continue
        except MalformedInteraction as error:
            yield Document(source, where, problem=f"unreadable cassette interaction: {error}")
            continue
        if raw is not None:
            yield Document(source, where, raw)


class UnreadableYaml(Exception):
    """A YAML file that cannot be loaded: `problem` is the one line validate-status shows,
    `reason` the short one drift puts in brackets."""

    def __init__(self, problem: str, reason: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.reason = reason


def load_yaml(path: Path) -> Any:
    """The value of a YAML file, read as a regular file of at most `MAX_DOCUMENT_BYTES`, its
    aliases expanding it no further than its own size; `UnreadableYaml` when it cannot be
    loaded (`OSError` when it cannot be read)."""
    import yaml

    raw, size = read_regular(path)
    if size > MAX_DOCUMENT_BYTES or len(raw) > MAX_DOCUMENT_BYTES:
        problem = too_large(max(size, len(raw)))
        raise UnreadableYaml(problem, problem)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        value = yaml.load(raw, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        reason = type(error).__name__
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}{where}", reason) from None
    except RecursionError:
        reason = "nested too deep"
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason) from None
    except (ValueError, TypeError, OverflowError) as error:  # a scalar no constructor takes
        reason = type(error).__name__
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason) from None
    if b"&" in raw and expands_beyond(value, len(raw)):  # aliases need an anchor (`&`)
        reason = "its aliases expand it beyond its size"
        raise UnreadableYaml(f"not a readable YAML cassette: {reason}", reason)
    return value


def cassette_file(path: Path, source: str, explicit: bool) -> Iterator[Document]:
    """The documents of a YAML cassette file (`explicit` False for a folder's file: a YAML file
    that is no cassette is then skipped)."""
    try:
        value = load_yaml(path)
    except UnreadableYaml as error:
        yield Document(source, problem=error.problem)
        return
    if not is_cassette(value):
        if not explicit:  # a folder's other YAML files (configs, OpenAPI) are not documents
            return
        yield Document(source, problem="not a vcrpy cassette (no 'interactions' list)")
        return
    yield from cassette_documents(value, source)
