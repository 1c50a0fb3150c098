"""Analyst triage of campaigns (confirm, dismiss, reopen) with an append-only audit trail; labels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from hydrawatch.store.models import Base, CampaignRow, MemberRow

ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}
DETECTOR_ACTOR = "detector"


class TriageRow(Base):
    __tablename__ = "triage_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.campaign_id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    status_before: Mapped[str] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, doc="Campaign version the decision was taken on.")
    size: Mapped[int] = mapped_column(Integer, doc="Campaign size when the decision was taken.")
    comment: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class TriageError(ValueError):
    """A triage request that cannot be applied."""


def now() -> datetime:
    return datetime.now(UTC)


def triage_campaign(session: Session, campaign_id: str, action: str, comment: str, actor: str) -> TriageRow:
    """Apply a decision to a campaign and append it to the audit trail (KeyError: no such campaign)."""
    if action not in ACTIONS:
        raise TriageError(f"action must be one of {', '.join(ACTIONS)}")
    campaign = session.get(CampaignRow, campaign_id)
    if campaign is None:
        raise KeyError(campaign_id)
    row = TriageRow(
        campaign_id=campaign_id,
        action=action,
        status_before=campaign.status,
        status_after=ACTIONS[action],
        version=campaign.version,
        size=campaign.size,
        comment=comment,
        actor=actor,
        at=now(),
    )
    campaign.status = ACTIONS[action]
    session.add(row)
    session.flush()
    return row


def reopen_if_realerted(session: Session, campaign: CampaignRow, alert: dict[str, Any]) -> None:
    """A new version of a dismissed campaign means it grew materially: reopen it and say so in the trail."""
    if campaign.status != "dismissed" or campaign.version != alert["version"]:
        return
    last = session.scalars(
        select(TriageRow)
        .where(TriageRow.campaign_id == campaign.campaign_id)
        .order_by(TriageRow.id.desc())
        .limit(1)
    ).first()
    if last is None or last.version >= alert["version"]:
        return
    session.add(
        TriageRow(
            campaign_id=campaign.campaign_id,
            action="reopen",
            status_before="dismissed",
            status_after="open",
            version=alert["version"],
            size=len(alert["accounts"]),
            comment=f"re-alerted: grew from {last.size} to {len(alert['accounts'])} accounts",
            actor=DETECTOR_ACTOR,
            at=now(),
        )
    )
    campaign.status = "open"


def note_absorbed(session: Session, alert: dict[str, Any]) -> None:
    """Each campaign an alert absorbed (``absorbed_campaigns``) says so in its trail, once: its status is unchanged
    and its own alerts stay, but its accounts now belong to the absorbing campaign."""
    for absorbed_id in alert.get("absorbed_campaigns") or []:
        absorbed = session.get(CampaignRow, absorbed_id) if isinstance(absorbed_id, str) else None
        if absorbed is None or session.scalar(select(TriageRow.id).where(
                TriageRow.campaign_id == absorbed_id, TriageRow.action == "absorbed").limit(1)) is not None:
            continue
        session.add(TriageRow(
            campaign_id=absorbed_id, action="absorbed", status_before=absorbed.status,
            status_after=absorbed.status, version=absorbed.version, size=absorbed.size,
            comment=f"absorbed into {alert['campaign_id']} (its version {alert['version']}, "
                    f"{len(alert['accounts'])} accounts)",
            actor=DETECTOR_ACTOR, at=now(),
        ))


def triage_history(
    session: Session, campaign_id: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[TriageRow], int]:
    """Audit trail, newest first, with the total count."""
    query = select(TriageRow)
    count = select(func.count()).select_from(TriageRow)
    if campaign_id is not None:
        query = query.where(TriageRow.campaign_id == campaign_id)
        count = count.where(TriageRow.campaign_id == campaign_id)
    rows = list(session.scalars(query.order_by(TriageRow.id.desc()).limit(limit).offset(offset)))
    return rows, int(session.scalar(count) or 0)


def triaged_campaigns(engine: Engine) -> list[tuple[str, str, int, int]]:
    """(campaign_id, status, size at the decision, version) of every campaign an analyst has triaged."""
    with Session(engine) as session:
        campaigns = session.execute(
            select(CampaignRow.campaign_id, CampaignRow.status, CampaignRow.size, CampaignRow.version).where(
                CampaignRow.status != "open"
            )
        ).all()
        result = []
        for cid, status, size, version in campaigns:
            last = session.scalars(
                select(TriageRow).where(TriageRow.campaign_id == cid).order_by(TriageRow.id.desc()).limit(1)
            ).first()
            result.append((cid, status, last.size if last else size, version))
        return result


def export_labels(engine: Engine) -> dict[str, Any]:
    """Triage outcomes as ``hydrawatch evaluate`` labels.

    Members of confirmed campaigns are labelled with the campaign id (a campaign group, starting at the
    campaign's first_seen); members of dismissed campaigns get the legitimate group ``dismissed:<id>``.
    Open campaigns are left out. An account in both a confirmed and a dismissed campaign counts as confirmed.
    """
    accounts: dict[str, str] = {}
    starts: dict[str, str] = {}
    with Session(engine) as session:
        rows = session.execute(
            select(CampaignRow.campaign_id, CampaignRow.status, CampaignRow.first_seen, MemberRow.account_id)
            .join(MemberRow, MemberRow.campaign_id == CampaignRow.campaign_id)
            .where(CampaignRow.status.in_(("confirmed", "dismissed")))
            .order_by(CampaignRow.campaign_id, MemberRow.account_id)
        ).all()
    for cid, status, first_seen, account in rows:
        if status == "confirmed":
            accounts[account] = cid
            stamp = first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=UTC)
            starts[cid] = stamp.isoformat().replace("+00:00", "Z")
        elif account not in accounts:
            accounts[account] = f"dismissed:{cid}"
    return {"accounts": accounts, "campaign_start": starts}
