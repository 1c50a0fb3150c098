"""Campaigns: filtered, sorted, paginated list; detail; hourly timeline by model."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from api.deps import DB, Viewer, page_size
from api.queries.campaigns import CampaignFilter, campaign_detail, campaign_timeline, list_campaigns
from api.responses import SafeJSONResponse
from api.schemas import NOT_FOUND, CampaignDetail, CampaignPage, Timeline, doc

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
Status = Literal["open", "confirmed", "dismissed"]
Severity = Literal["low", "medium", "high", "critical"]
SORT_PATTERN = r"^-?(detected_at|first_seen|score|size|severity|version)$"


@router.get("", summary="List campaigns", responses=doc(CampaignPage))
def campaigns(
    _: Viewer,
    db: DB,
    status: list[Status] | None = Query(None, description="Repeat to match several."),
    severity: list[Severity] | None = Query(None, description="Repeat to match several."),
    since: datetime | None = Query(None, description="Detected at or after (RFC 3339)."),
    until: datetime | None = Query(None, description="Detected before (RFC 3339)."),
    min_size: int | None = Query(None, ge=0, le=10**9),
    max_size: int | None = Query(None, ge=0, le=10**9),
    shadow: bool | None = Query(None),
    account: str | None = Query(None, max_length=200, description="Only campaigns with this member."),
    sort: str = Query("-detected_at", pattern=SORT_PATTERN, description="Field, '-' prefix for descending."),
    limit: int = page_size(50),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> SafeJSONResponse:
    where = CampaignFilter(
        status=list(status or []),
        severity=list(severity or []),
        since=since,
        until=until,
        min_size=min_size,
        max_size=max_size,
        shadow=shadow,
        account=account,
    )
    page = list_campaigns(db, where, sort, limit, offset)
    return SafeJSONResponse(page.as_dict())


@router.get("/{campaign_id}", summary="Campaign detail", responses={**doc(CampaignDetail), **NOT_FOUND})
def campaign(
    campaign_id: str,
    _: Viewer,
    db: DB,
    members_limit: int = page_size(200, "members_limit"),
    members_offset: int = Query(0, ge=0, le=10_000_000),
) -> SafeJSONResponse:
    detail = campaign_detail(db, campaign_id, members_limit, members_offset)
    if detail is None:
        raise HTTPException(404, "no such campaign")
    return SafeJSONResponse(detail)


@router.get(
    "/{campaign_id}/timeline", summary="Requests per hour, total and by model",
    responses={**doc(Timeline), **NOT_FOUND},
)
def timeline(campaign_id: str, _: Viewer, db: DB) -> SafeJSONResponse:
    series = campaign_timeline(db, campaign_id)
    if series is None:
        raise HTTPException(404, "no such campaign")
    return SafeJSONResponse(series)
