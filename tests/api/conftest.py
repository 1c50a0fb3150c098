"""Fixtures: a migrated store on SQLite (a file per test) and PostgreSQL (HYDRAWATCH_TEST_PG_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hw_api import token
from sqlalchemy.engine import Engine

from api.app import create_app
from hydrawatch.settings import Settings


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
