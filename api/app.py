"""The analyst service: ``create_app(settings)`` wires the store, the REST API, the dashboard and security."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Sessions, bearer_principal
from api.dashboard import forms, views
from api.dashboard import webhooks as webhook_pages
from api.dashboard.access import LoginRequired
from api.dashboard.render import Renderer
from api.deps import document_page_size
from api.responses import SafeJSONResponse
from api.routes import accounts, alerts, allowlists, campaigns, exports, health, tokens, triage, webhooks
from api.schemas import API_ERRORS
from api.security import BodyTooLarge, SecurityMiddleware
from hydrawatch.settings import Settings
from hydrawatch.store import make_engine
from hydrawatch.store.auth import service_secret
from hydrawatch.store.migrate import upgrade

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
API = "/api/v1"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The ASGI app on ``settings.db_url`` (or ``engine``); migrates the store first."""
    settings = settings or Settings()
    engine = engine or make_engine(settings.db_url)
    upgrade(engine)
    app = FastAPI(
        title="hydrawatch",
        version="1",
        description="Coordinated LLM-API extraction campaigns: "
        "alerts, triage, allow-lists and exports. Every route but /healthz needs a bearer token.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        default_response_class=SafeJSONResponse,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = Sessions(
        settings.api.secret_key or service_secret(engine),
        settings.api.session_max_age_s,
        settings.api.cookie_secure,
    )
    app.state.renderer = Renderer(settings.api.poll_interval_s)
    app.add_middleware(SecurityMiddleware)
    api = APIRouter(prefix=API)
    for module in (campaigns, alerts, accounts, triage, allowlists, exports, tokens, webhooks):
        api.include_router(module.router, responses=API_ERRORS)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(docs_router(app))
    app.include_router(forms.router)
    app.include_router(views.router)
    app.include_router(webhook_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app)
    document_page_size(app, settings.api.max_page_size)
    return app


def docs_router(app: FastAPI) -> APIRouter:
    """OpenAPI document and a Swagger UI served from /static (signed-in browser or bearer token)."""
    router = APIRouter(include_in_schema=False)

    def allowed(request: Request) -> bool:
        with Session(request.app.state.engine) as db:
            return (bearer_principal(request, db) or request.app.state.sessions.read(request, db)) is not None

    @router.get(f"{API}/openapi.json")
    def openapi(request: Request) -> Response:
        if not allowed(request):
            raise HTTPException(401, "sign in or send a bearer token", headers={"WWW-Authenticate": "Bearer"})
        return SafeJSONResponse(app.openapi())

    @router.get(f"{API}/docs")
    def docs(request: Request) -> Response:
        if not allowed(request):
            raise LoginRequired(f"{API}/docs")
        return request.app.state.renderer.page(request, "docs.html")

    return router


def wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith((f"{API}/", "/ui/", "/healthz", "/static/")) and path != API


def install_error_handlers(app: FastAPI) -> None:
    """4xx with a clear message (JSON for the API, a page for the dashboard); never a bare 500."""

    def problem(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        if wants_html(request):
            return request.app.state.renderer.page(
                request,
                "error.html",
                status_code=status,
                status=status,
                message=message,
            )
        return SafeJSONResponse({"detail": message}, status_code=status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        if wants_html(request):
            return problem(request, 422, f"invalid request: {message}")
        return SafeJSONResponse({"detail": f"invalid request: {message}", "errors": errors}, status_code=422)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/ui/"):
            return SafeJSONResponse({"detail": "the session has expired: sign in again"}, status_code=401)
        from urllib.parse import urlencode

        return RedirectResponse("/login?" + urlencode({"next": exc.next_path}), status_code=303)

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return problem(request, 413, "request body too large")

    @app.exception_handler(DataError)
    async def bad_value(request: Request, exc: DataError) -> Response:
        log.info("rejected a value the database refused: %s", exc.orig)
        return problem(request, 400, "a value is not acceptable to the database (too long or malformed)")

    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, exc: OverflowError) -> Response:
        return problem(request, 400, "a number is out of range")  # beyond the database's 64-bit integers

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, exc: IntegrityError) -> Response:
        return problem(request, 409, "conflicts with existing data")

    @app.exception_handler(UnicodeError)
    async def bad_text(request: Request, exc: UnicodeError) -> Response:
        return problem(request, 400, "the request is not valid UTF-8")
