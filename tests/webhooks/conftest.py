"""Fixtures: a migrated store on SQLite (a file per test) and PostgreSQL (HYDRAWATCH_TEST_PG_URL), secrets,
fast retry settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hw_api import token
from sqlalchemy.engine import Engine

from api.app import create_app
from hydrawatch.settings import Settings, WebhookSettings
from hydrawatch.webhooks.signing import generate_secret


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'hydrawatch.db'}"


@pytest.fixture
def secret() -> str:
    return generate_secret()


@pytest.fixture
def fast() -> WebhookSettings:
    """Retries in tenths of seconds instead of minutes."""
    return WebhookSettings(timeout_s=1.0, backoff_initial_s=0.1, backoff_max_s=0.4, backoff_jitter=0.2,
                           retry_horizon_s=20.0, poll_interval_s=0.1, concurrency=4, per_endpoint_concurrency=4,
                           drain_s=20.0)


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db_url=db_url), engine), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    return {role: token(engine, role) for role in ("viewer", "analyst", "admin")}
