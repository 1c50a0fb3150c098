"""Accounts named by alerts: list and detail (campaigns, linkage evidence, hourly activity)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from api.deps import DB, Viewer, page_size
from api.queries.accounts import account_detail, list_accounts
from api.responses import SafeJSONResponse
from api.schemas import NOT_FOUND, AccountPage, doc

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", summary="Accounts named by alerts, most recently alerted first", responses=doc(AccountPage))
def accounts(
    _: Viewer,
    db: DB,
    campaign_status: list[Literal["open", "confirmed", "dismissed"]] | None = Query(None),
    severity: list[Literal["low", "medium", "high", "critical"]] | None = Query(None),
    limit: int = page_size(50),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> SafeJSONResponse:
    return SafeJSONResponse(
        list_accounts(db, list(campaign_status or []), list(severity or []), limit, offset).as_dict()
    )


@router.get("/{account_id:path}", summary="Account detail", responses=NOT_FOUND)
def account(account_id: str, _: Viewer, db: DB) -> SafeJSONResponse:
    detail = account_detail(db, account_id)
    if detail is None:
        raise HTTPException(404, "no alert names this account")
    return SafeJSONResponse(detail)
