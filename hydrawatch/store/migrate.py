"""Schema migrations (Alembic), run by ``upgrade(engine)`` on start-up and by ``hydrawatch db``."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

log = logging.getLogger(__name__)
if logging.getLogger("alembic").level == logging.NOTSET:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines narrate every start-up

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the tables that existed before migrations (created by create_all)
PG_LOCK_KEY = 0x68797764  # advisory lock serialising concurrent upgrades on PostgreSQL


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to call from several processes at once."""
    if revision == "head" and current(engine) == head():
        return
    for attempt in range(3):
        try:
            _upgrade(engine, revision)
            return
        except (OperationalError, ProgrammingError):
            if revision == "head" and current(engine) == head():
                return  # a concurrent process upgraded first
            if attempt == 2:
                raise
            time.sleep(0.5 * (attempt + 1))


def _upgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "campaigns" in tables:
            log.info("stamping a pre-migration store at the baseline revision %s", BASELINE)
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
