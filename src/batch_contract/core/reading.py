"""The lowest layer of input: a `Document` (raw bytes and where they came from), NDJSON read in
blocks of lines, and files opened only when they are regular and read no further than the size
limit. `documents` turns paths into these; `cassette_files` reads cassettes with them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, NamedTuple

from batch_contract.core.limits import MAX_DOCUMENT_BYTES

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
    its own encoding plus a newline, and cutting every line would cost a copy of each; only the
    few lines that need more than the lane are cut.

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
    """The lines of a stream as blocks, read in blocks, the first numbered `first`. A line over
    `MAX_DOCUMENT_BYTES` is reported as a `Document` with a problem as soon as it passes the
    limit, whether or not it ever ends (`< /dev/zero`); the rest of it is read, never kept, up to
    its newline, and the lines after it are read as usual."""
    number = first - 1  # the number of the last line handed out
    pending: list[bytes] = []  # the start of the line the blocks so far left open
    held = 0  # its length
    skipping = False  # within a line already reported as too large
    while block := stream.read(_BLOCK):
        if skipping:  # find its end, with memchr, and read on from there
            end = block.find(b"\n")
            if end < 0:
                continue
            skipping = False
            block = block[end + 1 :]
            if not block:
                continue
        # `readlines` finds the newlines with memchr, where `split` tests byte by byte
        lines = BytesIO(block).readlines()
        tail = b"" if lines[-1].endswith(b"\n") else lines.pop()
        if pending and lines:  # the open line ends in this block
            if held + len(lines[0]) - 1 > MAX_DOCUMENT_BYTES:
                number += 1
                yield Document(source, str(number), problem=_over_long())
                del lines[0]
            else:  # joined once, not block after block
                lines[0] = b"".join((*pending, lines[0]))
            pending, held = [], 0
        if lines:
            yield LineBlock(source, number + 1, lines)
            number += len(lines)
        if tail:
            pending.append(tail)
            held += len(tail)
            if held > MAX_DOCUMENT_BYTES:
                number += 1
                yield Document(source, str(number), problem=_over_long())
                pending, held, skipping = [], 0, True
    last = b"".join(pending)
    if last.strip():
        yield Document(source, str(number + 1), last)


def _over_long() -> str:
    """The problem of an NDJSON line over the limit, told as soon as it passes it: the same for
    every line, however long, and wherever the reads of it fell."""
    return too_large(MAX_DOCUMENT_BYTES + 1) + " or more"


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


def _open_regular_fd(path: Path) -> tuple[int, int]:
    """A regular file's descriptor, opened for reading, and its size; `NotRegularFile` for
    anything else. The open does not block on a FIFO (O_NONBLOCK), and the check is made on what
    was opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(0, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """A regular file opened for reading, and its size (`_open_regular_fd`)."""
    fd, size = _open_regular_fd(path)
    return os.fdopen(fd, "rb"), size


def read_regular(path: Path) -> tuple[bytes, int]:
    """What a regular file holds, and its size as its fstat said (`_open_regular_fd`). Nothing is
    read from a file whose size is over `MAX_DOCUMENT_BYTES`; from any other, what it holds, more
    if it grew meanwhile, never more than one byte over the limit (a read of the limit itself
    would allocate the limit for every small file). Read from the descriptor itself: a buffered
    file object costs more than the read for a small file."""
    fd, size = _open_regular_fd(path)
    try:
        if size > MAX_DOCUMENT_BYTES:
            return b"", size
        raw = os.read(fd, size + 1)
        if len(raw) == size:
            return raw, size
        parts, total = [raw], len(raw)  # it grew, or the read was short: read on, bounded
        while total <= MAX_DOCUMENT_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_DOCUMENT_BYTES + 1 - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts), size
    finally:
        os.close(fd)
