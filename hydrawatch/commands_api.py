"""CLI commands of the analyst service: serve, token, db, triage (registered on the main typer app)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from hydrawatch.consoles import console, out
from hydrawatch.settings import Settings

token_app = typer.Typer(
    help="API tokens (stored hashed; roles viewer, analyst, admin).", no_args_is_help=True
)
db_app = typer.Typer(help="The alert store's schema (Alembic migrations).", no_args_is_help=True)
triage_app = typer.Typer(help="Analyst triage decisions.", no_args_is_help=True)

DB_OPTION = typer.Option(None, "--db", help="SQLAlchemy URL of the store (default from settings).")


def _settings(db: str | None) -> Settings:
    settings = Settings()
    if db:
        settings.db_url = db
    return settings


def _engine(db: str | None):
    from hydrawatch.store import make_engine
    from hydrawatch.store.migrate import upgrade

    engine = make_engine(_settings(db).db_url)
    upgrade(engine)
    return engine


def serve(
    db: str | None = DB_OPTION,
    host: str | None = typer.Option(None, "--host", help="Listen address (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="TCP port (default 8000)."),
) -> None:
    """Serve the HTTP API (/api/v1, docs at /api/v1/docs) and the dashboard."""
    import uvicorn

    from api.app import create_app

    settings = _settings(db)
    host = host or settings.api.host
    port = port if port is not None else settings.api.port
    console.print(f"hydrawatch serving {settings.db_url} on http://{host}:{port}/")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        server_header=False,
    )


@token_app.command("create")
def token_create(
    role: str = typer.Option(..., "--role", help="viewer, analyst or admin."),
    name: str = typer.Option("", "--name", help="Who or what the token is for."),
    db: str | None = DB_OPTION,
) -> None:
    """Issue a token; it is printed once, on the last line."""
    from hydrawatch.store.auth import ROLES, create_token

    if role not in ROLES:
        console.print(f"[red]error:[/red] --role must be one of {', '.join(ROLES)}")
        raise typer.Exit(2)
    with Session(_engine(db)) as session, session.begin():
        token, row = create_token(session, role, name, "cli")
        token_id = row.id
    out.print(f"token {token_id} ({role}); store it now, it is not shown again:")
    typer.echo(token)  # alone on the last line, for scripts


@token_app.command("list")
def token_list(db: str | None = DB_OPTION) -> None:
    """List tokens (never their values)."""
    from hydrawatch.store.auth import list_tokens

    with Session(_engine(db)) as session:
        for row in list_tokens(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
            out.print(f"{row.id}\t{row.role}\t{state}\t{row.name}")


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(...), db: str | None = DB_OPTION) -> None:
    """Revoke a token by id."""
    from hydrawatch.store.auth import revoke_token

    with Session(_engine(db)) as session, session.begin():
        if not revoke_token(session, token_id):
            console.print(f"[red]error:[/red] no live token {token_id}")
            raise typer.Exit(1)
    out.print(f"revoked token {token_id}")


@db_app.command("upgrade")
def db_upgrade(db: str | None = DB_OPTION, revision: str = typer.Option("head", "--revision")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from hydrawatch.store import make_engine
    from hydrawatch.store.migrate import current, upgrade

    engine = make_engine(_settings(db).db_url)
    upgrade(engine, revision)
    out.print(f"store at revision {current(engine)}")


@db_app.command("current")
def db_current(db: str | None = DB_OPTION) -> None:
    """Print the store's schema revision."""
    from hydrawatch.store import make_engine
    from hydrawatch.store.migrate import current, head

    out.print(f"current {current(make_engine(_settings(db).db_url))}, latest {head()}")


@triage_app.command("export")
def triage_export(
    out_path: Path = typer.Option(..., "--out", help="labels.json for `hydrawatch evaluate`."),
    db: str | None = DB_OPTION,
) -> None:
    """Write triage outcomes as evaluation labels (confirmed: campaign groups; dismissed: legitimate)."""
    from hydrawatch.store.triage import export_labels

    labels = export_labels(_engine(db))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(labels, indent=1, sort_keys=True), encoding="utf-8")
    confirmed = len(labels["campaign_start"])
    out.print(
        f"wrote {len(labels['accounts']):,} labelled accounts ({confirmed} confirmed campaigns) to {out_path}"
    )


def serve_demo(db_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """End of `hydrawatch demo`: an admin token, the URL, then the dashboard until Ctrl-C."""
    from hydrawatch.store.auth import create_token

    with Session(_engine(db_url)) as session, session.begin():
        token, _ = create_token(session, "admin", "demo", "demo")
    out.print(f"dashboard: http://{host}:{port}/  (Ctrl-C to stop)")
    out.print(f"login token (admin): {token}")
    serve(db=db_url, host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add the analyst-service commands to the main CLI."""
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
    app.add_typer(db_app, name="db")
    app.add_typer(triage_app, name="triage")
