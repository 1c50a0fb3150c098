"""Paths to ../shared (contracts and the test corpus), which only exists beside the project in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HYDRAWATCH_SHARED_DIR", ROOT.parent / "shared"))


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip the test with the reason (CI always has ../shared)."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not found: ../shared (contracts and test corpus) is only beside the project in CI")
    return path
