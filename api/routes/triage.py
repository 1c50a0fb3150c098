"""Triage: confirm, dismiss or reopen a campaign with a comment (analyst); the audit trail (viewer)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query

from api.deps import DB, Analyst, Viewer, page_size
from api.queries.campaigns import triage_dict
from api.responses import SafeJSONResponse
from api.schemas import NOT_FOUND, TriageEvent, TriageIn, TriagePage, doc
from hydrawatch.store.models import CampaignRow
from hydrawatch.store.triage import triage_campaign, triage_history

router = APIRouter(tags=["triage"])


@router.post(
    "/campaigns/{campaign_id}/triage",
    status_code=201,
    summary="Record a triage decision",
    responses={201: {"model": TriageEvent}, **NOT_FOUND},
)
def decide(campaign_id: str, body: TriageIn, principal: Analyst, db: DB) -> SafeJSONResponse:
    try:
        row = triage_campaign(db, campaign_id, body.action, body.comment, principal.actor)
    except KeyError:
        raise HTTPException(404, "no such campaign") from None
    db.commit()
    return SafeJSONResponse(triage_dict(row), status_code=201)


@router.get("/campaigns/{campaign_id}/triage", summary="A campaign's audit trail",
            responses={**doc(TriagePage), **NOT_FOUND})
def campaign_trail(
    campaign_id: str, _: Viewer, db: DB, limit: int = page_size(100),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> SafeJSONResponse:
    if db.get(CampaignRow, campaign_id) is None:
        raise HTTPException(404, "no such campaign")
    rows, total = triage_history(db, campaign_id, limit, offset)
    return SafeJSONResponse(
        {"items": [triage_dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}
    )


@router.get("/triage", summary="The whole audit trail, newest first", responses=doc(TriagePage))
def trail(
    _: Viewer, db: DB, limit: int = page_size(100), offset: int = Query(0, ge=0, le=10_000_000)
) -> SafeJSONResponse:
    rows, total = triage_history(db, None, limit, offset)
    return SafeJSONResponse(
        {"items": [triage_dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}
    )
