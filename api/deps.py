"""FastAPI dependencies: settings, engine, a session per request, and the caller with a minimum role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
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
PAGE_PARAMETERS = ("limit", "members_limit")  # query parameters that size a page: at most api.max_page_size


def page_size(default: int, name: str = "limit") -> Any:  # noqa: ANN401 - a Depends() default
    """Dependency (as a parameter default): the page size ``name`` asked for, 1 to ``api.max_page_size``
    (422 above it); ``document_page_size`` puts that maximum into the OpenAPI document."""

    def dependency(request: Request, limit: int = Query(default, ge=1, alias=name)) -> int:
        cap = get_settings(request).api.max_page_size
        if limit > cap:
            raise HTTPException(422, f"{name} must be at most {cap}")
        return limit

    return Depends(dependency)


def document_page_size(app: FastAPI, cap: int) -> None:
    """The app's OpenAPI document gives every page-size parameter its maximum, the configured ``cap``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path in document["paths"].values():
                for parameter in (p for operation in path.values() for p in operation.get("parameters", [])):
                    if parameter["in"] == "query" and parameter["name"] in PAGE_PARAMETERS:
                        parameter["schema"]["maximum"] = cap
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document


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
