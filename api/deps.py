"""FastAPI dependencies: settings, engine, a session per request, and the caller with a minimum role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.auth import Principal, Sessions, bearer_principal
from hydrawatch.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def get_db(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One session per request; the route commits what it changes."""
    with Session(engine) as session:
        yield session


DB = Annotated[Session, Depends(get_db)]


def require(role: str) -> Callable[..., Principal]:
    """Dependency: the bearer-token caller, with at least ``role`` (else 401, or 403 below it)."""

    def dependency(request: Request, db: DB) -> Principal:
        principal = bearer_principal(request, db)
        if principal is None:
            raise HTTPException(
                401,
                "a valid 'Authorization: Bearer <token>' header is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.can(role):
            raise HTTPException(403, f"this needs the {role} role; the token has the {principal.role} role")
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]
