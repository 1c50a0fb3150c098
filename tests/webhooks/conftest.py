"""Fixtures: a migrated store on SQLite (a file per test) and PostgreSQL (HYDRAWATCH_TEST_PG_URL), secrets,
fast retry settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hw_api import need, token, wipe
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from api.app import create_app
from hydrawatch.settings import Settings, WebhookSettings
from hydrawatch.store import make_engine
from hydrawatch.store.migrate import upgrade
from hydrawatch.webhooks.signing import generate_secret

PG_ENV = "HYDRAWATCH_TEST_PG_URL"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the test server, dropped at the end of the session."""
    base = os.environ.get(PG_ENV)
    need(bool(base), f"{PG_ENV} is not set: start PostgreSQL with `bash scripts/postgres.sh start` and export "
                     f"{PG_ENV} to the URL it prints")
    assert base is not None
    name = f"hw_hooks_{secrets.token_hex(4)}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means: no usable server
        need(False, f"PostgreSQL at {PG_ENV} is not reachable: {exc}")
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'hydrawatch.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'hydrawatch.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    wipe(engine)
    yield engine
    engine.dispose()


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
