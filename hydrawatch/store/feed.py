"""The order in which alert versions reached the store (what the dashboard polls for new alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hydrawatch.store.models import AlertRow, Base


class AlertFeedRow(Base):
    __tablename__ = "alert_feed"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.alert_id"), unique=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def record_stored(session: Session, alert_id: str, campaign_id: str) -> None:
    session.add(AlertFeedRow(alert_id=alert_id, campaign_id=campaign_id, stored_at=datetime.now(UTC)))


def latest_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(AlertFeedRow.seq))) or 0)


def stored_after(session: Session, seq: int, limit: int = 50) -> list[tuple[int, AlertRow]]:
    """Alert versions stored after feed position ``seq``, newest first."""
    rows = session.execute(
        select(AlertFeedRow.seq, AlertRow)
        .join(AlertRow, AlertRow.alert_id == AlertFeedRow.alert_id)
        .where(AlertFeedRow.seq > seq)
        .order_by(AlertFeedRow.seq.desc())
        .limit(limit)
    ).all()
    return [(int(s), a) for s, a in rows]
