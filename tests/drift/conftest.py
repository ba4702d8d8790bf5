"""The drift tests' shared fixture: a copy of the recorded `old/` folder to change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def new(tmp_path: Path) -> Path:
    """A copy of the OLD fixture folder to change."""
    return Path(shutil.copytree(Path(__file__).parent / "old", tmp_path / "new"))
