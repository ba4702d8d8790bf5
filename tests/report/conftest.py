"""The report tests' pages: the shipped cassettes', a backward transition's, hostile strings'."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_helpers import RECORDINGS, SHIPPED, build


@pytest.fixture(scope="session")
def shipped_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of the shipped cassettes."""
    out = tmp_path_factory.mktemp("report") / "cassettes.html"
    code, err = build(out, os.path.relpath(SHIPPED))
    assert code == 0, err
    return out


@pytest.fixture(scope="session")
def backward_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of a recording whose job reports running after completed."""
    out = tmp_path_factory.mktemp("report") / "backward.html"
    code, err = build(out, str(RECORDINGS / "backward"))
    assert code == 1, err
    return out


@pytest.fixture(scope="session")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of recordings whose string fields hold markup, controls and bidi marks."""
    out = tmp_path_factory.mktemp("report") / "hostile.html"
    code, err = build(out, str(RECORDINGS / "hostile"))
    assert code == 1, err
    return out
