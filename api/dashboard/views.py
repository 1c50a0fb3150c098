"""Dashboard pages (GET): overview, campaigns, campaign, account, triage, allow-lists; the poll."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.dashboard.access import PageAnalyst, PageViewer
from api.deps import DB
from api.queries.accounts import account_detail
from api.queries.campaigns import (
    SEVERITIES,
    STATUSES,
    CampaignFilter,
    activity_by_model,
    campaign_detail,
    list_campaigns,
    timeline_series,
    triage_dict,
)
from api.queries.overview import alert_item, alerts_per_hour, counts, feed
from api.responses import SafeJSONResponse
from hydrawatch.store.allowlists import KINDS, list_entries
from hydrawatch.store.feed import latest_seq, stored_after
from hydrawatch.store.models import MemberRow
from hydrawatch.store.triage import triage_history

router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_MODELS = 8
SORTS = ("-detected_at", "detected_at", "-score", "-size", "-severity", "-first_seen")


def render(request: Request, template: str, **context: object) -> HTMLResponse:
    return request.app.state.renderer.page(request, template, **context)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, principal: PageViewer, db: DB) -> HTMLResponse:
    recent = [alert_item(s, a) for s, a in stored_after(db, 0, 15)]
    return render(
        request,
        "overview.html",
        principal=principal,
        latest=latest_seq(db),
        counts=counts(db),
        chart=alerts_per_hour(db),
        recent=recent,
        severities=SEVERITIES,
    )


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns(
    request: Request,
    principal: PageViewer,
    db: DB,
    status: Literal["", "open", "confirmed", "dismissed"] = "",
    severity: Literal["", "low", "medium", "high", "critical"] = "",
    min_size: int | None = Query(None, ge=0, le=10**9),
    since: datetime | None = None,
    until: datetime | None = None,
    sort: Literal[
        "-detected_at", "detected_at", "-score", "-size", "-severity", "-first_seen"
    ] = "-detected_at",
    page: int = Query(1, ge=1, le=1_000_000),
) -> HTMLResponse:
    where = CampaignFilter(
        status=[status] if status else None,
        severity=[severity] if severity else None,
        min_size=min_size,
        since=since,
        until=until,
    )
    result = list_campaigns(db, where, sort, PAGE, (page - 1) * PAGE)
    params = {
        k: v
        for k, v in {
            "status": status,
            "severity": severity,
            "min_size": min_size,
            "sort": sort,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        }.items()
        if v not in (None, "")
    }
    pages = {
        "prev": urlencode({**params, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**params, "page": page + 1}) if page * PAGE < result.total else None,
    }
    return render(
        request,
        "campaigns.html",
        principal=principal,
        latest=latest_seq(db),
        page=result,
        number=page,
        pages=pages,
        filters=params,
        statuses=STATUSES,
        severities=SEVERITIES,
        sorts=SORTS,
    )


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign(
    request: Request,
    campaign_id: str,
    principal: PageViewer,
    db: DB,
    members_page: int = Query(1, ge=1, le=1_000_000),
) -> HTMLResponse:
    detail = campaign_detail(db, campaign_id, 100, (members_page - 1) * 100)
    if detail is None:
        raise HTTPException(404, "no such campaign")
    members = list(db.scalars(select(MemberRow.account_id).where(MemberRow.campaign_id == campaign_id)))
    series = timeline_series(detail["timeline"], activity_by_model(db, members))
    chart = {
        "kind": "timeline",
        "x": series["x"],
        "series": [{"label": "all requests (alert)", "values": series["total"]}]
        + [{"label": m["model"], "values": m["counts"]} for m in series["models"][:MAX_MODELS]],
    }
    return render(
        request,
        "campaign.html",
        principal=principal,
        latest=latest_seq(db),
        c=detail,
        chart=chart,
        members_page=members_page,
    )


@router.get("/accounts/{account_id:path}", response_class=HTMLResponse)
def account(request: Request, account_id: str, principal: PageViewer, db: DB) -> HTMLResponse:
    detail = account_detail(db, account_id)
    if detail is None:
        raise HTTPException(404, "no alert names this account")
    activity = detail["activity"]
    chart = {
        "kind": "timeline",
        "x": activity["x"],
        "series": [{"label": m["model"], "values": m["counts"]} for m in activity["models"][:MAX_MODELS]],
    }
    return render(request, "account.html", principal=principal, latest=latest_seq(db), a=detail, chart=chart)


@router.get("/triage", response_class=HTMLResponse)
def triage(
    request: Request, principal: PageViewer, db: DB, page: int = Query(1, ge=1, le=1_000_000)
) -> HTMLResponse:
    rows, total = triage_history(db, None, PAGE, (page - 1) * PAGE)
    return render(
        request,
        "triage.html",
        principal=principal,
        latest=latest_seq(db),
        rows=[triage_dict(r) for r in rows],
        total=total,
        number=page,
        more=page * PAGE < total,
    )


@router.get("/allowlists", response_class=HTMLResponse)
def allowlists(request: Request, principal: PageAnalyst, db: DB) -> HTMLResponse:
    return render(
        request,
        "allowlists.html",
        principal=principal,
        latest=latest_seq(db),
        entries=list_entries(db),
        kinds=KINDS,
    )


@router.get("/ui/poll")
def poll(principal: PageViewer, db: DB, after: int = Query(0, ge=0, le=2**63 - 1)) -> SafeJSONResponse:
    """New alert versions since feed position ``after`` (the dashboard polls this)."""
    return SafeJSONResponse(feed(db, after, 20))
