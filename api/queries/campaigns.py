"""Campaign listing and detail: filters, sorting, members, alert versions, timeline by model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from api.queries.common import Page, bind_utc, iso
from hydrawatch.store.accounts import AccountRow, ActivityRow, chunks
from hydrawatch.store.models import AlertRow, CampaignRow, MemberRow
from hydrawatch.store.triage import triage_history

Q = TypeVar("Q", bound=Select)
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "confirmed", "dismissed")
SORTS = ("detected_at", "first_seen", "score", "size", "severity", "version")
SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=CampaignRow.severity, else_=-1)
LIST_COLUMNS = (
    CampaignRow.campaign_id,
    CampaignRow.version,
    CampaignRow.severity,
    CampaignRow.score,
    CampaignRow.status,
    CampaignRow.size,
    CampaignRow.first_seen,
    CampaignRow.detected_at,
    CampaignRow.summary,
    CampaignRow.shadow,
)


@dataclass
class CampaignFilter:
    """What the campaign list can be narrowed to (all optional)."""

    status: list[str] | None = None
    severity: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_size: int | None = None
    max_size: int | None = None
    shadow: bool | None = None
    account: str | None = None

    def apply(self, query: Q) -> Q:
        if self.status:
            query = query.where(CampaignRow.status.in_(self.status))
        if self.severity:
            query = query.where(CampaignRow.severity.in_(self.severity))
        if self.since is not None:
            query = query.where(CampaignRow.detected_at >= bind_utc(self.since))
        if self.until is not None:
            query = query.where(CampaignRow.detected_at < bind_utc(self.until))
        if self.min_size is not None:
            query = query.where(CampaignRow.size >= self.min_size)
        if self.max_size is not None:
            query = query.where(CampaignRow.size <= self.max_size)
        if self.shadow is not None:
            query = query.where(CampaignRow.shadow == self.shadow)
        if self.account:
            members = select(MemberRow.campaign_id).where(MemberRow.account_id == self.account)
            query = query.where(CampaignRow.campaign_id.in_(members))
        return query


def summary(row: Any) -> dict[str, Any]:
    return {
        "campaign_id": row.campaign_id,
        "version": row.version,
        "severity": row.severity,
        "score": row.score,
        "status": row.status,
        "size": row.size,
        "first_seen": iso(row.first_seen),
        "detected_at": iso(row.detected_at),
        "summary": row.summary,
        "shadow": bool(row.shadow),
    }


def list_campaigns(
    session: Session, where: CampaignFilter, sort: str = "-detected_at", limit: int = 50, offset: int = 0
) -> Page:
    """A page of campaigns (without their alert payloads), sorted by ``sort`` ('-' for descending)."""
    key = sort.lstrip("-")
    column = SEVERITY_RANK if key == "severity" else getattr(CampaignRow, key)
    order = column.desc() if sort.startswith("-") else column.asc()
    tie = CampaignRow.campaign_id.desc() if sort.startswith("-") else CampaignRow.campaign_id.asc()
    rows = session.execute(
        where.apply(select(*LIST_COLUMNS)).order_by(order, tie).limit(limit).offset(offset)
    ).all()
    total = session.scalar(where.apply(select(func.count()).select_from(CampaignRow))) or 0
    return Page([summary(r) for r in rows], int(total), limit, offset)


def campaign_detail(
    session: Session, campaign_id: str, members_limit: int = 200, members_offset: int = 0
) -> dict[str, Any] | None:
    """Everything the campaign page shows: why it fired, who is in it, its infrastructure and history."""
    row = session.get(CampaignRow, campaign_id)
    if row is None:
        return None
    alert = row.alert or {}
    detail = summary(row)
    detail.update(
        {
            "signals": alert.get("signals", []),
            "sample_prompts": alert.get("sample_prompts", []),
            "infrastructure": alert.get("infrastructure", {}),
            "timeline": alert.get("timeline", []),
            "related": related(alert.get("related_campaigns")),
            "absorbed": absorbed(alert.get("absorbed_campaigns")),
            "members": members_page(session, campaign_id, members_limit, members_offset).as_dict(),
            "alerts": alert_versions(session, campaign_id),
            "triage": [triage_dict(t) for t in triage_history(session, campaign_id, limit=50)[0]],
        }
    )
    return detail


def absorbed(value: Any) -> list[str]:
    """An alert's ``absorbed_campaigns`` (campaign ids), kept to strings."""
    return [item for item in value[:50] if isinstance(item, str)] if isinstance(value, list) else []


def related(value: Any) -> list[dict[str, Any]]:
    """An alert's ``related_campaigns``, kept to well-formed entries (alerts may come from any producer)."""
    if not isinstance(value, list):
        return []
    out = []
    for item in value[:20]:
        if not isinstance(item, dict) or not isinstance(item.get("campaign_id"), str):
            continue
        links = item.get("pairs_by_link")
        out.append({
            "campaign_id": item["campaign_id"],
            **{k: item[k] for k in ("linked_pairs", "accounts_linked", "their_accounts_linked", "strongest_link")
               if isinstance(item.get(k), int | float) and not isinstance(item.get(k), bool)},
            "pairs_by_link": {str(k): v for k, v in links.items() if isinstance(v, int)} if isinstance(links, dict)
            else {},
        })
    return out


def members_page(session: Session, campaign_id: str, limit: int, offset: int) -> Page:
    query = (
        select(
            MemberRow.account_id,
            MemberRow.since_version,
            AccountRow.campaigns,
            AccountRow.max_severity,
            AccountRow.last_alerted_at,
        )
        .outerjoin(AccountRow, AccountRow.account_id == MemberRow.account_id)
        .where(MemberRow.campaign_id == campaign_id)
        .order_by(MemberRow.since_version, MemberRow.account_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        {
            "account_id": r.account_id,
            "since_version": r.since_version,
            "campaigns": r.campaigns or 1,
            "max_severity": r.max_severity,
            "last_alerted_at": iso(r.last_alerted_at),
        }
        for r in session.execute(query)
    ]
    total = session.scalar(
        select(func.count()).select_from(MemberRow).where(MemberRow.campaign_id == campaign_id)
    )
    return Page(items, int(total or 0), limit, offset)


def alert_versions(session: Session, campaign_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(AlertRow.alert_id, AlertRow.version, AlertRow.severity, AlertRow.score, AlertRow.detected_at)
        .where(AlertRow.campaign_id == campaign_id)
        .order_by(AlertRow.version.desc())
    ).all()
    return [
        {
            "alert_id": r.alert_id,
            "version": r.version,
            "severity": r.severity,
            "score": r.score,
            "detected_at": iso(r.detected_at),
        }
        for r in rows
    ]


def triage_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "campaign_id": row.campaign_id,
        "action": row.action,
        "status_before": row.status_before,
        "status_after": row.status_after,
        "version": row.version,
        "size": row.size,
        "comment": row.comment,
        "actor": row.actor,
        "at": iso(row.at),
    }


def campaign_timeline(session: Session, campaign_id: str) -> dict[str, Any] | None:
    """Requests per hour: the alert's total, and per model from ``account_activity`` of the members."""
    row = session.get(CampaignRow, campaign_id)
    if row is None:
        return None
    members = list(session.scalars(select(MemberRow.account_id).where(MemberRow.campaign_id == campaign_id)))
    return timeline_series((row.alert or {}).get("timeline", []), activity_by_model(session, members))


def activity_by_model(session: Session, accounts: list[str]) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = {}
    for part in chunks(accounts):
        query = (
            select(ActivityRow.hour, ActivityRow.model, func.sum(ActivityRow.requests))
            .where(ActivityRow.account_id.in_(part))
            .group_by(ActivityRow.hour, ActivityRow.model)
        )
        for hour, model, total in session.execute(query):
            counts[(hour, model)] = counts.get((hour, model), 0) + int(total)
    return counts


def timeline_series(alert_timeline: list[Any], by_model: dict[tuple[int, str], int]) -> dict[str, Any]:
    """Aligned hourly series: x (unix seconds), the alert's total, and one series per model."""
    total: dict[int, int] = {}
    for entry in alert_timeline:
        try:
            hour = int(datetime.fromisoformat(str(entry[0]).replace("Z", "+00:00")).timestamp() // 3600)
            total[hour] = int(entry[1])
        except (ValueError, TypeError, IndexError):
            continue
    hours = sorted(set(total) | {h for h, _ in by_model})
    models = sorted(
        {m for _, m in by_model}, key=lambda m: -sum(v for (h, mm), v in by_model.items() if mm == m)
    )
    return {
        "x": [h * 3600 for h in hours],
        "total": [total.get(h) for h in hours],
        "models": [
            {"model": m or "(unknown)", "counts": [by_model.get((h, m), 0) for h in hours]} for m in models
        ],
    }
