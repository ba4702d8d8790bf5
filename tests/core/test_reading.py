"""Reading a whole file (`reading.read_regular`): all of it and nothing more than the limit, in
one read where it can, in as many as it takes where the reads come short or the file grew."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from batch_contract.core import documents, reading
from batch_contract.core.reading import NotRegularFile, read_regular


def test_a_file_is_read_whole_with_its_size(tmp_path: Path) -> None:
    """The bytes of a file and the size its fstat gave; an empty file is empty."""
    path = tmp_path / "a.json"
    path.write_bytes(b'{"job": 1}')
    assert read_regular(path) == (b'{"job": 1}', 10)
    (tmp_path / "empty.json").write_bytes(b"")
    assert read_regular(tmp_path / "empty.json") == (b"", 0)


def test_short_reads_are_read_on_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that returns less than asked (as a slow file system may) is followed by more
    reads, until the end of the file."""
    path = tmp_path / "a.json"
    path.write_bytes(b"0123456789" * 10)
    real = os.read
    calls = []

    def short(fd: int, size: int) -> bytes:
        calls.append(size)
        return real(fd, min(size, 7))

    monkeypatch.setattr(reading.os, "read", short)
    assert read_regular(path) == (b"0123456789" * 10, 100)
    assert len(calls) > 10


def test_a_file_over_the_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size is over the limit is reported by its size, and none of it is read."""
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 50)
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 50)
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 80)
    monkeypatch.setattr(reading.os, "read", lambda fd, size: pytest.fail("read"))
    assert read_regular(path) == (b"", 80)
    [document] = documents.file_items(path, "big.json", ndjson=False)
    assert isinstance(document, reading.Document)
    assert document.problem == "document too large: 80 bytes (limit 50)"


def test_a_file_that_grew_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file larger than its fstat said (it grew meanwhile) is read on, but never more than one
    byte past the limit, and is reported as too large."""
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 50)
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 50)
    path = tmp_path / "growing.json"
    path.write_bytes(b" " * 500)
    real = os.fstat

    def stale(fd: int) -> Any:
        info = real(fd)
        return os.stat_result((*info[:6], 10, *info[7:]))  # st_size: 10

    monkeypatch.setattr(reading.os, "fstat", stale)
    raw, size = read_regular(path)
    assert (len(raw), size) == (51, 10)
    [document] = documents.file_items(path, "growing.json", ndjson=False)
    assert isinstance(document, reading.Document)
    assert document.problem == "document too large: 51 bytes (limit 50) or more"


def test_what_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    """A FIFO is refused as not a regular file, without blocking."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile):
        read_regular(fifo)
