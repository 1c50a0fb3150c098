"""Shared fixtures: paths to the shared contracts and corpus (absent in a user's clone)."""

from __future__ import annotations

import pytest
from shared_paths import shared_file


@pytest.fixture
def event_schema() -> dict:
    import json

    return json.loads(shared_file("schema/request-event.schema.json").read_text())


@pytest.fixture
def alert_schema() -> dict:
    import json

    return json.loads(shared_file("schema/alert.schema.json").read_text())
