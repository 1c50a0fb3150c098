"""Liveness and readiness: the only routes without authentication."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.deps import get_engine
from api.responses import SafeJSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(engine: Engine = Depends(get_engine)) -> SafeJSONResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return SafeJSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
    return SafeJSONResponse({"status": "ok", "database": "ok"})
