"""Exports: CSV of accounts in campaigns; STIX 2.1 bundle of confirmed campaigns' indicators."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from api.deps import DB, Viewer
from api.queries.campaigns import related
from api.queries.common import iso
from api.responses import clean_text
from api.stix_export import build_bundle
from hydrawatch.store.accounts import AccountRow
from hydrawatch.store.models import CampaignRow, MemberRow

router = APIRouter(prefix="/exports", tags=["exports"])
CSV_COLUMNS = (
    "account_id",
    "campaign_id",
    "campaign_status",
    "severity",
    "score",
    "since_version",
    "first_alerted_at",
    "last_alerted_at",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not evaluate as a formula."""
    text = clean_text("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


@router.get(
    "/accounts.csv",
    summary="Accounts in campaigns, one row per (account, campaign)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def accounts_csv(
    _: Viewer, db: DB, status: list[Literal["open", "confirmed", "dismissed"]] | None = Query(None)
) -> StreamingResponse:
    query = (
        select(
            MemberRow.account_id,
            CampaignRow.campaign_id,
            CampaignRow.status,
            CampaignRow.severity,
            CampaignRow.score,
            MemberRow.since_version,
            AccountRow.first_alerted_at,
            AccountRow.last_alerted_at,
        )
        .join(CampaignRow, CampaignRow.campaign_id == MemberRow.campaign_id)
        .outerjoin(AccountRow, AccountRow.account_id == MemberRow.account_id)
        .order_by(CampaignRow.campaign_id, MemberRow.account_id)
    )
    if status:
        query = query.where(CampaignRow.status.in_(status))
    rows = db.execute(query).all()

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for n, row in enumerate(rows):
            writer.writerow(
                [cell(row[0]), cell(row[1]), row[2], row[3], row[4], row[5], iso(row[6]), iso(row[7])]
            )
            if n % 1000 == 999:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="hydrawatch-accounts.csv"'},
    )


@router.get(
    "/stix",
    summary="STIX 2.1 bundle of indicators of confirmed campaigns",
    responses={200: {"content": {"application/stix+json;version=2.1": {}}}},
)
def stix(_: Viewer, db: DB) -> Response:
    rows = db.scalars(
        select(CampaignRow).where(CampaignRow.status == "confirmed").order_by(CampaignRow.campaign_id)
    )
    campaigns = [
        {
            "campaign_id": c.campaign_id,
            "summary": c.summary,
            "first_seen": c.first_seen,
            "detected_at": c.detected_at,
            "accounts": (c.alert or {}).get("accounts", []),
            "infrastructure": (c.alert or {}).get("infrastructure", {}),
            "related": [r["campaign_id"] for r in related((c.alert or {}).get("related_campaigns"))],
        }
        for c in rows
    ]
    body = build_bundle(campaigns).serialize(pretty=False)
    return Response(
        body.encode("utf-8"),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="hydrawatch-confirmed.stix.json"'},
    )
