"""Account listing and detail: the campaigns an account is in, what the alerts say about it, its activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.queries.campaigns import summary, timeline_series
from api.queries.common import Page, iso
from hydrawatch.store.accounts import AccountRow, ActivityRow
from hydrawatch.store.models import CampaignRow, MemberRow

MAX_EVIDENCE = 50


def account_dict(row: AccountRow) -> dict[str, Any]:
    return {
        "account_id": row.account_id,
        "first_alerted_at": iso(row.first_alerted_at),
        "last_alerted_at": iso(row.last_alerted_at),
        "alert_versions": row.alert_versions,
        "campaigns": row.campaigns,
        "max_score": row.max_score,
        "max_severity": row.max_severity,
    }


def list_accounts(
    session: Session,
    campaign_status: list[str] | None = None,
    severity: list[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Accounts named by alerts, most recently alerted first."""
    query = select(AccountRow)
    count = select(func.count()).select_from(AccountRow)
    if campaign_status:
        inside = (
            select(MemberRow.account_id)
            .join(CampaignRow, CampaignRow.campaign_id == MemberRow.campaign_id)
            .where(CampaignRow.status.in_(campaign_status))
        )
        query, count = (
            query.where(AccountRow.account_id.in_(inside)),
            count.where(AccountRow.account_id.in_(inside)),
        )
    if severity:
        query = query.where(AccountRow.max_severity.in_(severity))
        count = count.where(AccountRow.max_severity.in_(severity))
    rows = session.scalars(
        query.order_by(AccountRow.last_alerted_at.desc(), AccountRow.account_id).limit(limit).offset(offset)
    )
    return Page([account_dict(r) for r in rows], int(session.scalar(count) or 0), limit, offset)


def account_detail(session: Session, account_id: str) -> dict[str, Any] | None:
    """None when no alert ever named the account."""
    row = session.get(AccountRow, account_id)
    campaigns = session.execute(
        select(CampaignRow, MemberRow.since_version)
        .join(MemberRow, MemberRow.campaign_id == CampaignRow.campaign_id)
        .where(MemberRow.account_id == account_id)
        .order_by(CampaignRow.detected_at.desc())
    ).all()
    if row is None and not campaigns:
        return None
    detail: dict[str, Any] = account_dict(row) if row is not None else {"account_id": account_id}
    detail["campaigns"] = [{**summary(c), "since_version": since} for c, since in campaigns]
    detail["evidence"] = linkage_evidence(account_id, [c for c, _ in campaigns])
    detail["activity"] = account_activity(session, account_id)
    return detail


def linkage_evidence(account_id: str, campaigns: list[CampaignRow]) -> list[dict[str, Any]]:
    """The linked pairs in the latest alerts that involve the account (with whom, sharing what)."""
    found: list[dict[str, Any]] = []
    for campaign in campaigns:
        for signal in (campaign.alert or {}).get("signals", []):
            evidence = signal.get("evidence") if isinstance(signal, dict) else None
            if signal.get("name") != "hidden_linkage" or not isinstance(evidence, dict):
                continue
            for example in evidence.get("examples", []) or []:
                pair = example.get("accounts", []) if isinstance(example, dict) else []
                if account_id in pair:
                    other = next((a for a in pair if a != account_id), account_id)
                    found.append(
                        {
                            "campaign_id": campaign.campaign_id,
                            "linked_account": other,
                            "weight": example.get("weight"),
                            "links": example.get("links", {}),
                            "shared": example.get("shared", {}),
                        }
                    )
    return found[:MAX_EVIDENCE]


def account_activity(session: Session, account_id: str) -> dict[str, Any]:
    rows = session.execute(
        select(ActivityRow.hour, ActivityRow.model, ActivityRow.requests).where(
            ActivityRow.account_id == account_id
        )
    ).all()
    series = timeline_series([], {(h, m): r for h, m, r in rows})
    series["requests"] = sum(r for _, _, r in rows)
    return series
