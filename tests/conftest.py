"""Shared fixtures: paths to the shared contracts and corpus (absent in a user's clone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HYDRAWATCH_SHARED_DIR", ROOT.parent / "shared"))


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip the test with the reason (CI always has ../shared)."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not found: ../shared (contracts and test corpus) is only beside the project in CI")
    return path


@pytest.fixture
def event_schema() -> dict:
    import json

    return json.loads(shared_file("schema/request-event.schema.json").read_text())


@pytest.fixture
def alert_schema() -> dict:
    import json

    return json.loads(shared_file("schema/alert.schema.json").read_text())
