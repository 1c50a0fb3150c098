"""Dashboard page of the webhook feed: endpoints, outbox counts, dead letters with a replay button (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.auth import Principal
from api.dashboard.access import PageAnalyst, check_csrf, page_role
from api.deps import DB
from hydrawatch.store.feed import latest_seq
from hydrawatch.store.webhooks import DEAD, DELIVERY_STATES, WebhookDeliveryRow, WebhookEndpointRow
from hydrawatch.webhooks.endpoints import endpoint_dict
from hydrawatch.webhooks.outbox import counts, list_deliveries, replay_dead

router = APIRouter(include_in_schema=False)
PageAdmin = Annotated[Principal, Depends(page_role("admin"))]
CSRF = Annotated[str | None, Form(alias="csrf_token")]


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, principal: PageAnalyst, db: DB,
                  status: Literal["pending", "delivered", "dead"] = "dead") -> HTMLResponse:
    grace = request.app.state.settings.webhooks.rotation_grace_s
    endpoints = [endpoint_dict(r, grace) for r in db.scalars(select(WebhookEndpointRow).order_by(
        WebhookEndpointRow.id))]
    by = {(name, state): n for name, state, n, _ in counts(db)}
    for endpoint in endpoints:
        endpoint["counts"] = {s: by.get((endpoint["name"], s), 0) for s in DELIVERY_STATES}
    total, deliveries = list_deliveries(db, status, limit=200)
    return request.app.state.renderer.page(
        request, "webhooks.html", principal=principal, latest=latest_seq(db), endpoints=endpoints,
        deliveries=deliveries, total=total, status=status, states=DELIVERY_STATES)


@router.post("/webhooks/deliveries/{delivery_id}/replay")
def replay_one(delivery_id: int, principal: PageAdmin, db: DB, csrf: CSRF = None) -> Response:
    check_csrf(principal, csrf)
    row = db.get(WebhookDeliveryRow, delivery_id) if 0 < delivery_id < 2**31 else None
    if row is None or row.status != DEAD:
        raise HTTPException(404, "no such dead delivery")
    replay_dead(db, delivery_ids=[delivery_id])
    db.commit()
    return RedirectResponse("/webhooks", status_code=303)


@router.post("/webhooks/replay-dead")
def replay_all(principal: PageAdmin, db: DB, csrf: CSRF = None) -> Response:
    check_csrf(principal, csrf)
    replay_dead(db)
    db.commit()
    return RedirectResponse("/webhooks?status=pending", status_code=303)
