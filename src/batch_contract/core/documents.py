"""Reads inputs into documents: files, folders, stdin, NDJSON streams and vcrpy cassettes (read
by `cassette_files`).

Each `Document` carries where it came from and its raw bytes; parsing happens elsewhere. NDJSON is
read in blocks, so memory stays flat whatever the size of the stream.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from batch_contract.core.limits import MAX_DOCUMENT_BYTES
from batch_contract.core.reading import (
    Document,
    LineBlock,
    NotRegularFile,
    iter_line_blocks,
    iter_lines,
    open_regular,
    read_regular,
    too_large,
)
from batch_contract.errors import InputError

NDJSON_SUFFIXES = frozenset({".ndjson", ".jsonl"})
JSON_SUFFIXES = frozenset({".json"})
CASSETTE_SUFFIXES = frozenset({".yaml", ".yml"})
FOLDER_SUFFIXES = NDJSON_SUFFIXES | JSON_SUFFIXES | CASSETTE_SUFFIXES
STDIN = "-"


def _read_whole(path: Path, source: str) -> Document:
    """The whole file as one document, or the problem of one too large (one open, one fstat)."""
    raw, size = read_regular(path)
    if size > MAX_DOCUMENT_BYTES:
        return Document(source, problem=too_large(size))
    if len(raw) > MAX_DOCUMENT_BYTES:
        return Document(source, problem=too_large(len(raw)) + " or more")
    return Document(source, raw=raw)


def _json_file(path: Path, source: str) -> Iterator[Document]:
    document = _read_whole(path, source)
    if document.problem is None and b'"interactions"' in document.raw:
        import orjson

        from batch_contract.core.cassette_files import cassette_documents, is_cassette

        try:
            value = orjson.loads(document.raw)
        except orjson.JSONDecodeError:
            value = None
        if is_cassette(value):
            yield from cassette_documents(value, source)
            return
    yield document


EMPTY_LOG = "no document: the NDJSON log is empty or holds only blank lines"


def whole_log(items: Iterator[Document | LineBlock], source: str) -> Iterator[Document | LineBlock]:
    """The items of a whole NDJSON file or stream, then a problem (`EMPTY_LOG`) when not one of
    its lines holds anything: an empty log beside other inputs is named and fails the run, as a
    run over it alone fails with nothing found. Only the lines up to the first that is not blank
    are looked at."""
    for item in items:
        yield item
        if isinstance(item, Document) or any(map(bytes.strip, item.lines)):
            yield from items
            return
    yield Document(source, problem=EMPTY_LOG)


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
            lines = iter_line_blocks(handle, source) if blocks else iter_lines(handle, source)
            yield from whole_log(lines, source)
    elif suffix in CASSETTE_SUFFIXES:
        from batch_contract.core.cassette_files import cassette_file

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
            return whole_log(iter_line_blocks(stdin, "<stdin>"), "<stdin>")
        raw = stdin.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            return [Document("<stdin>", problem=too_large(len(raw)) + " or more")]
        return [Document("<stdin>", raw=raw)]
    path = Path(name)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", name)
    return file_items(path, name, ndjson, blocks=True)
