"""Webhook endpoints (admin; secrets write-only), the delivery outbox, dead-letter replay, outbox metrics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.deps import DB, Admin, Analyst, Viewer, get_engine, get_settings, page_size
from api.responses import SafeJSONResponse
from api.schemas import CONFLICT, NOT_FOUND, PageOut
from hydrawatch.settings import Settings
from hydrawatch.store.webhooks import DEAD, WebhookDeliveryRow, WebhookEndpointRow
from hydrawatch.webhooks.endpoints import EndpointError, create_endpoint, delete_endpoint, endpoint_dict
from hydrawatch.webhooks.endpoints import update_endpoint as apply_changes
from hydrawatch.webhooks.metrics import outbox_registry
from hydrawatch.webhooks.outbox import delivery_dict, list_deliveries, replay_dead

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
Severity = Literal["low", "medium", "high", "critical"]
Status = Literal["open", "confirmed", "dismissed"]
Action = Literal["monitor", "throttle", "suspend", "require_verification"]
Config = Annotated[Settings, Depends(get_settings)]


class WebhookFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_severity: Severity | None = None
    min_accounts: int | None = Field(None, ge=0, le=10**9)
    min_score: float | None = Field(None, ge=0, le=1)
    statuses: list[Status] | None = None
    actions: list[Action] | None = None
    include_shadow: bool | None = None
    enabled: bool | None = None


class WebhookIn(WebhookFilters):
    name: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., max_length=2000, description="http(s) URL the alerts are POSTed to.")
    secret: SecretStr = Field(..., max_length=200, description="whsec_<base64>; write-only, never returned.")


class WebhookPatch(WebhookFilters):
    url: str | None = Field(None, max_length=2000)
    secret: SecretStr | None = Field(
        None, max_length=200, description="A new secret: both are used to sign during the rotation grace period."
    )


class WebhookOut(BaseModel):
    """An endpoint as the API returns it (never its secret)."""

    id: int
    name: str
    url: str
    enabled: bool
    source: Literal["settings", "api"]
    min_severity: Severity
    min_accounts: int
    min_score: float
    statuses: list[Status]
    actions: list[Action]
    include_shadow: bool
    rotation_grace_until: str | None = Field(description="Until when the previous secret also signs (rotation).")
    created_by: str
    created_at: str
    updated_at: str


class DeliveryOut(BaseModel):
    """One outbox row: an alert version for an endpoint."""

    id: int
    endpoint_id: int
    endpoint: str
    alert_id: str = Field(description="Also the webhook-id header: receivers deduplicate on it.")
    campaign_id: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    created_at: str
    next_attempt_at: str | None
    last_attempt_at: str | None
    finished_at: str | None
    last_status_code: int | None
    last_error: str


class WebhookList(BaseModel):
    items: list[WebhookOut]


class DeliveryPage(PageOut):
    items: list[DeliveryOut]


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_id: int | None = Field(None, ge=1, lt=2**31)
    ids: list[Annotated[int, Field(ge=1, lt=2**31)]] | None = Field(None, max_length=10_000)


def _grace(settings: Settings) -> float:
    return settings.webhooks.rotation_grace_s


@router.get("", summary="Webhook endpoints (secrets are never returned)",
            responses={200: {"model": WebhookList}})
def endpoints(_: Admin, db: DB, settings: Config) -> SafeJSONResponse:
    rows = db.scalars(select(WebhookEndpointRow).order_by(WebhookEndpointRow.id))
    return SafeJSONResponse({"items": [endpoint_dict(r, _grace(settings)) for r in rows]})


@router.post("", status_code=201, summary="Add an endpoint", responses={201: {"model": WebhookOut}, **CONFLICT})
def create(body: WebhookIn, principal: Admin, db: DB,
           settings: Config) -> SafeJSONResponse:
    values = body.model_dump(exclude={"name", "url", "secret", "enabled"}, exclude_none=True)
    try:
        row = create_endpoint(db, body.name, body.url, body.secret.get_secret_value(), principal.actor,
                              enabled=body.enabled if body.enabled is not None else True, **values)
        db.commit()
    except EndpointError as exc:
        raise HTTPException(422, str(exc)) from None
    except IntegrityError:
        raise HTTPException(409, "an endpoint with this name exists") from None
    return SafeJSONResponse(endpoint_dict(row, _grace(settings)), status_code=201)


@router.get("/deliveries", summary="The delivery outbox (status=dead: the dead letters)",
            responses={200: {"model": DeliveryPage}})
def deliveries(
    _: Analyst,
    db: DB,
    status: Literal["pending", "delivered", "dead"] | None = Query(None),
    endpoint_id: int | None = Query(None, ge=1, lt=2**31),
    limit: int = page_size(100),
    offset: int = Query(0, ge=0, le=10**9),
) -> SafeJSONResponse:
    total, items = list_deliveries(db, status, endpoint_id, limit, offset)
    return SafeJSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


@router.post("/deliveries/replay", summary="Requeue dead deliveries (all, one endpoint's, or by id)")
def replay(body: ReplayIn, _: Admin, db: DB) -> SafeJSONResponse:
    count = replay_dead(db, body.endpoint_id, body.ids)
    db.commit()
    return SafeJSONResponse({"requeued": count})


@router.post("/deliveries/{delivery_id}/replay", summary="Requeue one dead delivery",
             responses={200: {"model": DeliveryOut}, **NOT_FOUND, **CONFLICT})
def replay_one(delivery_id: int, _: Admin, db: DB) -> SafeJSONResponse:
    row = db.get(WebhookDeliveryRow, delivery_id) if 0 < delivery_id < 2**31 else None
    if row is None:
        raise HTTPException(404, "no such delivery")
    if row.status != DEAD:
        raise HTTPException(409, f"only dead deliveries can be replayed; this one is {row.status}")
    replay_dead(db, delivery_ids=[delivery_id])
    db.commit()
    db.refresh(row)
    endpoint = db.get(WebhookEndpointRow, row.endpoint_id)
    return SafeJSONResponse(delivery_dict(row, endpoint.name if endpoint else ""))


@router.get("/metrics", summary="Outbox gauges in the Prometheus text format", response_class=Response)
def metrics(request: Request, _: Viewer) -> Response:
    return Response(generate_latest(outbox_registry(get_engine(request))), media_type=CONTENT_TYPE_LATEST)


@router.get("/{endpoint_id}", summary="One endpoint", responses={200: {"model": WebhookOut}, **NOT_FOUND})
def endpoint(endpoint_id: int, _: Admin, db: DB,
             settings: Config) -> SafeJSONResponse:
    return SafeJSONResponse(endpoint_dict(_get(db, endpoint_id), _grace(settings)))


@router.patch("/{endpoint_id}", summary="Change an endpoint; a new secret starts a rotation",
              responses={200: {"model": WebhookOut}, **NOT_FOUND, **CONFLICT})
def update(endpoint_id: int, body: WebhookPatch, _: Admin, db: DB,
           settings: Config) -> SafeJSONResponse:
    row = _managed_here(_get(db, endpoint_id))
    changes: dict[str, Any] = body.model_dump(exclude={"secret"}, exclude_none=True)
    if body.secret is not None:
        changes["secret"] = body.secret.get_secret_value()
    try:
        apply_changes(db, row, changes)
        db.commit()
    except EndpointError as exc:
        raise HTTPException(422, str(exc)) from None
    return SafeJSONResponse(endpoint_dict(row, _grace(settings)))


@router.delete("/{endpoint_id}", status_code=204, summary="Remove an endpoint and its outbox rows",
               responses={**NOT_FOUND, **CONFLICT})
def delete(endpoint_id: int, _: Admin, db: DB) -> None:
    delete_endpoint(db, _managed_here(_get(db, endpoint_id)))
    db.commit()


def _get(db: DB, endpoint_id: int) -> WebhookEndpointRow:
    row = db.get(WebhookEndpointRow, endpoint_id) if 0 < endpoint_id < 2**31 else None
    if row is None:
        raise HTTPException(404, "no such webhook endpoint")
    return row


def _managed_here(row: WebhookEndpointRow) -> WebhookEndpointRow:
    if row.source == "settings":
        raise HTTPException(409, "this endpoint comes from the settings (re-synced at every start): change it "
                            "there")
    return row
