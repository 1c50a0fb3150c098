"""Alert versions: a campaign's history, one version's full payload, and the feed of newly stored alerts."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query

from api.deps import DB, Viewer, page_size
from api.queries.campaigns import alert_versions
from api.queries.overview import feed
from api.responses import SafeJSONResponse
from api.schemas import NOT_FOUND, AlertVersionList
from hydrawatch.store.models import AlertRow, CampaignRow

router = APIRouter(tags=["alerts"])


@router.get("/campaigns/{campaign_id}/alerts", summary="Every alert version of a campaign, newest first",
            responses={200: {"model": AlertVersionList}, **NOT_FOUND})
def campaign_alerts(
    campaign_id: str,
    _: Viewer,
    db: DB,
    payloads: bool = Query(False, description="Include the full alert payloads."),
) -> SafeJSONResponse:
    if db.get(CampaignRow, campaign_id) is None:
        raise HTTPException(404, "no such campaign")
    versions = alert_versions(db, campaign_id)
    if payloads:
        for item in versions:
            row = db.get(AlertRow, item["alert_id"])
            item["payload"] = row.payload if row is not None else None
    return SafeJSONResponse({"campaign_id": campaign_id, "items": versions})


@router.get("/alerts/feed", summary="Alert versions stored after a feed position (for polling)")
def alert_feed(
    _: Viewer,
    db: DB,
    after: int = Query(0, ge=0, le=2**63 - 1, description="The 'latest' of the previous call."),
    limit: int = page_size(50),
) -> SafeJSONResponse:
    return SafeJSONResponse(feed(db, after, limit))


@router.get("/alerts/{alert_id}", summary="One alert version as emitted (alert.schema.json)", responses=NOT_FOUND)
def alert(alert_id: str, _: Viewer, db: DB) -> SafeJSONResponse:
    row = db.get(AlertRow, alert_id)
    if row is None:
        raise HTTPException(404, "no such alert")
    return SafeJSONResponse(row.payload)
