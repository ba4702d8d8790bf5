"""Reads inputs into documents: files, folders, stdin, NDJSON streams and vcrpy cassettes.

Each `Document` carries where it came from and its raw bytes; parsing happens elsewhere. NDJSON is
read in blocks, so memory stays flat whatever the size of the stream.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from batch_contract.errors import InputError
from batch_contract.limits import MAX_DOCUMENT_BYTES

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
JSON_SUFFIXES = frozenset({".json"})
CASSETTE_SUFFIXES = frozenset({".yaml", ".yml"})
FOLDER_SUFFIXES = NDJSON_SUFFIXES | JSON_SUFFIXES | CASSETTE_SUFFIXES
STDIN = "-"
ENDPOINT = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/?#]*)?/api/v1/beta/batch-processing/[^/?#]+/?(?:[?#].*)?$"
)
_BLOCK = 1 << 20


class Document(NamedTuple):
    """One document to check: its raw bytes, or the reason it has none, and where it came from."""

    source: str
    where: str | None = None
    raw: bytes = b""
    problem: str | None = None

    @property
    def location(self) -> str:
        """`SOURCE` or `SOURCE:WHERE` (an NDJSON line number or a cassette interaction)."""
        return self.source if self.where is None else f"{self.source}:{self.where}"


def chop(line: bytes) -> bytes:
    """A line of a `LineBlock` without its newline."""
    return line[:-1] if line.endswith(b"\n") else line


def _too_large(size: int) -> str:
    return f"document too large: {size} bytes (limit {MAX_DOCUMENT_BYTES})"


class LineBlock(NamedTuple):
    """Consecutive NDJSON lines of one source, blank ones included, the first being line `first`.
    Each line keeps the newline that ends it (`chop` cuts it): the fast lane compares a line with
    its own encoding plus a newline, and cutting every line would cost a copy of each (about 1%
    of a run); only the few lines that need more than the lane are cut.

    Documents are made only for the lines that need one (see `runner.Checker.check_block`)."""

    source: str
    first: int
    lines: list[bytes]

    def documents(self) -> Iterator[Document]:
        """A `Document` for every non-blank line."""
        source = self.source
        for number, line in enumerate(self.lines, self.first):
            if line.strip():
                yield Document(source, str(number), chop(line))


def iter_line_blocks(
    stream: BinaryIO, source: str, first: int = 1
) -> Iterator[LineBlock | Document]:
    """The lines of a stream as blocks, read in blocks, the first numbered `first`; an over-long
    line is reported as a `Document` with a problem, not kept."""
    number = first - 1  # the number of the last line handed out
    pending = b""
    skipping = 0  # bytes of an over-long line dropped so far
    while block := stream.read(_BLOCK):
        # `readlines` finds the newlines with memchr, where `split` tests byte by byte
        lines = BytesIO(block).readlines()
        if pending:  # the line the last block left open, without copying this block
            lines[0] = pending + lines[0]
        pending = b"" if lines[-1].endswith(b"\n") else lines.pop()
        if skipping and lines:
            number += 1
            yield Document(source, str(number), problem=_too_large(skipping + len(lines[0]) - 1))
            skipping = 0
            del lines[0]
        if lines:
            yield LineBlock(source, number + 1, lines)
            number += len(lines)
        if len(pending) > MAX_DOCUMENT_BYTES:
            skipping += len(pending)
            pending = b""
    if skipping or pending.strip():
        number += 1
        if skipping:
            yield Document(source, str(number), problem=_too_large(skipping + len(pending)))
        else:
            yield Document(source, str(number), pending)


def iter_lines(stream: BinaryIO, source: str) -> Iterator[Document]:
    """One document per non-blank line, read in blocks; an over-long line is reported, not kept."""
    for item in iter_line_blocks(stream, source):
        if isinstance(item, LineBlock):
            yield from item.documents()
        else:
            yield item


def _read_whole(path: Path, source: str) -> Document:
    """The whole file as one document, or the problem of one too large (one open, one fstat)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_DOCUMENT_BYTES:
            return Document(source, problem=_too_large(size))
        return Document(source, raw=handle.read())


def _decode_body(response: dict[str, Any]) -> bytes:
    """The response body of a vcrpy interaction as bytes, decompressed where it was stored so."""
    body = response.get("body") or {}
    data = body.get("string", b"") if isinstance(body, dict) else body
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data or b"")
    headers = {str(k).lower(): v for k, v in (response.get("headers") or {}).items()}
    encoding = headers.get("content-encoding") or []
    encoding = encoding[0] if isinstance(encoding, list) and encoding else encoding
    if encoding == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    elif encoding == "deflate":
        raw = zlib.decompress(raw)
    return raw


def is_cassette(value: Any) -> bool:
    """Whether a loaded YAML/JSON value has the shape of a vcrpy cassette."""
    return isinstance(value, dict) and isinstance(value.get("interactions"), list)


def cassette_documents(cassette: dict[str, Any], source: str) -> Iterator[Document]:
    """A document for every successful GET of the endpoint recorded in a cassette."""
    for index, interaction in enumerate(cassette["interactions"]):
        where = f"interactions[{index}]"
        try:
            request, response = interaction["request"], interaction["response"]
            if str(request.get("method", "")).upper() != "GET":
                continue
            if not ENDPOINT.match(str(request.get("uri", ""))):
                continue
            if int(response["status"]["code"]) != 200:
                continue
            yield Document(source, where, _decode_body(response))
        except (KeyError, TypeError, ValueError, AttributeError, OSError, zlib.error) as error:
            yield Document(source, where, problem=f"unreadable cassette interaction: {error}")


def _cassette_file(path: Path, source: str, explicit: bool) -> Iterator[Document]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open("rb") as handle:
            value = yaml.load(handle, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        yield Document(
            source, problem=f"not a readable YAML cassette: {type(error).__name__}{where}"
        )
        return
    if not is_cassette(value):
        if not explicit:  # a folder's other YAML files (configs, OpenAPI) are not documents
            return
        yield Document(source, problem="not a vcrpy cassette (no 'interactions' list)")
        return
    yield from cassette_documents(value, source)


def _json_file(path: Path, source: str) -> Iterator[Document]:
    document = _read_whole(path, source)
    if document.problem is None and b'"interactions"' in document.raw:
        import orjson

        try:
            value = orjson.loads(document.raw)
        except orjson.JSONDecodeError:
            value = None
        if is_cassette(value):
            yield from cassette_documents(value, source)
            return
    yield document


def is_ndjson(path: Path, ndjson: bool) -> bool:
    """Whether a file is read one document per line."""
    return ndjson or path.suffix.lower() in NDJSON_SUFFIXES


def file_items(
    path: Path, source: str, ndjson: bool, explicit: bool = True, blocks: bool = False
) -> Iterator[Document | LineBlock]:
    """The documents of one file (NDJSON as `LineBlock`s when `blocks`); `explicit` is False for
    a folder's files, whose YAML files that are not cassettes are skipped."""
    suffix = path.suffix.lower()
    if ndjson or suffix in NDJSON_SUFFIXES:
        with path.open("rb") as handle:
            yield from iter_line_blocks(handle, source) if blocks else iter_lines(handle, source)
    elif suffix in CASSETTE_SUFFIXES:
        yield from _cassette_file(path, source, explicit)
    else:
        yield from _json_file(path, source)


def folder_files(folder: Path) -> list[Path]:
    """The files of a folder that hold documents, recursively, in a stable order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(root)
        found.extend(
            base / f for f in sorted(files) if os.path.splitext(f)[1].lower() in FOLDER_SUFFIXES
        )
    return found


def iter_documents(
    paths: Sequence[str], *, stdin: BinaryIO, ndjson: bool = False, errors: list[str] | None = None
) -> Iterator[Document]:
    """Every document of the inputs, in order. A path that cannot be read is appended to `errors`
    as a one-line message (or raised as `InputError` when `errors` is None) and the rest go on."""
    for item in iter_items(paths, stdin=stdin, ndjson=ndjson, errors=errors, blocks=False):
        if isinstance(item, LineBlock):  # pragma: no cover - not made without blocks
            yield from item.documents()
        else:
            yield item


def cannot_read(name: str, error: OSError) -> str:
    """The one-line message for an input that cannot be read."""
    return f"{name}: cannot read: {error.strerror or error}"


def iter_items(
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool = False,
    errors: list[str] | None = None,
    blocks: bool = True,
) -> Iterator[Document | LineBlock]:
    """As `iter_documents`, with NDJSON lines in `LineBlock`s (when `blocks`) for the fast path."""
    for name in paths or [STDIN]:
        try:
            yield from _documents_of(name, stdin=stdin, ndjson=ndjson, blocks=blocks)
        except OSError as error:
            if errors is None:
                raise InputError(cannot_read(name, error)) from None
            errors.append(cannot_read(name, error))


def _documents_of(
    name: str, *, stdin: BinaryIO, ndjson: bool, blocks: bool
) -> Iterable[Document | LineBlock]:
    if name == STDIN:
        if ndjson:
            return iter_line_blocks(stdin, "<stdin>") if blocks else iter_lines(stdin, "<stdin>")
        raw = stdin.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            return [Document("<stdin>", problem=_too_large(len(raw)) + " or more")]
        return [Document("<stdin>", raw=raw)]
    path = Path(name)
    if path.is_dir():
        return _folder(path, ndjson, blocks)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", name)
    return file_items(path, name, ndjson, blocks=blocks)


def _folder(folder: Path, ndjson: bool, blocks: bool) -> Iterator[Document | LineBlock]:
    for path in folder_files(folder):
        yield from file_items(path, str(path), ndjson, explicit=False, blocks=blocks)
