"""Fixtures: a migrated store on SQLite (a file per test) and PostgreSQL (HYDRAWATCH_TEST_PG_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hw_api import token, wipe
from pg_database import fresh_pg_database, store_url
from sqlalchemy.engine import Engine

from api.app import create_app
from hydrawatch.settings import Settings
from hydrawatch.store import make_engine
from hydrawatch.store.migrate import upgrade


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the test server, dropped at the end of the session."""
    yield from fresh_pg_database("hw_test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return store_url(request, tmp_path_factory)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    wipe(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url)


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    return {role: token(engine, role) for role in ("viewer", "analyst", "admin")}
