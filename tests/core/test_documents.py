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
