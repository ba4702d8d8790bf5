"""Reading NDJSON in blocks: every line comes out once, whole, with the newline that ends it and
with its number, wherever the reads cut the stream."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_contract.core import reading
from batch_contract.core.reading import Document, LineBlock, iter_line_blocks

LINE_BYTES = st.binary(max_size=12).map(lambda raw: raw.replace(b"\n", b""))


def read(data: bytes) -> dict[int, bytes]:
    """What `iter_line_blocks` hands out for `data`, by line number: the bytes of each line of a
    block (its newline included), or the raw bytes of the last line when no newline ends it."""
    out: dict[int, bytes] = {}
    for item in iter_line_blocks(io.BytesIO(data), "t"):
        if isinstance(item, LineBlock):
            for number, line in enumerate(item.lines, item.first):
                assert number not in out
                out[number] = line
        else:
            assert isinstance(item, Document)
            assert item.problem is None
            out[int(item.where or 0)] = item.raw
    return out


def expected(data: bytes) -> dict[int, bytes]:
    """Each line of `data` by number, with its newline; the part after the last newline only if
    it is not blank."""
    *lines, last = data.split(b"\n")
    out = {number: line + b"\n" for number, line in enumerate(lines, 1)}
    if last.strip():
        out[len(lines) + 1] = last
    return out


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(LINE_BYTES | st.sampled_from([b"", b"\r", b" "]), max_size=30),
    final_newline=st.booleans(),
    block=st.integers(1, 16),
)
def test_every_line_comes_out_once_wherever_the_reads_cut(
    lines: list[bytes], final_newline: bool, block: int
) -> None:
    """Lines read in blocks of any size, with or without a final newline, are the lines of the
    text, numbered from 1, blank ones, carriage returns and newlines kept."""
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "_BLOCK", block)
        assert read(data) == expected(data)


def test_a_block_that_ends_on_a_newline_leaves_nothing_pending() -> None:
    """A read that ends just after a newline hands out its lines whole; the next read starts
    the next line."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "_BLOCK", 3)
        items = list(iter_line_blocks(io.BytesIO(b"ab\nc\nde\n"), "t"))
    assert items == [
        LineBlock("t", 1, [b"ab\n"]),
        LineBlock("t", 2, [b"c\n"]),
        LineBlock("t", 3, [b"de\n"]),
    ]


class Endless(io.RawIOBase):
    """A stream of NUL bytes with no end and no newline (`/dev/zero`) that fails the test once
    more than `allowed` bytes were read from it."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.taken = 0

    def readable(self) -> bool:
        """It is an input."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` with NUL bytes."""
        self.taken += len(buffer)
        assert self.taken <= self.allowed, f"read {self.taken} bytes of a line never reported"
        buffer[:] = b"\0" * len(buffer)
        return len(buffer)


def test_an_endless_line_is_reported_as_soon_as_it_passes_the_limit() -> None:
    """A line that never ends is one too-large document, handed out as soon as the line passes
    the limit, not when a newline or the end of the input comes (`validate-status --ndjson - <
    /dev/zero` printed nothing, for ever)."""
    stream = Endless(allowed=10_000)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "MAX_DOCUMENT_BYTES", 50)
        patch.setattr(reading, "_BLOCK", 16)
        first = next(iter_line_blocks(stream, "t"))  # type: ignore[arg-type]
    assert first == Document("t", "1", problem="document too large: 51 bytes (limit 50) or more")
    assert stream.taken <= 50 + 16


LIMIT = 10


def lines_over_the_limit(data: bytes) -> dict[int, bytes | str]:
    """The oracle: each line of `data` by number, with its newline, or the one problem of a line
    of more than LIMIT bytes (its newline not counted); the part after the last newline only if
    it is not blank."""
    *lines, last = data.split(b"\n")
    problem = f"document too large: {LIMIT + 1} bytes (limit {LIMIT}) or more"
    out: dict[int, bytes | str] = {}
    for number, line in enumerate(lines, 1):
        out[number] = problem if len(line) > LIMIT else line + b"\n"
    if len(last) > LIMIT:
        out[len(lines) + 1] = problem
    elif last.strip():
        out[len(lines) + 1] = last
    return out


@settings(max_examples=300, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 3 * LIMIT), max_size=12),
    final_newline=st.booleans(),
    block=st.integers(1, LIMIT),
)
def test_every_over_long_line_is_one_problem_and_the_next_lines_are_read(
    lengths: list[int], final_newline: bool, block: int
) -> None:
    """Lines over the limit, anywhere (the first, the last, one after another, with no newline
    at the end), are each one document with the same problem, wherever the reads cut them; the
    lines after them come out as usual, with their numbers."""
    data = b"\n".join(b"x" * length for length in lengths)
    data += b"\n" if final_newline and lengths else b""
    out: dict[int, bytes | str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "MAX_DOCUMENT_BYTES", LIMIT)
        patch.setattr(reading, "_BLOCK", block)
        for item in iter_line_blocks(io.BytesIO(data), "t"):
            if isinstance(item, LineBlock):
                out.update(enumerate(item.lines, item.first))
            else:
                out[int(item.where or 0)] = item.problem or item.raw
    assert out == lines_over_the_limit(data)
