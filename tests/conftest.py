"""Shared fixtures: paths to the shared contracts and corpus (absent in a user's clone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hw_api import wipe
from pg_database import fresh_pg_database, store_url
from shared_paths import shared_file
from sqlalchemy.engine import Engine

from hydrawatch.store import make_engine
from hydrawatch.store.migrate import upgrade


@pytest.fixture
def event_schema() -> dict:
    import json

    return json.loads(shared_file("schema/request-event.schema.json").read_text())


@pytest.fixture
def alert_schema() -> dict:
    import json

    return json.loads(shared_file("schema/alert.schema.json").read_text())


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, dropped at the end of the session."""
    yield from fresh_pg_database("hw_test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The store on SQLite (a file per test) and on PostgreSQL."""
    return store_url(request, tmp_path_factory)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    engine = make_engine(db_url)
    upgrade(engine)
    wipe(engine)
    yield engine
    engine.dispose()
