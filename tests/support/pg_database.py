"""A throwaway database on the test PostgreSQL server (HYDRAWATCH_TEST_PG_URL), and the store URL fixture
parameterised over SQLite and PostgreSQL, shared by the API and webhook test packages."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from hw_api import need
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "HYDRAWATCH_TEST_PG_URL"


def fresh_pg_database(prefix: str) -> Iterator[str]:
    """Create a database named ``<prefix>_<random>`` on the test server, yield its URL, drop it afterwards."""
    base = os.environ.get(PG_ENV)
    need(bool(base), f"{PG_ENV} is not set: start PostgreSQL with `bash scripts/postgres.sh start` and export "
                     f"{PG_ENV} to the URL it prints")
    assert base is not None
    name = f"{prefix}_{secrets.token_hex(4)}"
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


def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file per test, or the session's PostgreSQL database (the ``pg_url`` fixture)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'hydrawatch.db'}"
    return str(request.getfixturevalue("pg_url"))
