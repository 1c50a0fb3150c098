"""``hydrawatch webhook ...``: a local test receiver, outbox delivery, dead-letter replay, endpoints."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import IO, Any

import typer
from rich.table import Table
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hydrawatch.consoles import console, out
from hydrawatch.runtime import quiet_libraries
from hydrawatch.settings import Settings, WebhookEndpointSettings

log = logging.getLogger(__name__)
webhook_app = typer.Typer(help="Alert webhooks (Standard Webhooks): receiver, delivery, dead letters.",
                          no_args_is_help=True)
DB_OPTION = typer.Option(None, "--db", help="SQLAlchemy URL of the store (default from settings).")


def _settings(db: str | None) -> Settings:
    settings = Settings()
    quiet_libraries(settings.log_level)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    if db:
        settings.db_url = db
    return settings


def _engine(settings: Settings) -> Any:
    from hydrawatch.store import make_engine
    from hydrawatch.store.migrate import upgrade

    engine = make_engine(settings.db_url)
    upgrade(engine)
    return engine


def replay_endpoint(settings: Settings, url: str, db_url: str | None = None) -> None:
    """``replay --webhook-url``: an endpoint named after the URL, signed with HYDRAWATCH_WEBHOOK_SECRET."""
    if settings.webhook_secret is None:
        console.print("[red]error:[/red] --webhook-url needs the secret in HYDRAWATCH_WEBHOOK_SECRET "
                      "(whsec_<base64>; `hydrawatch webhook new-secret` makes one)")
        raise typer.Exit(2)
    if not (settings.db_url if db_url is None else db_url):
        console.print("[red]error:[/red] --webhook-url needs the store (its outbox): do not pass --db ''")
        raise typer.Exit(2)
    from hydrawatch.webhooks.endpoints import check_url
    from hydrawatch.webhooks.signing import secret_key

    try:
        check_url(url)
        secret_key(settings.webhook_secret.get_secret_value())
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    endpoint = WebhookEndpointSettings(name=f"replay {url}"[:100], url=url, secret=settings.webhook_secret)
    settings.webhooks.endpoints = [*settings.webhooks.endpoints, endpoint]


@webhook_app.command("listen")
def listen(
    port: int = typer.Option(8787, "--port", help="TCP port."),
    host: str = typer.Option("127.0.0.1", "--host", help="Listen address."),
    secret: str | None = typer.Option(None, "--secret", help="whsec_... (default: HYDRAWATCH_WEBHOOK_SECRET)."),
    out_path: Path | None = typer.Option(None, "--out", help="Also append each new alert here (JSON lines)."),
) -> None:
    """A local receiver: verifies signatures (standardwebhooks), drops duplicates by webhook-id, prints alerts."""
    from hydrawatch.webhooks.receiver import Receiver

    settings = _settings(None)
    secret = secret or (settings.webhook_secret.get_secret_value() if settings.webhook_secret else None)
    if not secret:
        console.print("[red]error:[/red] pass --secret or set HYDRAWATCH_WEBHOOK_SECRET")
        raise typer.Exit(2)
    handle: IO[str] | None = open(out_path, "a", encoding="utf-8") if out_path else None
    lock = threading.Lock()

    def on_alert(msg_id: str, alert: dict[str, Any]) -> None:
        decision = (alert.get("decision") or {}).get("action", "-")
        with lock:
            out.print(f"{msg_id}\t{alert.get('severity')}\t{len(alert.get('accounts', []))} accounts\t{decision}")
            if handle is not None:
                handle.write(json.dumps(alert) + "\n")
                handle.flush()

    try:
        receiver = Receiver(secret, on_alert, host=host, port=port)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(f"listening on http://{host}:{receiver.port}/ (Ctrl-C to stop)")
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
        if handle is not None:
            handle.close()
        console.print(f"{receiver.accepted} accepted, {receiver.duplicates} duplicates, {receiver.rejected} rejected")


@webhook_app.command("deliver")
def deliver(
    db: str | None = DB_OPTION,
    max_wait: float | None = typer.Option(None, "--max-wait", help="Give up after this many seconds "
                                          "(default: webhooks.drain_s); the rest stays in the outbox."),
    now: bool = typer.Option(False, "--now", help="Retry every pending delivery now, ignoring its backoff."),
    forever: bool = typer.Option(False, "--forever", help="Keep delivering until Ctrl-C / SIGTERM."),
) -> None:
    """Deliver the outbox (what a replay left pending, or what `replay-dead` requeued)."""
    from hydrawatch.store.webhooks import PENDING, WebhookDeliveryRow, utcnow
    from hydrawatch.webhooks.service import finish_delivery, start_delivery

    settings = _settings(db)
    engine = _engine(settings)
    if now:
        with Session(engine) as session, session.begin():
            session.execute(update(WebhookDeliveryRow).where(WebhookDeliveryRow.status == PENDING)
                            .values(next_attempt_at=utcnow()))
    worker = start_delivery(engine, settings, always=True)
    assert worker is not None
    if forever:
        stop = threading.Event()
        _on_sigterm(stop.set)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        worker.stop()
        return
    left = finish_delivery(worker, settings.webhooks.drain_s if max_wait is None else max_wait)
    out.print(f"delivered {worker.sent}; {left} still pending")
    if left:
        raise typer.Exit(1)


def _on_sigterm(callback: Any) -> None:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: callback())


@webhook_app.command("replay-dead")
def replay_dead(
    db: str | None = DB_OPTION,
    endpoint: str | None = typer.Option(None, "--endpoint", help="Only this endpoint (by name)."),
    ids: list[int] | None = typer.Option(None, "--id", help="Only these delivery ids (repeatable)."),
    deliver_now: bool = typer.Option(True, "--deliver/--no-deliver", help="Deliver them now (bounded by "
                                     "webhooks.drain_s) or leave them to a running worker."),
) -> None:
    """Put dead-lettered deliveries back in the outbox (a fresh retry horizon), then deliver them."""
    from hydrawatch.store.webhooks import WebhookEndpointRow
    from hydrawatch.webhooks.outbox import replay_dead as requeue
    from hydrawatch.webhooks.service import finish_delivery, start_delivery

    settings = _settings(db)
    engine = _engine(settings)
    with Session(engine) as session, session.begin():
        endpoint_id = None
        if endpoint is not None:
            endpoint_id = session.scalar(select(WebhookEndpointRow.id).where(WebhookEndpointRow.name == endpoint))
            if endpoint_id is None:
                console.print(f"[red]error:[/red] no endpoint named {endpoint!r}")
                raise typer.Exit(2)
        count = requeue(session, endpoint_id, ids or None)
    out.print(f"requeued {count} dead deliveries")
    if deliver_now and count:
        worker = start_delivery(engine, settings, always=True)
        assert worker is not None
        left = finish_delivery(worker, settings.webhooks.drain_s)
        out.print(f"delivered {worker.sent}; {left} still pending")


@webhook_app.command("list")
def list_endpoints(db: str | None = DB_OPTION) -> None:
    """Endpoints (never their secrets) and their deliveries by state."""
    from hydrawatch.store.webhooks import WebhookEndpointRow
    from hydrawatch.webhooks.endpoints import sync_settings
    from hydrawatch.webhooks.outbox import counts

    settings = _settings(db)
    engine = _engine(settings)
    sync_settings(engine, settings)
    table = Table(title="webhook endpoints")
    for column in ("id", "name", "url", "enabled", "min severity", "pending", "delivered", "dead"):
        table.add_column(column)
    with Session(engine) as session:
        by = {(name, status): n for name, status, n, _ in counts(session)}
        for row in session.scalars(select(WebhookEndpointRow).order_by(WebhookEndpointRow.id)):
            table.add_row(str(row.id), row.name, row.url, "yes" if row.enabled else "no", row.min_severity,
                          *(str(by.get((row.name, s), 0)) for s in ("pending", "delivered", "dead")))
    out.print(table)


@webhook_app.command("remove")
def remove(name: str = typer.Argument(..., help="Endpoint name."), db: str | None = DB_OPTION) -> None:
    """Remove an endpoint and its outbox rows."""
    from hydrawatch.store.webhooks import WebhookEndpointRow
    from hydrawatch.webhooks.endpoints import delete_endpoint

    engine = _engine(_settings(db))
    with Session(engine) as session, session.begin():
        row = session.scalar(select(WebhookEndpointRow).where(WebhookEndpointRow.name == name))
        if row is None:
            console.print(f"[red]error:[/red] no endpoint named {name!r}")
            raise typer.Exit(1)
        delete_endpoint(session, row)
    out.print(f"removed endpoint {name!r}")


@webhook_app.command("new-secret")
def new_secret() -> None:
    """Print a fresh random secret (whsec_<base64 of 32 bytes>)."""
    from hydrawatch.webhooks.signing import generate_secret

    typer.echo(generate_secret())


def register(app: typer.Typer) -> None:
    """Add ``hydrawatch webhook ...`` to the main CLI."""
    app.add_typer(webhook_app, name="webhook")
