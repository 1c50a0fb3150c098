"""Webhook endpoints in the store: validation, settings sync, admin changes, secret rotation, alert filters."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.settings import Settings, WebhookEndpointSettings
from hydrawatch.store.webhooks import WebhookDeliveryRow, WebhookEndpointRow, aware, iso, utcnow
from hydrawatch.webhooks.signing import secret_key

log = logging.getLogger(__name__)

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
CAMPAIGN_STATUSES = ("open", "confirmed", "dismissed")
ACTIONS = ("monitor", "throttle", "suspend", "require_verification")
FILTER_FIELDS = ("min_severity", "min_accounts", "min_score", "statuses", "actions", "include_shadow")


class EndpointError(ValueError):
    """An endpoint definition that cannot be used."""


@dataclass(frozen=True)
class Target:
    """What the worker needs of an endpoint at send time."""

    id: int
    name: str
    url: str
    secrets: tuple[str, ...]


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"webhook URL must be an absolute http(s) URL, not {url!r}")
    return url


def check_filters(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the filter fields present in ``values``; returns them."""
    found = {k: values[k] for k in FILTER_FIELDS if k in values and values[k] is not None}
    if "min_severity" in found and found["min_severity"] not in SEVERITY_RANK:
        raise EndpointError(f"min_severity must be one of {', '.join(SEVERITY_RANK)}")
    bad = set(found.get("statuses", [])) - set(CAMPAIGN_STATUSES)
    if bad:
        raise EndpointError(f"unknown campaign statuses {sorted(bad)}: use {', '.join(CAMPAIGN_STATUSES)}")
    bad = set(found.get("actions", [])) - set(ACTIONS)
    if bad:
        raise EndpointError(f"unknown actions {sorted(bad)}: use {', '.join(ACTIONS)}")
    if found.get("min_accounts", 0) < 0 or not 0 <= found.get("min_score", 0.0) <= 1:
        raise EndpointError("min_accounts must be >= 0 and min_score within [0, 1]")
    return found


def _check_secret(secret: str) -> str:
    try:
        secret_key(secret)
    except ValueError as exc:
        raise EndpointError(str(exc)) from None
    return secret


def create_endpoint(session: Session, name: str, url: str, secret: str, actor: str, source: str = "api",
                    enabled: bool = True, **filters: Any) -> WebhookEndpointRow:
    """Add an endpoint (the caller commits); raises EndpointError when invalid."""
    if not name or len(name) > 100:
        raise EndpointError("an endpoint needs a name of 1-100 characters")
    now = utcnow()
    defaults = {"min_severity": "low", "min_accounts": 0, "min_score": 0.0, "statuses": [], "actions": [],
                "include_shadow": False}
    row = WebhookEndpointRow(name=name, url=check_url(url), secret=_check_secret(secret), enabled=enabled,
                             source=source, created_by=actor, created_at=now, updated_at=now,
                             **{**defaults, **check_filters(filters)})
    session.add(row)
    session.flush()
    return row


def update_endpoint(session: Session, row: WebhookEndpointRow, changes: dict[str, Any]) -> WebhookEndpointRow:
    """Apply changes (url, secret, enabled, filters); a new secret starts a rotation."""
    if changes.get("url") is not None:
        row.url = check_url(changes["url"])
    if changes.get("secret") is not None:
        rotate_secret(row, _check_secret(changes["secret"]))
    if changes.get("enabled") is not None:
        row.enabled = bool(changes["enabled"])
    for key, value in check_filters(changes).items():
        setattr(row, key, list(value) if isinstance(value, list | tuple) else value)
    row.updated_at = utcnow()
    return row


def rotate_secret(row: WebhookEndpointRow, secret: str) -> None:
    """Sign with the new secret and, for the grace period, the old one too."""
    if secret == row.secret:
        return
    row.previous_secret, row.secret, row.secret_rotated_at = row.secret, secret, utcnow()


def delete_endpoint(session: Session, row: WebhookEndpointRow) -> None:
    """Remove an endpoint and its outbox rows (pending deliveries are dropped)."""
    session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == row.id))
    session.delete(row)


def sync_settings(engine: Engine, settings: Settings) -> int:
    """Upsert the configured endpoints by name (endpoints absent from settings are left alone)."""
    configured = list(settings.webhooks.endpoints)
    if not configured:
        return 0
    with Session(engine) as session, session.begin():
        for item in configured:
            _upsert(session, item)
    return len(configured)


def _upsert(session: Session, item: WebhookEndpointSettings) -> None:
    values = item.model_dump(exclude={"name", "url", "secret", "enabled"})
    secret = item.secret.get_secret_value()
    row = session.scalar(select(WebhookEndpointRow).where(WebhookEndpointRow.name == item.name))
    if row is None:
        create_endpoint(session, item.name, item.url, secret, "settings", "settings", item.enabled, **values)
        log.info("webhook endpoint %r added from settings", item.name)
        return
    update_endpoint(session, row, {"url": item.url, "secret": secret, "enabled": item.enabled, **values})


def signing_secrets(row: WebhookEndpointRow, grace_s: float, now: datetime | None = None) -> tuple[str, ...]:
    """The new secret, plus the previous one while the rotation's grace period lasts."""
    rotated = aware(row.secret_rotated_at)
    now = now or utcnow()
    if row.previous_secret and rotated is not None and now < rotated + timedelta(seconds=grace_s):
        return (row.secret, row.previous_secret)
    return (row.secret,)


def target(row: WebhookEndpointRow, grace_s: float) -> Target:
    return Target(row.id, row.name, row.url, signing_secrets(row, grace_s))


def matches(filters: dict[str, Any], alert: dict[str, Any], status: str) -> bool:
    """Whether an alert version passes an endpoint's filters (``status``: the campaign's triage state)."""
    if alert.get("shadow") and not filters["include_shadow"]:
        return False
    if SEVERITY_RANK.get(alert.get("severity", "low"), 0) < SEVERITY_RANK[filters["min_severity"]]:
        return False
    if len(alert.get("accounts", [])) < filters["min_accounts"] or alert.get("score", 0) < filters["min_score"]:
        return False
    if filters["statuses"] and status not in filters["statuses"]:
        return False
    action = (alert.get("decision") or {}).get("action")
    return not filters["actions"] or action in filters["actions"]


def endpoint_dict(row: WebhookEndpointRow, grace_s: float) -> dict[str, Any]:
    """The endpoint as the API shows it: never a secret, only whether a rotation is in its grace period."""
    rotated = aware(row.secret_rotated_at)
    return {
        "id": row.id, "name": row.name, "url": row.url, "enabled": row.enabled, "source": row.source,
        **row.filters(),
        "rotation_grace_until": iso(rotated + timedelta(seconds=grace_s))
        if rotated is not None and len(signing_secrets(row, grace_s)) > 1 else None,
        "created_by": row.created_by, "created_at": iso(row.created_at), "updated_at": iso(row.updated_at),
    }
