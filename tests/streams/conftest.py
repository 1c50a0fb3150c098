"""Fixtures shared by the streaming-state tests: a small simulated day and settings without the MiniLM tier."""

from __future__ import annotations

from typing import Any

import pytest

from hydrawatch.settings import Settings
from streams.sources import ReplaySource


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """One simulated day at scale 0.1 (seed 3), parsed."""
    from hydrawatch.simulator import generate

    out = tmp_path_factory.mktemp("state-sim")
    path = generate(out, scale=0.1, days=1.0, seed=3).events_path
    return list(ReplaySource([path], lambda _r: None))


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings = Settings()
    settings.embedding.minilm_per_account = 0
    return settings
