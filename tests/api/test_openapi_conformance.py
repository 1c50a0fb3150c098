"""The API answers as its OpenAPI document says: requests generated from the document itself (schemathesis) get
no server error, only documented status codes, and bodies of the documented shape (errors included)."""

from __future__ import annotations

import pytest
import schemathesis
from hw_api import make_alert
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.app import create_app
from hydrawatch.settings import Settings
from hydrawatch.store import save_alert
from hydrawatch.store.auth import create_token

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
TOKEN: dict[str, str] = {}


@pytest.fixture
def api_schema(db_url: str, engine: Engine) -> schemathesis.schemas.BaseSchema:
    """The API on a store (SQLite and PostgreSQL) with three campaigns of two versions each, and an admin token
    (every route allowed)."""
    with Session(engine) as db:
        for number in range(3):
            for version in (1, 2):
                save_alert(db, make_alert(f"cmp-{number:016x}", version=version, hours=version))
        TOKEN["Authorization"] = "Bearer " + create_token(db, "admin", "conformance")[0]
        db.commit()
    app = create_app(Settings(db_url=db_url), engine)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=TOKEN)


def test_every_route_answers_as_documented(api_schema: schemathesis.schemas.BaseSchema) -> None:
    failures = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=TOKEN, checks=CHECKS)

        try:
            answers_as_documented()
        except Exception as failure:  # noqa: BLE001 - collected per route, reported together
            failures[operation.label] = str(failure)[:2000]
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())
