"""Reads inputs into documents: files, folders, stdin, NDJSON streams and vcrpy cassettes (read
by `cassette_files`).

Each `Document` carries where it came from and its raw bytes; parsing happens elsewhere. NDJSON is
read in blocks, so memory stays flat whatever the size of the stream.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, NamedTuple

from batch_contract.errors import InputError
from batch_contract.limits import MAX_DOCUMENT_BYTES

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
JSON_SUFFIXES = frozenset({".json"})
CASSETTE_SUFFIXES = frozenset({".yaml", ".yml"})
FOLDER_SUFFIXES = NDJSON_SUFFIXES | JSON_SUFFIXES | CASSETTE_SUFFIXES
STDIN = "-"
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


def too_large(size: int) -> str:
    """The problem of a document over `MAX_DOCUMENT_BYTES`."""
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
            yield Document(source, str(number), problem=too_large(skipping + len(lines[0]) - 1))
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
            yield Document(source, str(number), problem=too_large(skipping + len(pending)))
        else:
            yield Document(source, str(number), pending)


def iter_lines(stream: BinaryIO, source: str) -> Iterator[Document]:
    """One document per non-blank line, read in blocks; an over-long line is reported, not kept."""
    for item in iter_line_blocks(stream, source):
        if isinstance(item, LineBlock):
            yield from item.documents()
        else:
            yield item


class NotRegularFile(OSError):
    """A path that is not a regular file (a FIFO, a device, a socket): never read, as reading
    it could block or never end."""


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """A regular file opened for reading, and its size; `NotRegularFile` for anything else. The
    open does not block on a FIFO (O_NONBLOCK), and the check is made on what was opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(0, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), info.st_size


def read_bounded(handle: BinaryIO, size: int) -> bytes:
    """What an open file holds, `size` bytes as its fstat said, or more if it grew meanwhile,
    never more than one byte over `MAX_DOCUMENT_BYTES` (a read of the limit itself would
    allocate the limit for every small file)."""
    raw = handle.read(size + 1)
    if len(raw) > size:
        raw += handle.read(max(0, MAX_DOCUMENT_BYTES + 1 - len(raw)))
    return raw


def _read_whole(path: Path, source: str) -> Document:
    """The whole file as one document, or the problem of one too large (one open, one fstat)."""
    handle, size = open_regular(path)
    with handle:
        if size > MAX_DOCUMENT_BYTES:
            return Document(source, problem=too_large(size))
        raw = read_bounded(handle, size)
        if len(raw) > MAX_DOCUMENT_BYTES:
            return Document(source, problem=too_large(len(raw)) + " or more")
        return Document(source, raw=raw)


def _json_file(path: Path, source: str) -> Iterator[Document]:
    document = _read_whole(path, source)
    if document.problem is None and b'"interactions"' in document.raw:
        import orjson

        from batch_contract.cassette_files import cassette_documents, is_cassette

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
        with open_regular(path)[0] as handle:
            yield from iter_line_blocks(handle, source) if blocks else iter_lines(handle, source)
    elif suffix in CASSETTE_SUFFIXES:
        from batch_contract.cassette_files import cassette_file

        yield from cassette_file(path, source, explicit)
    else:
        yield from _json_file(path, source)


def folder_files(folder: Path, problems: list[OSError] | None = None) -> list[Path]:
    """The files of a folder that hold documents, recursively, in a stable order; a subfolder
    that cannot be listed is appended to `problems` (when given)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=None if problems is None else problems.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(root)
        found.extend(
            base / f for f in sorted(files) if os.path.splitext(f)[1].lower() in FOLDER_SUFFIXES
        )
    return found


def cannot_read(name: str, error: OSError) -> str:
    """The one-line message for an input that cannot be read."""
    if isinstance(error, NotRegularFile):
        return f"{name}: not a regular file"
    return f"{name}: cannot read: {error.strerror or error}"


def iter_items(
    paths: Sequence[str],
    *,
    stdin: BinaryIO,
    ndjson: bool = False,
    errors: list[str] | None = None,
) -> Iterator[Document | LineBlock]:
    """Every document of the inputs, in order, NDJSON lines in `LineBlock`s. A path that cannot
    be read is appended to `errors` as a one-line message (or raised as `InputError` when
    `errors` is None) and the rest go on."""

    def report(name: str, error: OSError) -> None:
        if errors is None:
            raise InputError(cannot_read(name, error)) from None
        errors.append(cannot_read(name, error))

    for name in paths or [STDIN]:
        path = Path(name)
        try:
            if name != STDIN and path.is_dir():
                problems: list[OSError] = []
                for file in folder_files(path, problems):
                    try:
                        yield from file_items(file, str(file), ndjson, False, blocks=True)
                    except OSError as error:  # this entry only: the others are still read
                        report(str(file), error)
                for problem in problems:
                    report(str(problem.filename or name), problem)
            else:
                yield from _documents_of(name, stdin=stdin, ndjson=ndjson)
        except OSError as error:
            report(name, error)


def _documents_of(name: str, *, stdin: BinaryIO, ndjson: bool) -> Iterable[Document | LineBlock]:
    if name == STDIN:
        if ndjson:
            return iter_line_blocks(stdin, "<stdin>")
        raw = stdin.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            return [Document("<stdin>", problem=too_large(len(raw)) + " or more")]
        return [Document("<stdin>", raw=raw)]
    path = Path(name)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", name)
    return file_items(path, name, ndjson, blocks=True)
