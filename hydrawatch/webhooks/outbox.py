"""The delivery outbox: rows written with the alert, claimed by workers with a lease, finished once.

A row is ``pending`` until a 2xx marks it ``delivered`` (never sent again) or retries run out (``dead``). A
worker claims a due row by pushing its ``next_attempt_at`` forward by a lease in one conditional UPDATE, so
two workers (or processes) never send the same row at once, and a crashed worker's claim simply expires.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Update, and_, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.store.models import AlertRow, CampaignRow
from hydrawatch.store.webhooks import (
    DEAD,
    DELIVERED,
    PENDING,
    WebhookDeliveryRow,
    WebhookEndpointRow,
    aware,
    iso,
    utcnow,
)
from hydrawatch.webhooks.endpoints import Target, matches, target

_CACHE_KEY = "hydrawatch.webhook_endpoints"


def enqueue(session: Session, campaign: CampaignRow, alert: dict[str, Any]) -> int:
    """Outbox rows for a newly stored alert version, one per matching enabled endpoint (same transaction)."""
    transaction = session.get_transaction()
    cached = session.info.get(_CACHE_KEY)
    if cached is not None and cached[0] is transaction:  # once per transaction: a flush of many alerts
        endpoints = cached[1]
    else:
        rows = session.scalars(select(WebhookEndpointRow).where(WebhookEndpointRow.enabled.is_(True)))
        endpoints = [(r.id, r.filters()) for r in rows]
        session.info[_CACHE_KEY] = (transaction, endpoints)
    if not endpoints:
        return 0
    now = utcnow()
    status = campaign.status or alert.get("status", "open")
    count = 0
    for endpoint_id, filters in endpoints:
        if matches(filters, alert, status):
            session.add(WebhookDeliveryRow(
                endpoint_id=endpoint_id, alert_id=alert["alert_id"], campaign_id=alert["campaign_id"],
                status=PENDING, attempts=0, created_at=now, retry_since=now, next_attempt_at=now,
                last_error=""))
            count += 1
    return count


def _run(session: Session, statement: Update) -> int:
    """Execute an UPDATE on the session's connection (Core: no ORM sync); the rows it matched."""
    return int(session.connection().execute(statement).rowcount)


@dataclass
class Claimed:
    """A delivery this worker holds: what to send and where."""

    id: int
    alert_id: str
    attempts: int
    retry_since: datetime
    body: bytes
    endpoint: Target
    claim: str


def due(engine: Engine, now: datetime, limit: int, exclude: set[int]) -> list[tuple[int, int]]:
    """(delivery id, endpoint id) of due pending deliveries, oldest due first."""
    query = (select(WebhookDeliveryRow.id, WebhookDeliveryRow.endpoint_id).where(
        *_live(), WebhookDeliveryRow.next_attempt_at <= now)
             .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id).limit(limit))
    if exclude:
        query = query.where(WebhookDeliveryRow.endpoint_id.not_in(exclude))
    with Session(engine) as session:
        return [(int(a), int(b)) for a, b in session.execute(query)]


def claim(engine: Engine, delivery_id: int, lease_s: float, grace_s: float) -> Claimed | None:
    """Take a due delivery for ``lease_s`` seconds; None when another worker was first or it is not due."""
    now = utcnow()
    token = secrets.token_hex(8)
    with Session(engine) as session, session.begin():
        taken = _run(session, update(WebhookDeliveryRow)
                     .where(WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.status == PENDING,
                            WebhookDeliveryRow.next_attempt_at <= now)
                     .values(next_attempt_at=now + timedelta(seconds=lease_s), claim=token,
                             last_attempt_at=now, attempts=WebhookDeliveryRow.attempts + 1))
        if taken != 1:
            return None
        row = session.get(WebhookDeliveryRow, delivery_id)
        assert row is not None
        endpoint = session.get(WebhookEndpointRow, row.endpoint_id)
        payload = session.scalar(select(AlertRow.payload).where(AlertRow.alert_id == row.alert_id))
        if endpoint is None or payload is None:
            return None
        return Claimed(row.id, row.alert_id, row.attempts, aware(row.retry_since) or now,
                       orjson.dumps(payload), target(endpoint, grace_s), token)


def mark_delivered(engine: Engine, claimed: Claimed, status_code: int) -> bool:
    """Final: a 2xx was received. Wins even over an expired lease (the row is never sent again)."""
    return _finish(engine, claimed, DELIVERED, status_code, "", require_claim=False)


def mark_dead(engine: Engine, claimed: Claimed, status_code: int | None, error: str) -> bool:
    return _finish(engine, claimed, DEAD, status_code, error, require_claim=True)


def _finish(engine: Engine, claimed: Claimed, status: str, code: int | None, error: str,
            require_claim: bool) -> bool:
    conditions = [WebhookDeliveryRow.id == claimed.id, WebhookDeliveryRow.status == PENDING]
    if require_claim:
        conditions.append(WebhookDeliveryRow.claim == claimed.claim)
    with Session(engine) as session, session.begin():
        return _run(session, update(WebhookDeliveryRow).where(and_(*conditions))
                    .values(status=status, finished_at=utcnow(), last_status_code=code,
                            last_error=error[:2000], claim=None)) == 1


def reschedule(engine: Engine, claimed: Claimed, at: datetime, status_code: int | None, error: str) -> bool:
    """A failed attempt to retry at ``at`` (only while this worker still holds the claim)."""
    with Session(engine) as session, session.begin():
        return _run(session, update(WebhookDeliveryRow)
                    .where(WebhookDeliveryRow.id == claimed.id, WebhookDeliveryRow.status == PENDING,
                           WebhookDeliveryRow.claim == claimed.claim)
                    .values(next_attempt_at=at, last_status_code=status_code, last_error=error[:2000],
                            claim=None)) == 1


def release(engine: Engine, claimed: Claimed) -> None:
    """Give a claimed row back untouched (worker stopping before sending)."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == claimed.id, WebhookDeliveryRow.claim == claimed.claim,
                   WebhookDeliveryRow.status == PENDING)
            .values(next_attempt_at=utcnow(), claim=None, attempts=WebhookDeliveryRow.attempts - 1))


def replay_dead(session: Session, endpoint_id: int | None = None, delivery_ids: list[int] | None = None) -> int:
    """Put dead deliveries back in the outbox (a new retry horizon starts now); the caller commits."""
    now = utcnow()
    query = update(WebhookDeliveryRow).where(WebhookDeliveryRow.status == DEAD)
    if endpoint_id is not None:
        query = query.where(WebhookDeliveryRow.endpoint_id == endpoint_id)
    if delivery_ids is not None:
        query = query.where(WebhookDeliveryRow.id.in_(delivery_ids))
    return _run(session, query.values(status=PENDING, next_attempt_at=now, retry_since=now, finished_at=None,
                                      claim=None))


def _live() -> tuple[Any, ...]:
    """Pending rows of enabled endpoints (a disabled endpoint's rows wait, paused, until it is enabled)."""
    enabled = select(WebhookEndpointRow.id).where(WebhookEndpointRow.enabled.is_(True))
    return (WebhookDeliveryRow.status == PENDING, WebhookDeliveryRow.endpoint_id.in_(enabled))


def pending_count(engine: Engine) -> int:
    """Deliveries still to make (to enabled endpoints)."""
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(WebhookDeliveryRow).where(*_live())) or 0)


def next_due(engine: Engine) -> datetime | None:
    with Session(engine) as session:
        return aware(session.scalar(select(func.min(WebhookDeliveryRow.next_attempt_at)).where(*_live())))


def counts(session: Session) -> list[tuple[str, str, int, datetime | None]]:
    """(endpoint name, status, deliveries, oldest created_at) per endpoint and status."""
    rows = session.execute(
        select(WebhookEndpointRow.name, WebhookDeliveryRow.status, func.count(),
               func.min(WebhookDeliveryRow.created_at))
        .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
        .group_by(WebhookEndpointRow.name, WebhookDeliveryRow.status))
    return [(str(n), str(s), int(c), aware(t)) for n, s, c, t in rows]


def list_deliveries(session: Session, status: str | None = None, endpoint_id: int | None = None,
                    limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """A page of deliveries, newest first, with the total."""
    where = []
    if status is not None:
        where.append(WebhookDeliveryRow.status == status)
    if endpoint_id is not None:
        where.append(WebhookDeliveryRow.endpoint_id == endpoint_id)
    total = session.scalar(select(func.count()).select_from(WebhookDeliveryRow).where(*where)) or 0
    rows = session.execute(
        select(WebhookDeliveryRow, WebhookEndpointRow.name)
        .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id).where(*where)
        .order_by(WebhookDeliveryRow.id.desc()).limit(limit).offset(offset)).all()
    return int(total), [delivery_dict(row, name) for row, name in rows]


def delivery_dict(row: WebhookDeliveryRow, endpoint_name: str) -> dict[str, Any]:
    return {
        "id": row.id, "endpoint_id": row.endpoint_id, "endpoint": endpoint_name, "alert_id": row.alert_id,
        "campaign_id": row.campaign_id, "status": row.status, "attempts": row.attempts,
        "created_at": iso(row.created_at),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == PENDING else None,
        "last_attempt_at": iso(row.last_attempt_at), "finished_at": iso(row.finished_at),
        "last_status_code": row.last_status_code, "last_error": row.last_error,
    }
